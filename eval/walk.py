"""How far a reader walks to follow ``Summarizer.summarize(path)`` through the package.

A newcomer reads a call as a walk: into a function, down into the ones it calls, back
up. This script makes that walk from a real run: every call from one of the package's
functions to another is followed the first time it happens (a loop's hundredth call is
read once, as a reader reads it once), and the walk is written as the modules it passes
through. It prints, for the LLM path (the local test server answering with gold) and the
offline engine:

* ``steps``: calls from one module into another along the walk;
* ``modules``: how many modules it passes through;
* ``returns``: calls into a module the walk had already left (none of its functions is
  still running, in any thread): the reader goes back to a file closed before;
* ``most entered``: the module called into most often, and how often;
* and the same walk there and back (each return of a followed call takes the reader back
  to the caller's module): its steps, its moves back into a module already left, and the
  module visited most often.

Compare two versions by running the script in each checkout::

    python eval/walk.py                      # this checkout
    python eval/walk.py --doc 000_1cceb1fd464775c5 --list   # the walk itself, module by module

The run before the one measured warms every lazy import and cache, so that the walk is
the call's own, not the import machinery's.
"""

from __future__ import annotations

import argparse
import sys
import threading
from collections import Counter
from pathlib import Path
from types import FrameType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from summarizer import Summarizer  # noqa: E402
from tests.fake_openai import FakeOpenAI, answer  # noqa: E402

#: The package's own code: what the walk follows (tests and libraries are not read).
OURS = (str(ROOT / "summarizer"), str(ROOT / "schemas"), str(ROOT / "prompts"))


def _module(frame: FrameType) -> str | None:
    name = frame.f_code.co_filename
    if not name.startswith(OURS) or frame.f_code.co_name == "<module>":
        return None
    return str(Path(name).relative_to(ROOT))


def _ours_above(frame: FrameType | None) -> FrameType | None:
    while frame is not None and _module(frame) is None:
        frame = frame.f_back
    return frame


def _live_modules() -> set[str]:
    """The modules with a function running now, in any thread."""
    live = set()
    for frame in sys._current_frames().values():
        at: FrameType | None = frame
        while at is not None:
            if (module := _module(at)) is not None:
                live.add(module)
            at = at.f_back
    return live


class Walk:
    """The walk, made from trace events of every thread (the sync API's loop thread and
    the worker threads included)."""

    def __init__(self) -> None:
        self.entered: list[str] = []
        #: Each step as the reader takes it: ``module:function -> module:function``.
        self.calls: list[str] = []
        self.returns = 0
        #: The walk there and back: the module the reader is in after each call and each
        #: return of a followed call, a module written once while the reader stays in it.
        self.path: list[str] = []
        self._edges: set[tuple[Any, Any]] = set()
        self._lock = threading.Lock()

    def trace(self, frame: FrameType, event: str, arg: object) -> Any:
        if event != "call" or (module := _module(frame)) is None:
            return None
        caller = _ours_above(frame.f_back)
        with self._lock:
            edge = (caller.f_code if caller is not None else None, frame.f_code)
            if edge in self._edges:
                return None
            self._edges.add(edge)
            self._go(module)
            back = self._back(_module(caller) if caller is not None else None)
            if caller is not None and _module(caller) == module:
                return back
            if module in self.entered and module not in _live_modules() - {module}:
                self.returns += 1
            self.entered.append(module)
            where = f"{_module(caller)}:{caller.f_code.co_name}" if caller else "(library)"
            self.calls.append(f"{where} -> {module}:{frame.f_code.co_name}")
        return back

    def _go(self, module: str) -> None:
        if not self.path or self.path[-1] != module:
            self.path.append(module)

    def _back(self, module: str | None) -> Any:
        """The local tracer of a followed call: its return takes the reader back up."""

        def local(frame: FrameType, event: str, arg: object) -> Any:
            if event == "return" and module is not None:
                with self._lock:
                    self._go(module)
            return local

        return local

    def figures(self) -> dict[str, Any]:
        (most, times), *_ = Counter(self.entered).most_common(1)
        return {
            "steps": len(self.entered) - 1,
            "modules": len(set(self.entered)),
            "returns": self.returns,
            "most entered": f"{most} ×{times}",
            "| there and back: steps": len(self.path) - 1,
            "back into a module left": sum(
                1 for n, m in enumerate(self.path) if m in self.path[:n]
            ),
            "most visited": "{} ×{}".format(*Counter(self.path).most_common(1)[0]),
        }


def walk(path: Path, **settings: Any) -> Walk:
    with Summarizer(**settings) as warm:
        warm.summarize(path)
    made = Walk()
    with Summarizer(**settings) as summarizer:
        threading.settrace(made.trace)
        sys.settrace(made.trace)
        try:
            summarizer.summarize(path)
        finally:
            sys.settrace(None)
            threading.settrace(None)  # type: ignore[arg-type]
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--doc", default="000_1cceb1fd464775c5", help="a corpus report")
    parser.add_argument("--list", action="store_true", help="print the walk, module by module")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "tests"))
    from tests.conftest import gold_answer

    path = ROOT / "eval" / "corpus" / f"{args.doc}.txt"
    server = FakeOpenAI().start()
    server.default = answer(gold_answer(args.doc))
    try:
        llm = walk(
            path, backend="llm", base_url=server.url, api_key="walk", model="fake-model",
            cache=False,
        )  # fmt: skip
    finally:
        server.stop()
    offline = walk(path, backend="offline", cache=False)
    for name, made in (("llm", llm), ("offline", offline)):
        print(name, " ".join(f"{k} {v}," for k, v in made.figures().items()).rstrip(","))
        if args.list:
            print("  " + "\n  ".join(made.calls))


if __name__ == "__main__":
    main()
