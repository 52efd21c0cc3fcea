"""Soak test (a script, not in the default test run): a big batch through a faulty server.

    python eval/soak.py                      # 2,000 reports, 5% HTTP 429, 2% HTTP 500
    python eval/soak.py --docs 500 --p429 0.1

Runs ``summarizer batch`` (a child process, concurrency 32) against the local test
server injecting the faults, then checks the output: every report ends as a summary
or an error record, none twice; and prints the child's peak RSS at a small and at the
full size, so memory staying flat is visible.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_batch import Server, make_folder, peak_rss_mb


def check(out: Path, n: int) -> Counter[str]:
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    ids = Counter(r["doc_id"] for r in records)
    assert len(ids) == n, f"{len(ids)} documents in the output, expected {n}"
    assert max(ids.values()) == 1, "a document appears twice"
    return Counter("summary" if "meta" in r else r["error"]["type"] for r in records)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--small", type=int, default=200)
    parser.add_argument("--p429", type=float, default=0.05)
    parser.add_argument("--p500", type=float, default=0.02)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="soak-"))
    server = Server(0.0, "--p429", str(args.p429), "--p500", str(args.p500))
    try:
        for n in (args.small, args.docs):
            folder = make_folder(work / f"r{n}", n)
            out = work / f"out{n}.jsonl"
            rss, seconds = peak_rss_mb(folder, server.url, work / f"c{n}", out, check=False)
            outcome = check(out, n)
            print(f"{n} reports, {args.p429:.0%} 429 / {args.p500:.0%} 500: {dict(outcome)}; "
                  f"peak RSS {rss:.0f} MB; {seconds:.0f} s")  # fmt: skip
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
