"""A scriptable OpenAI-compatible chat-completions server on 127.0.0.1.

The real openai client, instructor and tenacity talk to it over real HTTP. Each
request takes the next scripted :class:`Step` (or ``default`` when the script is
empty) and is answered the way the request asks for structure:

* ``tools`` in the request        → a tool call to the first tool, arguments = JSON
* ``response_format`` present     → the JSON as message content (json / json_schema)
* neither                         → the JSON in a ```json fence (md_json)

Every request body is recorded in ``requests`` for assertions, with its arrival
time in ``arrivals``; ``max_in_flight`` is the most requests it held at once.
``responder(body) -> Step`` answers when the script is empty (before ``default``):
batch tests use it to answer each document by what the prompt holds. ``GET /models``
lists ``models`` (404 when it is None, as some servers have no such route).

It is also a provider's Batch API: ``POST /files`` (multipart, purpose ``batch``),
``POST /batches``, ``GET /batches/{id}``, ``POST /batches/{id}/cancel`` and
``GET /files/{id}/content``. A batch goes as ``batch_plan`` says (:class:`BatchPlan`):
``validating`` for some looks, ``in_progress`` with its counts growing, then
``completed``, ``failed`` or ``expired``; each request line is answered by
``batch_responder`` (else ``responder``) without touching ``requests``, which stays
the record of what was sent online.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Step:
    """One scripted reply."""

    payload: dict[str, Any] | None = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    think: bool = False
    finish_reason: str = "stop"
    usage: tuple[int, int] | None = (1000, 200)
    content: str | None = None  # raw message content, bypassing payload


def answer(payload: dict[str, Any], **kw: Any) -> Step:
    return Step(payload=payload, **kw)


def error(status: int, message: str = "scripted error", **kw: Any) -> Step:
    return Step(
        status=status, payload={"error": {"message": message, "type": "test", "code": None}}, **kw
    )


@dataclass
class BatchPlan:
    """How the next batches go."""

    validating_looks: int = 1
    progress_looks: int = 2
    outcome: str = "completed"  # or "failed" (nothing run) or "expired"
    #: Lines answered with an error (HTTP 500 in the error file) instead of a completion.
    errors: set[str] = field(default_factory=set)
    #: With "expired": lines never run (in the error file as batch_expired).
    unrun: set[str] = field(default_factory=set)


class _Server(ThreadingHTTPServer):
    request_queue_size = 128  # the stdlib default of 5 drops connections under load
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True


class FakeOpenAI:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.default: Step | None = None
        self.responder: Callable[[dict[str, Any]], Step | None] | None = None
        self.arrivals: list[float] = []
        self.models: list[str] | None = ["fake-model"]
        self.in_flight = 0
        self.max_in_flight = 0
        #: The client port of each chat request: one port, one kept-alive connection.
        self.peers: list[int] = []
        self.batch_plan = BatchPlan()
        self.batch_responder: Callable[[dict[str, Any]], Step | None] | None = None
        #: Uploaded files by id, the batches by id, and every request line a batch answered.
        self.files: dict[str, bytes] = {}
        self.batches: dict[str, dict[str, Any]] = {}
        self.batch_lines: list[dict[str, Any]] = []
        self.cancelled: list[str] = []
        self._steps: deque[Step] = deque()
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), self._handler())
        # shutdown() waits for the loop's next look: 0.5 s by default, on every test's teardown
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    # -------------------------------------------------------------- control

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def script(self, *steps: Step) -> None:
        with self._lock:
            self._steps.extend(steps)

    def start(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _next(self, body: dict[str, Any], headers: dict[str, str]) -> Step | None:
        with self._lock:
            self.requests.append(body)
            self.headers.append(headers)
            self.arrivals.append(time.monotonic())
            if self._steps:
                return self._steps.popleft()
        if self.responder is not None:
            return self.responder(body)
        return self.default

    def _enter(self, delta: int) -> None:
        with self._lock:
            self.in_flight += delta
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    # -------------------------------------------------------------- HTTP

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = (
                True  # else header and body writes wait on delayed ACKs (~40 ms)
            )

            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

            def do_GET(self) -> None:
                found = fake._batch_get(self.path)
                if found is not None:
                    self._send_raw(*found)
                    return
                if not self.path.rstrip("/").endswith("/models") or fake.models is None:
                    self._send(404, {"error": {"message": f"no route {self.path}"}})
                    return
                listed = [{"id": m, "object": "model", "owned_by": "test"} for m in fake.models]
                self._send(200, {"object": "list", "data": listed})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                data = self.rfile.read(length)
                found = fake._batch_post(self.path, self.headers.get("Content-Type", ""), data)
                if found is not None:
                    self._send_raw(*found)
                    return
                body = json.loads(data or b"{}")
                if not self.path.rstrip("/").endswith("/chat/completions"):
                    self._send(404, {"error": {"message": f"no route {self.path}"}})
                    return
                fake.peers.append(self.client_address[1])
                fake._enter(+1)
                try:
                    self._answer(body)
                finally:
                    fake._enter(-1)

            def _answer(self, body: dict[str, Any]) -> None:
                step = fake._next(body, {k.lower(): v for k, v in self.headers.items()})
                if step is None:
                    self._send(500, {"error": {"message": "no scripted answer left"}})
                    return
                if step.delay:
                    time.sleep(step.delay)
                if step.status != 200:
                    self._send(step.status, step.payload or {}, step.headers)
                    return
                self._send(200, completion(body, step), step.headers)

            def _send_raw(self, status: int, payload: dict[str, Any] | bytes) -> None:
                if isinstance(payload, dict):
                    self._send(status, payload)
                    return
                self._send(status, {}, data=payload, content_type="application/octet-stream")

            def _send(
                self,
                status: int,
                payload: dict[str, Any],
                headers: dict[str, str] | None = None,
                data: bytes | None = None,
                content_type: str = "application/json",
            ) -> None:
                if data is None:
                    data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(data)))
                    for k, v in (headers or {}).items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

        return Handler

    # -------------------------------------------------------------- the Batch API

    def _batch_post(
        self, path: str, content_type: str, data: bytes
    ) -> tuple[int, dict[str, Any] | bytes] | None:
        route = path.split("?")[0].rstrip("/")
        if route.endswith("/files"):
            content, purpose = _multipart(content_type, data)
            if purpose != "batch" or content is None:
                return 400, {"error": {"message": "expected a batch file"}}
            with self._lock:
                file_id = f"file-{len(self.files) + 1}"
                self.files[file_id] = content
            return 200, {
                "id": file_id,
                "object": "file",
                "bytes": len(content),
                "created_at": 0,
                "filename": "requests.jsonl",
                "purpose": "batch",
            }
        if route.endswith("/batches"):
            body = json.loads(data or b"{}")
            content = self.files.get(body.get("input_file_id", ""))
            if content is None:
                return 404, {"error": {"message": "no such file"}}
            with self._lock:
                batch_id = f"batch_{len(self.batches) + 1}"
                self.batches[batch_id] = {
                    "id": batch_id,
                    "plan": self.batch_plan,
                    "looks": 0,
                    "cancel": False,
                    "lines": [json.loads(line) for line in content.splitlines() if line.strip()],
                    "metadata": body.get("metadata"),
                }
            return 200, self._batch_view(self.batches[batch_id], look=False)
        if route.endswith("/cancel") and "/batches/" in route:
            batch = self.batches.get(route.split("/")[-2])
            if batch is None:
                return 404, {"error": {"message": "no such batch"}}
            batch["cancel"] = True
            self.cancelled.append(batch["id"])
            return 200, self._batch_view(batch, look=False)
        return None

    def _batch_get(self, path: str) -> tuple[int, dict[str, Any] | bytes] | None:
        parts = path.split("?")[0].rstrip("/").split("/")
        if len(parts) >= 3 and parts[-3] == "files" and parts[-1] == "content":
            content = self.files.get(parts[-2])
            return (200, content) if content is not None else (404, {"error": {"message": "no"}})
        if len(parts) >= 2 and parts[-2] == "batches":
            batch = self.batches.get(parts[-1])
            if batch is None:
                return 404, {"error": {"message": "no such batch"}}
            return 200, self._batch_view(batch, look=True)
        return None

    def _batch_view(self, batch: dict[str, Any], *, look: bool) -> dict[str, Any]:
        """The batch as a provider reports it, one look further along its plan."""
        plan: BatchPlan = batch["plan"]
        with self._lock:
            if look:
                batch["looks"] += 1
            looks = batch["looks"]
        total = len(batch["lines"])
        view: dict[str, Any] = {
            "id": batch["id"],
            "object": "batch",
            "endpoint": "/v1/chat/completions",
            "input_file_id": "",
            "completion_window": "24h",
            "created_at": 0,
            "metadata": batch["metadata"],
            "errors": None,
            "output_file_id": None,
            "error_file_id": None,
            "request_counts": {"total": total, "completed": 0, "failed": 0},
        }
        running = looks - plan.validating_looks
        if batch["cancel"]:
            status = "cancelled" if "output" in batch or looks else "cancelling"
            self._run_batch(batch, upto=total // 2)
        elif running <= 0:
            status = "validating"
        elif plan.outcome == "failed":
            status = "failed"
            view["errors"] = {
                "object": "list",
                "data": [
                    {
                        "code": "invalid_request",
                        "line": 1,
                        "message": "scripted: bad line",
                        "param": "body",
                    }
                ],
            }
        elif running <= plan.progress_looks:
            status = "in_progress"
            view["request_counts"]["completed"] = total * running // (plan.progress_looks + 1)
            return {**view, "status": status}
        else:
            status = plan.outcome
            self._run_batch(batch, upto=total)
        if "output" in batch and status in ("completed", "expired", "cancelled"):
            answered, failed = batch["counts"]
            view["request_counts"] = {"total": total, "completed": answered, "failed": failed}
            view["output_file_id"], view["error_file_id"] = batch["output"], batch["errors"]
        return {**view, "status": status}

    def _run_batch(self, batch: dict[str, Any], *, upto: int) -> None:
        """Answer the batch's lines once (the first ``upto``; the rest are unrun)."""
        if "output" in batch:
            return
        plan: BatchPlan = batch["plan"]
        answered: list[bytes] = []
        failed: list[bytes] = []
        for n, line in enumerate(batch["lines"]):
            custom = line["custom_id"]
            record: dict[str, Any] = {"id": f"batch_req_{n}", "custom_id": custom}
            if n >= upto or (plan.outcome == "expired" and custom in plan.unrun):
                record |= {
                    "response": None,
                    "error": {
                        "code": "batch_expired",
                        "message": "This request could not be executed before the window expired.",
                    },
                }
                failed.append(json.dumps(record).encode())
                continue
            if custom in plan.errors:
                record |= {
                    "response": {
                        "status_code": 500,
                        "request_id": "r",
                        "body": {"error": {"message": "scripted: the server failed this line"}},
                    },
                    "error": None,
                }
                failed.append(json.dumps(record).encode())
                continue
            responder = self.batch_responder or self.responder
            step = responder(line["body"]) if responder is not None else self.default
            with self._lock:
                self.batch_lines.append(line)
            assert step is not None, "no batch answer scripted"
            body = completion(line["body"], step)
            record |= {
                "response": {"status_code": 200, "request_id": "r", "body": body},
                "error": None,
            }
            answered.append(json.dumps(record, ensure_ascii=False).encode())
        with self._lock:
            output = errors = None
            if answered:
                output = f"file-{len(self.files) + 1}"
                self.files[output] = b"\n".join(answered) + b"\n"
            if failed:
                errors = f"file-{len(self.files) + 1}"
                self.files[errors] = b"\n".join(failed) + b"\n"
            batch["output"], batch["errors"] = output, errors
            batch["counts"] = (len(answered), len(failed))


