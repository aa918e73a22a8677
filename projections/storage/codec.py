"""The event codec: domain events to stored bytes and back, the same on every store.

Built on the eventsourcing library's ``Mapper`` and ``JSONTranscoder`` so the
bytes in ``stored_events.state`` stay exactly what the library wrote before
(the hash chain commits to them).
"""

from __future__ import annotations

from functools import lru_cache

from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    Mapper,
    Transcoding,
    UUIDAsHex,
)

from tangopass.ledger.student import Lot, Registration


class LotAsDict(Transcoding):
    type = Lot
    name = "tangopass_lot"

    def encode(self, obj: Lot) -> dict:
        return dict(obj.__dict__)

    def decode(self, data: dict) -> Lot:
        return Lot(**data)


class RegistrationAsDict(Transcoding):
    type = Registration
    name = "tangopass_registration"

    def encode(self, obj: Registration) -> dict:
        return dict(obj.__dict__)

    def decode(self, data: dict) -> Registration:
        return Registration(**data)


TRANSCODINGS: list[Transcoding] = [
    UUIDAsHex(), DecimalAsStr(), DatetimeAsISO(), LotAsDict(), RegistrationAsDict(),
]


def make_mapper() -> Mapper:
    """A new mapper with every transcoding (one per application: a test may add one to its own)."""
    transcoder = JSONTranscoder()
    for transcoding in TRANSCODINGS:
        transcoder.register(transcoding)
    return Mapper(transcoder=transcoder)


@lru_cache(maxsize=1)
def mapper() -> Mapper:
    """A shared mapper for readers (the auditor): ``mapper().to_domain_event(stored)`` decodes."""
    return make_mapper()
