"""freezegun for the tests whose server reads the real clock.

Under ``freeze_time`` the library's ``datetime.now()`` returns freezegun's ``FakeDatetime``; the
event transcoder knows only ``datetime``. ``accept_fake_datetimes`` registers, on one
application's transcoder and in tests only, a transcoding that writes a ``FakeDatetime``
exactly as the library writes a ``datetime`` (same name, same ISO text), so stored events are
byte-for-byte what production stores. Production code never sees freezegun: it keeps its
injected clock (``tangopass.api.clock.system_now`` by default).
"""

from __future__ import annotations

from datetime import datetime

from eventsourcing.persistence import Transcoding
from freezegun.api import FakeDatetime


class FakeDatetimeAsISO(Transcoding):
    """Encode a ``FakeDatetime`` as the library's ``datetime_iso``; decode to a real datetime."""

    type = FakeDatetime
    name = "datetime_iso"

    def encode(self, obj: datetime) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> datetime:
        return datetime.fromisoformat(data)


def accept_fake_datetimes(application) -> None:
    """Let ``application`` (a TangoPass) store events made under ``freeze_time``."""
    application.mapper.transcoder.register(FakeDatetimeAsISO())
