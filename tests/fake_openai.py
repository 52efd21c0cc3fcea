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
        self._steps: deque[Step] = deque()
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

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
                if not self.path.rstrip("/").endswith("/models") or fake.models is None:
                    self._send(404, {"error": {"message": f"no route {self.path}"}})
                    return
                listed = [{"id": m, "object": "model", "owned_by": "test"} for m in fake.models]
                self._send(200, {"object": "list", "data": listed})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                if not self.path.rstrip("/").endswith("/chat/completions"):
                    self._send(404, {"error": {"message": f"no route {self.path}"}})
                    return
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

            def _send(
                self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None
            ) -> None:
                data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    for k, v in (headers or {}).items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

        return Handler


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
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--first-bad", action="store_true")
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--p429", type=float, default=0.0)
    parser.add_argument("--p500", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    golds = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in args.gold.glob("*.json")}
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
