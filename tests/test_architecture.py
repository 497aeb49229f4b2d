"""The shape docs/architecture.md describes, checked: data flows one way between packages, no private
name crosses a module boundary, every package lists its public API, and files stay one concept long."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

SRC = ROOT / "src" / "redac"

# What each package must never import (directly or lazily): everything further down the chain.
FORBIDDEN = {
    "sources": {"program", "lm", "metrics", "dataset", "experiments", "gate", "bundle", "serve", "cli", "tracking"},
    "article": {"program", "lm", "metrics", "experiments", "tracking"},
    "program": {"metrics", "dataset", "experiments", "gate", "bundle", "serve", "cli", "tracking"},
    "lm": {"program", "metrics", "dataset", "experiments", "gate", "bundle", "serve", "cli", "tracking"},
    "metrics": {"program", "lm", "experiments", "gate", "bundle", "serve", "cli", "tracking"},
    "dataset": {"program", "lm", "metrics", "experiments", "gate", "bundle", "serve", "cli", "tracking"},
    "tracking": {"program", "metrics", "experiments", "gate", "bundle", "serve", "cli"},
    "finetune": {"experiments", "gate", "bundle", "serve", "cli"},
    "experiments": {"gate", "bundle", "serve", "cli"},
    "gate": {"bundle", "serve", "cli"},
    "bundle": {"gate", "serve", "cli"},
    "serve": {"experiments", "gate", "cli"},
    "api": {"metrics", "experiments", "gate", "bundle", "serve", "cli", "tracking"},
}
# Files longer than this are one concept that reads best whole; each exception says why.
MAX_LINES = 400
LONG_FILES = {
    "lm/config.py": "one pydantic model for every backend plus its spec parser and validation messages",
}


def modules() -> list[tuple[str, Path]]:
    out = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC.parent).with_suffix("")
        out.append((".".join(rel.parts).removesuffix(".__init__"), path))
    return out


def package(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) for every ``redac`` import in the file, at any depth (lazy imports count)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "redac":
            found.append((node.module, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            found += [(a.name, []) for a in node.names if a.name.split(".")[0] == "redac"]
    return found


def test_data_flows_one_way_between_packages():
    wrong = []
    for module, path in modules():
        mine = package(module)
        for target, names in imports(path):
            targets = [package(target)] if target != "redac" else names
            wrong += [f"{module} imports redac.{t}" for t in targets if t in FORBIDDEN.get(mine, set())]
    assert not wrong, "\n".join(wrong)


def test_no_private_name_is_imported_across_modules():
    wrong = []
    for module, path in modules():
        for target, names in imports(path):
            private = [n for n in names if n.startswith("_") and not n.startswith("__")]
            private += [part for part in target.split(".") if part.startswith("_") and part != "__init__"]
            wrong += [f"{module}: from {target} import {n}" for n in private]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("init", sorted(p.relative_to(SRC).as_posix() for p in SRC.rglob("__init__.py")))
def test_every_package_lists_its_public_api(init):
    tree = ast.parse((SRC / init).read_text(encoding="utf-8"))
    names = [t.id for node in tree.body if isinstance(node, ast.Assign) for t in node.targets
             if isinstance(t, ast.Name)]
    assert "__all__" in names, f"{init} has no __all__"


def test_files_stay_one_concept_long():
    long = {p.relative_to(SRC).as_posix(): n for p in SRC.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert set(long) <= set(LONG_FILES), {k: v for k, v in long.items() if k not in LONG_FILES}


# Modules allowed to touch os.environ, and why.
ENVIRON_WRITERS = {
    "redac.tracking": "mlflow_env sets MLflow's switches for one block and restores them (MLflow reads them "
                      "only from the environment)",
}


def test_library_code_never_writes_the_environment():
    """Only process entry points (the CLI's main) may set environment variables for good."""
    wrong = []
    for module, path in modules():
        if module.startswith("redac.cli") or module in ENVIRON_WRITERS:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            target = node.func if isinstance(node, ast.Call) else node.targets[0] if isinstance(
                node, ast.Assign) else None
            text = ast.unparse(target) if target is not None else ""
            if text.startswith(("os.environ.setdefault", "os.environ.update", "os.environ[", "os.putenv")):
                wrong.append(f"{module}:{node.lineno}: {text}")
    assert not wrong, "\n".join(wrong)
