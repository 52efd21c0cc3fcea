"""How many tokens a request takes, estimated: no tokenizer loads offline (``tiktoken``
fetches its encodings from the network), and each provider counts differently.

The estimate is generous, so a request it lets through fits: one token per Chinese
character or full-width mark (current models take 0.6–1.0), one per
``CHARS_PER_TOKEN`` other characters (English and JSON take about four), plus the
answer's JSON schema, which every mode sends with the request (as a tool, a response
format or an instruction).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from functools import cache

from summarizer.normalize import HAN
from summarizer.schemas import DraftSummary
from summarizer.settings import Settings

__all__ = [
    "CHARS_PER_TOKEN",
    "MESSAGE_TOKENS",
    "OUTPUT_RESERVE",
    "REPLY_SHARE",
    "TokenScale",
    "estimate_tokens",
    "reply_limit",
    "reply_room",
    "request_tokens",
    "room",
    "schema_tokens",
]

#: Other characters per token (English words, JSON, digits).
CHARS_PER_TOKEN = 3
#: What each chat message adds beyond its text (role, separators).
MESSAGE_TOKENS = 8
#: The answer's room when ``max_tokens`` sends none: a summary's JSON runs to ~1,500
#: tokens for a long report.
OUTPUT_RESERVE = 4096
#: At most this share of the context is kept for the answer when a report is cut: the
#: default ``max_tokens`` (8,192) is meant for a large context, and would leave nothing of
#: an 8k one. A part's answer is a few hundred to ~1,500 tokens.
REPLY_SHARE = 0.25

_WIDE = re.compile(f"[{HAN}\u3000-\u303f\uff00-\uffef\u2018-\u201f\u2026\u2014]")


def estimate_tokens(text: str) -> int:
    """Tokens ``text`` takes, at most (see the module docstring)."""
    wide = len(_WIDE.findall(text))
    return wide + math.ceil((len(text) - wide) / CHARS_PER_TOKEN)


@cache
def schema_tokens() -> int:
    """Tokens the answer's JSON schema takes in a request."""
    return estimate_tokens(json.dumps(DraftSummary.model_json_schema(), ensure_ascii=False))


def request_tokens(messages: Sequence[dict[str, str]]) -> int:
    """Tokens a request with these messages takes, the schema included."""
    text = sum(estimate_tokens(m["content"]) for m in messages)
    return text + MESSAGE_TOKENS * len(messages) + schema_tokens()


def reply_room(settings: Settings) -> int:
    """Tokens kept for the answer: ``max_tokens`` (or :data:`OUTPUT_RESERVE` when none is
    sent), but at most :data:`REPLY_SHARE` of the context."""
    wanted = settings.max_tokens or OUTPUT_RESERVE
    return min(wanted, int(settings.context_tokens * REPLY_SHARE))


def room(settings: Settings) -> int:
    """Tokens a request may take: the context window less the answer's room."""
    return settings.context_tokens - reply_room(settings)


def reply_limit(settings: Settings, prompt_tokens: int) -> int | None:
    """The ``max_tokens`` a request of ``prompt_tokens`` (as the server counts them) sends:
    ``max_tokens``, cut to what the context has left after the prompt (vLLM and llama.cpp
    refuse a request whose prompt and ``max_tokens`` together exceed it); None sends none.
    A request that fits :func:`room` is never cut below :func:`reply_room`."""
    if not settings.max_tokens:
        return None
    return max(1, min(settings.max_tokens, settings.context_tokens - prompt_tokens))


class TokenScale:
    """How many tokens the server counts per estimated one, learned during a run.

    It starts at 1 (the estimate as it is), which is also its ceiling. Each answer's
    reported prompt tokens, against the request's estimate, may lower it (the largest ratio
    seen, with ``MARGIN``): a Qwen or DeepSeek server counting ~0.7 tokens a Chinese
    character lets the next reports go in fewer, larger parts. Only a request the server
    refused as longer than its context raises it: the ceiling doubles (a tokenizer that
    splits Chinese finer than the estimate)."""

    #: Room kept above the largest ratio seen: requests differ in their mix of text.
    MARGIN = 1.1
    #: The factor never goes below this (an answer's usage may be wrong) …
    LOWEST = 0.4
    #: … and a report still refused at this factor is given up.
    HIGHEST = 8.0

    def __init__(self) -> None:
        self.factor = self._ceiling = 1.0
        self._seen: float | None = None

    def observe(self, estimated: int, counted: int) -> None:
        """An answered request: ``estimated`` tokens by the estimate, ``counted`` by the server."""
        if estimated <= 0 or counted <= 0:
            return
        ratio = counted / estimated
        self._seen = ratio if self._seen is None else max(self._seen, ratio)
        self.factor = max(self.LOWEST, min(self._ceiling, self._seen * self.MARGIN))

    def refused(self) -> bool:
        """A request refused as too long: the ceiling doubled and the factor at it; False
        when it is already at its highest."""
        if self.factor >= self.HIGHEST:
            return False
        self.factor = self._ceiling = min(self.HIGHEST, max(self._ceiling, self.factor) * 2)
        self._seen = None  # what was seen undercounted: learn again from here
        return True

    def limit(self, tokens: int) -> int:
        """``tokens`` the server counts, in estimated tokens."""
        return int(tokens / self.factor)
