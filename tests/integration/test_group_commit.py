"""Group commit (the SQLite default): many commands, one COMMIT, and its failure paths.

Each test holds the writer inside a group's transaction with a command that
waits, queues the commands under test behind it, then lets go: they all run in
that one group, each in its own savepoint, answered only after its COMMIT.
"""

import sqlite3
import threading
import time

import pytest

from tangopass.ledger.errors import BusyError, LedgerError
from tangopass.ledger.student import Student
from tangopass.projections import projectors
from tangopass.projections.storage.event_store import AggregateCache
from tangopass.projections.storage.group_runner import GroupCommitRunner
from tangopass.projections.storage.port import VersionConflict
from tangopass.projections.storage.sqlite import SQLiteStore
from tests.support.db import rows


@pytest.fixture(autouse=True)
def group_commit(monkeypatch):
    monkeypatch.setenv("TANGOPASS_GROUP_COMMIT", "1")


class Held:
    """The writer, busy inside an open group until ``release()``; commands queue behind it."""

    def __init__(self, runner: GroupCommitRunner):
        self.runner = runner
        self.go = threading.Event()
        inside = threading.Event()

        def hold():
            inside.set()
            assert self.go.wait(30)
            return "held"

        self.outcome: dict = {}

        def run_hold():
            try:
                self.outcome["result"] = runner.run(hold)
            except BaseException as ex:  # noqa: BLE001 - a failed group answers it too
                self.outcome["error"] = ex

        self.thread = threading.Thread(target=run_hold)
        self.thread.start()
        assert inside.wait(30)
        self.calls: list[tuple[threading.Thread, dict]] = []

    def submit(self, command, *args) -> dict:
        box: dict = {}

        def call():
            try:
                box["result"] = command(*args)
            except BaseException as ex:  # noqa: BLE001 - the outcome is what the test reads
                box["error"] = ex

        thread = threading.Thread(target=call)
        thread.start()
        self.calls.append((thread, box))
        for _ in range(3000):  # wait (bounded) until it is queued behind the held group
            with self.runner._cond:
                if len(self.runner._jobs) == len(self.calls):
                    return box
            time.sleep(0.01)
        raise AssertionError("the command never reached the writer's queue")

    def release(self) -> None:
        self.go.set()
        self.thread.join(30)
        for thread, _ in self.calls:
            thread.join(30)
            assert not thread.is_alive()


@pytest.fixture
def studio(api, clock):
    ana = api.add_student("Ana")
    api.buy(ana["id"], credits=3, months=3)
    bea = api.add_student("Bea")
    api.buy(bea["id"], credits=2, months=1)
    cid = api.add_student("Cid")
    clock.advance(days=40)  # Bea's lot has expired (not yet settled)
    api.buy(cid["id"], credits=1)
    api.lesson("2027-01-02T19:00:00Z")
    return {"ana": ana["id"], "bea": bea["id"], "cid": cid["id"]}


def test_the_runner_is_the_group_commit_one(ctx):
    assert isinstance(ctx.ledger.runner, GroupCommitRunner)


def test_one_group_one_commit_a_refused_command_keeps_its_expiry(ctx, studio, clock, db_path):
    runner = ctx.ledger.runner
    groups = runner.groups
    held = Held(runner)
    ana = held.submit(ctx.ledger.register, studio["ana"], None, clock())
    bea = held.submit(ctx.ledger.register, studio["bea"], None, clock())
    cid = held.submit(ctx.ledger.register, studio["cid"], None, clock())
    held.release()

    assert runner.groups == groups + 1  # the held command and all three: one COMMIT
    assert held.outcome == {"result": "held"}
    assert ana["result"]["credits_available"] == 2
    assert cid["result"]["credits_available"] == 0
    assert isinstance(bea["error"], LedgerError)
    assert bea["error"].code == "NO_CREDITS"
    assert rows(db_path, "SELECT student_id, type, delta_credits FROM ledger_events"
                " WHERE type IN ('EXPIRE', 'REGISTER') ORDER BY id") == [
        (studio["ana"], "REGISTER", -1), (studio["bea"], "EXPIRE", -2),
        (studio["cid"], "REGISTER", -1)]


def test_a_failed_command_rolls_back_alone_and_empties_the_cache(
        ctx, studio, clock, db_path, monkeypatch):
    ledger = ctx.ledger
    ledger.register(studio["ana"], None, clock())
    assert ledger.events.cache.get(Student.create_id(studio["ana"])) is not None

    def broken(event, number):
        raise RuntimeError("projector bug")

    monkeypatch.setitem(projectors.PROJECTORS, Student.RegistrationCancelled, broken)
    held = Held(ledger.runner)
    cancel = held.submit(ledger.cancel, studio["ana"], None, clock())
    cid = held.submit(ledger.register, studio["cid"], None, clock())
    held.release()

    assert isinstance(cancel["error"], RuntimeError)
    assert cid["result"]["credits_available"] == 0
    # The failed command's aggregates left the cache; the committed one came back after COMMIT.
    assert ledger.events.cache.get(Student.create_id(studio["ana"])) is None
    assert ledger.events.cache.get(Student.create_id(studio["cid"])) is not None
    assert rows(db_path, "SELECT student_id, type FROM ledger_events"
                " WHERE type IN ('REGISTER', 'CANCEL') ORDER BY id") == [
        (studio["ana"], "REGISTER"), (studio["cid"], "REGISTER")]


