"""A model that misbehaves in one of the ways real models do, other than copy slips:
for :class:`tests.fake_openai.FakeOpenAI` (issue #28).

It answers from the hand-labelled gold (as a good model would, quotes as the client sent
them), with one ``behaviour``:

* ``misattribute``: a metric keeps its name but takes another metric's value, unit and
  evidence; an item's text gets a figure from another item's quote;
* ``rewrite``: figures in item texts written another way — 1200 → 一千二百 and 12000 →
  1.2万 (true), 98.14 → 98.1 (rounded: false);
* ``misfile``: plans and problems given as achievements;
* ``repeat``: a point given twice, the second time in other words;
* ``truncate``: the first reply cut off by the length limit (``finish_reason=length``);
* ``reword``: one quote of a point reworded by 30%, on every re-ask too;
* ``nulls``: ``null`` and ``""`` among a point's evidence;
* ``headers``: an invented title, organization and period, and no overview.

On a re-ask, an ``obedient`` model answers the clean gold (but a reworded quote stays
reworded); a ``stubborn`` one repeats its first answer. ``injected`` records what is
false, for the benchmark and the tests to look for in the output.
"""

from __future__ import annotations

import copy
import random
import re
import threading
from dataclasses import dataclass, field
from typing import Any, Literal

from tests.fake_openai import Step, answer
from tests.slipping_model import SlippingModel, _as_sent, doc_id_of

Behaviour = Literal[
    "none", "misattribute", "rewrite", "misfile", "repeat", "truncate", "reword", "nulls",
    "headers",
]  # fmt: skip
BEHAVIOURS: tuple[Behaviour, ...] = (
    "misattribute", "rewrite", "misfile", "repeat", "truncate", "reword", "nulls", "headers",
)  # fmt: skip
SECTIONS = ("achievements", "problems", "plans")
INVENTED = {"title": "宇宙第一法院工作报告", "organization": "宇宙第一法院", "period": "本考核年度"}
#: A figure with what follows it (its scale and unit), as a quote writes it; not a date
#: (5月, 2022年, 06级): dates are checked against the document only, not the point.
_FIGURE = re.compile(r"\d+(?:\.\d+)?(?:万亿|万|亿)?(?![\d.年月日号级届])[^\d，。；、,;\s”“]{0,2}")
_DIGITS = "零一二三四五六七八九"


def chinese(n: int) -> str:
    """``n`` (< 10000) in Chinese numerals, as a report writes it: 1200 → 一千二百."""
    out, zero = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = n // value % 10
        if d:
            out += ("零" if zero and out else "") + _DIGITS[d] + unit
            zero = False
        elif out:
            zero = True
    return out or "零"


@dataclass
class Injected:
    """What a misbehaving answer holds that is false (or, for repeats, twice)."""

    metric_pairs: set[tuple[str, str]] = field(default_factory=set)
    item_texts: set[str] = field(default_factory=set)
    repeats: set[str] = field(default_factory=set)
    misfiled: int = 0
    #: Figures written another way (true or rounded).
    rewritten: int = 0


