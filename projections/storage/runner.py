"""The command runner: one write transaction per command, bounded retries, optional locks.

The application hands every command to :meth:`CommandRunner.run` as a
function of no arguments. The runner opens the store's write transaction
(the write lock is held before the command reads anything), runs the command
inside it, and commits once. On a version conflict or a busy store it rolls
back, drops every cached aggregate, waits a little and runs the whole command
again, at most ``attempts`` times, then raises :class:`BusyError`. A domain
refusal (:class:`LedgerError`) commits what the command appended before
refusing (the lazy expiry it settled: a fact of time) and is then raised.
Any other error rolls everything back.

Two locks make collisions rare rather than correct: a thread lock (commands
of one process queue instead of polling SQLite's busy handler) and, on a
SQLite file shared by worker processes, an advisory ``flock`` on
``<db>.lock`` (the kernel drops it if a worker dies). The version check
decides either way; both are optional.
"""

from __future__ import annotations

import fcntl
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from typing import Any, TypeVar

from tangopass.ledger.errors import BusyError, LedgerError
from tangopass.projections.storage.port import Store, StoreBusy, VersionConflict

T = TypeVar("T")
ATTEMPTS = 30


class CommandRunner:
    def __init__(self, store: Store, cache: Any, *, attempts: int = ATTEMPTS,
                 lock_path: str | None = None,
                 pause: Callable[[int], None] | None = None):
        self.store = store
        self.cache = cache
        self.attempts = attempts
        self._thread_lock = threading.Lock()
        self._lock_file = open(lock_path, "a") if lock_path else None  # noqa: SIM115
        self.pause = pause or _backoff

    def run(self, command: Callable[[], T], idempotency: Any = None) -> T:
        """Run ``command`` in one transaction; its result, the stored answer, or a refusal."""
        for attempt in range(self.attempts):
            try:
                with self._thread_lock, self._file_lock():
                    return self._once(command, idempotency)
            except (VersionConflict, StoreBusy):
                self.cache.clear()
                self.pause(attempt)
            except BaseException:
                self.cache.clear()
                raise
        raise BusyError("the ledger is busy; please retry")

    def _once(self, command: Callable[[], T], idempotency: Any) -> T:
        refusal: LedgerError | None = None
        with self.store.write():
            if idempotency is not None:
                # Looked up under the write lock: a twin request that won the
                # race has stored its answer, and this one answers the same.
                previous = idempotency.previous()
                if previous is not None:
                    return previous
            try:
                result = command()
            except LedgerError as ex:
                refusal = ex  # leave the block normally: commit what was appended
        if refusal is not None:
            raise refusal
        return result

    @contextmanager
    def _file_lock(self) -> Iterator[None]:
        if self._lock_file is None:
            with nullcontext():
                yield
            return
        fcntl.flock(self._lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(self._lock_file, fcntl.LOCK_UN)

    def close(self) -> None:
        if self._lock_file is not None:
            self._lock_file.close()
            self._lock_file = None


def _backoff(attempt: int) -> None:
    time.sleep(random.uniform(0, min(0.2, 0.005 * 2**attempt)))
