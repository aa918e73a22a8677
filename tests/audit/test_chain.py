"""The hash chain is written with every append, in the same transaction."""

from __future__ import annotations

import pytest

from tangopass.ledger.student import Student
from tangopass.projections import projectors
from tangopass.projections.chain import CHAIN_TABLE, GENESIS, SELECT_ROWS, Head, links
from tests.audit.helpers import cli, drop_triggers, execute, restore_triggers
from tests.support.db import rows


def chain(db_path: str) -> list[tuple[int, str]]:
    return rows(db_path, f"SELECT notification_id, link FROM {CHAIN_TABLE} ORDER BY notification_id")


def test_every_event_gets_the_link_recomputed_from_the_genesis(api, ana, db_path):
    api.register(ana["token"])
    stored = rows(db_path, f"{SELECT_ROWS} ORDER BY rowid")

    assert chain(db_path) == [(n, link.hex()) for n, link in links(stored, GENESIS)]
    assert [n for n, _ in chain(db_path)] == [row[0] for row in stored]


def test_a_failed_append_leaves_no_link(api, ctx, ana, db_path, monkeypatch):
    before = chain(db_path)

    def broken(event, number):
        raise RuntimeError("projector bug")

    monkeypatch.setitem(projectors.PROJECTORS, Student.Registered, broken)
    with pytest.raises(RuntimeError):
        ctx.ledger.register(ana["id"], None, ctx.clock())

    assert chain(db_path) == before
    assert len(before) == rows(db_path, "SELECT COUNT(*) FROM stored_events")[0][0]


def test_a_history_from_before_the_chain_is_linked_by_the_next_append(api, ana, db_path, clock):
    # A database written before schema 003: events, but no links.
    drop_triggers(db_path)
    execute(db_path, f"DELETE FROM {CHAIN_TABLE}")
    restore_triggers(db_path)
    unlinked = cli("verify", "--db", db_path)
    assert unlinked.exit_code == 1
    assert "[chain] event #1 has no chain link" in unlinked.stdout

    clock.advance(minutes=1)
    api.register(ana["token"])

    assert cli("verify", "--db", db_path).exit_code == 0
    assert len(chain(db_path)) == rows(db_path, "SELECT COUNT(*) FROM stored_events")[0][0]


def test_the_head_moves_with_every_append_and_old_heads_stay_valid(api, ana, db_path, clock):
    first = cli("verify", "--db", db_path, "--head").stdout.strip()
    clock.advance(minutes=1)
    api.register(ana["token"])
    second = cli("verify", "--db", db_path, "--head").stdout.strip()

    assert first != second
    assert int(second.split(":")[0]) > int(first.split(":")[0])
    for head in (first, second):
        assert cli("verify", "--db", db_path, "--expect-head", head).exit_code == 0
    wrong = first[:-1] + ("0" if first[-1] != "0" else "1")
    assert cli("verify", "--db", db_path, "--expect-head", wrong).exit_code == 1


def test_verify_head_writes_only_the_head_to_stdout(ana, db_path):
    result = cli("verify", "--db", db_path, "--head")

    assert result.exit_code == 0
    assert result.stdout == f"{chain(db_path)[-1][0]}:{chain(db_path)[-1][1]}\n"
    assert "OK: 3 events, 1 students, 1 lots" in result.stderr


def test_heads_parse_in_the_forms_people_write_them():
    link = "ab" * 32
    for text in (f"12:{link}", f" 12 {link.upper()} ", f"12/{link}"):
        assert Head.parse(text) == Head(12, link)
    for bad in ("12", f"x:{link}", "12:abc", f"0:{link}"):
        with pytest.raises(ValueError):
            Head.parse(bad)
