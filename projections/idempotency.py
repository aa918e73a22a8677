"""Idempotency-Key support for admin POSTs: look up the first answer, or record it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from tangopass.ledger.errors import IdempotencyKeyReusedError


def request_hash(payload: Any) -> str:
    """A stable fingerprint of the parsed request (key order and spacing do not matter)."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class IdempotentAnswer:
    """The first successful answer, written in the same transaction as its events."""

    endpoint: str
    key: str
    request_hash: str
    status: int
    body: dict
    created_at: str

    def statement(self) -> tuple[str, tuple]:
        """The row, as a statement of the command's one append.

        The command runs with the store's write lock held and looked the key up
        inside it, so a twin request cannot have answered meanwhile; the primary
        key still refuses a second answer if the lock were ever bypassed.
        """
        return (
            "INSERT INTO idempotency_keys (endpoint, key, request_hash, status, body, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (self.endpoint, self.key, self.request_hash, self.status,
             json.dumps(self.body, sort_keys=True), self.created_at),
        )


@dataclass(frozen=True)
class IdempotencyClaim:
    """A request that carried an Idempotency-Key, before it has an answer."""

    endpoint: str
    key: str
    request_hash: str
    status: int
    created_at: str
    queries: Any

    def previous(self) -> dict | None:
        """The first answer to this key, or None; a different request is refused."""
        row = self.queries.idempotent_answer(self.endpoint, self.key)
        if row is None:
            return None
        if row["request_hash"] != self.request_hash:
            raise IdempotencyKeyReusedError(
                f"Idempotency-Key {self.key!r} was already used with a different request"
            )
        return json.loads(row["body"])

    def answer(self, body: dict) -> IdempotentAnswer:
        return IdempotentAnswer(
            self.endpoint, self.key, self.request_hash, self.status, body, self.created_at
        )
