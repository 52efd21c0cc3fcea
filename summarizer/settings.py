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
from typing import Any, Literal, get_args, get_origin
from urllib.parse import urlsplit

from summarizer.errors import ConfigError

__all__ = ["BACKENDS", "FALLBACKS", "MODES", "Settings", "settings_doc", "shown"]

Backend = Literal["auto", "llm", "offline"]
Mode = Literal["tools", "json", "json_schema", "md_json"]
Fallback = Literal["none", "offline"]
BACKENDS: tuple[str, ...] = get_args(Backend)
MODES: tuple[str, ...] = get_args(Mode)
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
    secret: bool = False,
    check: Callable[[Any], Any] | None = None,
    default_text: str | None = None,
) -> Any:
    """A field with what generates its env var, its flag and its ``--help`` line.

    ``env_only``: no flag (the API key is never typed on a command line, where shell
    history and ``ps`` would keep it); ``--help`` still names its variables. ``also``: env
    vars read after ``SUMMARIZER_<NAME>`` (the OpenAI client's own). ``flag``: a flag
    other than ``--<name>`` (``--no-cache``). ``secret``: kept out of ``repr``.
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
        "check": check,
        "default_text": default_text,
    }
    return field(default=default, metadata=metadata, repr=not secret)


@dataclass(frozen=True)
class Settings:
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

    @staticmethod
    def env_vars(name: str) -> tuple[str, ...]:
        """The env vars that may set setting ``name``, strongest first."""
        also: tuple[str, ...] = _FIELDS[name].metadata["also"]
        return (f"SUMMARIZER_{name.upper()}", *also)

    @staticmethod
    def flag(name: str) -> str:
        """The command-line flag of setting ``name`` (``--no-cache`` for ``cache``)."""
        flag: str | None = _FIELDS[name].metadata["flag"]
        return flag or "--" + name.replace("_", "-")

    @staticmethod
    def default_shown(name: str) -> str:
        """Setting ``name``'s default as help texts say it."""
        f = _FIELDS[name]
        return str(f.metadata["default_text"] or shown(f.default))

    @classmethod
    def load(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Settings from ``overrides`` (None means "not given"), then env, then defaults."""
        given = _given(os.environ if env is None else env, overrides)
        return cls(
            **{name: _parse(name, value, source=src) for name, (value, src) in given.items()}
        )

    @classmethod
    def sources(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> dict[str, str]:
        """Where each setting :meth:`load` would use comes from: its flag (``--model``), the
        env var that set it (``OPENAI_MODEL``), or ``default`` (``summarizer check``)."""
        given = _given(os.environ if env is None else env, overrides)
        return {name: given[name][1] if name in given else "default" for name in _FIELDS}

    def replace(self, **overrides: Any) -> Settings:
        """A copy with the given (non-None) settings changed and checked."""
        checked = {
            k: _parse(k, v, source=Settings.flag(k)) for k, v in overrides.items() if v is not None
        }
        return dataclasses.replace(self, **checked)

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


def _given(env: Mapping[str, str], overrides: Mapping[str, Any]) -> dict[str, tuple[Any, str]]:
    """Each setting that is given, as (its value, where it was given): a flag (an override
    not None) wins over the first of its env vars that is set and not blank."""
    unknown = set(overrides) - set(_FIELDS)
    if unknown:
        raise TypeError(f"unknown setting(s): {', '.join(sorted(unknown))}")
    given: dict[str, tuple[Any, str]] = {}
    for name in _FIELDS:
        if overrides.get(name) is not None:
            given[name] = (overrides[name], Settings.flag(name))
            continue
        var = next((v for v in Settings.env_vars(name) if env.get(v, "").strip()), None)
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


def _parse(name: str, value: Any, *, source: str) -> Any:
    """Coerce one setting (from env text or a Python value) to its annotated type, run its
    declared ``check``, or raise a ConfigError naming the variable or flag."""
    typed = _coerce(_HINTS[name], value)
    check = _FIELDS[name].metadata["check"] or _CHECKS.get(type(typed))
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


_FIELDS = {f.name: f for f in dataclasses.fields(Settings)}
_HINTS = typing.get_type_hints(Settings)