def test_a_version_conflict_rolls_back_alone_and_runs_again_in_a_later_group(
        ctx, studio, clock, db_path, monkeypatch):
    """The UNIQUE (originator_id, version) refusal, as another process's append would cause
    it: the command's savepoint goes, the rest of the group commits, and the command runs
    again from fresh reads in the next group (answered once, spending one credit)."""
    ledger = ctx.ledger
    real = projectors.PROJECTORS[Student.Registered]
    collisions = []

    def collides_once(event, number):
        if not collisions:
            collisions.append(event.originator_id)
            raise VersionConflict("simulated: another writer appended this version first")
        return real(event, number)

    monkeypatch.setitem(projectors.PROJECTORS, Student.Registered, collides_once)
    groups = ledger.runner.groups
    held = Held(ledger.runner)
    ana = held.submit(ledger.register, studio["ana"], None, clock())
    cid = held.submit(ledger.register, studio["cid"], None, clock())
    held.release()

    assert collisions == [Student.create_id(studio["ana"])]
    assert ana["result"]["credits_available"] == 2 and cid["result"]["credits_available"] == 0
    assert ledger.runner.groups == groups + 2  # the first group, then the retry's own
    assert rows(db_path, "SELECT student_id, type FROM ledger_events"
                " WHERE type = 'REGISTER' ORDER BY id") == [
        (studio["ana"], "REGISTER"), (studio["cid"], "REGISTER")]


def test_a_failed_commit_fails_the_whole_group(ctx, studio, clock, db_path):
    ledger, store = ctx.ledger, ctx.ledger.events.store
    ledger.register(studio["cid"], None, clock())  # the writer's connection exists now
    events_before = rows(db_path, "SELECT COUNT(*) FROM stored_events")
    # A real COMMIT failure: a deferred foreign key that only COMMIT checks.
    with sqlite3.connect(db_path) as conn:
        conn.executescript("CREATE TABLE test_parent (id INTEGER PRIMARY KEY);"
                           "CREATE TABLE test_child (parent INTEGER REFERENCES test_parent(id)"
                           " DEFERRABLE INITIALLY DEFERRED);")
    for conn in store._all:
        conn.execute("PRAGMA foreign_keys = ON")

    def orphan():
        store.current().cursor.execute("INSERT INTO test_child VALUES (7)")

    held = Held(ledger.runner)
    ana = held.submit(ledger.register, studio["ana"], None, clock())
    bad = held.submit(ledger.runner.run, orphan)
    bea = held.submit(ledger.register, studio["bea"], None, clock())
    held.release()

    for call in (ana, bad, bea, held.outcome):
        assert isinstance(call["error"], BusyError), call  # none acknowledged
    assert rows(db_path, "SELECT COUNT(*) FROM stored_events") == events_before
    assert rows(db_path, "SELECT COUNT(*) FROM test_child") == [(0,)]
    assert ledger.events.cache.get(Student.create_id(studio["cid"])) is None
    # The writer goes on: the next command commits.
    assert ledger.register(studio["ana"], None, clock())["credits_available"] == 2


def test_close_drains_the_queue(ctx, studio, clock, db_path):
    runner = ctx.ledger.runner
    held = Held(runner)
    ana = held.submit(ctx.ledger.register, studio["ana"], None, clock())
    cid = held.submit(ctx.ledger.register, studio["cid"], None, clock())
    closing = threading.Thread(target=runner.close)
    closing.start()
    held.release()
    closing.join(30)

    assert not closing.is_alive()
    assert ana["result"]["credits_available"] == 2
    assert cid["result"]["credits_available"] == 0
    with pytest.raises(BusyError):
        runner.run(lambda: None)
    assert rows(db_path, "SELECT COUNT(*) FROM ledger_events WHERE type = 'REGISTER'") == [(2,)]


def test_without_the_write_lock_busy_after_the_attempts_then_the_writer_goes_on(ctx, db_path):
    store = SQLiteStore(db_path, lock_timeout=0.05)
    runner = GroupCommitRunner(store, AggregateCache(), attempts=3, pause=lambda attempt: None)
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        with pytest.raises(BusyError):
            runner.run(lambda: "never decided")
    finally:
        other.execute("ROLLBACK")
        other.close()
    try:
        assert runner.run(lambda: "decided") == "decided"
        assert runner.groups == 1
    finally:
        runner.close()
        store.close()
