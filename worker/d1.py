"""D1 from synchronous Python: one round trip per call, through Pyodide's ``run_sync``.

The application and Falcon are synchronous; D1's API returns promises. Inside a
Worker's async ``fetch`` (and the SDK's WSGI adapter), ``run_sync`` suspends the
WebAssembly stack until the promise settles (JSPI), so a query reads like a
blocking call. Values: ``None`` binds as SQL NULL, ``bytes`` as a BLOB; BLOBs
come back as lists of ints (D1's JSON), which :func:`as_bytes` turns back.

D1 has no interactive transactions: a write is one :meth:`D1.batch`, atomic
(any failing statement, a UNIQUE key or a trigger's ``RAISE(ABORT)``, rolls the
whole batch back).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

Statement = tuple[str, Sequence[Any]]


class D1Error(Exception):
    """D1 refused a statement; ``str()`` is D1's message."""


class D1:
    """One D1 database binding (``env.DB``), raw or wrapped by the Workers SDK."""

    def __init__(self, binding: Any):
        self.binding = getattr(binding, "_binding", binding)

    def _prepare(self, sql: str, params: Sequence[Any]) -> Any:
        statement = self.binding.prepare(sql)
        return statement.bind(*[_to_js(value) for value in params]) if params else statement

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Rows of one statement, as dicts by column name."""
        result = _wait(self._prepare(sql, params).all())
        return _rows(result)

    def batch(self, statements: Sequence[Statement]) -> list[list[dict[str, Any]]]:
        """Run every statement in one atomic batch; the rows of each."""
        from pyodide.ffi import to_js

        prepared = to_js([self._prepare(sql, params) for sql, params in statements])
        return [_rows(result) for result in _wait(self.binding.batch(prepared))]


def _wait(promise: Any) -> Any:
    from pyodide.ffi import JsException, run_sync

    try:
        return run_sync(promise)
    except JsException as error:
        raise D1Error(str(error)) from None


def _to_js(value: Any) -> Any:
    from pyodide.ffi import jsnull, to_js

    if value is None:
        return jsnull
    if isinstance(value, (bytes, bytearray, memoryview)):
        return to_js(bytes(value))  # a Uint8Array: D1 stores it as a BLOB
    if isinstance(value, bool):
        return int(value)
    return value


def _rows(result: Any) -> list[dict[str, Any]]:
    from pyodide.ffi import jsnull

    rows = result.results
    if rows is None or rows is jsnull:
        return []
    # SQL NULL arrives as JavaScript null, which Pyodide keeps as ``jsnull``, not None.
    return [
        {name: None if value is jsnull else value for name, value in row.items()}
        for row in rows.to_py()
    ]


def as_bytes(value: Any) -> bytes:
    """A BLOB as D1 returns it (a list of ints, or an ArrayBuffer proxy) as bytes."""
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if hasattr(value, "to_py"):
        value = value.to_py()
    if isinstance(value, memoryview):
        return value.tobytes()
    return bytes(value)


class Row:
    """A row that reads like ``sqlite3.Row``: by index, by name, and ``dict(row)``."""

    __slots__ = ("_values", "_names")

    def __init__(self, mapping: dict[str, Any]):
        self._names = list(mapping)
        self._values = list(mapping.values())

    def keys(self) -> list[str]:
        return self._names

    def __getitem__(self, key: int | str) -> Any:
        if isinstance(key, int):
            return self._values[key]
        return self._values[self._names.index(key)]

    def __len__(self) -> int:
        return len(self._values)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)


class D1Cursor:
    """Enough of a DB-API cursor for the read models: each ``execute`` is one query."""

    def __init__(self, d1: D1):
        self.d1 = d1
        self._rows: list[Row] = []

    def execute(self, sql: str, params: Sequence[Any] = ()) -> D1Cursor:
        self._rows = [Row(row) for row in self.d1.query(sql, params)]
        return self

    def fetchone(self) -> Row | None:
        return self._rows.pop(0) if self._rows else None

    def fetchall(self) -> list[Row]:
        rows, self._rows = self._rows, []
        return rows

    def __iter__(self) -> Iterator[Row]:
        return iter(self.fetchall())

    def close(self) -> None:
        self._rows = []
