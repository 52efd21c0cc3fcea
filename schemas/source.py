"""What the validators ask of the document, and what they tell the model.

The draft validators (``summarizer.schemas.draft``) know nothing about how a
document is normalized: the caller passes a :class:`SourceText` as the pydantic
validation context (``context={"source": ...}``) or sets :data:`GROUNDING_SOURCE`.
Every message here is written for the model to act on, because instructor pastes
it into the re-ask. Without a source the grounding checks are skipped (schema
export, tests).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Literal, Protocol, cast, runtime_checkable

from pydantic import ValidationInfo

from summarizer.numbers import numbers_in

__all__ = [
    "GROUNDING_SOURCE",
    "MIN_QUOTE_CHARS",
    "Alignment",
    "Refusal",
    "SourceText",
    "check_figures_in_evidence",
    "check_metric_name",
    "check_numbers",
    "check_quote",
    "source_of",
    "strings_in",
]

#: Shorter quotes match almost anywhere and prove nothing.
MIN_QUOTE_CHARS = 5


#: How an evidence quote was tied to the document: ``exact`` (the raw file has it as
#: written), ``folded`` (equal after width, script, whitespace, quote-mark and
#: thousands-separator folding), ``repaired`` (a slipped copy, aligned to the one
#: passage it matches; see ``summarizer.repair``), ``attached`` (not the model's quote:
#: the clause next to its quotes that states a figure its text gives, added by code so
#: that every figure stands in a quote; see ``summarizer.clauses``).
Alignment = Literal["exact", "folded", "repaired", "attached"]


@dataclass(frozen=True)
class Refusal:
    """Why a quote is not accepted as evidence; ``closest`` is the nearest passage, if any.

    ``short``: too short to prove anything; ``absent``: nothing like it in the document;
    ``number``: a near passage, but with other figures; ``ambiguous``: it fits two
    passages equally."""

    reason: Literal["short", "absent", "number", "ambiguous"]
    closest: str | None = None


@runtime_checkable
class SourceText(Protocol):
    """The document, as the validators see it (implemented in ``summarizer.source``)."""

    def refusal(self, quote: str) -> Refusal | None:
        """None when ``quote`` grounds in the document (exactly, folded, repaired, or in
        parts around an ellipsis), else why not."""

    def fold(self, text: str) -> str:
        """``text`` folded the way the document is for matching (width, script, spaces)."""

    def fold_many(self, texts: Iterable[str]) -> None:
        """Fold ``texts`` now, together, so that later :meth:`fold` calls find them ready."""

    def has_number(self, number: str) -> bool:
        """Whether ``number`` is written somewhere in the document."""

    def unsupported_figures(self, text: str, quotes: Sequence[str]) -> list[str]:
        """The figures ``text`` gives that its ``quotes`` (and the sentences they stand
        in) do not state: a real number from another passage is not this point's."""

    def cut_figure(self, quote: str) -> str | None:
        """The figure ``quote`` cuts in two at either end where it grounds, or None."""

    def name_support(self, name: str, quote: str, value: str) -> tuple[bool, str] | None:
        """Whether the words around ``value`` (where ``quote`` stands) name it ``name``,
        and the sentence they stand in; None when ``value`` is not found there."""

    def empty_hint(self) -> str | None:
        """For a draft with no point at all: what to tell the model, the first time only,
        when the document makes points; None otherwise."""


#: The document being validated, for callers that cannot pass a validation context.
#: The LLM backend uses this rather than instructor's ``context=``, because instructor
#: also renders every message as a Jinja2 template with that context: a report that
#: contains ``{{`` or ``{%`` would be rewritten, or fail, before the model saw it.
GROUNDING_SOURCE: ContextVar[SourceText | None] = ContextVar("grounding_source", default=None)


_SOURCE_TYPES: dict[type[object], bool] = {}


