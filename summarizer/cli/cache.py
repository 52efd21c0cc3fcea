"""``summarizer cache``: where the cache is, what it holds, and clearing it."""

from __future__ import annotations

import argparse
import json
import textwrap
from dataclasses import asdict

from summarizer.cli._console import write
from summarizer.cli.options import (
    add_command,
    add_settings_options,
    add_text_or_json,
    load_settings,
)

__all__ = ["register"]

_EPILOG = textwrap.dedent(
    """\
    examples:
      summarizer cache                     path, entries and size
      summarizer cache clear               remove every cached summary
      summarizer cache --cache-dir DIR     another cache folder

    The cache holds validated summaries keyed by the document, model, mode,
    temperature, prompt and schema, so a rerun pays for nothing it has seen.
    Clearing it means the next run pays again for every report; a batch's
    --out file is not touched. Files of other programs in the folder are kept.
    """
)


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """This command's parser, its flags and its handler."""
    parser = add_command(
        commands,
        "cache",
        help="show the cache's path, entries and size, or clear it",
        description="Show where validated summaries are cached and what they take; "
        "'clear' removes them.",
        epilog=_EPILOG,
    )
    parser.add_argument(
        "action",
        nargs="?",
        choices=("info", "clear"),
        default="info",
        help="info (the default) or clear",
    )
    add_text_or_json(parser)
    parser.add_argument("-q", "--quiet", action="store_true", help="no notices on stderr")
    add_settings_options(parser, only=("cache_dir",))
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from summarizer.cache import clear, usage

    directory = load_settings(args, announce=False).resolved_cache_dir
    found = clear(directory) if args.action == "clear" else usage(directory)
    if args.format == "json":
        data = {
            **asdict(found),
            "directory": str(found.directory),
            "cleared": args.action == "clear",
        }
        write(json.dumps(data, ensure_ascii=False) + "\n", None)
    elif args.action == "clear":
        write(f"removed {found.entries:,} entries ({_size(found.bytes)}) from {directory}\n", None)
    else:
        write(
            f"path     {directory}\nentries  {found.entries:,}\nsize     {_size(found.bytes)}\n",
            None,
        )
    return 0


def _size(n: int) -> str:
    """Bytes as people read them: 812 B, 12.3 KB, 4.5 MB."""
    value, unit = float(n), "B"
    for bigger in ("KB", "MB", "GB"):
        if value < 1000:
            break
        value, unit = value / 1000, bigger
    return f"{n} B" if unit == "B" else f"{value:.1f} {unit}"
