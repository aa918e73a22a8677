"""The server's read-model queries, on D1.

The very SQL of :class:`tangopass.projections.queries.Queries`; only the
connection differs. D1 has no read transaction to open, so the statements of
one view are separate reads (each a round trip) rather than one snapshot: a
view drawn while a command commits may mix before and after (the server's
SQLite reads never do). Commands do not rely on it: their writes are
version-checked.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from tangopass.projections.queries import Queries
from tangopass.worker.d1 import D1, D1Cursor


class D1Queries(Queries):
    def __init__(self, d1: D1):
        super().__init__(db_path=":d1:")
        self.d1 = d1

    @contextmanager
    def snapshot(self) -> Iterator[D1Cursor]:  # type: ignore[override]
        cursor = D1Cursor(self.d1)
        try:
            yield cursor
        finally:
            cursor.close()

    def close(self) -> None:
        pass
