"""Imports run one way: sources (and core) never import claims, not even inside a function."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in {
            "import_module", "__import__",
        } and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
            names.add(node.args[0].value)
    return names


def _importers_of(app: str, *, under: str) -> dict[str, list[str]]:
    found = {}
    for path in sorted((ROOT / under).rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        hits = sorted(m for m in _imported_modules(path) if m == app or m.startswith(f"{app}."))
        if hits:
            found[relative] = hits
    return found


def test_no_module_in_sources_imports_claims():
    importers = _importers_of("claims", under="sources")

    assert importers == {}


def test_the_product_never_imports_tools():
    assert {app: _importers_of("tools", under=app) for app in ("core", "sources", "claims", "config")} == {
        "core": {}, "sources": {}, "claims": {}, "config": {},
    }


def test_no_module_in_core_imports_claims_or_sources():
    assert (_importers_of("claims", under="core"), _importers_of("sources", under="core")) == ({}, {})


def test_the_import_check_sees_an_import_inside_a_function(tmp_path):
    module = tmp_path / "lazy.py"
    module.write_text("def f():\n    from claims.selectors import tally_counts\n    import claims.models\n")

    assert _imported_modules(module) >= {"claims.selectors", "claims.selectors.tally_counts", "claims.models"}
