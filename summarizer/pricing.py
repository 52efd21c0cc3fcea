"""What tokens cost: a price table by model name, and what a run spent, for eval reports
and a batch's last line."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from summarizer.errors import InputError

__all__ = ["Price", "Prices", "Spend"]


@dataclass(frozen=True)
class Price:
    """US$ per million tokens of one model: online, and through a batch engine (a
    provider's Batch API runs at about half; where the table gives no batch price, the
    online one is counted)."""

    input: float
    output: float
    batch_input: float | None = None
    batch_output: float | None = None

    @classmethod
    def of(cls, value: Price | Mapping[str, Any] | tuple[float, float]) -> Price:
        if isinstance(value, Price):
            return value
        if isinstance(value, tuple):
            return cls(*value)
        batch_in, batch_out = value.get("batch_input"), value.get("batch_output")
        return cls(
            float(value.get("input", 0)),
            float(value.get("output", 0)),
            None if batch_in is None else float(batch_in),
            None if batch_out is None else float(batch_out),
        )

    def cost(self, usage: Mapping[str, Any]) -> float:
        """What ``usage`` (as dumped to JSON) cost, its batch tokens at the batch price."""

        def tokens(name: str) -> int:
            return int(usage.get(name) or 0)

        batch_in, batch_out = tokens("batch_prompt_tokens"), tokens("batch_completion_tokens")
        return (
            self.input * (tokens("prompt_tokens") - batch_in)
            + _or(self.batch_input, self.input) * batch_in
            + self.output * (tokens("completion_tokens") - batch_out)
            + _or(self.batch_output, self.output) * batch_out
        ) / 1e6


def _or(value: float | None, default: float) -> float:
    return default if value is None else value


@dataclass(frozen=True)
class Prices:
    """US$ per million tokens, by model name; ``"*"`` prices any model not listed.

    File form (``--prices prices.json``; the batch prices are optional)::

        {"gpt-4o-mini": {"input": 0.15, "output": 0.60,
                         "batch_input": 0.075, "batch_output": 0.30},
         "*": {"input": 1, "output": 2}}
    """

    table: Mapping[str, Price | tuple[float, float]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: str | Path) -> Prices:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            table = {str(model): Price.of(p) for model, p in data.items()}
        except OSError as exc:
            raise InputError(
                f"cannot read the price table ({exc.strerror or exc})", path=path
            ) from None
        except (ValueError, AttributeError, TypeError):
            raise InputError(
                'not a price table; expected {"MODEL": {"input": USD_PER_1M, "output": '
                'USD_PER_1M, "batch_input": …, "batch_output": …}, ...} (batch prices optional)',
                path=path,
            ) from None
        return cls(table)

    def cost(self, meta: Mapping[str, Any]) -> float | None:
        """What one summary's tokens cost; 0 offline, ``None`` when the model has no price."""
        if meta.get("backend") == "offline":
            return 0.0
        price = self.table.get(str(meta.get("model")), self.table.get("*"))
        if price is None:
            return None
        return Price.of(price).cost(meta.get("usage") or {})


@dataclass
class Spend:
    """Tokens and US$ spent, summed over summaries.

    ``cost`` becomes ``None`` (and stays so) once a summary's model has no price: a
    total that left some summaries out would read as the whole bill."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float | None = 0.0

    def add(self, meta: Mapping[str, Any], prices: Prices) -> None:
        """Count one summary, from its ``meta`` as dumped to JSON."""
        usage = meta.get("usage")
        if isinstance(usage, Mapping):
            self.prompt_tokens += int(usage.get("prompt_tokens") or 0)
            self.completion_tokens += int(usage.get("completion_tokens") or 0)
        spent = prices.cost(meta)
        self.cost = None if spent is None or self.cost is None else self.cost + spent

    def __add__(self, other: Spend) -> Spend:
        cost = None if self.cost is None or other.cost is None else self.cost + other.cost
        return Spend(
            self.prompt_tokens + other.prompt_tokens,
            self.completion_tokens + other.completion_tokens,
            cost,
        )

    def usage(self) -> dict[str, int]:
        """The token counts as the JSON figures name them."""
        return {"prompt_tokens": self.prompt_tokens, "completion_tokens": self.completion_tokens}
