"""Layers never import upward: core types know nothing of providers, the CLI, or the pipeline.

Checked on the source (imports anywhere in a module, lazy ones included), so
a shortcut cannot creep in unnoticed.
"""

from __future__ import annotations

import ast

from tests.conftest import ROOT

# Lowest first. A module may import from its own layer or any lower one.
LAYERS = [
    {"errors", "schemas"},
    {"settings", "normalize", "repair"},
    {"read", "prompts"},
    {"grounding", "cache", "render"},
    {"llm", "offline"},
    {"pipeline"},
    {"batch", "evaluation"},
    {"cli", "__main__", "__init__"},
]
RANK = {name: n for n, layer in enumerate(LAYERS) for name in layer}
PROVIDERS = {"openai", "instructor", "httpx", "tenacity"}


def modules() -> dict[str, ast.Module]:
    found = {p.stem: p for p in (ROOT / "summarizer").glob("*.py")}
    found["schemas"] = ROOT / "schemas" / "__init__.py"
    found["prompts"] = ROOT / "prompts" / "__init__.py"
    return {name: ast.parse(path.read_text(encoding="utf-8")) for name, path in found.items()}


def imports(tree: ast.Module) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            if node.module == "summarizer":
                names |= {f"summarizer.{a.name}" for a in node.names}
    return names


def test_every_module_has_a_layer():
    assert set(modules()) <= set(RANK), set(modules()) - set(RANK)


def test_no_module_imports_upward():
    violations = []
    for name, tree in modules().items():
        for imported in imports(tree):
            if imported.startswith("summarizer."):
                target = imported.split(".")[1]
                if target in RANK and RANK[target] > RANK[name]:
                    violations.append(f"{name} imports {imported}")
    assert violations == []


def test_only_the_llm_layer_touches_providers():
    for name, tree in modules().items():
        touched = {i.split(".")[0] for i in imports(tree)} & PROVIDERS
        if name not in {"llm"}:
            assert touched == set(), f"{name} imports {touched}"
