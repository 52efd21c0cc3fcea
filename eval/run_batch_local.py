"""A minimal ``run-batch`` for a server with no batch API (llama.cpp, Ollama): POST each
request line's body to ``BASE_URL/chat/completions`` and write the OpenAI batch output
lines ``summarizer batch --import`` reads. Used to check the exported requests against a
real server (see ``eval/real_server.py`` for building one here); ``vllm run-batch`` is
the real thing on GPUs.

    python eval/run_batch_local.py -i requests.jsonl -o answers.jsonl \\
        --base-url http://127.0.0.1:8791/v1
"""

from __future__ import annotations

import argparse
import json
import time
import urllib.error
import urllib.request
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-i", "--input", required=True, type=Path)
    parser.add_argument("-o", "--output", required=True, type=Path)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args()
    url = args.base_url.rstrip("/") + "/chat/completions"
    written = []
    statuses: dict[int, int] = {}
    started = time.perf_counter()
    for n, raw in enumerate(args.input.read_text(encoding="utf-8").splitlines()):
        line = json.loads(raw)
        data = json.dumps(line["body"], ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(
            url, data=data, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=args.timeout) as response:
                status, body = response.status, json.loads(response.read())
        except urllib.error.HTTPError as exc:
            status, body = exc.code, {"error": {"message": exc.read().decode()[:500]}}
        statuses[status] = statuses.get(status, 0) + 1
        response_line = {"status_code": status, "request_id": f"req-{n}", "body": body}
        written.append(
            {
                "id": f"batch_req_{n}",
                "custom_id": line["custom_id"],
                "response": response_line,
                "error": None,
            }
        )
    args.output.write_text(
        "".join(json.dumps(w, ensure_ascii=False) + "\n" for w in written), encoding="utf-8"
    )
    seconds = time.perf_counter() - started
    print(f"{len(written)} lines in {seconds:.1f} s; HTTP statuses {statuses}")


if __name__ == "__main__":
    main()
