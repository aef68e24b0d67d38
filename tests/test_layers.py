"""Apps import only apps below them, in the order data flows (README, Layout).
A lower app that needs to tell a higher one something sends a signal
(directory.signals) or is handed a function at start-up (core.scoping)."""

import ast
from pathlib import Path

import dudao

ORDER = ["core", "directory", "accounts", "policy", "selection", "training", "pools", "demo"]
ROOT = Path(dudao.__file__).parent


def imported_apps(path: Path):
    """(line, app) for every dudao.<app> module the file imports, at any depth
    of the code: a function-local import counts as much as a top-level one."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "dudao" and len(parts) > 1 and parts[1] in ORDER:
                yield node.lineno, parts[1]


def test_no_app_imports_an_app_above_it():
    upward = []
    for app in ORDER:
        for path in sorted((ROOT / app).rglob("*.py")):
            for line, other in imported_apps(path):
                if ORDER.index(other) > ORDER.index(app):
                    upward.append(f"{path.relative_to(ROOT.parent)}:{line} imports dudao.{other}")
    assert not upward, "\n".join(upward)


def test_project_modules_outside_the_apps_import_no_private_name():
    # wsgi, urls and settings wire the apps together; they may use any app but
    # only its public names.
    private = []
    for path in ROOT.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("dudao."):
                private += [f"{path.name}:{node.lineno} {a.name}" for a in node.names if a.name.startswith("_")]
    assert not private, private


def test_the_layer_check_sees_a_violation():
    # The check above must be able to fail: a module importing upwards is reported.
    sample = ROOT / "core" / "_layer_sample_for_test.py"
    sample.write_text("def f():\n    from dudao.pools import models\n", encoding="utf-8")
    try:
        assert list(imported_apps(sample)) == [(2, "pools")]
    finally:
        sample.unlink()
