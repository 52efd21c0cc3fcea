"""What tokens cost: a price table by model name, and what a run spent, for eval reports
and a batch's last line."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from summarizer.errors import InputError

__all__ = ["Prices", "Spend"]


@dataclass(frozen=True)
class Prices:
    """US$ per million tokens, by model name; ``"*"`` prices any model not listed.

    File form (``--prices prices.json``)::

        {"deepseek-chat": {"input": 0.27, "output": 1.10}, "*": {"input": 1, "output": 2}}
    """

    table: Mapping[str, tuple[float, float]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: str | Path) -> Prices:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            table = {
                str(model): (float(p.get("input", 0)), float(p.get("output", 0)))
                for model, p in data.items()
            }
        except OSError as exc:
            raise InputError(
                f"cannot read the price table ({exc.strerror or exc})", path=path
            ) from None
        except (ValueError, AttributeError, TypeError):
            raise InputError(
                'not a price table; expected {"MODEL": {"input": USD_PER_1M, "output": '
                "USD_PER_1M}, ...}",
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
        usage = meta.get("usage") or {}
        return (
            price[0] * int(usage.get("prompt_tokens") or 0)
            + price[1] * int(usage.get("completion_tokens") or 0)
        ) / 1e6


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
