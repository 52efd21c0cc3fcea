"""Prompt templates and the code that renders them.

Installed as ``summarizer.prompts`` (see ``package-dir`` in pyproject.toml); the
templates are the ``*.j2`` files beside this module. They are rendered in a
sandboxed Jinja2 environment with ``StrictUndefined``, so a missing variable is
an error rather than an empty string in front of the model.

``PROMPT_VERSION`` is a hash of the templates' bytes: it goes into every
summary's ``meta`` and into the cache key, so editing a prompt never serves a
summary made with the old one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

__all__ = ["TEMPLATES", "Part", "build_messages", "prompt_version", "render", "template_source"]

TEMPLATES = ("system.j2", "user.j2")

#: The document is wrapped in these tags; text that would close them early is defused.
_CLOSE_TAG = "</document>"


@cache
def template_source(name: str) -> str:
    """The text of one template shipped with the package."""
    return resources.files(__name__).joinpath(name).read_text(encoding="utf-8")


@cache
def _environment():  # type: ignore[no-untyped-def]
    from jinja2 import DictLoader, StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    loader = DictLoader({name: template_source(name) for name in TEMPLATES})
    return SandboxedEnvironment(
        loader=loader, undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False
    )


def render(name: str, **variables: Any) -> str:
    """Render one template; a missing variable raises ``jinja2.UndefinedError``."""
    return str(_environment().get_template(name).render(**variables)).strip()


@cache
def prompt_version() -> str:
    """12 hex digits of sha256 over the templates, in a fixed order."""
    digest = hashlib.sha256()
    for name in TEMPLATES:
        digest.update(name.encode())
        digest.update(b"\0")
        digest.update(template_source(name).encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()[:12]


@dataclass(frozen=True)
class Part:
    """Where a chunk of a long report sits: told to the model with the chunk, so it reads
    二、存在的问题 as problems even when that heading is in an earlier chunk."""

    index: int  # from 1
    count: int
    title: str | None
    headings: tuple[str, ...]


def build_messages(document: str, doc_id: str, part: Part | None = None) -> list[dict[str, str]]:
    """The chat messages for one (normalized) document, or for one ``part`` of it."""
    from summarizer.schemas import MIN_QUOTE_CHARS

    system = render("system.j2", min_quote_chars=MIN_QUOTE_CHARS)
    user = render(
        "user.j2",
        document=document.replace(_CLOSE_TAG, "</ document>"),
        doc_id=doc_id,
        part=part,
    )
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]
