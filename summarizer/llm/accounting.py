"""Accounting: what one summarize call cost, filled by instructor's hooks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from summarizer.llm.replay import REPLAY, Replied
from summarizer.schemas import Usage

__all__ = ["CHARS_PER_TOKEN", "CallRecord"]

#: When a server reports no usage, tokens are estimated at this many characters each
#: (Chinese runs at ~0.6-1.0 tokens per character on current models; JSON keys more).
CHARS_PER_TOKEN = 1.5


@dataclass
class CallRecord:
    """Attempts (replies received), transport tries and tokens of one call."""

    attempts: int = 0
    transport_tries: int = 0
    usage: Usage = field(default_factory=Usage)
    #: The ``max_tokens`` the request sent (None: none sent).
    max_tokens: int | None = None
    #: The completion tokens of the last reply (how long a cut-off reply got).
    last_completion_tokens: int = 0
    _prompt_chars: int = 0

    def on_request(self, *args: Any, **kwargs: Any) -> None:
        self.max_tokens = kwargs.get("max_tokens")
        messages = kwargs.get("messages") or []
        self._prompt_chars = sum(len(str(m.get("content") or "")) for m in messages)

    def on_response(self, response: Any) -> None:
        """Count the attempt and add its usage (estimated when the server sends none;
        marked as batch usage when the answer came from a batch engine's results)."""
        self.attempts += 1
        run = REPLAY.get()  # a served reply answers the first request: the first answer
        batch = run is not None and isinstance(run.progress, Replied) and self.attempts == 1
        usage = self._usage(response)
        self.last_completion_tokens = usage.completion_tokens
        self.usage += _as_batch(usage, batch)

    def _usage(self, response: Any) -> Usage:
        usage = getattr(response, "usage", None)
        if usage is not None and usage.prompt_tokens is not None:
            prompt = usage.prompt_tokens or 0
            completion = usage.completion_tokens or 0
            return Usage(
                prompt_tokens=prompt,
                completion_tokens=completion,
                total_tokens=usage.total_tokens or prompt + completion,
            )
        reply_chars = 0
        for choice in getattr(response, "choices", None) or []:
            message = choice.message
            if isinstance(message.content, str):
                reply_chars += len(message.content)
            for call in message.tool_calls or []:
                reply_chars += len(call.function.arguments or "")
        prompt = round(self._prompt_chars / CHARS_PER_TOKEN)
        completion = round(reply_chars / CHARS_PER_TOKEN)
        return Usage(
            prompt_tokens=prompt,
            completion_tokens=completion,
            total_tokens=prompt + completion,
            estimated=True,
        )


def _as_batch(usage: Usage, batch: bool) -> Usage:
    """``usage``, its tokens also counted as batch tokens when ``batch``."""
    if not batch:
        return usage
    update = {
        "batch_prompt_tokens": usage.prompt_tokens,
        "batch_completion_tokens": usage.completion_tokens,
    }
    return usage.model_copy(update=update)
