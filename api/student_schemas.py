"""What the student's link sends and receives (contract part 1: status, register, cancel).

The lesson-related answers of the week (``StudentStatus``, ``Registration``) extend these in
``week_schemas.py``; shared parts are in ``schemas.py``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from tangopass.api.schemas import (
    Answer, Entry, ExpiredOnReturn, Id, Instant, LessonView, LotDetail, Request,
)


class LessonChoice(Request):
    lesson_id: Id | None = None


class StudentRef(Answer):
    id: int
    name: str


class Status(Answer):
    now: Instant
    student: StudentRef
    credits_available: int
    lots: list[LotDetail]
    past_lots: list[LotDetail] = Field(description="used up or expired in the last 365 days")
    next_lesson: LessonView | None
    registration_open: bool
    registered: bool
    time_zone: str = Field(description="the studio's IANA time zone (TANGOPASS_TZ): pages show"
                           " lesson times and cut-offs on its wall clock, wherever the device is")
    ledger: list[Entry] | None = Field(None, description="present with ?ledger or ?ledger=all")


class Cancelled(Answer):
    registered: Literal[False]
    waitlisted: Literal[False] | None = Field(None, description="present when a waitlist place was left")
    lesson_id: int
    credits_available: int
    expired_on_return: ExpiredOnReturn
