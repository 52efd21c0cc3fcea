"""The overview composed from grounded parts: the offline engine's overview, and that of
a model's draft that wrote none. Built only from a title, organization and period that
grounded and from items' own words, it can state no figure the document does not."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from summarizer.schemas import Section

__all__ = ["compose_overview"]

_CLAUSE_END = re.compile(r"[,，:：;；。]")


#: How the composed overview leads into each section's points.
_LEADS: dict[Section, str] = {
    "achievements": "主要成绩包括：",
    "problems": "存在的问题有：",
    "plans": "下一步计划：",
}


def compose_overview(
    title: str | None,
    organization: str | None,
    period: str | None,
    sections: Mapping[Section, Sequence[str]],
) -> str:
    """A plain overview built only from already-grounded parts (for drafts without one,
    and for the offline engine), so it can contain no figure the document does not state.
    ``sections`` holds each section's item texts; their first clauses are used."""
    about = "，".join(x for x in (organization, period) if x)
    head = f"《{title}》" if title else (organization or "本文档")
    sentences = [f"{head}（{about}）。" if title and about else f"{head}。"]
    for section, texts in sections.items():
        lead = _LEADS[section]
        points = [_CLAUSE_END.split(t, 1)[0] for t in texts[:3]]
        points = [p for p in points if p]
        if points and len(sentences) < 3:
            sentences.append(f"{lead}{'；'.join(points)}等。")
    return "".join(sentences)
