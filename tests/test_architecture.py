"""Architecture rules that import-linter cannot express (README "Layers").

Only a `tasks.py` may import inside a function (to break a task <-> service edge: services enqueue tasks).
Everywhere else an import sits at the top of its module, so `lint-imports` sees every edge and no cycle can
hide behind a lazy import. Two exceptions, listed here and nowhere else:
- `AppConfig.ready` in an app's `apps.py`: Django's place for start-up wiring; models cannot be imported
  while the app registry is being populated, so the wiring imports them there.
- An optional dependency imported where it is used, so that the code runs without it (OPTIONAL_IMPORTS).
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# (module path, imported module): an optional dependency, imported only on the path that needs it.
OPTIONAL_IMPORTS = {
    # pgserver is the `embedded-db` extra: the embedded PostgreSQL for development when DATABASE_URL is
    # empty; production and the Docker image do not install it and never take that path.
    ("wenchuang/embedded_postgres.py", "pgserver"),
}


def project_packages() -> list[str]:
    """The packages import-linter checks: every app, the bottom layer and the project package."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return pyproject["tool"]["importlinter"]["root_packages"]


def function_level_imports(source: str) -> list[tuple[int, str, str]]:
    """(line, enclosing function's dotted name, imported module) of each import inside a function."""
    found: list[tuple[int, str, str]] = []

    def visit(node: ast.AST, scope: list[str], in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                visit(child, [*scope, child.name], True)
            elif isinstance(child, ast.ClassDef):
                visit(child, [*scope, child.name], in_function)
            elif isinstance(child, ast.Import | ast.ImportFrom) and in_function:
                names = (
                    [alias.name for alias in child.names]
                    if isinstance(child, ast.Import)
                    else [child.module or "."]
                )
                found.extend((child.lineno, ".".join(scope), name) for name in names)
            else:
                visit(child, scope, in_function)

    visit(ast.parse(source), [], False)
    return found


def allowed(path: str, scope: str, module: str) -> bool:
    if Path(path).name == "tasks.py":
        return True
    # AppConfig.ready (Django's idiom: models are importable only once the registry is ready).
    if Path(path).name == "apps.py" and scope.endswith("Config.ready"):
        return True
    return (path, module) in OPTIONAL_IMPORTS


def project_modules() -> list[Path]:
    paths = []
    for package in project_packages():
        paths.extend(
            p for p in (ROOT / package).rglob("*.py") if "migrations" not in p.relative_to(ROOT).parts
        )
    return sorted(paths)


def test_the_scan_covers_every_app():
    packages = project_packages()
    assert {"core", "catalog", "payments", "storefront", "wenchuang"} <= set(packages)
    modules = {p.relative_to(ROOT).as_posix() for p in project_modules()}
    assert "catalog/tasks.py" in modules
    assert "resources/apps.py" in modules
    assert not any("/migrations/" in m for m in modules)


def test_no_function_level_imports_outside_tasks_modules():
    offending = []
    for path in project_modules():
        relative = path.relative_to(ROOT).as_posix()
        for line, scope, module in function_level_imports(path.read_text()):
            if not allowed(relative, scope, module):
                offending.append(f"{relative}:{line} imports {module} inside {scope}()")
    assert offending == [], (
        "import at the top of the module (only tasks.py may import in a function):\n" + "\n".join(offending)
    )


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import os\n\ndef f():\n    import json\n", [(4, "f", "json")]),
        ("class A:\n    def m(self):\n        if x:\n            from a.b import c\n", [(4, "A.m", "a.b")]),
        ("async def f():\n    def g():\n        from . import x\n", [(3, "f.g", ".")]),
        ("try:\n    import json\nexcept ImportError:\n    json = None\n", []),
    ],
)
def test_the_scan_finds_imports_at_any_depth_of_a_function(source, expected):
    assert function_level_imports(source) == expected


@pytest.mark.parametrize(
    ("path", "scope", "module", "ok"),
    [
        ("catalog/tasks.py", "listing_sync", "catalog.saleor_sync", True),
        ("catalog/saleor_sync/push.py", "push", "catalog.tasks", False),
        ("payments/apps.py", "PaymentsConfig.ready", "payments.settlement.audit", True),
        ("payments/apps.py", "helper", "payments.settlement.audit", False),
        ("wenchuang/embedded_postgres.py", "database_settings", "pgserver", True),
        ("wenchuang/embedded_postgres.py", "database_settings", "json", False),
    ],
)
def test_the_allow_list_is_tasks_modules_app_ready_and_optional_dependencies(path, scope, module, ok):
    assert allowed(path, scope, module) is ok
