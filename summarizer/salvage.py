"""What grounds of an answer that failed validation after every re-ask: each item and
metric validated on its own, the rest dropped with the validator's reason. A model that
got one quote wrong of forty costs that quote, not the document."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from summarizer.grounding import HEADERS
from summarizer.schemas import SECTIONS, DraftItem, DraftMetric, DraftSummary, Dropped
from summarizer.schemas.source import check_quote
from summarizer.source import GroundedSource

__all__ = ["salvage"]


def salvage(
    reply: Mapping[str, Any], source: GroundedSource
) -> tuple[DraftSummary, list[Dropped]] | None:
    """What grounds of an answer that failed validation after every re-ask.

    Each item and metric is validated on its own, with the same validators; those that
    fail are dropped with the validator's message as the reason, and header fields that
    fail become null. None when no item and no metric is left: then nothing is returned."""
    context = {"source": source}
    dropped: list[Dropped] = []
    candidate: dict[str, Any] = {name: reply.get(name) for name in (*HEADERS, "overview")}
    for section in (*SECTIONS, "metrics"):
        entries = reply.get(section)
        model: type[DraftItem] | type[DraftMetric] = (
            DraftMetric if section == "metrics" else DraftItem
        )
        kept = []
        for entry in entries if isinstance(entries, list) else []:
            try:
                kept.append(model.model_validate(entry, context=context).model_dump())
            except ValidationError as exc:
                rest = _on_its_grounded_quotes(entry, source, section, dropped)
                if rest is not None:
                    kept.append(rest)
                    continue
                dropped.append(
                    Dropped(section=section, text=_label(entry), reason=_first_error(exc))
                )
        candidate[section] = kept
    if not any(candidate[s] for s in (*SECTIONS, "metrics")):
        return None
    for _ in range(len(HEADERS) + 2):
        try:
            return DraftSummary.model_validate(candidate, context=context), dropped
        except ValidationError as exc:
            fields = {e["loc"][0] for e in exc.errors() if e["loc"]}
            fixable = [f for f in fields if f in (*HEADERS, "overview") and candidate.get(f)]
            if not fixable or fields - set(fixable):
                return None
            for name in fixable:
                dropped.append(
                    Dropped(section=name, text=str(candidate[name]), reason=_first_error(exc))
                )
                candidate[name] = None
    return None


def _on_its_grounded_quotes(
    entry: Any, source: GroundedSource, section: str, dropped: list[Dropped]
) -> dict[str, Any] | None:
    """A point kept on the quotes of it that ground, when they still bear out its text
    and its figures (the quotes that do not are dropped, each with its reason)."""
    if section == "metrics" or not isinstance(entry, Mapping):
        return None
    quotes = entry.get("evidence")
    if not isinstance(quotes, list):
        return None
    good = [q for q in quotes if isinstance(q, str) and q.strip() and not source.refusal(q)]
    if not good or len(good) == len(quotes):
        return None
    try:
        item = DraftItem.model_validate({**entry, "evidence": good}, context={"source": source})
    except ValidationError:
        return None
    for quote in quotes:
        if isinstance(quote, str) and quote not in good and quote.strip():
            why = check_quote(quote, source) or "not in the document"
            dropped.append(Dropped(section=section, text=quote, reason=f"quote left out: {why}"))
    return item.model_dump()


def _label(entry: Any) -> str:
    if isinstance(entry, Mapping):
        for key in ("text", "name", "value"):
            if isinstance(entry.get(key), str) and entry[key].strip():
                return str(entry[key]).strip()
    return str(entry)[:80]


def _first_error(exc: ValidationError) -> str:
    first = exc.errors()[0]
    return str(first["msg"]).removeprefix("Value error, ")
