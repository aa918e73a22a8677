"""What the teacher's desk sends and receives: the ``/admin/*`` commands and pages.

Each request model is one command (``admin_routes.COMMANDS`` names them); the week's
commands are in ``week_schemas.py``, shared parts in ``schemas.py``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BeforeValidator, Field, model_validator

from tangopass.api.schemas import (
    Answer, Credits, Currency, Days, Delta, Entry, ExpiredOnReturn, Id, Instant, LessonView,
    LotDetail, LotView, Moment, Money, Months, Name, Price, Request, StudentLesson, Text,
    _integral, whole,
)


def _distinct(values: list[int]) -> list[int]:
    if len(set(values)) != len(values):
        raise ValueError("must not repeat a value")
    return values


# ------------------------------------------------------------------- requests


class AddStudent(Request):
    name: Name = Field(description="1-100 characters, trimmed, not blank")


class AddPurchase(Request):
    student_id: Id
    credits: Credits
    validity_months: Months = Field(description="one of the settings' validity_options")
    purchased_at: Moment | None = Field(None, description="not in the future (60 s of skew allowed)")
    note: Text | None = Field(None, description="shown to the student")
    price: Price | None = Field(None, description="in the studio's currency (settings)")


class SetNextLesson(Request):
    starts_at: Moment = Field(description="in the future")


class CancelLesson(Request):
    lesson_id: Id


class CancelRegistration(Request):
    student_id: Id
    lesson_id: Id | None = None


class ExtendValidity(Request):
    days: Days


class Adjust(Request):
    student_id: Id
    delta: Delta
    reason: Text
    validity_months: Annotated[Literal[1, 3], BeforeValidator(_integral)] | None = Field(
        None, description="only for a positive delta"
    )

    @model_validator(mode="after")
    def _check(self) -> Adjust:
        if self.delta == 0:
            raise ValueError("delta must not be 0")
        if self.delta < 0 and self.validity_months is not None:
            raise ValueError("validity_months applies only to a positive delta")
        return self


class RotateToken(Request):
    student_id: Id


class RenameStudent(Request):
    student_id: Id
    name: Name = Field(description="1-100 characters, trimmed, not blank")


class ArchiveStudent(Request):
    student_id: Id
    archived: bool


class ExtendLot(Request):
    lot_id: Id
    days: Days
    reason: Text = Field(description="shown to the student")


class ChangeSettings(Request):
    """Only the fields given change; the answer is the whole settings object."""

    studio_name: Name | None = None
    window_hours: whole(0, 72) | None = None
    validity_options: Annotated[
        list[Months], Field(min_length=1, max_length=6), AfterValidator(_distinct)
    ] | None = Field(None, description="1-6 distinct values of 1-12")
    currency: Currency | None = Field(
        None, description="changeable only while no purchase has a price"
    )
    default_capacity: whole(1, 500) | None = Field(None, description="null = no limit")

    @model_validator(mode="after")
    def _check(self) -> ChangeSettings:
        for name in ("studio_name", "window_hours", "validity_options", "currency"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} must not be null")
        return self


# ------------------------------------------------------------------- answers


class StudentCard(Answer):
    id: int
    name: str
    token: str
    link: str


class Purchased(Answer):
    lot: LotView
    credits_available: int


class RegistrationCancelled(Answer):
    cancelled: bool
    credits_available: int
    expired_on_return: ExpiredOnReturn


class Extended(Answer):
    extended_lots: int


class Adjusted(Answer):
    credits_available: int


class ListedStudent(Answer):
    id: int
    name: str
    token: str
    link: str
    credits_available: int
    registered_next: bool
    next_expiry: Instant | None
    archived: bool


class ListedRegistration(Answer):
    student_id: int
    name: str
    lesson_id: int
    registered_at: Instant
    consumed_lot_id: int


class Overview(Answer):
    students: list[ListedStudent]
    next_lesson: LessonView | None
    registrations: list[ListedRegistration]


class StudentLedger(Answer):
    student_id: int
    ledger: list[Entry]


class StudentInfo(Answer):
    id: int
    name: str
    link: str
    archived: bool
    created_at: Instant


class StudentPage(Answer):
    student: StudentInfo
    credits_available: int
    lots: list[LotDetail]
    lessons: list[StudentLesson]
    ledger: list[Entry]


class ArchiveChanged(Answer):
    student_id: int
    archived: bool
    refunded: int
    expired_on_return: ExpiredOnReturn


class LotExtended(Answer):
    lot: LotView


class Report(Answer):
    month: str = Field(pattern=r"^[0-9]{4}-[0-9]{2}$")
    passes_sold: int
    credits_sold: int
    revenue: Money
    credits_adjusted: int
    credits_booked: int
    credits_used: int
    credits_expired: int
    credits_outstanding: int
    lessons_held: int
    attendances: int
    no_shows: int


class SettingsView(Answer):
    studio_name: str
    window_hours: int
    validity_options: list[int]
    currency: str
    default_capacity: int | None
    time_zone: str = Field(description="TANGOPASS_TZ, read-only")
