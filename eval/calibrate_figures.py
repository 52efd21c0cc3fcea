"""What the figure rules of the LLM path accept and refuse, on hand-labelled gold:
``python eval/calibrate_figures.py``.

The rules (``summarizer.clauses``, issue #28): a figure a point's text gives must be in
one of its quotes or in the sentence one of them stands in; a metric's name must be
written by the words around its value. Measured on the gold of eval/gold and of the
unseen dev set (never the check set), with the product's own functions:

* metric names: the share of true (name, value) pairs accepted, and the share of the
  other names of the same report, put on the value, refused;
* item figures: of the figures gold texts give that no quote of theirs shows, how many
  the sentence rule accepts; and of figures taken from another point's quotes, how
  many it accepts (they should be refused).

Nothing is asserted: the figures are quoted where the thresholds are set.
"""

from __future__ import annotations

import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from summarizer.read import read_document  # noqa: E402
from summarizer.source import GroundedSource  # noqa: E402

SETS = {
    "corpus": (ROOT / "eval" / "gold", ROOT / "eval" / "corpus"),
    "dev": (ROOT / "eval" / "unseen" / "dev" / "gold", ROOT / "eval" / "unseen" / "dev" / "corpus"),
}
SECTIONS = ("achievements", "problems", "plans")
_FIGURE = re.compile(r"(?<![\d.])\d+(?:\.\d+)?(?:万亿|万|亿)?(?![\d.年月日号级届])")


def reports():
    for name, (gold_dir, corpus_dir) in SETS.items():
        for path in sorted(gold_dir.glob("*.json")):
            text = corpus_dir / f"{path.stem}.txt"
            if text.exists():
                gold = json.loads(path.read_text("utf-8"))
                yield name, GroundedSource(read_document(text).normalized), gold


def main() -> None:
    names = {"true": 0, "true_ok": 0, "swap": 0, "swap_refused": 0}
    figures = {"gold": 0, "gold_ok": 0, "foreign": 0, "foreign_ok": 0}
    rng = random.Random(0)
    for _, source, gold in reports():
        metrics = gold.get("metrics") or []
        for m in metrics:
            found = source.name_support(m["name"], m["evidence"], m["value"])
            if found is None:
                continue
            names["true"] += 1
            names["true_ok"] += found[0]
            for other in metrics:
                if other["value"] != m["value"] and other["name"] != m["name"]:
                    swapped = source.name_support(other["name"], m["evidence"], m["value"])
                    if swapped is not None:
                        names["swap"] += 1
                        names["swap_refused"] += not swapped[0]
        items = [i for s in SECTIONS for i in gold.get(s) or []]
        for item in items:
            quotes = item["evidence"]
            own = "".join(quotes)
            for figure in _FIGURE.findall(item["text"]):
                if figure not in own:
                    figures["gold"] += 1
                    figures["gold_ok"] += not source.unsupported_figures(figure, quotes)
            others = [
                f for o in items if o is not item for q in o["evidence"]
                for f in _FIGURE.findall(q) if f not in own
            ]  # fmt: skip
            if others:
                figure = rng.choice(others)
                figures["foreign"] += 1
                figures["foreign_ok"] += not source.unsupported_figures(figure, quotes)
    print("metric names (eval/gold + unseen dev):")
    print(f"  true names accepted: {names['true_ok']}/{names['true']}")
    refused, swaps = names["swap_refused"], names["swap"]
    print(f"  another name of the report, put on the value, refused: {refused}/{swaps}")
    print("item figures not in the point's own quotes:")
    print(
        f"  gold figures accepted (in a quote's sentence): {figures['gold_ok']}/{figures['gold']}"
    )
    print(f"  another point's figure accepted: {figures['foreign_ok']}/{figures['foreign']}")


if __name__ == "__main__":
    main()
