"""One typed settings object, read in one place.

Precedence: explicit arguments > ``SUMMARIZER_*`` env vars > ``OPENAI_*`` env vars
> defaults. Nothing else in the package reads the environment.
"""

from __future__ import annotations

import dataclasses
import os
import textwrap
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Self, get_args, get_origin
from urllib.parse import urlsplit

from summarizer.errors import ConfigError

__all__ = [
    "BACKENDS",
    "DEFAULT_CONCURRENCY",
    "DEFAULT_GLOB",
    "FALLBACKS",
    "MODES",
    "MODE_SPECS",
    "DeclaredSettings",
    "ModeSpec",
    "RunSettings",
    "Settings",
    "settings_doc",
    "shown",
]

Backend = Literal["auto", "llm", "offline"]
Mode = Literal["tools", "json", "json_schema", "md_json"]
Fallback = Literal["none", "offline"]
BACKENDS: tuple[str, ...] = get_args(Backend)
MODES: tuple[str, ...] = get_args(Mode)


@dataclass(frozen=True)
class ModeSpec:
    """What a mode is, said once: the instructor mode it names, whether it makes the
    server force the structure (tool calls, a JSON schema: what local servers often
    reject), and the modes to try instead when a server rejects it."""

    instructor: str  # the instructor.Mode member
    forces: bool
    to_try: tuple[Mode, ...]


#: Every mode (md_json asks the server for nothing: the model writes the JSON in text).
MODE_SPECS: dict[Mode, ModeSpec] = {
    "tools": ModeSpec("TOOLS", forces=True, to_try=("json", "md_json")),
    "json": ModeSpec("JSON", forces=False, to_try=("md_json",)),
    "json_schema": ModeSpec("JSON_SCHEMA", forces=True, to_try=("json", "md_json")),
    "md_json": ModeSpec("MD_JSON", forces=False, to_try=("json",)),
}
FALLBACKS: tuple[str, ...] = get_args(Fallback)

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
_BOOL_FORMS = "1/0, true/false, yes/no or on/off"


@dataclass(frozen=True)
class _Expected:
    """What a setting's value should have been: a parse's answer when it is not that."""

    text: str


def _positive(value: float) -> float | _Expected:
    return value if value > 0 else _Expected("a positive number")


def _not_negative(value: float) -> float | _Expected:
    return value if value >= 0 else _Expected("a number ≥ 0")


def _whole_not_negative(value: int) -> int | _Expected:
    return value if value >= 0 else _Expected("a whole number ≥ 0")


#: The check of a setting that declares none, by its value's type.
_CHECKS: dict[type, Callable[[Any], Any]] = {int: _whole_not_negative, float: _not_negative}


def _http_url(value: str) -> str | _Expected:
    if not urlsplit(value).scheme.startswith("http"):
        return _Expected("an http(s) URL such as http://localhost:8000/v1")
    return value.rstrip("/")


def _setting(
    default: Any,
    help: str,
    *,
    env_only: bool = False,
    also: tuple[str, ...] = (),
    group: str = "engine",
    flag: str | None = None,
    short: str | None = None,
    secret: bool = False,
    check: Callable[[Any], Any] | None = None,
    default_text: str | None = None,
) -> Any:
    """A field with what generates its env var, its flag and its ``--help`` line.

    ``env_only``: no flag (the API key is never typed on a command line, where shell
    history and ``ps`` would keep it); ``--help`` still names its variables. ``also``: env
    vars read after ``SUMMARIZER_<NAME>`` (the OpenAI client's own). ``flag``: a flag
    other than ``--<name>`` (``--no-cache``); ``short``: its one-letter form (``-c``).
    ``secret``: kept out of ``repr``.
    ``check``: what the type alone does not say; given the typed value, it returns the
    value to keep, or what was :class:`_Expected`. ``default_text``: the default as
    ``--help`` says it, where the value is worked out at run time. The type itself is read
    from the annotation (:func:`_parse`)."""
    metadata = {
        "help": help,
        "env_only": env_only,
        "also": also,
        "group": group,
        "flag": flag,
        "short": short,
        "check": check,
        "default_text": default_text,
    }
    return field(default=default, metadata=metadata, repr=not secret)


