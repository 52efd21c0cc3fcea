"""Would a learned ranking of figures beat the hand-set weights on reports it never saw?

    python eval/lodo_metrics.py

The offline engine ranks a report's figures by hand-set weights
(:class:`summarizer.offline.ranking.Weights`) and keeps the headline few. This script
asks whether weights *fitted* to gold would do better, measured the only honest way on
ten documents: leave one document out. For each document, a logistic regression over
the same signals is fitted on the other nine (is this figure one of the gold headline
figures?), then ranks the held-out document's figures; the figures kept are scored
against its gold. The hand-set weights are scored the same way (they were not fitted,
but they were written while looking at all ten: their figure is in-sample).

Prints metric recall and precision, pooled over the documents, for both rankings, and
per document. Deterministic: plain gradient descent from zero, fixed steps.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np

from summarizer.evaluation.matching import metric_key
from summarizer.offline import read_report
from summarizer.offline.metrics import Candidate, candidates, headline_count
from summarizer.offline.ranking import Signals, score
from summarizer.read import read_document

HERE = Path(__file__).resolve().parent
#: Where the rule's size term stops growing (log10 of 3,981): kept as a feature boundary.
SIZE_KNEE = 3.6
#: Gradient descent: steps, rate, L2 strength.
STEPS, RATE, L2 = 3000, 0.1, 0.01


def features(s: Signals) -> list[float]:
    """The rule's terms, plus how far the size goes past the rule's cap (the rule gives
    3,981 and 3,146,292 the same size term; a fitted model may not)."""
    sized = 0.0 if s.rate else 1.0
    return [
        s.unit,
        float(s.key_term),
        float(s.rate),
        sized * min(s.size, SIZE_KNEE),
        sized * max(0.0, s.size - SIZE_KNEE),
        float(s.achievement),
        float(s.breakdown),
        float(s.approximate),
        float(s.unnamed),
        float(s.change),
        float(s.origin),
        float(s.after_figure),
        float(s.lead),
    ]


def fit(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Logistic regression (intercept last), features standardized inside."""
    mean, std = x.mean(axis=0), x.std(axis=0) + 1e-9
    z = np.hstack([(x - mean) / std, np.ones((len(x), 1))])
    w = np.zeros(z.shape[1])
    for _ in range(STEPS):
        p = 1 / (1 + np.exp(-(z @ w)))
        grad = z.T @ (p - y) / len(y) + L2 * np.r_[w[:-1], 0.0]
        w -= RATE * grad
    return np.r_[w[:-1] / std, w[-1] - (w[:-1] * mean / std).sum()]


def ranker(w: np.ndarray) -> Callable[[Signals], float]:
    return lambda s: float(np.dot(w[:-1], features(s)) + w[-1])


def gold_keys(doc_id: str) -> list[tuple[str, str]]:
    gold = json.loads((HERE / "gold" / f"{doc_id}.json").read_text(encoding="utf-8"))
    return [metric_key(m) for m in gold.get("metrics") or []]


def key(c: Candidate) -> tuple[str, str]:
    return metric_key({"value": c.value, "unit": c.unit})


def kept(found: list[Candidate], rank: Callable[[Signals], float], n: int) -> list[Candidate]:
    return sorted(found, key=lambda c: -rank(c.signals))[:n]


def counts(chosen: list[Candidate], gold: list[tuple[str, str]]) -> tuple[int, int, int]:
    left = list(gold)
    tp = 0
    for c in chosen:
        if key(c) in left:
            left.remove(key(c))
            tp += 1
    return tp, len(chosen) - tp, len(left)


def main() -> None:
    docs = {}
    for path in sorted((HERE / "corpus").glob("*.txt")):
        if not (HERE / "gold" / f"{path.stem}.json").exists():
            continue
        doc = read_document(path)
        r = read_report(doc)
        docs[path.stem] = (doc, r, gold_keys(path.stem), headline_count(r.text))

    def rows(doc_id: str) -> tuple[list[list[float]], list[float]]:
        doc, r, gold, _ = docs[doc_id]
        found = candidates(doc, r.figures, r.bounds, r.figure_points)
        return [features(c.signals) for c in found], [float(key(c) in gold) for c in found]

    table = {d: rows(d) for d in docs}
    totals = {"rules": [0, 0, 0], "learned (LODO)": [0, 0, 0]}
    print("| document | gold | rules recall | learned recall (LODO) |")
    print("|---|---:|---:|---:|")
    for held in docs:
        doc, r, gold, n = docs[held]
        x = np.array([f for d in docs if d != held for f in table[d][0]])
        y = np.array([v for d in docs if d != held for v in table[d][1]])
        learned = ranker(fit(x, y))
        per = {}
        for name, rank in (("rules", score), ("learned (LODO)", learned)):
            found = candidates(doc, r.figures, r.bounds, r.figure_points, rank)
            tp, fp, fn = counts(kept(found, rank, n), gold)
            totals[name] = [a + b for a, b in zip(totals[name], (tp, fp, fn), strict=True)]
            per[name] = tp / len(gold) if gold else math.nan
        print(f"| {held} | {len(gold)} | {per['rules']:.3f} | {per['learned (LODO)']:.3f} |")
    print()
    for name, (tp, fp, fn) in totals.items():
        recall = tp / (tp + fn) if tp + fn else 0.0
        precision = tp / (tp + fp) if tp + fp else 0.0
        print(f"{name:16s} metric recall {recall:.3f}  precision {precision:.3f}  ({tp}/{tp + fn})")
    everything = fit(
        np.array([f for d in docs for f in table[d][0]]),
        np.array([v for d in docs for v in table[d][1]]),
    )
    print("\nfitted on all ten, per feature:", np.round(everything, 3).tolist())


if __name__ == "__main__":
    main()
