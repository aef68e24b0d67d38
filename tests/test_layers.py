"""Apps import only apps below them, in the order data flows (README, Layout).
A lower app that needs to tell a higher one something sends a signal
(directory.signals) or is handed a function at start-up (core.scoping)."""

import ast
from pathlib import Path

import dudao

ORDER = [
    "core",
    "directory",
    "accounts",
    "policy",
    "publicity",
    "selection",
    "training",
    "pools",
    "supervision",
    "subsidies",
    "evaluation",
    "demo",
]
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


def test_the_layer_check_sees_a_violation(tmp_path):
    # The check above must be able to fail: a module importing upwards is reported.
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from dudao.pools import models\n", encoding="utf-8")
    assert list(imported_apps(sample)) == [(2, "pools")]


# Demo data creates accounts with their roles; everyone else asks capabilities.
MAY_READ_ROLES = {"accounts", "demo"}


def role_reads(path: Path):
    """(line, what) for every place the file reads roles: the Role or
    RoleAssignment names, a `.roles` or `.role_assignments` attribute, or a
    role_assignments__ lookup."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "dudao.accounts.models":
            for alias in node.names:
                if alias.name in {"Role", "RoleAssignment", "JURISDICTION_ROLES", "ORGANIZATION_ROLES"}:
                    yield node.lineno, alias.name
        elif isinstance(node, ast.Attribute) and node.attr in {"roles", "role_assignments"}:
            yield node.lineno, f".{node.attr}"
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and "role_assignments__" in node.value:
            yield node.lineno, node.value
        elif isinstance(node, ast.keyword) and node.arg and node.arg.startswith("role_assignments__"):
            yield node.lineno, node.arg


def test_nothing_outside_accounts_reads_roles():
    reads = []
    for app in ORDER:
        if app in MAY_READ_ROLES:
            continue
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            reads += [f"{path.relative_to(ROOT.parent)}:{line} {what}" for line, what in role_reads(path)]
    assert not reads, "\n".join(reads)


def test_the_role_check_sees_a_role_read(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from dudao.accounts.models import Role\n\ndef f(scope, u):\n    return Role.CITY_ADMIN in scope.roles\n",
        encoding="utf-8",
    )
    assert [what for _line, what in role_reads(sample)] == ["Role", ".roles"]
