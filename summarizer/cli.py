"""The ``summarizer`` command. Results on stdout, notices and errors on stderr.

Errors are one line naming the file and what to do; ``--debug`` shows the
traceback. Exit codes: 0 all good, 1 some input failed, 2 bad usage.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import logging
import sys
import textwrap
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from summarizer import __version__
from summarizer.errors import SummarizerError, describe
from summarizer.settings import BACKENDS, FALLBACKS, MODES

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

_EVAL_EPILOG = textwrap.dedent(
    """\
    examples:
      summarizer eval --backend offline                         run the offline engine, score it
      summarizer eval --pred results.jsonl                      score saved predictions
      summarizer eval --pred results.jsonl --json now.json --baseline before.json
      summarizer eval --backend llm --out pred.jsonl --report report.md --fail-under 0.6

    Gold files follow eval/gold/README.md. Items pair one-to-one per section
    (optimal assignment): 1.0 when their evidence overlaps in the document, else
    the character-bigram F1 of their texts, never below 0.5; both sides are
    folded alike (NFKC, Traditional to Simplified, pinyin debris, whitespace).
    Metrics pair by value and unit (2,000 = 2000; 万元 is not 元). A document
    without a prediction, or with an error record, scores as an empty summary.

    exit status: 0 scored; 1 macro F1 under --fail-under, or a gold document
    could not be scored; 2 bad usage.
    """
)

_BATCH_EPILOG = textwrap.dedent(
    """\
    examples:
      summarizer batch reports/ --out results.jsonl --concurrency 16
      summarizer batch reports/ --out results.jsonl    again: finished documents skipped
      summarizer batch a.txt b.txt --list more.txt --glob "*.md" --out results.jsonl
      summarizer eval --pred results.jsonl             score the results against gold

    One JSON line per document, written the moment it finishes: its summary, or
    {"doc_id", "path", "error": {"type", "message"}}. doc_id is the path under
    the folder given, without the suffix. Killing the run loses nothing that
    finished; rerunning skips documents with a summary in --out, retries those
    with an error record, and writes no document twice. Summaries are cached:
    a document summarized before (by any run) costs no request.

    On HTTP 429 every worker waits out Retry-After together and concurrency
    halves, then grows back one at a time. Progress shows on stderr when it is a
    terminal; the last line counts ok / failed / cached, tokens, cost and speed.

    exit status: 0 every document summarized; 1 some failed (see their error
    records); 2 bad usage.
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
    _add_chatter_options(out)

    _add_engine_options(s)

    e = commands.add_parser(
        "eval",
        help="score summaries against hand-labeled gold files",
        description="Score a backend's summaries (or saved predictions) against hand-labeled "
        "gold files: per-section precision/recall/F1, metric recall/precision, grounding.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=_EVAL_EPILOG,
    )
    data = e.add_argument_group("data")
    data.add_argument(
        "--gold", default="eval/gold", metavar="DIR", help="gold *.json files (default: eval/gold)"
    )
    data.add_argument(
        "--corpus",
        default="eval/corpus",
        metavar="DIR",
        help="the documents, <doc_id>.txt (default: eval/corpus)",
    )
    data.add_argument(
        "--pred",
        "--predictions",
        dest="pred",
        metavar="PATH",
        help="score saved predictions: a JSONL file (batch output) or a folder of JSON files; "
        "without it the backend summarizes the corpus",
    )
    data.add_argument(
        "--out", metavar="PATH", help="also save the predictions made here as JSONL (for --pred)"
    )
    data.add_argument(
        "--prices",
        metavar="FILE",
        help='cost table, US$ per 1M tokens: {"MODEL": {"input": 0.27, "output": 1.1}}; '
        '"*" for any model',
    )
    report = e.add_argument_group("results")
    report.add_argument("--json", metavar="PATH", help="write all figures as JSON here")
    report.add_argument(
        "--report", metavar="PATH", help="write a Markdown report with every missed/extra item"
    )
    report.add_argument(
        "--baseline", metavar="PATH", help="an earlier --json file: print the change against it"
    )
    report.add_argument(
        "--fail-under",
        type=float,
        metavar="X",
        help="exit 1 when macro F1 < X (for CI gates)",
    )
    _add_chatter_options(report)
    _add_engine_options(e)

    b = commands.add_parser(
        "batch",
        help="summarize folders of reports into a JSONL file (concurrent, cached, resumable)",
        description="Summarize many reports concurrently into one JSONL file; resumable, cached.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=_BATCH_EPILOG,
    )
    b.add_argument(
        "inputs", nargs="*", metavar="PATH", help="report files and folders (searched recursively)"
    )
    run = b.add_argument_group("batch")
    run.add_argument(
        "-o",
        "--out",
        metavar="PATH",
        help="JSONL results file, appended to and resumed (default: stdout, no resume)",
    )
    run.add_argument(
        "--glob", default="*.txt", help='which files in folders to take (default: "*.txt")'
    )
    run.add_argument(
        "--list",
        dest="list_files",
        action="append",
        default=[],
        metavar="FILE",
        help="a file naming one report per line (relative to it); repeatable",
    )
    run.add_argument(
        "-c",
        "--concurrency",
        type=int,
        default=8,
        metavar="N",
        help="requests in flight at most (default: 8); adapts down on HTTP 429",
    )
    run.add_argument(
        "--restart",
        action="store_true",
        help="empty --out first and do every document again (the cache still answers)",
    )
    run.add_argument(
        "--prices", metavar="FILE", help="cost table for the final line (see 'summarizer eval')"
    )
    _add_chatter_options(run)
    _add_engine_options(b)

    sc = commands.add_parser(
        "schema",
        help="print the JSON Schema of the output",
        description="Print the JSON Schema of ReportSummary (or, with --draft, of the "
        "smaller model-facing schema sent to the LLM).",
    )
    sc.add_argument("--draft", action="store_true", help="the model-facing schema instead")
    return parser


