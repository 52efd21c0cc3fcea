"""How long the Markdown is beside the report: ``python eval/bench_markdown.py``.

For every document in ``eval/corpus``, the characters of ``--format markdown`` over the
characters of the report, with ``--evidence short`` (the default) and ``--evidence
full``, for the offline engine and for the LLM path answering with the hand-labelled
gold (the local test server, no slips: what a good model would say). Issue #15 asks
that a summary be a fraction of the report; before it, every quote was printed whole
(0.77×, 1.07× and 1.56× for 003, 000 and 002 with the offline engine).
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from summarizer import Summarizer  # noqa: E402
from summarizer.render import to_markdown  # noqa: E402
from tests.fake_openai import FakeOpenAI  # noqa: E402
from tests.slipping_model import SlippingModel  # noqa: E402


def main() -> None:
    corpus, gold = ROOT / "eval" / "corpus", ROOT / "eval" / "gold"
    model = SlippingModel.from_dirs(gold, corpus, rate=0.0, temperament="obedient")
    server = FakeOpenAI().start()
    server.responder = model
    rows: list[tuple[str, int, float, float, float, float]] = []
    try:
        with (
            Summarizer(backend="offline", cache=False) as offline,
            Summarizer(
                backend="llm", base_url=server.url, api_key="bench", model="gold", cache=False
            ) as llm,
        ):
            for doc_id in sorted(model.gold):
                path = corpus / f"{doc_id}.txt"
                size = len(path.read_text(encoding="utf-8"))
                ratios = [
                    len(to_markdown(summary, evidence=form)) / size
                    for summary in (offline.summarize(path), llm.summarize(path))
                    for form in ("short", "full")
                ]
                rows.append((doc_id, size, *ratios))  # type: ignore[arg-type]
    finally:
        server.stop()
    print("markdown characters ÷ report characters")
    print(f"{'document':<28} {'chars':>6}  offline short  full   gold short  full")
    for doc_id, size, o_short, o_full, g_short, g_full in rows:
        print(
            f"{doc_id:<28} {size:>6}  {o_short:12.2f}  {o_full:5.2f}  {g_short:9.2f}  {g_full:5.2f}"
        )
    medians = [statistics.median(r[i] for r in rows) for i in range(2, 6)]
    print(
        f"{'median':<28} {'':>6}  {medians[0]:12.2f}  {medians[1]:5.2f}"
        f"  {medians[2]:9.2f}  {medians[3]:5.2f}"
    )


if __name__ == "__main__":
    main()
