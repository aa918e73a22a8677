"""On SQLite, a command is exactly one BEGIN IMMEDIATE ... COMMIT (statements traced).

Traced on every connection of the store: with group commit (the default) the
command runs on the writer thread's connection, inside its own SAVEPOINT.
"""

import pytest

from tangopass.projections.storage.group_runner import GroupCommitRunner
from tangopass.projections.storage.runner import CommandRunner


@pytest.mark.parametrize(("group", "runner"), [("1", GroupCommitRunner), ("0", CommandRunner)])
def test_a_register_is_one_transaction_with_one_commit(monkeypatch, request, group, runner):
    monkeypatch.setenv("TANGOPASS_GROUP_COMMIT", group)
    ctx, ana = request.getfixturevalue("ctx"), request.getfixturevalue("ana")
    assert type(ctx.ledger.runner) is runner
    store = ctx.ledger.events.store
    seen: list[str] = []
    connections = list(store._all)  # the writer's too: the fixture's commands opened it
    for conn in connections:
        conn.set_trace_callback(seen.append)
    try:
        ctx.ledger.register(ana["id"], None, ctx.clock())
    finally:
        for conn in connections:
            conn.set_trace_callback(None)

    words = [s.split()[0].upper() for s in seen]
    assert words.count("BEGIN") == 1 and words.count("COMMIT") == 1
    assert seen[0] == "BEGIN IMMEDIATE"  # the write lock before anything is read
    assert "ROLLBACK" not in words
    # Group commit: the command in its own savepoint, released before the COMMIT.
    assert words.count("SAVEPOINT") == words.count("RELEASE") == (1 if group == "1" else 0)
