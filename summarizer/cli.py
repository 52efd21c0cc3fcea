"""The ``summarizer`` command. Results on stdout, notices and errors on stderr.

Errors are one line naming the file and what to do; ``--debug`` shows the
traceback. Exit codes: 0 all good, 1 some input failed, 2 bad usage.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import textwrap
import traceback
from collections.abc import Sequence
from typing import Any

from summarizer import __version__
from summarizer.errors import SummarizerError
from summarizer.settings import BACKENDS, MODES

PROG = "summarizer"

_SUMMARIZE_EPILOG = textwrap.dedent(
    """\
    examples:
      summarizer summarize report.txt                      JSON on stdout
      summarizer summarize report.txt --format markdown    for people
      summarizer summarize a.txt b.txt --format jsonl -o out.jsonl

    configuration (flags win over environment variables):
      OPENAI_BASE_URL      endpoint, e.g. https://api.deepseek.com/v1 or http://localhost:11434/v1
      OPENAI_API_KEY       key for the endpoint (local servers usually need none)
      SUMMARIZER_MODEL     model name (default gpt-4o-mini)
      SUMMARIZER_MODE      tools | json | json_schema | md_json
      SUMMARIZER_CACHE_DIR where validated summaries are cached
      SUMMARIZER_*         any other flag, e.g. SUMMARIZER_TIMEOUT=60
    With --backend auto (the default), no OPENAI_BASE_URL and no key means the
    offline engine; a notice on stderr says so.

    Every evidence quote in the output is verbatim from the input file and
    raw[start:end] == quote for its span; a reply that cannot be grounded is
    re-asked, and refused (exit 1) when the re-asks run out.
    """
)


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

    s = commands.add_parser(
        "summarize",
        help="summarize report files",
        description="Summarize one or more report files (UTF-8, GBK/GB18030, Big5, UTF-16).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=_SUMMARIZE_EPILOG,
    )
    s.add_argument("files", nargs="+", metavar="FILE", help="report file(s) to summarize")
    out = s.add_argument_group("output")
    out.add_argument(
        "-f",
        "--format",
        choices=("json", "jsonl", "markdown"),
        default="json",
        help="json: one object (an array for several files); jsonl: one line per file; "
        "markdown: readable report (default: json)",
    )
    out.add_argument("-o", "--output", metavar="PATH", help="write here instead of stdout")
    out.add_argument("-q", "--quiet", action="store_true", help="no notices on stderr")
    out.add_argument("--debug", action="store_true", help="show tracebacks and retry details")

    engine = s.add_argument_group("engine")
    engine.add_argument(
        "--backend",
        choices=BACKENDS,
        help="llm, offline, or auto: llm when an endpoint/key is configured (default: auto)",
    )
    engine.add_argument("--model", help="model name (SUMMARIZER_MODEL)")
    engine.add_argument("--base-url", help="OpenAI-compatible endpoint URL (OPENAI_BASE_URL)")
    engine.add_argument(
        "--mode",
        choices=MODES,
        help="how instructor asks for structure; local servers often need json or md_json "
        "(default: tools)",
    )
    engine.add_argument("--temperature", type=float, help="sampling temperature (default: 0)")
    engine.add_argument("--timeout", type=float, help="seconds per HTTP request (default: 120)")
    engine.add_argument(
        "--max-retries", type=int, help="re-asks after a reply fails validation (default: 2)"
    )
    engine.add_argument(
        "--max-tokens", type=int, help="output-token limit per reply; 0 sends none (default: 8192)"
    )
    cache = s.add_argument_group("cache")
    cache.add_argument(
        "--no-cache",
        dest="cache",
        action="store_false",
        default=None,
        help="neither read nor write the cache",
    )
    cache.add_argument("--cache-dir", help="cache folder (SUMMARIZER_CACHE_DIR; default: per-user)")

    sc = commands.add_parser(
        "schema",
        help="print the JSON Schema of the output",
        description="Print the JSON Schema of ReportSummary (or, with --draft, of the "
        "smaller model-facing schema sent to the LLM).",
    )
    sc.add_argument("--draft", action="store_true", help="the model-facing schema instead")
    return parser


def _settings_overrides(args: argparse.Namespace) -> dict[str, Any]:
    names = (
        "backend",
        "model",
        "base_url",
        "mode",
        "temperature",
        "timeout",
        "max_retries",
        "max_tokens",
        "cache",
        "cache_dir",
    )
    return {name: getattr(args, name) for name in names if getattr(args, name) is not None}


def _fail(message: str) -> None:
    print(f"{PROG}: error: {message}", file=sys.stderr)


def _notice(args: argparse.Namespace, message: str) -> None:
    if not args.quiet:
        print(f"{PROG}: {message}", file=sys.stderr)


def _run_summarize(args: argparse.Namespace) -> int:
    from summarizer.pipeline import Summarizer
    from summarizer.render import to_json, to_markdown

    summarizer = Summarizer(**_settings_overrides(args))
    settings = summarizer.settings
    if settings.backend == "auto" and summarizer.backend == "offline":
        _notice(
            args,
            "no endpoint configured (OPENAI_BASE_URL / OPENAI_API_KEY unset): "
            "using the offline engine",
        )
    results, failed = [], 0
    with summarizer:
        for n, path in enumerate(args.files, 1):
            if len(args.files) > 1:
                _notice(args, f"[{n}/{len(args.files)}] {path}")
            try:
                results.append(summarizer.summarize(path))
            except Exception as exc:  # a bug, too, must cost this file only, not the run
                failed += 1
                if isinstance(exc, SummarizerError):
                    _fail(str(exc.with_path(path)))
                else:
                    _fail(
                        f"{path}: internal error ({type(exc).__name__}: {exc}); "
                        "rerun with --debug and report it"
                    )
                if args.debug:
                    traceback.print_exc()
    if args.format == "markdown":
        text = "\n---\n\n".join(to_markdown(r) for r in results)
    elif args.format == "jsonl":
        text = "".join(to_json(r, indent=None) + "\n" for r in results)
    elif len(args.files) == 1:
        text = to_json(results[0]) + "\n" if results else ""
    else:
        text = "[\n" + ",\n".join(to_json(r) for r in results) + "\n]\n"
    if text:
        _write(text, args.output)
    return 1 if failed else 0


def _write(text: str, output: str | None) -> None:
    if output:
        try:
            with open(output, "w", encoding="utf-8") as f:
                f.write(text)
        except OSError as exc:
            raise SummarizerError(
                f"cannot write output ({exc.strerror or exc})", path=output
            ) from None
    else:
        sys.stdout.write(text)
        sys.stdout.flush()


def _run_schema(args: argparse.Namespace) -> int:
    from summarizer.schemas import DraftSummary, ReportSummary

    model = DraftSummary if args.draft else ReportSummary
    print(json.dumps(model.model_json_schema(), ensure_ascii=False, indent=2))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``summarizer`` command; returns the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    debug = getattr(args, "debug", False)
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING,
        format=f"{PROG}: %(message)s",
        stream=sys.stderr,
    )
    if not debug:
        for noisy in ("instructor", "httpx", "openai"):
            logging.getLogger(noisy).setLevel(logging.CRITICAL)
    if hasattr(sys.stdout, "reconfigure") and (sys.stdout.encoding or "").lower() != "utf-8":
        sys.stdout.reconfigure(encoding="utf-8")
    try:
        if args.command == "summarize":
            return _run_summarize(args)
        return _run_schema(args)
    except SummarizerError as exc:
        _fail(str(exc))
        if debug:
            traceback.print_exc()
        return 1
    except KeyboardInterrupt:
        _fail("interrupted")
        return 130
