"""Scoring summaries against hand-labeled gold files (format: ``eval/gold/README.md``).

This is what tells a user whether a prompt, a model or an engine change made the
summaries better or worse, so every rule is spelled out here:

* **Normalization.** Both sides go through the same folding as the documents
  (:func:`summarizer.normalize.fold`: NFKC, Traditional → Simplified, pinyin
  debris such as ``現(xiàn)`` dropped, whitespace removed), so a Simplified quote
  of a Traditional report, or a full-width ``１２``, meets its twin.
* **Item pairing**, per section, one-to-one. A predicted and a gold item score
  1.0 when their evidence overlaps in the document (by ``MIN_OVERLAP`` characters,
  or all of the shorter quote), otherwise the character-bigram F1 of their folded
  texts. Pairs below ``MIN_SIMILARITY`` are never made. The pairing is an optimal
  assignment (Hungarian, ``scipy.optimize.linear_sum_assignment``) that first
  makes as many pairs as possible and then maximizes their total score; a
  greedy pass could spend a gold item on the wrong prediction and miss a pair.
  Word-level ROUGE is not used: it tokenizes on spaces and scores Chinese as 0.
* **Precision / recall / F1** per section and per document. When one side is
  empty, the figure that divides by it is 1.0 if the other side is empty too and
  0.0 otherwise: an empty prediction has precision, recall and F1 of 0.
  ``macro_f1`` is the mean of the section F1s (sections with neither gold nor
  predicted items left out); ``micro`` pools the three sections' counts.
  Corpus figures pool the counts over documents.
* **Metrics** pair by (value, unit): the value as a number (``2,000`` = ``2000``
  = ``２０００``, ``2000余`` = ``2000``, ``98.10`` = ``98.1``), the unit folded but
  kept whole (``万元`` ≠ ``元``). Recall over gold metrics, precision over
  predicted ones, each pair used once.
* **grounding_rate**: the share of predicted evidence quotes (items and metrics)
  found verbatim in the raw document. ``None`` when nothing was quoted.
* **Items in empty sections** (``items_in_empty_sections``): predicted items in a
  section whose gold list is empty — the document admits no problems, and the
  summary invented some.
* **Predictions** that fail ``ReportSummary`` validation are still scored (as
  the dicts they are) but lower ``schema_valid_rate``; a missing document or an
  error record scores as an empty prediction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from summarizer.errors import InputError
from summarizer.evaluation.counts import Counts
from summarizer.evaluation.files import (
    find_document,
    load_gold,
    load_predictions,
    missing_prediction,
)
from summarizer.evaluation.matching import (
    MIN_OVERLAP,
    MIN_SIMILARITY,
    match_items,
    metric_key,
    pair_score,
    similarity,
)
from summarizer.evaluation.render import compare, headline, print_table, to_markdown
from summarizer.evaluation.scoring import DocScore, Prediction, Report, score_document
from summarizer.pricing import Prices
from summarizer.read import Document, read_document

__all__ = [
    "MIN_OVERLAP",
    "MIN_SIMILARITY",
    "Counts",
    "DocScore",
    "Prediction",
    "Prices",
    "Report",
    "compare",
    "evaluate",
    "find_document",
    "headline",
    "load_gold",
    "load_predictions",
    "match_items",
    "metric_key",
    "pair_score",
    "print_table",
    "score_document",
    "similarity",
    "to_markdown",
]


def evaluate(
    gold: Sequence[Mapping[str, Any]],
    corpus: str | Path,
    predict: Callable[[Document], Prediction] | Mapping[str, Prediction],
    *,
    prices: Prices | None = None,
    notify: Callable[[str], None] = lambda message: None,
) -> tuple[Report, int]:
    """Score every gold document; ``predict`` is saved predictions or a function making them.

    Returns the report and how many gold documents could not be scored (their
    corpus file is missing or unreadable; each is reported through ``notify``).
    """
    scores, unscored = [], 0
    for record in gold:
        doc_id = str(record["doc_id"])
        path = find_document(corpus, doc_id)
        if path is None:
            notify(f"{Path(corpus) / doc_id}.txt: no corpus file for this gold file; not scored")
            unscored += 1
            continue
        try:
            doc = read_document(path)
        except InputError as exc:
            notify(f"{exc}; not scored")
            unscored += 1
            continue
        if isinstance(predict, Mapping):
            prediction = predict.get(doc_id) or missing_prediction(doc_id)
        else:
            prediction = predict(doc)
        scores.append(score_document(prediction, record, doc, prices))
    return Report(scores), unscored
