"""Run the server's projectors into one D1 batch.

The projectors write through a DB-API cursor and, today, read a few values back
in the middle of an append (a student's row id by aggregate, the journal id an
OLDEST marker names). D1 cannot read inside a batch, so this cursor answers
those reads without a round trip:

- a scalar ``SELECT`` becomes a :class:`Deferred`, which a later statement binds
  as a subselect, evaluated by D1 inside the batch at that statement;
- journal ids (``ledger_events.id``) are assigned here, in order from the id
  SQLite would assign next (``MAX(id) + 1``, no deletes), so an OLDEST marker
  names ids of entries written earlier in the same batch, and a concurrent
  writer collides on the id (the append-only trigger refuses it: a conflict).

The rows written are the same as on SQLite. This bridge exists until the
projectors stop reading back mid-append (DESIGN.md section 11).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from tangopass.worker.d1 import Statement

NEXT_ENTRY_ID = "SELECT COALESCE(MAX(id), 0) + 1 FROM ledger_events"
ENTRY_BY_SEQ = "SELECT id FROM ledger_events WHERE student_id = ? AND seq = ?"
JOURNAL_INSERT = "INSERT INTO ledger_events ("


@dataclass(frozen=True)
class Deferred:
    """A scalar read, evaluated by D1 where it is bound: ``(SELECT …)``."""

    sql: str
    params: tuple


def inline(sql: str, params: Sequence[Any]) -> tuple[str, list[Any]]:
    """Replace each ``?`` bound to a Deferred by its subselect (quotes respected)."""
    if not any(isinstance(p, Deferred) for p in params):
        return sql, list(params)
    out, values, index, quote = [], [], 0, None
    for ch in sql:
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "?":
            value = params[index]
            index += 1
            if isinstance(value, Deferred):
                inner, inner_params = inline(value.sql, value.params)
                out.append(f"({inner})")
                values.extend(inner_params)
                continue
            values.append(value)
        out.append(ch)
    if index != len(params):
        raise ValueError(f"{len(params)} parameters for {index} placeholders: {sql}")
    return "".join(out), values


class BatchCursor:
    """Collects the statements of one append; see the module docstring."""

    def __init__(self, next_entry_id: int):
        self.statements: list[Statement] = []
        self.next_entry_id = next_entry_id
        self.entries: dict[tuple[Any, int], int] = {}
        self.lastrowid: int | None = None
        self._row: tuple | None = None

    def execute(self, sql: str, params: Sequence[Any] = ()) -> BatchCursor:
        text = " ".join(sql.split())
        if text.upper().startswith("SELECT"):
            self._row = (self._read(text, tuple(params)),)
            return self
        params = list(params)
        if text.startswith(JOURNAL_INSERT):
            entry_id = self.next_entry_id
            self.next_entry_id += 1
            # (student_id, seq, …) are the journal insert's first two values.
            self.entries[(params[0], params[1])] = entry_id
            text = text.replace(JOURNAL_INSERT, JOURNAL_INSERT + "id, ", 1)
            text = text.replace("VALUES (", "VALUES (?, ", 1)
            params = [entry_id, *params]
            self.lastrowid = entry_id
        self.statements.append(inline(text, params))
        return self

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> BatchCursor:
        for params in rows:
            self.execute(sql, params)
        return self

    def fetchone(self) -> tuple | None:
        row, self._row = self._row, None
        return row

    def _read(self, sql: str, params: tuple) -> Any:
        if sql == NEXT_ENTRY_ID:
            return self.next_entry_id
        if sql == ENTRY_BY_SEQ and (params[0], params[1]) in self.entries:
            return self.entries[(params[0], params[1])]
        return Deferred(sql, params)
