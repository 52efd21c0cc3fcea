"""Reply repair: what a server sends back, made into what instructor can parse.

Reasoning models put ``<think>…</think>`` before the answer; some servers wrap JSON
in a fence or in prose; servers that ignore a forced ``tool_choice`` answer with
JSON as plain content. :class:`ReplyRepair` fixes each reply in instructor's
``completion:response`` hook, before parsing, and keeps the last reply's JSON for
salvage. It counts nothing: that is :mod:`summarizer.llm.accounting`'s job.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from summarizer.schemas import DraftSummary

__all__ = ["ReplyRepair", "json_object", "partial_object", "response_model", "strip_reasoning"]

_THINK_END = "</think>"
_FENCED_JSON = re.compile(r"```(?:json)?\s*(\{.*\})\s*```", re.DOTALL)


def strip_reasoning(content: str, *, want_json: bool) -> str:
    """Drop ``<think>…</think>`` that reasoning models emit before their answer;
    with ``want_json``, also unwrap a fenced or prose-wrapped JSON object."""
    if _THINK_END in content:
        content = content.rsplit(_THINK_END, 1)[1]
    content = content.strip()
    if want_json and not content.startswith("{"):
        fenced = _FENCED_JSON.search(content)
        if fenced:
            content = fenced.group(1)
        elif "{" in content and "}" in content:
            content = content[content.index("{") : content.rindex("}") + 1]
    return content


@dataclass
class ReplyRepair:
    """Fixes each reply of one call in place; remembers the last one's JSON text."""

    mode: str
    #: The last reply's JSON text (tool arguments or content): what is salvaged when
    #: every re-ask failed validation.
    last_reply: str | None = None
    _tool: str | None = None

    def on_request(self, *args: Any, **kwargs: Any) -> None:
        tools = kwargs.get("tools") or []
        self._tool = tools[0]["function"]["name"] if tools else None

    def on_response(self, response: Any) -> None:
        for choice in getattr(response, "choices", None) or []:
            message = choice.message
            if isinstance(message.content, str):
                message.content = strip_reasoning(message.content, want_json=self.mode != "tools")
                if self.mode == "tools" and not message.tool_calls:
                    _content_as_tool_call(message, self._tool)
            if message.tool_calls:
                self.last_reply = message.tool_calls[0].function.arguments
            elif isinstance(message.content, str):
                self.last_reply = strip_reasoning(message.content, want_json=True)


def _content_as_tool_call(message: Any, tool: str | None) -> None:
    """Servers that ignore a forced ``tool_choice`` answer with JSON as plain content;
    take it as the tool call rather than spend a re-ask on the server's quirk."""
    content = strip_reasoning(message.content or "", want_json=True)
    if tool is None or not content.startswith("{"):
        return
    from openai.types.chat import ChatCompletionMessageFunctionToolCall as ToolCall

    arguments = {"name": tool, "arguments": content}
    message.tool_calls = [
        ToolCall.model_validate(
            {"id": "call_from_content", "type": "function", "function": arguments}
        )
    ]
    message.content = None


def json_object(text: str | None) -> dict[str, Any] | None:
    """The JSON object in a reply's text, or None."""
    if not text:
        return None
    try:
        value = json.loads(strip_reasoning(text, want_json=True))
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


def partial_object(text: str | None) -> dict[str, Any] | None:
    """What a reply cut off mid-answer holds complete: its JSON parsed up to the cut, the
    value cut in two left out (an item missing its evidence is then refused by salvage)."""
    if not text:
        return None
    import jiter  # openai's own JSON reader: installed with it

    body = strip_reasoning(text, want_json=True)
    start = body.find("{")
    if start < 0:
        return None
    try:
        value = jiter.from_json(body[start:].encode(), partial_mode="on")
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


@cache
def response_model() -> type[DraftSummary]:
    """DraftSummary wrapped for instructor once: left to itself, instructor wraps it anew
    on every call, which also defeats its schema cache (~7 ms of CPU per request)."""
    import instructor

    return instructor.response_schema(DraftSummary)
