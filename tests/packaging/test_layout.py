"""The layout the architecture promises: one import name, package data found through
``importlib.resources`` in this (editable) install too, and a domain that imports nothing of
the infrastructure."""

from __future__ import annotations

import ast
from importlib.resources import files
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
OLD_TOP_LEVEL = {"ledger", "projections", "auditor", "api", "web", "schema"}
# Infrastructure the domain (ledger/) must never reach: the HTTP edge, the read models, SQL
# drivers, the web framework. The clock is checked separately (no ``now()`` calls).
NOT_FOR_THE_DOMAIN = {"tangopass.api", "tangopass.projections", "falcon", "sqlite3",
                      "sqlite_utils", "psycopg", "psycopg2", "gunicorn", "pydantic", "os"}
# The aggregates and rules, as opposed to the application service (ledger/application.py),
# may not touch the process either: no sleeping, no file locks, no environment.
NOT_FOR_THE_MODEL = NOT_FOR_THE_DOMAIN | {"time", "fcntl", "threading", "logging", "random"}


def _python_files(*folders: str) -> list[Path]:
    found = []
    for folder in folders:
        found += [p for p in (REPO / folder).rglob("*.py")
                  if ".venv" not in p.parts and "node_modules" not in p.parts]
    return sorted(found)


def _imports(path: Path) -> set[str]:
    """Absolute module names a file imports (``from x import y`` gives ``x`` and ``x.y``)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _reaches(name: str, forbidden: set[str]) -> bool:
    return any(name == f or name.startswith(f + ".") for f in forbidden)


@pytest.mark.parametrize("package", ["tangopass.web", "tangopass.schema"])
def test_package_data_is_found_through_importlib_resources(package):
    root = files(package)
    wanted = {"tangopass.web": ["index.html", "teacher.html", "service-worker.js"],
              "tangopass.schema": ["001_core.sql", "002_append_only.sql"]}[package]
    for name in wanted:
        assert root.joinpath(name).is_file(), f"{package} lacks {name}"


def test_no_code_imports_the_old_top_level_names():
    offenders = []
    for path in _python_files("ledger", "projections", "auditor", "api", "web", "schema", "tests",
                              "bench"):
        for name in _imports(path):
            if name.split(".")[0] in OLD_TOP_LEVEL:
                offenders.append(f"{path.relative_to(REPO)}: {name}")
    assert offenders == []


def test_the_domain_imports_no_infrastructure():
    offenders = [f"{path.relative_to(REPO)}: {name}"
                 for path in _python_files("ledger") for name in _imports(path)
                 if _reaches(name, NOT_FOR_THE_DOMAIN)]
    assert offenders == []


def test_the_aggregates_touch_neither_process_nor_clock():
    model = [p for p in _python_files("ledger") if p.name != "application.py"]
    assert {p.name for p in model} >= {"student.py", "lesson.py", "calendar_math.py"}
    offenders = [f"{path.relative_to(REPO)}: {name}"
                 for path in model for name in _imports(path)
                 if _reaches(name, NOT_FOR_THE_MODEL)]
    assert offenders == []


def test_the_domain_never_reads_the_clock():
    readers = []
    for path in _python_files("ledger"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in {"now", "utcnow", "today", "time", "monotonic"}):
                readers.append(f"{path.relative_to(REPO)}:{node.lineno} .{node.func.attr}()")
    assert readers == []
