"""Layers never import upward: core types know nothing of providers, the CLI, or the pipeline.

Checked on the source (imports anywhere in a module, lazy ones included), so
a shortcut cannot creep in unnoticed. A package (``summarizer/cli/``) is one unit:
its modules share its layer.
"""

from __future__ import annotations

import ast

from tests.conftest import ROOT

# Lowest first. A module may import from its own layer or any lower one.
LAYERS = [
    {"numbers", "throttle"},
    {"schemas"},
    {"errors", "settings", "pricing", "batchfiles", "extracted"},
    {"normalize", "repair", "clauses"},
    {"read", "word", "pdf", "ocr", "prompts", "inputs", "budget", "results", "results_file"},
    {"source", "grounding", "overview", "salvage", "cache", "render", "doubt"},
    {"llm", "offline", "steps", "chunks", "merge"},
    {"pipeline"},
    {"batch", "evaluation", "review", "spreadsheet"},
    {"offload"},
    {"cli", "__main__", "__init__"},
]
RANK = {name: n for n, layer in enumerate(LAYERS) for name in layer}
PROVIDERS = {"openai", "instructor", "httpx", "tenacity"}


def modules() -> dict[str, list[ast.Module]]:
    """Each unit of the package (a module, or a package with all its modules), parsed."""
    found: dict[str, list[ast.Module]] = {}
    folders = {"summarizer": ROOT / "summarizer", "schemas": ROOT / "schemas"}
    folders["prompts"] = ROOT / "prompts"
    for top, folder in folders.items():
        for path in folder.rglob("*.py"):
            parts = path.relative_to(folder).parts
            unit = top if top != "summarizer" else parts[0].removesuffix(".py")
            tree = ast.parse(path.read_text(encoding="utf-8"))
            found.setdefault(unit, []).append(tree)
    return found


def imports(trees: list[ast.Module]) -> set[str]:
    names = set()
    for node in (n for tree in trees for n in ast.walk(tree)):
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
    for name, trees in modules().items():
        for imported in imports(trees):
            if imported.startswith("summarizer."):
                target = imported.split(".")[1]
                if target in RANK and RANK[target] > RANK[name]:
                    violations.append(f"{name} imports {imported}")
    assert violations == []


def test_only_the_llm_layer_touches_providers():
    for name, trees in modules().items():
        touched = {i.split(".")[0] for i in imports(trees)} & PROVIDERS
        if name not in {"llm"}:
            assert touched == set(), f"{name} imports {touched}"


def test_batch_needs_neither_the_evaluator_nor_the_provider_module():
    """Prices and the throttle have homes of their own, so a batch run loads neither."""
    used = {i.split(".")[1] for i in imports(modules()["batch"]) if i.startswith("summarizer.")}
    assert used & {"evaluation", "llm"} == set()


#: The pipeline's stages pass values: none imports another, nor the driver above them.
STAGES = {"plan", "ask", "finish", "loop"}


def test_the_pipeline_stages_never_import_each_other_or_their_driver():
    folder = ROOT / "summarizer" / "pipeline"
    found = {p.stem for p in folder.glob("*.py")}
    assert found >= STAGES, STAGES - found
    violations = []
    for stage in sorted(STAGES):
        tree = ast.parse((folder / f"{stage}.py").read_text(encoding="utf-8"))
        for imported in imports([tree]):
            parts = imported.split(".")
            if parts[:2] == ["summarizer", "pipeline"] and parts[2:] != [stage]:
                violations.append(f"pipeline.{stage} imports {imported}")
    assert violations == []