def _add_chatter_options(group: Any) -> None:
    group.add_argument("-q", "--quiet", action="store_true", help="no notices on stderr")
    group.add_argument("--debug", action="store_true", help="show tracebacks and retry details")


def _add_engine_options(parser: argparse.ArgumentParser) -> None:
    engine = parser.add_argument_group("engine")
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
    engine.add_argument(
        "--strict",
        action="store_true",
        default=None,
        help="all or nothing: when the re-asks run out, fail the report instead of keeping the "
        "items that ground and listing the rest in meta.dropped (SUMMARIZER_STRICT)",
    )
    engine.add_argument(
        "--fallback",
        choices=FALLBACKS,
        help="offline: when the model fails a report (empty answer, nothing grounded, endpoint "
        "error), give the offline engine's summary with a warning (default: none)",
    )
    engine.add_argument(
        "--context-tokens",
        type=int,
        help="the model's context window; longer reports are refused before any request "
        "(default: 128000)",
    )
    cache = parser.add_argument_group("cache")
    cache.add_argument(
        "--no-cache",
        dest="cache",
        action="store_false",
        default=None,
        help="neither read nor write the cache",
    )
    cache.add_argument("--cache-dir", help="cache folder (SUMMARIZER_CACHE_DIR; default: per-user)")


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
        "context_tokens",
        "strict",
        "fallback",
        "cache",
        "cache_dir",
    )
    return {n: getattr(args, n) for n in names if getattr(args, n, None) is not None}


_SECRETS: list[str] = []


