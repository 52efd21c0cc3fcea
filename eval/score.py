"""Score summaries against the hand-labeled gold files in eval/gold (a thin wrapper).

    python eval/score.py                           # offline engine on eval/corpus vs eval/gold
    python eval/score.py --pred results.jsonl      # score saved predictions
    python eval/score.py --backend llm --out pred.jsonl --json now.json --baseline before.json

Same options as ``summarizer eval`` (``summarizer eval --help``), with --gold and
--corpus defaulting to the folders beside this script wherever it is run from.
"""

from __future__ import annotations

import sys
from pathlib import Path

from summarizer.cli import main

HERE = Path(__file__).resolve().parent

if __name__ == "__main__":
    defaults = ["eval", "--gold", str(HERE / "gold"), "--corpus", str(HERE / "corpus")]
    if not any(a in sys.argv[1:] for a in ("--pred", "--predictions", "--backend")):
        defaults += ["--backend", "offline"]  # a score of the engine, not of whatever is configured
    sys.exit(main([*defaults, *sys.argv[1:]]))