def _multipart(content_type: str, data: bytes) -> tuple[bytes | None, str | None]:
    """The ``file`` part and the ``purpose`` of a multipart upload."""
    from email import policy
    from email.parser import BytesParser

    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = BytesParser(policy=policy.default).parsebytes(head + data)
    content = purpose = None
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if name == "file":
            content = payload
        elif name == "purpose" and isinstance(payload, bytes):
            purpose = payload.decode()
    return content, purpose


def completion(request: dict[str, Any], step: Step) -> dict[str, Any]:
    """A chat.completion answering ``request`` with ``step``'s payload, shaped by its mode."""
    text = (
        step.content if step.content is not None else json.dumps(step.payload, ensure_ascii=False)
    )
    if step.finish_reason == "length":
        text = text[: max(1, len(text) // 2)]
    tools = request.get("tools")
    if tools and step.content is None:
        message: dict[str, Any] = {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": tools[0]["function"]["name"], "arguments": text},
                }
            ],
        }
    else:
        if step.content is None and "response_format" not in request:
            text = f"```json\n{text}\n```"
        if step.think:
            text = '<think>先想一想：{"draft": true} 这不是答案。</think>\n' + text
        message = {"role": "assistant", "content": text}
    usage = None
    if step.usage is not None:
        prompt, completion_tokens = step.usage
        usage = {
            "prompt_tokens": prompt,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt + completion_tokens,
        }
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": request.get("model", "fake"),
        "choices": [{"index": 0, "message": message, "finish_reason": step.finish_reason}],
        "usage": usage,
    }


