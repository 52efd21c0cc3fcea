"""Flags shared by the commands. The engine and cache flags are generated from the one
:class:`~summarizer.settings.Settings` declaration: their names, choices, types, help,
env vars and the defaults ``--help`` shows all come from there."""

from __future__ import annotations

import argparse
import dataclasses
import typing
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

from summarizer.cli._console import notice
from summarizer.errors import ConfigError, UsageError
from summarizer.settings import DeclaredSettings, RunSettings, Settings, shown

__all__ = [
    "add_command",
    "add_engine_options",
    "add_results_input",
    "add_text_or_json",
    "load_run_settings",
    "load_settings",
    "settings_overrides",
]


def add_command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    *,
    help: str,
    description: str,
    epilog: str | None = None,
    aliases: tuple[str, ...] | list[str] = (),
) -> argparse.ArgumentParser:
    """A command's parser, its epilog (the examples) kept as written; ``aliases``: names
    it had before."""
    parser: argparse.ArgumentParser = commands.add_parser(
        name,
        aliases=list(aliases),
        help=help,
        description=description,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=epilog,
    )
    return parser


def add_results_input(parser: argparse.ArgumentParser, out_help: str) -> None:
    """What reads a results file: the file (or ``-``), ``-o/--out`` and ``-q``."""
    parser.add_argument("results", metavar="RESULTS", help="results file; - reads stdin")
    parser.add_argument("-o", "--out", metavar="PATH", required=True, help=out_help)
    parser.add_argument("-q", "--quiet", action="store_true", help="no notices on stderr")


def add_text_or_json(group: argparse._ActionsContainer) -> None:
    """``-f/--format text|json``: a command's report for people or for programs."""
    group.add_argument(
        "-f",
        "--format",
        choices=("text", "json"),
        default="text",
        help="text for people, json for programs (default: text)",
    )


def add_engine_options(parser: argparse.ArgumentParser, group: argparse._ArgumentGroup) -> None:
    """The flags every command that summarizes shares: ``-q``/``--debug`` into the
    command's own ``group``, then the engine and cache flags (:func:`add_settings_options`)."""
    group.add_argument("-q", "--quiet", action="store_true", help="no notices on stderr")
    group.add_argument("--debug", action="store_true", help="show tracebacks and retry details")
    add_settings_options(parser)


def _flagged(of: type[DeclaredSettings] = Settings) -> list[dataclasses.Field[Any]]:
    return [f for f in dataclasses.fields(of) if not f.metadata["env_only"]]  # type: ignore[arg-type]


def _env_only(of: type[DeclaredSettings]) -> list[dataclasses.Field[Any]]:
    return [f for f in dataclasses.fields(of) if f.metadata["env_only"]]  # type: ignore[arg-type]


def add_settings_options(
    parser: argparse.ArgumentParser,
    only: tuple[str, ...] | None = None,
    *,
    of: type[DeclaredSettings] = Settings,
    groups: dict[str, argparse._ArgumentGroup] | None = None,
) -> None:
    """One flag per flagged setting of ``of`` (or per setting named in ``only``), in
    argument groups (engine, cache; ``groups`` holds those the command made already), each
    line naming its variables and default; then the settings with no flag (the API key),
    named with their variables."""
    hints = typing.get_type_hints(of)
    made = dict(groups or {})
    for f in _flagged(of):
        meta = f.metadata
        if only is not None and f.name not in only:
            continue
        group = made.get(meta["group"]) or made.setdefault(
            meta["group"], parser.add_argument_group(meta["group"])
        )
        kind = hints[f.name]
        env = " / ".join(of.env_vars(f.name))
        flags = [of.flag(f.name)] + ([meta["short"]] if meta["short"] else [])
        options: dict[str, Any] = {"dest": f.name, "default": None}
        if kind is bool:
            options["action"] = "store_false" if f.default else "store_true"
            given = "=0" if f.default else "=1"
            text = f"{meta['help']} ({env}{given}; default: {f.name} {shown(f.default)})"
        else:
            text = f"{meta['help']} ({env}; default: {of.default_shown(f.name)})"
            choices = _choices(kind)
            if choices:
                options["choices"] = choices
            else:
                options["type"] = _scalar(kind)
                folder = Path in (kind, *get_args(kind))
                options["metavar"] = "DIR" if folder else f.name.upper().replace("_", "-")
        group.add_argument(*sorted(flags, key=len), help=text.replace("%", "%%"), **options)
    unflagged = [f for f in _env_only(of) if only is None or f.name in only]
    if unflagged:
        parser.add_argument_group(
            "set in the environment only",
            "\n".join(
                f"{' / '.join(of.env_vars(f.name))}: {f.metadata['help']}" for f in unflagged
            ),
        )


def _choices(kind: Any) -> tuple[str, ...] | None:
    return tuple(get_args(kind)) if get_origin(kind) is Literal else None


def _scalar(kind: Any) -> type:
    """The type a flag's text is read as (``int | None`` is read as int)."""
    for candidate in (kind, *get_args(kind)):
        if candidate in (int, float, str):
            return candidate  # type: ignore[no-any-return]
        if candidate is Path:
            return str
    return str


def settings_overrides(
    args: argparse.Namespace, of: type[DeclaredSettings] = Settings
) -> dict[str, Any]:
    """The settings of ``of`` given as flags (the rest come from env vars and defaults)."""
    return {
        f.name: getattr(args, f.name)
        for f in _flagged(of)
        if getattr(args, f.name, None) is not None
    }


def load_run_settings(args: argparse.Namespace) -> RunSettings:
    """How the batch runs (flags, then env vars, then defaults); a bad one is bad usage."""
    try:
        return RunSettings.load(**settings_overrides(args, RunSettings))
    except ConfigError as exc:
        raise UsageError(str(exc)) from None


def load_settings(args: argparse.Namespace, *, announce: bool = True) -> Settings:
    """The settings in force (flags, then env vars, then defaults); with ``announce``,
    saying so on stderr when ``--backend auto`` found no endpoint and means the offline
    engine. A bad flag or variable is bad usage."""
    try:
        settings = Settings.load(**settings_overrides(args))
    except ConfigError as exc:  # a bad flag or variable: bad usage, before any work
        raise UsageError(str(exc)) from None
    if announce and settings.backend == "auto" and settings.resolved_backend == "offline":
        notice(
            args.quiet,
            "no endpoint configured (OPENAI_BASE_URL / OPENAI_API_KEY unset): "
            "using the offline engine",
        )
    return settings
