"""A model that answers like a real one: for :class:`tests.fake_openai.FakeOpenAI`.

It knows the hand-labelled gold of each corpus document and answers a request with
it, but as a model would write it:

* every quote is copied from the prompt *as the client sent it* (the normalized,
  Simplified text), not from the raw file;
* a share ``rate`` of the quotes carry a slip real models make: punctuation of the
  other width, a space added or dropped around a number, an ellipsis in the middle,
  a dropped or changed character, a cut end, ``1,343`` for ``1343``;
* the same share of answers carry one fabricated item and one fabricated metric;
* on a re-ask, an ``obedient`` model fixes exactly what the re-ask names (a named
  quote is copied again cleanly, a named fabrication is removed); a ``stubborn``
  one repeats its first answer word for word.

Used by the tests and by ``eval/bench_slips.py``.
"""

from __future__ import annotations

import bisect
import copy
import json
import random
import re
import threading
from collections.abc import Container
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from summarizer.normalize import normalize
from tests.fake_openai import Step, answer, error
from tests.good_answers import good_answer

Temperament = Literal["obedient", "stubborn"]
SLIPS = ("width", "space", "ellipsis", "drop", "change", "cut", "thousands")

#: What the fabrications say: nothing like it is in any corpus document.
FABRICATED_TEXT = "全年办理群众来信来访事项创历史新高"
FABRICATED_QUOTE = "全年共办理群众来信来访事项99999件，满意率达到百分之百"
FABRICATED_METRIC = {
    "name": "办理来信来访事项",
    "value": "99999",
    "unit": "件",
    "evidence": "全年共办理群众来信来访事项99999件",
}
_DOC_ID = re.compile(r"文档编号：(\S+?)）")
_WIDTH = str.maketrans("，；：（）,;:()", ",;:()，；：（）")
_OTHER_CHARS = "的了和在是与及等对为"


def doc_id_of(body: dict[str, Any], known: Container[str]) -> str | Step:
    """The document a request asks about (the id its prompt names), or the error a
    test server answers when it has no gold for it."""
    messages = body.get("messages") or []
    found = _DOC_ID.search("".join(str(m.get("content") or "") for m in messages[:2]))
    if found is None or found.group(1) not in known:
        return error(400, "no gold summary for this document")
    return found.group(1)


def slip(quote: str, kind: str, rng: random.Random) -> str:
    """``quote`` with one slip of ``kind`` (unchanged when the quote gives it no hold)."""
    if kind == "width" and re.search(r"[，；：（）,;:()]", quote):
        return quote.translate(_WIDTH)
    if kind == "space":
        if " " in quote:
            return quote.replace(" ", "", 1)
        m = re.search(r"\d+", quote)
        if m:
            return quote[: m.end()] + " " + quote[m.end() :]
    if kind == "ellipsis" and len(quote) >= 16:
        third = len(quote) // 3
        return quote[:third] + "……" + quote[-third:]
    if kind == "thousands":
        m = re.search(r"(?<![\d.,])\d{4,}(?![\d.])", quote)
        if m:
            return quote[: m.start()] + f"{int(m.group()):,}" + quote[m.end() :]
    if kind == "cut" and len(quote) > 10:
        return quote[: -rng.randint(1, 3)]
    inner = [i for i, c in enumerate(quote) if 2 <= i < len(quote) - 2 and not c.isdigit()]
    if kind in ("drop", "change") and inner and len(quote) >= 10:
        at = rng.choice(inner)
        if kind == "drop":
            return quote[:at] + quote[at + 1 :]
        other = rng.choice([c for c in _OTHER_CHARS if c != quote[at]])
        return quote[:at] + other + quote[at + 1 :]
    return quote