def _is_source_type(kind: type[object]) -> bool:
    """``isinstance(x, SourceText)`` by type, once per type: a Protocol check walks the
    protocol's attributes on every call, and the validators ask a hundred times per
    document."""
    known = _SOURCE_TYPES.get(kind)
    if known is None:
        members = (
            "refusal",
            "fold",
            "fold_many",
            "has_number",
            "unsupported_figures",
            "name_support",
            "cut_figure",
            "empty_hint",
        )
        known = _SOURCE_TYPES[kind] = all(callable(getattr(kind, m, None)) for m in members)
    return known


def source_of(info: ValidationInfo) -> SourceText | None:
    context = info.context
    if isinstance(context, dict):
        source = context.get("source")
        kind: type[object] = type(source)
        if source is not None and _is_source_type(kind):
            return cast(SourceText, source)
    return GROUNDING_SOURCE.get()


def strings_in(value: Any) -> Iterator[str]:
    """Every string in a parsed JSON value, stripped as the field validators strip them."""
    if isinstance(value, str):
        yield value.strip()
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


def invented_numbers(text: str | None, source: SourceText) -> list[str]:
    if not text:
        return []
    return [n for n in dict.fromkeys(numbers_in(source.fold(text))) if not source.has_number(n)]


def check_numbers(field: str, text: str | None, info: ValidationInfo) -> str | None:
    source = source_of(info)
    if source is not None and (invented := invented_numbers(text, source)):
        listed = "、".join(f"「{n}」" for n in invented)
        raise ValueError(
            f"{field} contains the number(s) {listed}, which the document never states. "
            "Use only figures written in the document (no sums, conversions or rounding), "
            "or leave the number out."
        )
    return text


def check_quote(quote: str, source: SourceText) -> str | None:
    """Why ``quote`` is not acceptable evidence (a message for the model), or None."""
    refusal = source.refusal(quote)
    if refusal is None:
        return None
    closest = f"「{refusal.closest}」" if refusal.closest else ""
    if refusal.reason == "short":
        return (
            f"evidence quote 「{quote}」 is too short to locate. Quote at least "
            f"{MIN_QUOTE_CHARS} characters copied verbatim from the document."
        )
    if refusal.reason == "number":
        return (
            f"evidence quote 「{quote}」 is close to the document's {closest}, but its figures "
            "differ. Copy the passage with the figures exactly as the document writes them, "
            "or remove this quote."
        )
    if refusal.reason == "ambiguous":
        return (
            f"evidence quote 「{quote}」 is not verbatim and fits more than one passage "
            f"(one is {closest}). Copy one passage exactly, long enough to occur once."
        )
    hint = (
        f" The nearest passage is {closest}; copy it exactly if that is what you mean."
        if closest
        else ""
    )
    return (
        f"evidence quote 「{quote}」 is not in the document. Copy the words exactly as the "
        "document writes them (no paraphrase, no added or dropped characters), "
        f"or remove this quote.{hint}"
    )


def check_figures_in_evidence(text: str, quotes: Sequence[str], source: SourceText) -> str | None:
    """Why an item's text is not borne out by its own quotes (a message for the model)."""
    missing = source.unsupported_figures(text, quotes)
    if not missing:
        return None
    listed = "、".join(f"「{n}」" for n in missing)
    return (
        f"the point 「{text}」 gives {listed}, which none of its evidence quotes states. "
        "A figure belongs to the point whose passage states it: add the passage that states "
        "it to this point's evidence, write the figure exactly as that passage does (no "
        "rounding), or leave it out."
    )


def check_metric_name(name: str, value: str, quote: str, source: SourceText) -> str | None:
    """Why a metric's name is not what the document counts with its value, or None."""
    found = source.name_support(name, quote, value)
    if found is None or found[0]:
        return None
    return (
        f"metric 「{name}」 (value {value}): the document's words around {value} are "
        f"「{found[1]}」, which do not name 「{name}」. Name the figure with the words that "
        "passage uses for it, or give the value and evidence that the name belongs to."
    )
