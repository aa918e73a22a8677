"""The Worker's own dependency list follows setup.cfg's, minus what only the server needs."""

from __future__ import annotations

import configparser

from tests.cloudflare.harness import ROOT

# The Worker serves through the runtime, has no CLI and no auditor tools.
SERVER_ONLY = {"gunicorn", "click", "sqlite-utils", "psycopg[binary]"}  # PostgreSQL: the server's store only


def _pins(lines: list[str]) -> dict[str, str]:
    pins = {}
    for line in lines:
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            pins[name.strip().lower().replace("_", "-")] = version.strip()
    return pins


def test_every_runtime_dependency_of_the_server_is_bundled_at_the_same_version():
    setup = configparser.ConfigParser()
    setup.read(ROOT / "setup.cfg")
    server = _pins(setup["options"]["install_requires"].splitlines())
    worker = _pins((ROOT / "cloudflare" / "requirements.txt").read_text().splitlines())
    wanted = {name: version for name, version in server.items() if name not in SERVER_ONLY}
    assert {name: worker.get(name) for name in wanted} == wanted
    assert not SERVER_ONLY & set(worker)
