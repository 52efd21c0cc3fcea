"""The ``summarizer`` command. Results on stdout, notices and errors on stderr.

Errors are one line naming the file and what to do; ``--debug`` shows the
traceback. Exit codes: 0 all good, 1 some input failed, 2 bad usage, 130 interrupted
(Ctrl-C), 143 terminated (SIGTERM), 141 stdout closed early (``| head``), which ends the
run quietly.

One module per command (``summarize``, ``batch``, ``review``, ``spreadsheet``,
``evaluate``, ``check``, ``cache``, ``schema``), each
owning its flags and its handler; the engine flags are generated from
:class:`~summarizer.settings.Settings` (:mod:`.options`).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
from collections.abc import Iterator, Sequence
from types import FrameType

from summarizer import __version__
from summarizer.cli import (
    batch,
    cache,
    check,
    evaluate,
    review,
    schema,
    sections,
    spreadsheet,
    summarize,
    text,
)
from summarizer.cli._console import PROG, fail, logging_to_stderr, print_traceback
from summarizer.cli.options import settings_overrides
from summarizer.errors import SummarizerError, UsageError

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Grounded structured summaries of Chinese work reports "
        "(工作总结, 工作报告, 经验交流, 典型案例).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Run 'summarizer COMMAND --help' for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in (
        summarize,
        text,
        sections,
        batch,
        review,
        spreadsheet,
        evaluate,
        check,
        cache,
        schema,
    ):
        command.register(commands)
    return parser


def _secrets(args: argparse.Namespace) -> list[str]:
    """The API key in force, if any (read through Settings, the one place that reads env)."""
    from summarizer.settings import Settings

    try:
        key = Settings.load(**settings_overrides(args)).api_key
    except Exception:  # a bad setting is reported by the command itself
        return []
    return [key] if key and len(key) >= 4 else []


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the run is, so it unwinds as Ctrl-C does (what finished is
    written, the rest redone on the next run) and exits 143."""


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise Terminated


@contextlib.contextmanager
def _sigterm_unwinds() -> Iterator[None]:
    """SIGTERM raises :class:`Terminated` while a command runs (main thread only)."""
    try:
        saved = signal.signal(signal.SIGTERM, _terminate)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, saved)


def _stdout_gone() -> None:
    """stdout's reader is gone (``| head``): point stdout at /dev/null so the
    interpreter's own flush at exit has nowhere to fail."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``summarizer`` command; returns the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    debug = getattr(args, "debug", False)
    if hasattr(sys.stdout, "reconfigure") and (sys.stdout.encoding or "").lower() != "utf-8":
        sys.stdout.reconfigure(encoding="utf-8")
    with logging_to_stderr(debug, _secrets(args)), _sigterm_unwinds():
        try:
            return int(args.handler(args))
        except UsageError as exc:
            fail(str(exc))
            return 2
        except SummarizerError as exc:
            fail(str(exc))
            if debug:
                print_traceback()
            return 1
        except BrokenPipeError:
            _stdout_gone()
            return 141  # 128 + SIGPIPE, as a tool killed by the closed pipe would
        except Terminated:
            fail("terminated")
            return 143
        except KeyboardInterrupt:
            fail("interrupted")
            return 130