def _redact(text: str) -> str:
    for secret in _SECRETS:
        text = text.replace(secret, "***")
    return text


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is now (not the one at setup time)."""

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


class _Redacting(logging.Filter):
    """Keeps the API key out of every log line, --debug included."""

    def filter(self, record: logging.LogRecord) -> bool:
        if _SECRETS:
            record.msg = _redact(record.getMessage())
            record.args = None
        return True


def _print_traceback() -> None:
    sys.stderr.write(_redact(traceback.format_exc()))


def _fail(message: str) -> None:
    print(f"{PROG}: error: {_redact(message)}", file=sys.stderr)


def _notice(args: argparse.Namespace, message: str) -> None:
    if not args.quiet:
        print(f"{PROG}: {message}", file=sys.stderr)


def _backend_notice(args: argparse.Namespace, settings: Any) -> None:
    if settings.backend == "auto" and settings.resolved_backend == "offline":
        _notice(
            args,
            "no endpoint configured (OPENAI_BASE_URL / OPENAI_API_KEY unset): "
            "using the offline engine",
        )


def _run_summarize(args: argparse.Namespace) -> int:
    from summarizer.pipeline import Summarizer
    from summarizer.render import to_json, to_markdown

    summarizer = Summarizer(**_settings_overrides(args))
    _backend_notice(args, summarizer.settings)
    results, failed = [], 0
    with summarizer:
        for n, path in enumerate(args.files, 1):
            if len(args.files) > 1:
                _notice(args, f"[{n}/{len(args.files)}] {path}")
            try:
                summary = summarizer.summarize(Path(path))  # a path, never text
                results.append(summary)
                for warning in summary.meta.warnings:
                    _notice(args, f"warning: {path}: {warning}")
            except Exception as exc:  # a bug, too, must cost this file only, not the run
                failed += 1
                _fail(describe(exc, path))
                if args.debug:
                    _print_traceback()
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


def _run_eval(args: argparse.Namespace) -> int:
    from summarizer.evaluation import (
        Prediction,
        Prices,
        compare,
        evaluate,
        load_gold,
        load_predictions,
    )

    gold = load_gold(args.gold)
    prices = Prices.load(args.prices) if args.prices else Prices()
    baseline = _read_json(args.baseline, "baseline") if args.baseline else None
    notify = functools.partial(_notice, args)
    with contextlib.ExitStack() as stack:
        if args.pred:
            predictions, notices = load_predictions(args.pred)
            for message in notices:
                notify(message)
            known = {str(g["doc_id"]) for g in gold}
            if predictions and not known & set(predictions):
                raise SummarizerError(
                    "no prediction has the doc_id of a gold file; is this the right --gold?",
                    path=args.pred,
                )
            predict: Any = predictions
        else:
            from summarizer.pipeline import Summarizer
            from summarizer.records import error_record
            from summarizer.render import to_json

            summarizer = stack.enter_context(Summarizer(**_settings_overrides(args)))
            _backend_notice(args, summarizer.settings)
            saved = stack.enter_context(open(args.out, "w", encoding="utf-8")) if args.out else None

            def predict(doc: Any) -> Prediction:
                try:
                    summary = summarizer.summarize(doc)
                except Exception as exc:
                    record = error_record(doc.doc_id, doc.source, exc)
                    _fail(record["error"]["message"])
                    if saved:
                        saved.write(json.dumps(record, ensure_ascii=False) + "\n")
                    return Prediction.from_record(record)
                if saved:
                    saved.write(to_json(summary, indent=None) + "\n")
                return Prediction(doc.doc_id, summary.model_dump(mode="json"))

        report, unscored = evaluate(gold, args.corpus, predict, prices=prices, notify=notify)
    for status, what in (("missing", "have no prediction"), ("invalid", "are not ReportSummary")):
        docs = [d for d in report.documents if d.status == status]
        if docs:
            notify(
                f"{len(docs)} of {len(report.documents)} documents {what} (scored as they are); "
                f"first: {docs[0].doc_id}: {docs[0].error}"
            )
    figures = report.to_dict()
    deltas = compare(figures, baseline) if baseline is not None else None
    if deltas is not None:
        figures["baseline"] = {"path": str(args.baseline), "deltas": deltas}
    if args.json:
        _write(json.dumps(figures, ensure_ascii=False, indent=2) + "\n", args.json)
    if args.report:
        _write(report.to_markdown(deltas), args.report)
    _print_eval(report, figures, deltas)
    status = 1 if unscored else 0
    if args.fail_under is not None and report.macro_f1 < args.fail_under:
        _fail(f"macro F1 {report.macro_f1:.3f} is under --fail-under {args.fail_under}")
        status = 1
    return status


def _read_json(path: str, what: str) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except OSError as exc:
        raise SummarizerError(
            f"cannot read the {what} ({exc.strerror or exc})", path=path
        ) from None
    except ValueError:
        raise SummarizerError(
            f"the {what} is not JSON; pass a file written by --json", path=path
        ) from None
    if not isinstance(data, dict):
        raise SummarizerError(f"the {what} is not a --json file", path=path)
    return data


def _print_eval(report: Any, figures: dict[str, Any], deltas: dict[str, float] | None) -> None:
    """The score table on stdout (rich; plain text when stdout is not a terminal)."""
    from rich.console import Console
    from rich.table import Table

    console = Console(file=sys.stdout, highlight=False, soft_wrap=True)
    if not console.is_terminal:
        console.width = 120  # a file or a pipe: do not squeeze the table to 80 columns

    def delta(name: str, *, inline: bool = True) -> str:
        if not deltas or name not in deltas:
            return ""
        d = deltas[name]
        colour = "green" if d > 0 else "red" if d < 0 else "dim"
        return f"{' (' if inline else ''}[{colour}]{d:+.3f}[/{colour}]{')' if inline else ''}"

    columns = ["section", "gold", "predicted", "matched", "precision", "recall", "F1"]
    if deltas:
        columns += ["Δ precision", "Δ recall", "Δ F1"]
    table = Table(title="summaries vs gold", title_justify="left")
    for column in columns:
        table.add_column(column, justify="left" if column == "section" else "right")
    rows = [(name, c, name) for name, c in report.sections.items()]
    rows.append(("metrics", report.metrics, None))
    for name, c, key in rows:
        cells = [name, str(c.gold), str(c.predicted), str(c.tp)]
        cells += [f"{c.precision:.3f}", f"{c.recall:.3f}", f"{c.f1:.3f}"]
        if deltas:
            names = (
                [f"{key}.precision", f"{key}.recall", f"{key}.f1"]
                if key
                else ["metric_precision", "metric_recall", ""]
            )
            cells += [delta(n, inline=False) for n in names]
        table.add_row(*cells)
    console.print(table)
    verbatim, total = report.quotes
    rate = report.grounding_rate
    counts = report.status_counts()
    lines = [
        f"macro F1 [bold]{report.macro_f1:.3f}[/bold]{delta('macro_f1')}   "
        f"micro F1 {report.micro.f1:.3f}{delta('micro_f1')}",
        f"grounding rate {'n/a' if rate is None else f'{rate:.3f}'}{delta('grounding_rate')} "
        f"({verbatim}/{total} quotes verbatim)   "
        f"items where gold is empty {sum(d.items_where_gold_empty for d in report.documents)}",
        f"documents {len(report.documents)}: "
        + ", ".join(f"{k} {v}" for k, v in counts.items() if v)
        + f"   schema-valid {report.schema_valid_rate:.3f}",
    ]
    usage = figures["usage"]
    cost = figures["cost"]
    lines.append(
        f"tokens {usage['prompt_tokens']:,} in / {usage['completion_tokens']:,} out   "
        f"cost {'n/a (no --prices for this model)' if cost is None else f'${cost:.4f}'}   "
        f"seconds {figures['seconds']:.1f}"
    )
    for line in lines:
        console.print(line)


def _run_batch(args: argparse.Namespace) -> int:
    from summarizer.batch import BatchStats, collect, summarize_batch
    from summarizer.pricing import Prices
    from summarizer.settings import Settings

    if not args.inputs and not args.list_files:
        raise SummarizerError("nothing to do: pass report files or folders, or --list FILE")
    if args.concurrency < 1:
        raise SummarizerError("--concurrency must be at least 1")
    prices = Prices.load(args.prices) if args.prices else Prices()
    jobs = collect(args.inputs, glob=args.glob, list_files=args.list_files)
    if not jobs:
        raise SummarizerError(
            f"no files matching {args.glob!r} under {', '.join(args.inputs)}; "
            "check the path or pass --glob"
        )
    settings = Settings.load(**_settings_overrides(args))
    _backend_notice(args, settings)
    stats = BatchStats(prices=prices)
    progress = _Progress(args, stats)
    results = summarize_batch(
        jobs,
        out=args.out,
        concurrency=args.concurrency,
        resume=not args.restart,
        settings=settings,
        stats=stats,
        on_start=progress.start,
    )
    try:
        for result in results:
            if args.out is None:
                _write(result.line() + "\n", None)
            if result.error is not None:
                progress.log(f"{PROG}: error: {result.error['message']}")
            elif result.summary is not None and not args.quiet:
                for warning in result.summary.meta.warnings:
                    progress.log(f"{PROG}: warning: {result.path}: {warning}")
            progress.update()
    finally:
        results.close()
        progress.stop()
    _notice(args, _batch_line(stats))
    return 1 if stats.failed else 0


def _batch_line(stats: Any) -> str:
    cost = stats.cost
    seconds = stats.seconds
    rate = stats.done / seconds if seconds > 0 else 0.0
    parts = [
        f"{stats.ok} ok ({stats.cached} cached), {stats.failed} failed"
        + (f", {stats.skipped} already in the output" if stats.skipped else ""),
        f"tokens {stats.prompt_tokens:,} in / {stats.completion_tokens:,} out",
        "cost n/a (pass --prices)" if cost is None else f"cost ${cost:.4f}",
        f"{seconds:.1f} s",
        f"{rate:.1f} docs/s",
    ]
    throttle = stats.throttle
    if throttle is not None and throttle.rate_limited:
        parts.append(
            f"{throttle.rate_limited} rate-limited (concurrency down to {throttle.lowest})"
        )
    return "batch: " + " · ".join(parts)


class _Progress:
    """A rich progress bar on stderr when it is a terminal; silent otherwise."""

    def __init__(self, args: argparse.Namespace, stats: Any) -> None:
        self.stats = stats
        self.quiet = args.quiet
        self._bar: Any = None
        self._task: Any = None

    def start(self, stats: Any) -> None:  # the on_start callback: stats is self.stats
        if self.quiet or not sys.stderr.isatty():
            return
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._bar = Progress(
            TextColumn("[bold]batch"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[detail]}"),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=Console(file=sys.stderr),
            transient=False,
        )
        self._bar.start()
        self._task = self._bar.add_task("batch", total=stats.total, detail="", rate="")

    def update(self) -> None:
        if self._bar is None:
            return
        s = self.stats
        rate = s.done / s.seconds if s.seconds > 0 else 0.0
        detail = f"ok {s.ok} · failed {s.failed} · cached {s.cached}"
        self._bar.update(self._task, completed=s.done, detail=detail, rate=f"{rate:.1f} docs/s")

    def log(self, line: str) -> None:
        """An error line: shown even with --quiet (above the bar when there is one)."""
        if self._bar is not None:
            self._bar.console.print(line, markup=False, highlight=False, soft_wrap=True)
        else:
            print(line, file=sys.stderr)

    def stop(self) -> None:
        if self._bar is not None:
            self._bar.stop()


def _secrets(args: argparse.Namespace) -> list[str]:
    """The API key in force, if any (read through Settings, the one place that reads env)."""
    from summarizer.settings import Settings

    try:
        key = Settings.load(**_settings_overrides(args)).api_key
    except Exception:  # a bad setting is reported by the command itself
        return []
    return [key] if key and len(key) >= 4 else []


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
    root = logging.getLogger()
    handler = _StderrHandler()
    handler.setFormatter(logging.Formatter(f"{PROG}: %(message)s"))
    handler.addFilter(_Redacting())
    noisy = [logging.getLogger(n) for n in ("instructor", "httpx", "httpcore", "openai")]
    saved = (root.level, [n.level for n in noisy])
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if debug else logging.WARNING)
    for logger in noisy:
        logger.setLevel(logging.NOTSET if debug else logging.CRITICAL)
    _SECRETS[:] = _secrets(args)
    if hasattr(sys.stdout, "reconfigure") and (sys.stdout.encoding or "").lower() != "utf-8":
        sys.stdout.reconfigure(encoding="utf-8")
    try:
        return _dispatch(args)
    except SummarizerError as exc:
        _fail(str(exc))
        if debug:
            _print_traceback()
        return 1
    except KeyboardInterrupt:
        _fail("interrupted")
        return 130
    finally:  # leave logging as we found it (main() may be called many times in one process)
        root.removeHandler(handler)
        root.setLevel(saved[0])
        for logger, level in zip(noisy, saved[1], strict=True):
            logger.setLevel(level)


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "summarize":
        return _run_summarize(args)
    if args.command == "eval":
        return _run_eval(args)
    if args.command == "batch":
        return _run_batch(args)
    return _run_schema(args)
