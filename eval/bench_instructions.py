"""The offline engine's cost per 20,000-character report in instructions, not seconds:
``valgrind --tool=callgrind`` counts the same for the same code and input however busy the
machine is, so two versions compare in one figure where timings on this machine swing 2×.

    python eval/bench_instructions.py                          # this checkout
    python eval/bench_instructions.py --baseline /tmp/old      # and another checkout's code

Each version runs twice under callgrind, summarizing 0 and ``--reports`` reports after one
warm-up; the difference over ``--reports`` is the cost of one (imports, reading the corpus
and the warm-up cancel out). The reports are the corpus stitched to 20,000 characters, each
line marked with the report's number, so that no cache serves one report from another.
Needs valgrind (Debian's ``valgrind``).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

_RUN = r"""
import sys
sys.path.insert(0, {eval!r})
from pathlib import Path
from bench import synthetic
from summarizer.read import read_document, Document
from summarizer.offline import summarize_offline
docs = [read_document(p) for p in sorted(Path({corpus!r}).glob("*.txt"))]
lines = synthetic(docs, 20_000).raw.split("\n")
# every report its own (each line marked with its number): no cache serves one from another
raws = ["\n".join(f"{{x}}({{k}})" if x.strip() else x for x in lines) for k in range({most})]
summarize_offline(Document(doc_id="warm", raw=raws[0]))  # lazy tables, compiled patterns
for k in range(1, 1 + int(sys.argv[1])):
    summarize_offline(Document(doc_id=str(k), raw=raws[k]))
"""


def instructions(code: str, reports: int, path: str | None) -> int:
    # the same set orders and no idle BLAS threads spinning: the same count each run
    env = {**os.environ, "PYTHONHASHSEED": "0", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    if path:
        env["PYTHONPATH"] = path
    # no address randomization: objects hashed by address probe the same slots each run
    command = ["setarch", "-R", "valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"]
    result = subprocess.run(
        [*command, sys.executable, "-c", code, str(reports)],
        capture_output=True,
        text=True,
        env=env,
        cwd=path or HERE.parent,  # `-c` puts the folder it runs in first on sys.path
        check=True,
    )
    found = re.search(r"Collected : (\d+)", result.stderr)
    if found is None:
        raise SystemExit("valgrind printed no instruction count")
    return int(found.group(1))


def per_report(reports: int, path: str | None) -> float:
    code = _RUN.format(eval=str(HERE), corpus=str(HERE / "corpus"), most=reports + 1)
    return (instructions(code, reports, path) - instructions(code, 0, path)) / reports


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=3, help="reports summarized (default 3)")
    parser.add_argument("--baseline", help="another checkout's root, put first on PYTHONPATH")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (apt-get install valgrind)", file=sys.stderr)
        return 2
    now = per_report(args.reports, None)
    print(f"this checkout: {now / 1e6:.1f} M instructions per 20,000-character report")
    if args.baseline:
        then = per_report(args.reports, args.baseline)
        print(f"baseline:      {then / 1e6:.1f} M ({now / then:.2f}× now)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
