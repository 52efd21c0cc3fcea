"""A model that sees only what each request shows: for :class:`tests.fake_openai.FakeOpenAI`.

It knows the hand-labelled gold of each corpus document, but answers a request with
only the gold points whose evidence is in *that request's* ``<document>`` text (a chunk
of a long report shows a part of them), its quotes copied from the prompt as sent;
title, organization and period only where the chunk writes them. The usage it reports
is the request's size by the package's own estimate times ``counts`` (its tokenizer).

Used by the chunking tests and by ``eval/bench_chunks.py``.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from summarizer.budget import request_tokens
from summarizer.normalize import normalize
from summarizer.source import GroundedSource
from tests.fake_openai import Step, answer, error
from tests.good_answers import good_answer
from tests.slipping_model import _as_sent

_DOC_ID = re.compile(r"文档编号：(\S+?)）")
_DOCUMENT = re.compile(r"<document>\n(.*)\n</document>", re.S)
#: What the model writes as its answer's length, in tokens.
ANSWER_TOKENS = 300


@dataclass
class SeeingModel:
    """``responder(body)``: gold points visible in the request, nothing else."""

    gold: dict[str, dict[str, Any]]
    corpus: dict[str, str]
    #: Tokens the server counts per token of the package's estimate (its tokenizer).
    counts: float = 1.0
    #: Each request's (doc_id, points answered), in arrival order.
    seen: list[tuple[str, int]] = field(default_factory=list)
    _sent: dict[str, dict[str, Any]] = field(default_factory=dict)
    _sources: dict[str, GroundedSource] = field(default_factory=dict)
    #: doc_id → the texts of the points some request was answered with.
    given: dict[str, set[str]] = field(default_factory=dict)

    @classmethod
    def from_dirs(cls, gold: Path, corpus: Path, ids: list[str] | None = None) -> SeeingModel:
        from summarizer.read import read_document

        paths = [gold / f"{d}.json" for d in ids] if ids else sorted(gold.glob("*.json"))
        golds = {p.stem: json.loads(p.read_text("utf-8")) for p in paths}
        texts = {d: read_document(corpus / f"{d}.txt").raw for d in golds}
        golds = {d: good_answer(d, g, texts[d]) for d, g in golds.items()}
        return cls(golds, texts)

    def __call__(self, body: dict[str, Any]) -> Step:
        messages = body.get("messages") or []
        user = str(messages[1].get("content") or "") if len(messages) > 1 else ""
        found, shown = _DOC_ID.search(user), _DOCUMENT.search(user)
        doc_id = found.group(1) if found else None
        if doc_id not in self.gold or shown is None:
            return error(400, "no gold summary for this document")
        reply = self._visible(doc_id, shown.group(1))
        points = sum(len(reply[s]) for s in ("achievements", "problems", "plans"))
        self.seen.append((doc_id, points))
        counted = round(self.counts * request_tokens(messages))
        return answer(reply, usage=(counted, ANSWER_TOKENS))

    def _source(self, doc_id: str) -> GroundedSource:
        if doc_id not in self._sources:
            self._sources[doc_id] = GroundedSource(normalize(self.corpus[doc_id]))
        return self._sources[doc_id]

    def answerable(self, doc_id: str) -> dict[str, Any]:
        """:meth:`as_sent` less the points no request could be answered with: a point
        whose figures stand in another part than its other quotes is given by no part
        whole (a good model does not write a figure it cannot quote). At least 85% of
        the points are answerable, or the chunking is at fault."""
        sent = self.as_sent(doc_id)
        given = self.given.get(doc_id, set())
        out = {**sent}
        for section in ("achievements", "problems", "plans"):
            out[section] = [i for i in sent.get(section) or [] if i["text"] in given]
        total = sum(len(sent.get(s) or []) for s in ("achievements", "problems", "plans"))
        kept = sum(len(out[s]) for s in ("achievements", "problems", "plans"))
        assert kept >= 0.85 * total, f"only {kept} of {total} points answerable"
        return out

    def as_sent(self, doc_id: str) -> dict[str, Any]:
        """The document's gold with every quote as the client sends it (normalized)."""
        if doc_id not in self._sent:
            raw = self.corpus[doc_id]
            view = normalize(raw).view
            sent = copy.deepcopy(self.gold[doc_id])
            for section in ("achievements", "problems", "plans"):
                for item in sent.get(section) or []:
                    item["evidence"] = [_as_sent(q, raw, view) for q in item["evidence"]]
            for m in sent.get("metrics") or []:
                m["evidence"] = _as_sent(m["evidence"], raw, view)
            self._sent[doc_id] = sent
        return self._sent[doc_id]

    def _visible(self, doc_id: str, text: str) -> dict[str, Any]:
        sent = self.as_sent(doc_id)
        reply: dict[str, Any] = {
            name: (sent.get(name) if sent.get(name) and sent[name] in text else None)
            for name in ("title", "organization", "period")
        }
        reply["overview"] = "本部分总结了有关工作。"
        for section in ("achievements", "problems", "plans"):
            items = []
            for item in sent.get(section) or []:
                quotes = [q for q in item["evidence"] if q in text]
                # a point is given where its figures can be quoted (a good model quotes
                # each figure its text gives)
                if quotes and not self._source(doc_id).unsupported_figures(item["text"], quotes):
                    items.append({**item, "evidence": quotes})
                    self.given.setdefault(doc_id, set()).add(item["text"])
            reply[section] = items
        reply["metrics"] = [m for m in sent.get("metrics") or [] if m["evidence"] in text]
        return reply