class DeclaredSettings:
    """What a settings class declared with :func:`_setting` fields can do: load itself
    from flags, env vars and defaults, name each field's variables, flag and default."""

    @classmethod
    def env_vars(cls, name: str) -> tuple[str, ...]:
        """The env vars that may set setting ``name``, strongest first."""
        also: tuple[str, ...] = _fields(cls)[name].metadata["also"]
        return (f"SUMMARIZER_{name.upper()}", *also)

    @classmethod
    def flag(cls, name: str) -> str:
        """The command-line flag of setting ``name`` (``--no-cache`` for ``cache``)."""
        flag: str | None = _fields(cls)[name].metadata["flag"]
        return flag or "--" + name.replace("_", "-")

    @classmethod
    def default_shown(cls, name: str) -> str:
        """Setting ``name``'s default as help texts say it."""
        f = _fields(cls)[name]
        return str(f.metadata["default_text"] or shown(f.default))

    @classmethod
    def load(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Self:
        """Settings from ``overrides`` (None means "not given"), then env, then defaults."""
        given = _given(cls, os.environ if env is None else env, overrides)
        return cls(
            **{name: _parse(cls, name, value, source=src) for name, (value, src) in given.items()}
        )

    @classmethod
    def sources(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> dict[str, str]:
        """Where each setting :meth:`load` would use comes from: its flag (``--model``), the
        env var that set it (``OPENAI_MODEL``), or ``default`` (``summarizer check``)."""
        given = _given(cls, os.environ if env is None else env, overrides)
        return {name: given[name][1] if name in given else "default" for name in _fields(cls)}

    def replace(self, **overrides: Any) -> Self:
        """A copy with the given (non-None) settings changed and checked."""
        kind = type(self)
        checked = {
            k: _parse(kind, k, v, source=kind.flag(k))
            for k, v in overrides.items()
            if v is not None
        }
        return dataclasses.replace(self, **checked)  # type: ignore[type-var]


@dataclass(frozen=True)
class Settings(DeclaredSettings):
    """Everything a run can be configured with. Build it with :meth:`load`.

    Each field is declared once here, with its help: ``SUMMARIZER_<NAME>`` env vars, the
    CLI's flags and the defaults its ``--help`` shows are all generated from this."""

    backend: Backend = _setting(
        "auto", "llm, offline, or auto: llm when an endpoint or key is configured"
    )
    base_url: str | None = _setting(
        None, "OpenAI-compatible endpoint URL", also=("OPENAI_BASE_URL",), check=_http_url
    )
    api_key: str | None = _setting(
        None,
        "the endpoint's API key; local servers usually need none",
        also=("OPENAI_API_KEY",),
        secret=True,
        env_only=True,
    )
    model: str = _setting("gpt-4o-mini", "model name", also=("OPENAI_MODEL",))
    mode: Mode = _setting(
        "tools",
        "how instructor asks for structure; local servers often need json or md_json",
    )
    temperature: float = _setting(0.0, "sampling temperature")
    timeout: float = _setting(120.0, "seconds per HTTP request", check=_positive)
    max_retries: int = _setting(2, "re-asks after a reply fails validation")
    transport_retries: int = _setting(
        4, "extra tries after a 429, 5xx, timeout or dropped connection"
    )
    transport_deadline: float = _setting(
        300.0, "seconds after which no transport retry starts", check=_positive
    )
    max_tokens: int | None = _setting(8192, "output-token limit per reply; 0 sends none")
    context_tokens: int = _setting(
        128_000,
        "the model's context window; a longer report is sent in parts cut at its sections "
        "(one request each, merged into one summary)",
    )
    strict: bool = _setting(
        False,
        "all or nothing: when the re-asks run out, fail the report instead of keeping the "
        "items that ground and listing the rest in meta.dropped",
    )
    fallback: Fallback = _setting(
        "none",
        "offline: when the model fails a report (empty answer, nothing grounded, endpoint "
        "error), give the offline engine's summary with a warning",
    )
    ocr: bool = _setting(
        False,
        "read a scanned PDF or an image through tesseract OCR (tesseract-ocr and "
        "tesseract-ocr-chi-sim); the summary says so in meta.warnings",
        group="reading",
    )
    skip_doubtful: bool = _setting(
        False,
        "leave out a file that does not look like a work report (a README, a list of "
        "sources) with one line, instead of summarizing it with a warning",
        group="reading",
    )
    save_text: Path | None = _setting(
        None,
        "write each report's text here as DOC_ID.txt: what its spans index (a Word or PDF "
        "file's extracted text, a GBK file in UTF-8), to check quotes against",
        group="reading",
    )
    cache: bool = _setting(
        True,
        "read and write the cache of validated summaries (--no-cache: neither)",
        group="cache",
        flag="--no-cache",
    )
    cache_dir: Path | None = _setting(
        None,
        "cache folder",
        group="cache",
        default_text="the per-user cache folder, which 'summarizer cache' shows",
    )

    @property
    def endpoint_configured(self) -> bool:
        return bool(self.base_url or self.api_key)

    @property
    def resolved_backend(self) -> Literal["llm", "offline"]:
        if self.backend == "auto":
            return "llm" if self.endpoint_configured else "offline"
        return self.backend

    @property
    def host(self) -> str:
        """The endpoint's host (for cache keys and messages; never the key)."""
        return urlsplit(self.base_url).netloc if self.base_url else "api.openai.com"

    @property
    def resolved_cache_dir(self) -> Path:
        if self.cache_dir is not None:
            return self.cache_dir
        import platformdirs

        return Path(platformdirs.user_cache_dir("summarizer"))


#: Which files a folder gives: reports as text, Markdown and saved web pages; several
#: patterns joined by commas (``summarizer batch``, :func:`summarizer.inputs.collect`).
DEFAULT_GLOB = "*.txt,*.md,*.html,*.htm,*.docx,*.pdf"
#: Requests in flight at most (a batch, a remote batch's import).
DEFAULT_CONCURRENCY = 8


def _at_least_one(value: int) -> int | _Expected:
    return value if value >= 1 else _Expected("a whole number ≥ 1")


@dataclass(frozen=True)
class RunSettings(DeclaredSettings):
    """How a batch runs, apart from the engine: declared like :class:`Settings`, so each
    has its flag, its ``SUMMARIZER_<NAME>`` variable and its ``--help`` line from here."""

    concurrency: int = _setting(
        DEFAULT_CONCURRENCY,
        "requests in flight at most; adapts down on HTTP 429",
        group="batch",
        short="-c",
        check=_at_least_one,
    )
    glob: str = _setting(
        DEFAULT_GLOB, "which files in folders to take, comma-separated", group="batch"
    )
    poll: float = _setting(
        60.0,
        "with --via openai-batch, seconds between looks at the batch (it takes minutes to hours)",
        group="batch engines",
        check=_positive,
    )


def _given(
    kind: type[DeclaredSettings], env: Mapping[str, str], overrides: Mapping[str, Any]
) -> dict[str, tuple[Any, str]]:
    """Each setting that is given, as (its value, where it was given): a flag (an override
    not None) wins over the first of its env vars that is set and not blank."""
    unknown = set(overrides) - set(_fields(kind))
    if unknown:
        raise TypeError(f"unknown setting(s): {', '.join(sorted(unknown))}")
    given: dict[str, tuple[Any, str]] = {}
    for name in _fields(kind):
        if overrides.get(name) is not None:
            given[name] = (overrides[name], kind.flag(name))
            continue
        var = next((v for v in kind.env_vars(name) if env.get(v, "").strip()), None)
        if var is not None:
            given[name] = (env[var].strip(), var)
    return given


def shown(value: Any) -> str:
    """A setting's value as ``--help``, ``summarizer check`` and docstrings show it."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "on" if value else "off"
    return f"{value:,}" if isinstance(value, int) and value >= 10_000 else str(value)


def settings_doc() -> str:
    """Every setting, a line each: its name, what it does, its variables and default (the
    ``Settings:`` section of :func:`summarizer.summarize`'s docstring)."""
    lines = []
    for f in dataclasses.fields(Settings):
        variables = " / ".join(Settings.env_vars(f.name))
        default = Settings.default_shown(f.name)
        text = f"{f.name}: {f.metadata['help']} ({variables}; default: {default})"
        lines += textwrap.wrap(text, 88, initial_indent=" " * 8, subsequent_indent=" " * 12)
    return "\n".join(lines)


def _parse(kind: type[DeclaredSettings], name: str, value: Any, *, source: str) -> Any:
    """Coerce one setting (from env text or a Python value) to its annotated type, run its
    declared ``check``, or raise a ConfigError naming the variable or flag."""
    typed = _coerce(_hints(kind)[name], value)
    check = _fields(kind)[name].metadata["check"] or _CHECKS.get(type(typed))
    if check is not None and typed is not None and not isinstance(typed, _Expected):
        typed = check(typed)
    if isinstance(typed, _Expected):
        raise ConfigError(f"{source}={value!r} is not valid: expected {typed.text}")
    return typed


def _coerce(kind: Any, value: Any) -> Any:
    """``value`` as the annotation ``kind`` reads it, or what was :class:`_Expected`.

    Optional numbers read ``0``, ``none`` and an empty text as None (``max_tokens``: "0
    sends none")."""
    args = get_args(kind)
    if get_origin(kind) is Literal:
        text = str(value).strip().lower().replace("-", "_")
        return text if text in args else _Expected("one of " + ", ".join(args))
    if type(None) in args:
        (inner,) = (a for a in args if a is not type(None))
        if inner in (int, float) and str(value).strip().lower() in ("", "none", "0"):
            return None
        return _coerce(inner, value)
    if kind is bool:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        return text in _TRUE if text in _TRUE | _FALSE else _Expected(_BOOL_FORMS)
    if kind in (int, float):
        try:
            number = kind(value)
        except (TypeError, ValueError):
            return _Expected("a whole number" if kind is int else "a number")
        return number
    if kind is Path:
        return Path(value).expanduser()
    return str(value).strip()


_FIELDS: dict[type, dict[str, dataclasses.Field[Any]]] = {}
_HINTS: dict[type, dict[str, Any]] = {}


def _fields(kind: type[DeclaredSettings]) -> dict[str, dataclasses.Field[Any]]:
    """A settings class's fields by name (read once per class)."""
    if kind not in _FIELDS:
        _FIELDS[kind] = {f.name: f for f in dataclasses.fields(kind)}  # type: ignore[arg-type]
    return _FIELDS[kind]


def _hints(kind: type[DeclaredSettings]) -> dict[str, Any]:
    """A settings class's annotations, resolved (once per class)."""
    if kind not in _HINTS:
        _HINTS[kind] = typing.get_type_hints(kind)
    return _HINTS[kind]