@dataclass
class SlippingModel:
    """``responder(body)`` for the fake server, answering from ``gold`` (doc_id → summary)
    over ``corpus`` (doc_id → raw text)."""

    gold: dict[str, dict[str, Any]]
    corpus: dict[str, str]
    rate: float = 0.3
    temperament: Temperament = "obedient"
    seed: int = 0
    #: doc_id → (first answer, its clean twin): what a re-ask is answered from.
    answers: dict[str, tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=dict)
    slips: dict[str, int] = field(default_factory=dict)
    _lock: threading.RLock = field(default_factory=threading.RLock)

    @classmethod
    def from_dirs(cls, gold: Path, corpus: Path, **kw: Any) -> SlippingModel:
        golds = {p.stem: json.loads(p.read_text("utf-8")) for p in sorted(gold.glob("*.json"))}
        from summarizer.read import read_document

        texts = {d: read_document(corpus / f"{d}.txt").raw for d in golds}
        golds = {d: good_answer(d, g, texts[d]) for d, g in golds.items()}
        return cls(golds, texts, **kw)

    def __call__(self, body: dict[str, Any]) -> Step:
        messages = body.get("messages") or []
        doc_id = doc_id_of(body, self.gold)
        if isinstance(doc_id, Step):
            return doc_id
        with self._lock:
            if doc_id not in self.answers or len(messages) <= 2:
                self.answers[doc_id] = self._first_answer(doc_id)
            first, clean = self.answers[doc_id]
        if len(messages) <= 2 or self.temperament == "stubborn":
            return answer(first)
        named = "".join(str(m.get("content") or "") for m in messages[2:])
        return answer(_fixed(first, clean, named))

    # ------------------------------------------------------------------ answers

    def _first_answer(self, doc_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
        rng = random.Random(f"{self.seed}:{doc_id}:{self.rate}")
        raw = self.corpus[doc_id]
        mapped = normalize(raw).view
        clean = copy.deepcopy(self.gold[doc_id])
        clean["overview"] = f"{clean.get('organization') or '本单位'}总结了本期工作。"
        for section in ("achievements", "problems", "plans"):
            for item in clean.get(section) or []:
                item["evidence"] = [_as_sent(q, raw, mapped) for q in item["evidence"]]
        for m in clean.get("metrics") or []:
            m["evidence"] = _as_sent(m["evidence"], raw, mapped)
        first = copy.deepcopy(clean)
        for section in ("achievements", "problems", "plans"):
            for item in first.get(section) or []:
                item["evidence"] = [self._maybe_slip(q, rng) for q in item["evidence"]]
        for m in first.get("metrics") or []:
            m["evidence"] = self._maybe_slip(m["evidence"], rng)
        if rng.random() < self.rate:
            first.setdefault("achievements", []).append(
                {"text": FABRICATED_TEXT, "evidence": [FABRICATED_QUOTE]}
            )
            first.setdefault("metrics", []).append(dict(FABRICATED_METRIC))
        return first, clean

    def _maybe_slip(self, quote: str, rng: random.Random) -> str:
        if rng.random() >= self.rate:
            return quote
        kind = rng.choice(SLIPS)
        slipped = slip(quote, kind, rng)
        if slipped != quote:
            with self._lock:
                self.slips[kind] = self.slips.get(kind, 0) + 1
        return slipped


def _as_sent(quote: str, raw: str, mapped: Any) -> str:
    """The prompt's text for a raw quote: the view characters that came from its span."""
    start = raw.find(quote)
    if start < 0:
        return quote
    # origins never decrease along the view: the characters from [start, end) are a slice
    first = bisect.bisect_left(mapped.origin, start)
    stop = bisect.bisect_left(mapped.origin, start + len(quote))
    return mapped.text[first:stop] if stop > first else quote


def _fixed(first: dict[str, Any], clean: dict[str, Any], named: str) -> dict[str, Any]:
    """``first`` with what the re-ask text ``named`` fixed: named quotes copied cleanly,
    named fabrications removed."""
    fixed = copy.deepcopy(first)
    for section in ("achievements", "problems", "plans"):
        items = []
        for n, item in enumerate(fixed.get(section) or []):
            if item["text"] == FABRICATED_TEXT and FABRICATED_QUOTE in named:
                continue
            good = clean[section][n]["evidence"] if n < len(clean.get(section) or []) else []
            item["evidence"] = [
                good[k] if f"「{q}」" in named and k < len(good) else q
                for k, q in enumerate(item["evidence"])
            ]
            items.append(item)
        fixed[section] = items
    metrics = []
    for n, m in enumerate(fixed.get("metrics") or []):
        if m["value"] == FABRICATED_METRIC["value"] and FABRICATED_METRIC["evidence"] in named:
            continue
        if f"「{m['evidence']}」" in named and n < len(clean.get("metrics") or []):
            m["evidence"] = clean["metrics"][n]["evidence"]
        metrics.append(m)
    fixed["metrics"] = metrics
    return fixed
