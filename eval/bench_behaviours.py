"""How the LLM path fares with models that misbehave: ``python eval/bench_behaviours.py``.

Runs the project over real HTTP against the local test server answering as
:class:`tests.misbehaving_model.MisbehavingModel` (hand-labelled gold, one misbehaviour
at a time: misattributed figures, rewritten numbers, misfiled sections, repeats, a
truncated reply, reworded quotes, nulls, invented headers), obedient or stubborn on a
re-ask, for every document in ``eval/corpus``, and prints per behaviour:

* reports answered (a summary, not an error),
* gold points kept (the evaluator's pairing of achievements/problems/plans),
* false figures in the output (an injected metric name/value pair, or an item text with
  an injected or rounded figure),
* invented headers (in a header field or the overview),
* repeats kept, misfiled points left in achievements (and of those, how many stand
  where the document is clear: a heading or a turn of the offline section reader),
* requests per report.

Targets (issue #28), every behaviour: 0 false figures, 0 invented headers, every report
answered, ≥ 95% of gold points kept when the model corrects itself on a re-ask, ≥ 60%
when it never does; repeats 0; misfiled points left where the document is clear ≤ 10%
of those misfiled (elsewhere the model's choice stands).
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
from summarizer.normalize import fold  # noqa: E402
from summarizer.pipeline.plan import OfflinePoints  # noqa: E402
from summarizer.read import read_document  # noqa: E402
from tests.fake_openai import FakeOpenAI  # noqa: E402
from tests.misbehaving_model import BEHAVIOURS, INVENTED, MisbehavingModel  # noqa: E402

SECTIONS = ("achievements", "problems", "plans")


def run(behaviour: str, temperament: str, gold: Path, corpus: Path, mode: str) -> dict:
    model = MisbehavingModel.from_dirs(gold, corpus, behaviour=behaviour, temperament=temperament)  # type: ignore[arg-type]
    model.gold = {d: g for d, g in model.gold.items() if any(g.get(s) for s in SECTIONS)}
    server = FakeOpenAI().start()
    server.responder = model
    out = {"answered": 0, "kept": 0, "gold": 0, "false": 0, "headers": 0, "repeats": 0}
    out |= {"misfiled_left": 0, "misfiled_clear": 0, "unverified": 0, "errors": []}
    try:
        with Summarizer(
            backend="llm", base_url=server.url, api_key="bench", model="misbehaving",
            mode=mode, cache=False,
        ) as summarizer:  # fmt: skip
            for doc_id in sorted(model.gold):
                g = model.gold[doc_id]
                out["gold"] += sum(len(g.get(s) or []) for s in SECTIONS)
                try:
                    summary = summarizer.summarize(corpus / f"{doc_id}.txt")
                except SummarizerError as exc:
                    out["errors"].append(f"{doc_id}: {str(exc)[:160]}")
                    continue
                out["answered"] += 1
                raw = model.corpus[doc_id]
                out["unverified"] += len(verify(summary, raw))
                score = score_document(summary, g, raw)
                out["kept"] += sum(score.sections[s].tp for s in SECTIONS)
                rec = model.injected.get(doc_id)
                items = {s: getattr(summary, s) for s in SECTIONS}
                texts = {fold(i.text) for s in SECTIONS for i in items[s]}
                if rec is not None:
                    out["false"] += sum(
                        (m.name, m.value) in rec.metric_pairs for m in summary.metrics
                    )
                    out["false"] += sum(fold(t) in texts for t in rec.item_texts)
                    out["repeats"] += sum(fold(t) in texts for t in rec.repeats)
                planned = {fold(i["text"]) for s in ("problems", "plans") for i in g.get(s) or []}
                left = [i for i in items["achievements"] if fold(i.text) in planned]
                out["misfiled_left"] += len(left)
                place = OfflinePoints(read_document(corpus / f"{doc_id}.txt")).place
                out["misfiled_clear"] += sum(place(i.spans[0]) is not None for i in left)
                shown = [summary.title, summary.organization, summary.period, summary.overview]
                out["headers"] += any(v and any(w in v for w in INVENTED.values()) for v in shown)
    finally:
        server.stop()
    out["misfiled"] = sum(r.misfiled for r in model.injected.values())
    out["docs"] = len(model.gold)
    out["requests"] = len(server.requests) / len(model.gold)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gold", type=Path, default=ROOT / "eval" / "gold")
    parser.add_argument("--corpus", type=Path, default=ROOT / "eval" / "corpus")
    parser.add_argument("--mode", default="tools", help="tools, json, json_schema or md_json")
    parser.add_argument("--behaviours", nargs="+", default=list(BEHAVIOURS), choices=BEHAVIOURS)
    args = parser.parse_args()
    logging.disable(logging.ERROR)  # instructor logs every failed attempt
    print(f"mode {args.mode}; {len(list(args.gold.glob('*.json')))} reports")
    print(
        "| behaviour | model | answered | gold points kept | false figures | invented headers "
        "| repeats kept | misfiled left (where the document is clear) / made "
        "| requests/report | all verbatim |"
    )
    print("|---|---|" + "---:|" * 8)
    errors = []
    for behaviour in args.behaviours:
        for temperament in ("obedient", "stubborn"):
            r = run(behaviour, temperament, args.gold, args.corpus, args.mode)
            kept = r["kept"] / r["gold"] if r["gold"] else 0.0
            print(
                f"| {behaviour} | {temperament} | {r['answered']}/{r['docs']} | {kept:.1%} "
                f"| {r['false']} | {r['headers']} | {r['repeats']} "
                f"| {r['misfiled_left']} ({r['misfiled_clear']}) / {r['misfiled']} "
                f"| {r['requests']:.2f} "
                f"| {'yes' if r['unverified'] == 0 else 'NO'} |",
                flush=True,
            )
            errors += [f"{behaviour} {temperament}: {e}" for e in r["errors"]]
    for e in errors:
        print(f"  {e}", file=sys.stderr)


if __name__ == "__main__":
    main()
