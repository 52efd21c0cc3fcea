"""``summarizer check``: what the endpoint serves and which modes work, before a long run."""

from __future__ import annotations

import argparse
import json
import textwrap
from typing import TYPE_CHECKING, Any

from summarizer.cli._console import fail, notice, write
from summarizer.cli.options import (
    add_command,
    add_settings_options,
    add_text_or_json,
    load_settings,
    settings_overrides,
)
from summarizer.settings import shown

if TYPE_CHECKING:
    from summarizer.llm.probe import ModelList, ModeProbe
    from summarizer.settings import Settings

__all__ = ["register"]

_EPILOG = textwrap.dedent(
    """\
    examples:
      summarizer check                                   the endpoint in the environment
      summarizer check --base-url http://localhost:8000/v1 --model qwen2.5-7b-instruct
      summarizer check --format json                     for scripts

    Sends one tiny request per mode (tools, json, json_schema, md_json), with no
    re-ask and no retry, and lists the endpoint's models. Exit 0 when at least one
    mode works (a line on stderr names the one to set when --mode does not), 1 when
    none does or the endpoint cannot be reached, 2 for a bad flag.
    """
)


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """This command's parser, its flags and its handler."""
    parser = add_command(
        commands,
        "check",
        help="check the endpoint: its models, which modes work, the settings in force",
        description=(
            "Ask the endpoint for its models, send one tiny structured request per "
            "instructor mode, and print which modes work, how long each took, and every "
            "setting in force with where it came from (flag, env var or default). The API "
            "key is shown only as set or unset."
        ),
        epilog=_EPILOG,
    )
    out = parser.add_argument_group("output")
    add_text_or_json(out)
    out.add_argument("-o", "--out", metavar="PATH", help="write the report here, not stdout")
    out.add_argument("-q", "--quiet", action="store_true", help="no notices on stderr")
    out.add_argument("--debug", action="store_true", help="show the requests' log lines")
    add_settings_options(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from summarizer.llm.probe import ModeWorks, Unreachable, list_models, probe_all
    from summarizer.settings import Settings

    settings = load_settings(args, announce=False)
    sources = Settings.sources(**settings_overrides(args))
    if not settings.endpoint_configured:
        write(_render(args.format, settings, sources, None, []), args.out)
        fail(
            "no endpoint to check: set OPENAI_BASE_URL (a local server) or OPENAI_API_KEY, "
            "or pass --base-url"
        )
        return 1
    models = list_models(settings)
    probes = [] if isinstance(models, Unreachable) else probe_all(settings)
    write(_render(args.format, settings, sources, models, probes), args.out)
    working = [p.mode for p in probes if isinstance(p, ModeWorks)]
    if isinstance(models, Unreachable):
        fail(models.reason)
        return 1
    if not working:
        fail(f"no mode works with {settings.host} and model {settings.model!r}; see above")
        return 1
    if settings.mode not in working:
        notice(
            args.quiet,
            f"--mode {settings.mode} does not work here: use --mode {working[0]} "
            f"(SUMMARIZER_MODE={working[0]})",
        )
    return 0


def _render(
    form: str,
    settings: Settings,
    sources: dict[str, str],
    models: ModelList | None,
    probes: list[ModeProbe],
) -> str:
    if form == "json":
        return json.dumps(_as_data(settings, sources, models, probes), ensure_ascii=False) + "\n"
    return _as_text(settings, sources, models, probes)


def _endpoint(settings: Settings) -> str | None:
    """The URL requests go to: the base URL, OpenAI's when only a key is set, or None."""
    if not settings.endpoint_configured:
        return None
    return settings.base_url or f"https://{settings.host}/v1"


def _value(settings: Settings, name: str) -> str:
    """A setting's value as people read it (``128,000``, ``on``, ``auto (→ llm)``)."""
    if name == "backend" and settings.backend == "auto":
        return f"auto (→ {settings.resolved_backend})"
    return shown(_raw(settings, name))


def _raw(settings: Settings, name: str) -> Any:
    """A setting's value for programs: JSON's own types, the key only as set or unset."""
    value = getattr(settings, name)
    if name == "api_key":
        return "set" if value else "unset"
    if name == "cache_dir":
        return str(settings.resolved_cache_dir)
    return value


def _as_data(
    settings: Settings,
    sources: dict[str, str],
    models: ModelList | None,
    probes: list[ModeProbe],
) -> dict[str, Any]:
    from dataclasses import asdict

    from summarizer.llm.probe import ModeWorks

    return {
        "endpoint": _endpoint(settings),
        "models": None if models is None else {"kind": type(models).__name__, **asdict(models)},
        "modes": [
            {"works": isinstance(p, ModeWorks), **asdict(p), "seconds": round(p.seconds, 3)}
            for p in probes
        ],
        "settings": {
            name: {"value": _raw(settings, name), "source": source}
            for name, source in sources.items()
        },
    }


def _as_text(
    settings: Settings,
    sources: dict[str, str],
    models: ModelList | None,
    probes: list[ModeProbe],
) -> str:
    from summarizer.llm.probe import PROBE_WORD, ModeWorks, Served, Unlisted, Unreachable

    lines = [f"endpoint  {_endpoint(settings) or 'none configured'}"]
    if isinstance(models, Served):
        listed = ", ".join(models.models) or "none"
        lines.append(f"models    {len(models.models)} served ({models.seconds:.2f} s): {listed}")
        if models.models and settings.model not in models.models:
            lines.append(
                f"          model {settings.model!r} is not among them: set --model "
                "(SUMMARIZER_MODEL) to one of those"
            )
    elif isinstance(models, Unlisted):
        lines.append(f"models    not listed ({models.reason})")
    elif isinstance(models, Unreachable):
        lines.append(f"models    unreachable: {models.reason}")
    if probes:
        lines += ["", f"mode         result  seconds  (model {settings.model!r})"]
    for p in probes:
        marker = "  ← in force" if p.mode == settings.mode else ""
        if isinstance(p, ModeWorks):
            said = "" if p.followed else f"  (parsed, but the reply lacked {PROBE_WORD})"
            lines.append(f"{p.mode:<12} works  {p.seconds:8.2f}{marker}{said}")
        else:
            lines.append(f"{p.mode:<12} fails  {p.seconds:8.2f}{marker}  {p.reason}")
    values = {name: _value(settings, name) for name in sources}
    width, value_width = max(map(len, values)), max(map(len, values.values()))
    lines += ["", "settings in force (flag > SUMMARIZER_* > OPENAI_* > default)"]
    lines += [
        f"  {name:<{width}}  {values[name]:<{value_width}}  {source}"
        for name, source in sources.items()
    ]
    return "\n".join(lines) + "\n"