def _serve_gold(argv: list[str] | None = None) -> None:
    """Manual checks and benchmarks: ``python -m tests.fake_openai --gold eval/gold``
    answers each request with the gold summary whose doc_id the prompt names.

    ``--first-bad`` makes each document's first answer carry a fabricated quote, so
    a re-ask must happen; ``--latency S`` answers after S seconds; ``--p429`` /
    ``--p500`` inject that share of HTTP 429 (Retry-After: 1) and 500 answers.
    """
    import argparse
    import random
    from pathlib import Path

    parser = argparse.ArgumentParser(prog="python -m tests.fake_openai")
    parser.add_argument("--gold", required=True, type=Path)
    parser.add_argument(
        "--corpus", type=Path, help="the reports (default: corpus/ beside the gold folder)"
    )
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--first-bad", action="store_true")
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--p429", type=float, default=0.0)
    parser.add_argument("--p500", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    from tests.good_answers import good_answer

    corpus = args.corpus or args.gold.parent / "corpus"

    def raw(doc_id: str) -> str | None:
        path = corpus / f"{doc_id}.txt"
        return path.read_text(encoding="utf-8") if path.exists() else None

    golds = {
        p.stem: good_answer(p.stem, json.loads(p.read_text(encoding="utf-8")), raw(p.stem))
        for p in args.gold.glob("*.json")
    }
    seen: set[str] = set()
    chance = random.Random(args.seed)

    class GoldServer(FakeOpenAI):
        def _next(self, body: dict[str, Any], headers: dict[str, str]) -> Step | None:
            prompt = json.dumps(body.get("messages"), ensure_ascii=False)
            doc_id = next((d for d in golds if d in prompt), None)
            if doc_id is None:
                return error(400, "no gold summary for this document")
            with self._lock:
                roll = chance.random()
            if roll < args.p429:
                return error(429, "rate limited", headers={"Retry-After": "1"}, delay=args.latency)
            if roll < args.p429 + args.p500:
                return error(500, "injected failure", delay=args.latency)
            payload = dict(golds[doc_id])
            if args.first_bad and doc_id not in seen:
                seen.add(doc_id)
                payload["achievements"] = [
                    {"text": "审结案件99999件", "evidence": ["全年审结各类案件99999件"]},
                    *payload["achievements"],
                ]
            if not args.quiet:
                print(f"answering {doc_id}", flush=True)
            return answer(payload, delay=args.latency)

    fake = GoldServer()
    fake._server.server_close()
    fake._server = _Server(("127.0.0.1", args.port), fake._handler())
    print(f"serving gold answers at http://127.0.0.1:{args.port}/v1", flush=True)
    fake._server.serve_forever()


if __name__ == "__main__":
    _serve_gold()
