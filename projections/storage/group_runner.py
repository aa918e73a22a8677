"""Group commit on SQLite: one writer per database per process, one COMMIT per group.

A drop-in for :class:`~tangopass.projections.storage.runner.CommandRunner`
(same ``run(command, idempotency)``), selected with ``TANGOPASS_GROUP_COMMIT=1``.
Request threads queue their commands and wait; ONE writer thread opens a
``BEGIN IMMEDIATE`` transaction (after the cross-worker ``flock``, when there is
one), then runs queued commands one after another, each in its own
``SAVEPOINT``, taking commands that arrive meanwhile, up to ``max_group``; then
it commits once and only then answers every command of the group: one fsync
for many commands.

Safety rules (each one tested in tests/integration/test_group_commit.py):

- A command decides only inside the group's transaction, i.e. with the write
  lock held, on aggregates loaded there (cache + the events after its version).
- A command that fails (version conflict, projector error, anything but a
  domain refusal) rolls back to its savepoint, its after-commit hooks are
  dropped and so is the whole aggregate cache; a version conflict runs again in
  a later group (bounded by ``attempts``), any other error is its answer.
- A domain refusal (:class:`LedgerError`) releases its savepoint, so the lazy
  expiry it wrote stays, and is raised to its caller after COMMIT.
- A failed COMMIT fails the whole group: nothing of it is stored, every caller
  gets :class:`BusyError`, none is acknowledged; the cache is cleared. A BEGIN
  that cannot get the write lock is tried again (``attempts`` times, backing off),
  then every queued command gets :class:`BusyError`.
- ``close()`` stops taking commands and lets the writer drain the queue.

Optimistic concurrency stays the truth: the events' UNIQUE (id, version).
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections import deque
from collections.abc import Callable
from typing import Any, TypeVar

from tangopass.ledger.errors import BusyError, LedgerError
from tangopass.projections.storage.port import Store, StoreBusy, VersionConflict
from tangopass.projections.storage.runner import ATTEMPTS, _backoff

T = TypeVar("T")
MAX_GROUP = 64


class _Job:
    __slots__ = ("command", "idempotency", "attempt", "result", "error", "done")

    def __init__(self, command: Callable[[], Any], idempotency: Any):
        self.command = command
        self.idempotency = idempotency
        self.attempt = 0
        self.result: Any = None
        self.error: BaseException | None = None
        self.done = threading.Event()

    def answer(self, error: BaseException | None = None) -> None:
        if error is not None:
            self.error = error
        self.done.set()


class GroupCommitRunner:
    def __init__(self, store: Store, cache: Any, *, attempts: int = ATTEMPTS,
                 lock_path: str | None = None, max_group: int = MAX_GROUP,
                 pause: Callable[[int], None] | None = None):
        self.store = store
        self.cache = cache
        self.attempts = attempts
        self.max_group = max_group
        self._lock_file = open(lock_path, "a") if lock_path else None  # noqa: SIM115
        self._jobs: deque[_Job] = deque()
        self._cond = threading.Condition()
        self._closed = False
        self._writer: threading.Thread | None = None
        self._pid = os.getpid()
        self.groups = 0  # groups committed (tests and benches read it)
        self._failed_begins = 0
        self.pause = pause or _backoff

    def run(self, command: Callable[[], T], idempotency: Any = None) -> T:
        """Queue ``command``; its result (after COMMIT), its refusal, or BusyError."""
        job = _Job(command, idempotency)
        with self._cond:
            if self._closed:
                raise BusyError("the ledger is closing; please retry")
            if threading.current_thread() is self._writer:
                raise RuntimeError("a command cannot run another command")
            self._start_writer()
            self._jobs.append(job)
            self._cond.notify()
        job.done.wait()
        if job.error is not None:
            raise job.error
        return job.result

    def close(self) -> None:
        """Take no more commands, answer every queued one, stop the writer."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
            writer = self._writer
        if writer is not None and writer is not threading.current_thread():
            writer.join()
        if self._lock_file is not None:
            self._lock_file.close()
            self._lock_file = None

    # ------------------------------------------------------------ the writer

    def _start_writer(self) -> None:
        # Lazily, and again in a forked child: threads do not survive fork().
        if self._writer is None or self._pid != os.getpid():
            self._pid = os.getpid()
            self._writer = threading.Thread(target=self._serve, name="tangopass-writer",
                                            daemon=True)
            self._writer.start()

    def _serve(self) -> None:
        while True:
            with self._cond:
                while not self._jobs and not self._closed:
                    self._cond.wait()
                if not self._jobs:
                    return  # closed and drained
            self._group()

    def _next(self) -> _Job | None:
        with self._cond:
            return self._jobs.popleft() if self._jobs else None

    def _group(self) -> None:
        ran: list[_Job] = []  # savepoint released: answered after COMMIT
        again: list[_Job] = []  # version conflict: a later group runs it again
        began = False
        try:
            with self._file_lock(), self.store.write() as tx:
                began = True
                while len(ran) + len(again) < self.max_group:
                    job = self._next()
                    if job is None:
                        break
                    ran.append(job)  # answered after COMMIT unless _one drops it
                    if not self._one(tx, job, again):
                        ran.pop()
        except BaseException as ex:  # BEGIN or COMMIT failed: none of the group is stored
            self.cache.clear()
            reason = ex if isinstance(ex, StoreBusy) else repr(ex)
            for job in ran:
                job.answer(BusyError(f"the ledger could not commit; please retry ({reason})"))
            if not began:
                self._could_not_begin()
        else:
            self.groups += 1
            self._failed_begins = 0
            for job in ran:
                job.answer()
        if again:
            with self._cond:
                self._jobs.extendleft(reversed(again))

    def _could_not_begin(self) -> None:
        """No write lock (busy past the timeout, or the file unusable): wait, at most ``attempts`` times."""
        self._failed_begins += 1
        if self._failed_begins < self.attempts:
            self.pause(self._failed_begins)
            return
        self._failed_begins = 0
        with self._cond:
            waiting = list(self._jobs)
            self._jobs.clear()
        for job in waiting:
            job.answer(BusyError("the ledger is busy; please retry"))

    def _one(self, tx: Any, job: _Job, again: list[_Job]) -> bool:
        """Run ``job`` in its savepoint; False when it was rolled back (answered or queued again)."""
        cursor = tx.cursor
        hooks = len(tx.after_commit)
        cursor.execute("SAVEPOINT command")
        try:
            previous = job.idempotency.previous() if job.idempotency is not None else None
            job.result = previous if previous is not None else job.command()
        except LedgerError as refusal:
            job.error = refusal  # keep what it appended (its lazy expiry)
        except BaseException as ex:
            cursor.execute("ROLLBACK TO command")
            cursor.execute("RELEASE command")
            del tx.after_commit[hooks:]
            self.cache.clear()
            job.attempt += 1
            if isinstance(ex, (VersionConflict, StoreBusy)):
                if job.attempt < self.attempts:
                    again.append(job)
                else:
                    job.answer(BusyError("the ledger is busy; please retry"))
            else:
                job.answer(ex)  # its writes are gone whatever the group does
            return False
        cursor.execute("RELEASE command")
        return True

    def _file_lock(self):
        return _FileLock(self._lock_file)


class _FileLock:
    """``flock`` on ``<db>.lock`` around a group (the kernel drops it if the worker dies)."""

    def __init__(self, file: Any):
        self.file = file

    def __enter__(self) -> None:
        if self.file is not None:
            fcntl.flock(self.file, fcntl.LOCK_EX)

    def __exit__(self, *exc: Any) -> None:
        if self.file is not None:
            fcntl.flock(self.file, fcntl.LOCK_UN)