@dataclass
class MisbehavingModel:
    """``responder(body)`` for the fake server."""

    gold: dict[str, dict[str, Any]]
    corpus: dict[str, str]
    behaviour: Behaviour
    temperament: Literal["obedient", "stubborn"] = "obedient"
    seed: int = 0
    injected: dict[str, Injected] = field(default_factory=dict)
    _answers: dict[str, tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=dict)
    _truncated: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def from_dirs(cls, gold: Any, corpus: Any, **kw: Any) -> MisbehavingModel:
        base = SlippingModel.from_dirs(gold, corpus)
        return cls(base.gold, base.corpus, **kw)

    def __call__(self, body: dict[str, Any]) -> Step:
        messages = body.get("messages") or []
        doc_id = doc_id_of(body, self.gold)
        if isinstance(doc_id, Step):
            return doc_id
        with self._lock:
            if doc_id not in self._answers:
                self._answers[doc_id] = self._first(doc_id)
            first, clean = self._answers[doc_id]
            cut = self.behaviour == "truncate" and doc_id not in self._truncated
            self._truncated.add(doc_id)
        if cut:
            return answer(first, finish_reason="length")
        if len(messages) <= 2 or self.temperament == "stubborn":
            return answer(first)
        return answer(clean)

    def _first(self, doc_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
        rng = random.Random(f"{self.seed}:{doc_id}:{self.behaviour}")
        raw = self.corpus[doc_id]
        from summarizer.normalize import normalize

        mapped = normalize(raw).view
        clean = copy.deepcopy(self.gold[doc_id])
        clean["overview"] = None
        for section in SECTIONS:
            for item in clean.get(section) or []:
                item["evidence"] = [_as_sent(q, raw, mapped) for q in item["evidence"]]
        for m in clean.get("metrics") or []:
            m["evidence"] = _as_sent(m["evidence"], raw, mapped)
        first = copy.deepcopy(clean)
        record = self.injected.setdefault(doc_id, Injected())
        getattr(self, f"_{self.behaviour}")(first, clean, rng, record)
        return first, clean

    # ------------------------------------------------------------------ behaviours

    def _none(self, first: dict, clean: dict, rng: random.Random, rec: Injected) -> None:
        """A good model: the gold as it is (what the others are compared with)."""

    def _misattribute(self, first: dict, clean: dict, rng: random.Random, rec: Injected) -> None:
        metrics = first.get("metrics") or []
        for n, m in enumerate(metrics):
            others = [o for o in clean.get("metrics") or [] if o["value"] != m["value"]]
            if others and rng.random() < 0.5:
                o = rng.choice(others)
                metrics[n] = {
                    **m,
                    "value": o["value"],
                    "unit": o["unit"],
                    "evidence": o["evidence"],
                }
                if (m["name"], o["value"]) not in {(g["name"], g["value"]) for g in metrics}:
                    rec.metric_pairs.add((m["name"], o["value"]))
        items = [i for s in SECTIONS for i in first.get(s) or []]
        for item in items:
            own = "".join(item["evidence"])
            figures = [
                f.group()
                for other in items
                if other is not item
                for q in other["evidence"]
                for f in _FIGURE.finditer(q)
                if f.group() not in own and re.match(r"\d+", f.group()).group() not in own  # type: ignore[union-attr]
            ]
            if figures and rng.random() < 0.3:
                item["text"] = f"{item['text']}，另有{rng.choice(figures)}"
                rec.item_texts.add(item["text"])

    def _rewrite(self, first: dict, clean: dict, rng: random.Random, rec: Injected) -> None:
        for section in SECTIONS:
            for item in first.get(section) or []:
                m = re.search(r"(?<![\d.])(\d+(?:\.\d+)?)(?![\d.])", item["text"])
                if not m or rng.random() >= 0.6:
                    continue
                written, (a, b) = m.group(1), m.span(1)
                rec.rewritten += 1
                if "." in written and len(written.split(".")[1]) >= 2:
                    rounded = f"{float(written):.1f}"
                    if rounded.rstrip("0").rstrip(".") != written.rstrip("0").rstrip("."):
                        item["text"] = item["text"][:a] + rounded + item["text"][b:]
                        rec.item_texts.add(item["text"])
                elif written.isdigit() and 10 <= int(written) < 10000:
                    item["text"] = item["text"][:a] + chinese(int(written)) + item["text"][b:]
                elif written.isdigit() and int(written) >= 10000 and int(written) % 1000 == 0:
                    item["text"] = (
                        item["text"][:a] + f"{int(written) / 10000:g}万" + item["text"][b:]
                    )

    def _misfile(self, first: dict, clean: dict, rng: random.Random, rec: Injected) -> None:
        for section in ("problems", "plans"):
            kept = []
            for item in first.get(section) or []:
                if rng.random() < 0.5:
                    first.setdefault("achievements", []).append(item)
                    rec.misfiled += 1
                else:
                    kept.append(item)
            first[section] = kept

    def _repeat(self, first: dict, clean: dict, rng: random.Random, rec: Injected) -> None:
        for section in SECTIONS:
            items = first.get(section) or []
            for item in list(items):
                if rng.random() < 0.3:
                    again = {**item, "text": f"此外，{item['text']}（再述）"}
                    again["evidence"] = item["evidence"][: max(1, len(item["evidence"]) // 2)]
                    items.insert(items.index(item) + 1, again)
                    rec.repeats.add(again["text"])

    def _truncate(self, first: dict, clean: dict, rng: random.Random, rec: Injected) -> None:
        """The first reply is cut off (see ``__call__``); the answer itself is clean."""

    def _reword(self, first: dict, clean: dict, rng: random.Random, rec: Injected) -> None:
        for section in SECTIONS:
            for n, item in enumerate(first.get(section) or []):
                if len(item["evidence"]) >= 2 and rng.random() < 0.5:
                    k = rng.randrange(len(item["evidence"]))
                    quote = item["evidence"][k]
                    chars = list(quote)
                    for at in rng.sample(range(len(chars)), max(1, int(len(chars) * 0.3))):
                        if not chars[at].isdigit():
                            chars[at] = rng.choice("的了和在是与及等对为把被")
                    item["evidence"][k] = "".join(chars)
                    clean[section][n]["evidence"][k] = item["evidence"][k]  # again on re-ask

    def _nulls(self, first: dict, clean: dict, rng: random.Random, rec: Injected) -> None:
        for section in SECTIONS:
            for item in first.get(section) or []:
                if rng.random() < 0.4:
                    item["evidence"].insert(rng.randrange(len(item["evidence"]) + 1), None)
                if rng.random() < 0.2:
                    item["evidence"].append("")

    def _headers(self, first: dict, clean: dict, rng: random.Random, rec: Injected) -> None:
        first.update(INVENTED, overview=None)
        clean.update(INVENTED, overview=None)  # a model that never drops its inventions
