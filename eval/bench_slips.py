"""How the LLM path fares with a model that slips: ``python eval/bench_slips.py``.

Runs the project over real HTTP against the local test server answering as
:class:`tests.slipping_model.SlippingModel` (hand-labelled gold, quotes copied from
the prompt with slips real models make, fabrications, obedient or stubborn on a
re-ask) for every document in ``eval/corpus``, at slip rates 0.1, 0.3 and 0.5, and
prints per configuration:

* documents returned (a summary, not an error),
* gold items back: the share of gold achievements/problems/plans matched in the
  output (the evaluator's pairing),
* fabricated items or metrics in the output (must be 0),
* requests per document,
* quotes by alignment, and whether every output quote is ``raw[start:end]``.

Targets (issue #11), at rate 0.3: obedient — all documents, ≥ 97% of gold items,
0 fabricated, ≤ 1.3 requests/document; stubborn — all documents, ≥ 90%, 0 fabricated.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from summarizer import Summarizer  # noqa: E402
from summarizer.errors import SummarizerError  # noqa: E402
from summarizer.evaluation import score_document  # noqa: E402
from summarizer.grounding import verify  # noqa: E402
from tests.fake_openai import FakeOpenAI  # noqa: E402
from tests.slipping_model import (  # noqa: E402
    FABRICATED_METRIC,
    FABRICATED_TEXT,
    SlippingModel,
)

SECTIONS = ("achievements", "problems", "plans")


def run(rate: float, temperament: str, mode: str, gold: Path, corpus: Path) -> dict:
    model = SlippingModel.from_dirs(gold, corpus, rate=rate, temperament=temperament)  # type: ignore[arg-type]
    server = FakeOpenAI().start()
    server.responder = model
    returned = matched = gold_items = fabricated = unverified = 0
    alignment = {"exact": 0, "folded": 0, "repaired": 0, "attached": 0}
    dropped = 0
    errors: list[str] = []
    try:
        with Summarizer(
            backend="llm", base_url=server.url, api_key="bench", model="slipping",
            mode=mode, cache=False,
        ) as summarizer:  # fmt: skip
            for doc_id in sorted(model.gold):
                path = corpus / f"{doc_id}.txt"
                raw = model.corpus[doc_id]
                g = model.gold[doc_id]
                gold_items += sum(len(g.get(s) or []) for s in SECTIONS)
                try:
                    summary = summarizer.summarize(path)
                except SummarizerError as exc:
                    errors.append(f"{doc_id}: {str(exc)[:160]}")
                    continue
                returned += 1
                score = score_document(summary, g, raw)
                matched += sum(score.sections[s].tp for s in SECTIONS)
                fabricated += sum(
                    item.text == FABRICATED_TEXT for s in SECTIONS for item in getattr(summary, s)
                )
                fabricated += sum(m.value == FABRICATED_METRIC["value"] for m in summary.metrics)
                unverified += len(verify(summary, raw))
                for how, n in summary.meta.alignment.model_dump().items():
                    alignment[how] += n
                dropped += len(summary.meta.dropped)
    finally:
        server.stop()
    docs = len(model.gold)
    return {
        "rate": rate,
        "temperament": temperament,
        "returned": f"{returned}/{docs}",
        "gold_back": matched / gold_items if gold_items else 0.0,
        "fabricated": fabricated,
        "requests_per_doc": len(server.requests) / docs,
        "alignment": alignment,
        "dropped": dropped,
        "unverified": unverified,
        "slips": sum(model.slips.values()),
        "errors": errors,
    }


def threshold_table(gold: Path, corpus: Path) -> None:
    """Repair scores (the ratio ``repair.align`` compares with ``MIN_SCORE``) of gold quotes
    with one slip of each kind that needs an alignment, against quotes of the same genre
    that are not in the document (other documents' gold quotes): what the threshold splits."""
    import random

    from rapidfuzz import fuzz

    from summarizer.normalize import fold, normalize
    from summarizer.repair import MIN_CHARS, MIN_SCORE, _settle_ends
    from tests.slipping_model import slip

    model = SlippingModel.from_dirs(gold, corpus)
    rng = random.Random(0)
    quotes = {
        d: [q for s in SECTIONS for i in g.get(s) or [] for q in i["evidence"]]
        for d, g in model.gold.items()
    }
    scores: dict[str, list[float]] = {"drop": [], "change": [], "foreign": []}
    for doc_id, own in quotes.items():
        key = normalize(model.corpus[doc_id]).key.text
        foreign = [q for d, qs in quotes.items() if d != doc_id for q in qs]
        samples = [("drop", slip(q, "drop", rng)) for q in own]
        samples += [("change", slip(q, "change", rng)) for q in own]
        samples += [("foreign", q) for q in rng.sample(foreign, min(len(foreign), 40))]
        for kind, quote in samples:
            needle = fold(quote)
            if len(needle) < MIN_CHARS or needle in key:
                continue
            first = fuzz.partial_ratio_alignment(needle, key)
            scores[kind].append(_settle_ends(needle, key, first.dest_start, first.dest_end)[2])
    print(
        f"\nrepair scores (MIN_SCORE = {MIN_SCORE:g}); slipped quotes should clear it, "
        "foreign ones should not"
    )
    print("| quotes | n | min | 5th pct | median | 95th pct | max | ≥ MIN_SCORE |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for kind, values in scores.items():
        values.sort()

        def pct(p: float, v: list[float] = values) -> float:
            return v[min(len(v) - 1, int(p * len(v)))]

        above = sum(v >= MIN_SCORE for v in values) / len(values)
        print(
            f"| {kind} | {len(values)} | {values[0]:.1f} | {pct(0.05):.1f} | {pct(0.5):.1f} "
            f"| {pct(0.95):.1f} | {values[-1]:.1f} | {above:.1%} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gold", type=Path, default=ROOT / "eval" / "gold")
    parser.add_argument("--corpus", type=Path, default=ROOT / "eval" / "corpus")
    parser.add_argument("--mode", default="tools", help="tools, json, json_schema or md_json")
    parser.add_argument("--rates", type=float, nargs="+", default=[0.1, 0.3, 0.5])
    parser.add_argument(
        "--threshold", action="store_true", help="only the repair-score table behind MIN_SCORE"
    )
    args = parser.parse_args()
    if args.threshold:
        threshold_table(args.gold, args.corpus)
        return
    logging.disable(logging.ERROR)  # instructor logs every failed attempt
    print(f"mode {args.mode}; {len(list(args.gold.glob('*.json')))} documents")
    header = (
        "| rate | model | documents returned | gold items back | fabricated in output "
        "| requests/doc | quotes exact / folded / repaired / attached | dropped | slips made "
        "| all verbatim |"
    )
    print(header)
    print("|" + "---:|" * 10)
    rows = []
    for rate in args.rates:
        for temperament in ("obedient", "stubborn"):
            r = run(rate, temperament, args.mode, args.gold, args.corpus)
            rows.append(r)
            a = r["alignment"]
            print(
                f"| {rate} | {temperament} | {r['returned']} | {r['gold_back']:.1%} "
                f"| {r['fabricated']} | {r['requests_per_doc']:.2f} "
                f"| {a['exact']} / {a['folded']} / {a['repaired']} / {a['attached']} "
                f"| {r['dropped']} "
                f"| {r['slips']} | {'yes' if r['unverified'] == 0 else 'NO'} |",
                flush=True,
            )
    for r in rows:
        for e in r["errors"]:
            print(f"  {r['rate']} {r['temperament']}: {e}", file=sys.stderr)


if __name__ == "__main__":
    main()
