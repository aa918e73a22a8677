"""An auditor checks the Cloudflare data with the same tools: `wrangler d1 export --local`
gives a .sql dump, and `tangopass verify` and `replay` accept it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.cloudflare.harness import wrangler

TANGOPASS = str(Path(sys.executable).with_name("tangopass"))


def _busy_history(api, clock) -> None:
    ana, ben = api.add_student("Ana"), api.add_student("Ben")
    api.buy(ana["id"], credits=3)
    api.buy(ben["id"], credits=1, months=1)
    lesson = api.lesson("2026-11-24T19:00:00Z")
    assert api.register(ana["token"]).status_code == 200
    assert api.register(ben["token"]).status_code == 200
    assert api.cancel(ben["token"]).status_code == 200
    assert api.admin("adjust", {"student_id": ana["id"], "delta": 2, "reason": "gift"}).status_code == 200
    clock.set(clock.now.replace(day=24, hour=21))
    assert api.admin("clearRegistrations", {"lesson_id": lesson["id"]}).status_code == 200
    clock.advance(days=40)  # Ben's lot expires: lazy EXPIRE and OLDEST on the next read
    assert api.status(ben["token"], "&ledger=all").status_code == 200


def _export(harness, tmp_path) -> Path:
    dump = tmp_path / "tangopass-d1.sql"
    done = wrangler("d1", "export", "tangopass", "--local", "--output", str(dump))
    assert done.returncode == 0, done.stdout + done.stderr
    return dump


def test_verify_and_replay_accept_a_d1_export(api, clock, db_path, tmp_path):
    _busy_history(api, clock)
    dump = _export(db_path.harness, tmp_path)
    assert "CREATE TABLE" in dump.read_text() and "stored_events" in dump.read_text()
    for command in ("verify", "replay"):
        done = subprocess.run([TANGOPASS, command, "--db", str(dump)], capture_output=True, text=True)
        assert done.returncode == 0, f"{command}:\n{done.stdout}\n{done.stderr}"
        assert done.stdout.startswith("OK"), done.stdout


def test_verify_finds_an_event_rewritten_in_a_d1_export(api, clock, db_path, tmp_path):
    _busy_history(api, clock)
    text = _export(db_path.harness, tmp_path).read_text()
    # Someone edits the exported history: one credit more in a purchase.
    tampered = tmp_path / "tampered.sql"
    assert '\\"credits\\": 3' not in text  # states are BLOBs (hex) in the dump
    lines = text.splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith('INSERT INTO "stored_events"')
                 or line.startswith("INSERT INTO stored_events"))
    lines[index] = lines[index].replace("X'7b", "X'7b20", 1)  # a byte inserted into the first state
    tampered.write_text("\n".join(lines))
    done = subprocess.run([TANGOPASS, "verify", "--db", str(tampered)], capture_output=True, text=True)
    assert done.returncode == 1, done.stdout + done.stderr
