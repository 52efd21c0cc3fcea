"""One typed settings object, read in one place.

Precedence: explicit arguments > ``SUMMARIZER_*`` env vars > ``OPENAI_*`` env vars
> defaults. Nothing else in the package reads the environment.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args
from urllib.parse import urlsplit

from summarizer.errors import ConfigError

__all__ = ["BACKENDS", "FALLBACKS", "MODES", "Settings"]

Backend = Literal["auto", "llm", "offline"]
Mode = Literal["tools", "json", "json_schema", "md_json"]
Fallback = Literal["none", "offline"]
BACKENDS: tuple[str, ...] = get_args(Backend)
MODES: tuple[str, ...] = get_args(Mode)
FALLBACKS: tuple[str, ...] = get_args(Fallback)

#: Setting name → env vars that may set it, strongest first.
_ENV: dict[str, tuple[str, ...]] = {
    "backend": ("SUMMARIZER_BACKEND",),
    "base_url": ("SUMMARIZER_BASE_URL", "OPENAI_BASE_URL"),
    "api_key": ("SUMMARIZER_API_KEY", "OPENAI_API_KEY"),
    "model": ("SUMMARIZER_MODEL", "OPENAI_MODEL"),
    "mode": ("SUMMARIZER_MODE",),
    "temperature": ("SUMMARIZER_TEMPERATURE",),
    "timeout": ("SUMMARIZER_TIMEOUT",),
    "max_retries": ("SUMMARIZER_MAX_RETRIES",),
    "transport_retries": ("SUMMARIZER_TRANSPORT_RETRIES",),
    "transport_deadline": ("SUMMARIZER_TRANSPORT_DEADLINE",),
    "max_tokens": ("SUMMARIZER_MAX_TOKENS",),
    "context_tokens": ("SUMMARIZER_CONTEXT_TOKENS",),
    "strict": ("SUMMARIZER_STRICT",),
    "fallback": ("SUMMARIZER_FALLBACK",),
    "cache": ("SUMMARIZER_CACHE",),
    "cache_dir": ("SUMMARIZER_CACHE_DIR",),
}

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


@dataclass(frozen=True)
class Settings:
    """Everything a run can be configured with. Build it with :meth:`load`."""

    #: ``auto`` uses the LLM when an endpoint or key is configured, else the offline engine.
    backend: Backend = "auto"
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)
    model: str = "gpt-4o-mini"
    #: instructor mode; local servers often reject forced tool_choice: use json or md_json there.
    mode: Mode = "tools"
    temperature: float = 0.0
    #: Seconds for one HTTP request.
    timeout: float = 120.0
    #: Re-asks after a reply fails validation (so max_retries + 1 attempts).
    max_retries: int = 2
    #: Extra tries after a 429, 5xx, timeout or dropped connection.
    transport_retries: int = 4
    #: Seconds after which no further transport retry starts.
    transport_deadline: float = 300.0
    #: Output-token limit sent with each request; None sends none (server default).
    max_tokens: int | None = 8192
    #: The model's context window. A prompt estimated to overflow it (with max_tokens)
    #: is refused before any request: the endpoint would only reject it, after a wait.
    context_tokens: int = 128_000
    #: All or nothing: when the re-asks run out, refuse the report instead of keeping the
    #: items and metrics that ground (and listing the rest in ``meta.dropped``).
    strict: bool = False
    #: ``offline``: when the model fails a report (nothing grounded, an empty answer, an
    #: endpoint error), return the offline engine's summary with the reason in
    #: ``meta.warnings`` instead of an error.
    fallback: Fallback = "none"
    cache: bool = True
    #: None means the per-user cache directory.
    cache_dir: Path | None = None

    @classmethod
    def load(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Settings from ``overrides`` (None means "not given"), then env, then defaults."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for name, variables in _ENV.items():
            for var in variables:
                if env.get(var, "").strip():
                    values[name] = _parse(name, env[var].strip(), source=var)
                    break
        unknown = set(overrides) - {f.name for f in dataclasses.fields(cls)}
        if unknown:
            raise TypeError(f"unknown setting(s): {', '.join(sorted(unknown))}")
        for name, value in overrides.items():
            if value is not None:
                values[name] = _parse(name, value, source=f"--{name.replace('_', '-')}")
        return cls(**values)

    def replace(self, **overrides: Any) -> Settings:
        """A copy with the given (non-None) settings changed and checked."""
        checked = {
            k: _parse(k, v, source=f"--{k.replace('_', '-')}")
            for k, v in overrides.items()
            if v is not None
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


def _parse(name: str, value: Any, *, source: str) -> Any:
    """Coerce one setting (from env text or a Python value) or raise a clear ConfigError."""

    def bad(expected: str) -> ConfigError:
        return ConfigError(f"{source}={value!r} is not valid: expected {expected}")

    if name in ("backend", "mode", "fallback"):
        choices = {"backend": BACKENDS, "mode": MODES, "fallback": FALLBACKS}[name]
        text = str(value).strip().lower().replace("-", "_")
        if text not in choices:
            raise bad("one of " + ", ".join(choices))
        return text
    if name in ("temperature", "timeout", "transport_deadline"):
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise bad("a number") from None
        if number < 0 or (name != "temperature" and number == 0):
            raise bad("a positive number")
        return number
    if name in ("max_retries", "transport_retries", "max_tokens", "context_tokens"):
        if name == "max_tokens" and str(value).strip().lower() in ("", "none", "0"):
            return None
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise bad("a whole number") from None
        if number < 0:
            raise bad("a whole number ≥ 0")
        return number
    if name in ("cache", "strict"):
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE | _FALSE:
            return text in _TRUE
        raise bad("1/0, true/false, yes/no or on/off")
    if name == "cache_dir":
        return Path(value).expanduser()
    if name == "base_url":
        text = str(value).strip()
        if not urlsplit(text).scheme.startswith("http"):
            raise bad("an http(s) URL such as http://localhost:8000/v1")
        return text.rstrip("/")
    return str(value).strip()
