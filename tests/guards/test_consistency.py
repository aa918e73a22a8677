"""Guards that keep separate lists from drifting apart: error codes and their statuses, the
languages' string keys, the service worker's shell and ``web/``, the CLI and the README."""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tangopass.api.cli import main as cli
from tangopass.api.errors import CODE_OF_FALCON_STATUS, STATUS_OF_CODE
from tangopass.ledger import errors as ledger_errors

REPO = Path(__file__).resolve().parents[2]
WEB = REPO / "web"


def _subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found


def _codes_raised_at_the_edge() -> set[str]:
    """Every literal code passed to ``ApiError(...)`` anywhere under api/."""
    codes = set()
    for path in (REPO / "api").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "ApiError"
                    and node.args and isinstance(node.args[0], ast.Constant)):
                codes.add(node.args[0].value)
    return codes


def test_every_error_code_has_a_status():
    domain = {cls.code for cls in _subclasses(ledger_errors.LedgerError)}
    edge = _codes_raised_at_the_edge() | set(CODE_OF_FALCON_STATUS.values())
    assert {"NO_CREDITS", "VALIDATION_ERROR"} <= domain and "UNAUTHORIZED" in edge
    assert sorted((domain | edge) - set(STATUS_OF_CODE)) == []
    assert all(400 <= status <= 599 for status in STATUS_OF_CODE.values())


def _node_json(script: str, cwd: Path) -> object:
    done = subprocess.run(["node", "--input-type=module", "-e", script], cwd=cwd,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def languages(tmp_path_factory) -> dict[str, dict]:
    """The string tables as JavaScript itself reads them (copied to .mjs for node)."""
    assert shutil.which("node"), "node is a test dependency (make test-deps installs it)"
    folder = tmp_path_factory.mktemp("lang")
    tables = {}
    for path in sorted((WEB / "js" / "lang").glob("*.js")):
        copy = folder / f"{path.stem}.mjs"
        copy.write_text(path.read_text())
        tables[path.stem] = _node_json(
            f"import t from {json.dumps(str(copy))}; console.log(JSON.stringify(t));", folder)
    return tables


def _shape(table: dict) -> dict:
    """Keys, and for a plural table its own keys: what every language must provide."""
    return {key: sorted(value) if isinstance(value, dict) else "text"
            for key, value in table.items()}


def test_english_and_spanish_strings_have_the_same_keys(languages):
    assert set(languages) >= {"en", "es"}
    english = _shape(languages["en"])
    assert len(english) > 50
    for name, table in languages.items():
        shape = _shape(table)
        assert sorted(set(english) - set(shape)) == [], f"{name} lacks these strings"
        assert sorted(set(shape) - set(english)) == [], f"{name} has strings English lacks"
        assert shape == english, f"{name}'s plural tables differ from English"


def _shell_list() -> list[str]:
    source = (WEB / "service-worker.js").read_text()
    shell = re.search(r"const SHELL = \[(.*?)\];", source, re.S).group(1)
    pages = re.search(r"const PAGES = \[(.*?)\];", source, re.S).group(1)
    return re.findall(r"'([^']+)'", pages) + re.findall(r"'([^']+)'", shell)


def test_the_service_workers_shell_is_exactly_the_files_in_web():
    shell = set(_shell_list())
    served = {"/" + str(p.relative_to(WEB)) for p in WEB.rglob("*")
              if p.is_file() and p.suffix in {".js", ".css", ".png", ".json", ".svg"}
              and p.name != "service-worker.js"}
    pages = {"/", "/teacher"}  # index.html and teacher.html, served without their names
    assert {"/index.html", "/teacher.html"} <= {"/" + p.name for p in WEB.glob("*.html")}
    assert sorted(shell - served - pages) == [], "cached but not in web/"
    assert sorted(served - shell) == [], "in web/ but not cached for offline use"


def _readme_commands() -> set[str]:
    text = (REPO / "README.md").read_text()
    return set(re.findall(r"(?<![\w/.-])tangopass (\w[\w-]*)", text))


def test_every_cli_command_is_in_the_readme_and_every_named_one_exists():
    commands = set(cli.commands)
    assert {"serve", "verify", "replay"} <= commands
    named = _readme_commands()
    assert sorted(commands - named) == [], "commands the README does not show"
    assert sorted(named - commands) == [], "the README names commands that do not exist"


def _form_limits() -> dict[str, tuple[int, int]]:
    """min/max of the PWA's number inputs, by input name (HTML and the JS-built forms)."""
    limits = {}
    for path in [WEB / "teacher.html", *sorted((WEB / "js").glob("*.js"))]:
        text = path.read_text()
        for tag in re.findall(r"<input[^>]*>", text):
            name, low, high = (re.search(rf'{a}="(-?\w+)"', tag) for a in ("name", "min", "max"))
            if name and low and high:
                limits[name.group(1)] = (int(low.group(1)), int(high.group(1)))
        for attrs in re.findall(r"h\('input', \{([^}]*)\}", text):
            name, low, high = (re.search(rf"{a}: '?(-?\w+)'?", attrs) for a in ("name", "min", "max"))
            if name and low and high:
                limits[name.group(1)] = (int(low.group(1)), int(high.group(1)))
    return limits


def test_the_pwa_forms_allow_exactly_the_domains_ranges():
    from tangopass.ledger.limits import ADJUST_DELTA, EXTEND_DAYS, LOT_CREDITS

    limits = _form_limits()
    assert limits["credits"] == (LOT_CREDITS.start, LOT_CREDITS.stop - 1)
    assert limits["delta"] == (ADJUST_DELTA.start, ADJUST_DELTA.stop - 1)
    assert limits["days"] == (EXTEND_DAYS.start, EXTEND_DAYS.stop - 1)
