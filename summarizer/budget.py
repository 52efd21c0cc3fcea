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
    "estimate_tokens",
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


def room(settings: Settings) -> int:
    """Tokens a request may take: the context window less the answer's room."""
    return settings.context_tokens - (settings.max_tokens or OUTPUT_RESERVE)
