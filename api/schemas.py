"""Request and response shapes. The same models validate requests and generate
``/openapi.json``, so the document cannot drift from the code."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

import pycountry
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from tangopass.ledger.limits import ADJUST_DELTA, EXTEND_DAYS, LOT_CREDITS
from tangopass.ledger.entries import ENTRY_TYPES

ID_MAX = 2**31 - 1


def _clean_text(value: str) -> str:
    value = value.strip()
    for char in value:
        if unicodedata.category(char) in ("Cc", "Cs"):
            raise ValueError("must not contain control characters (such as NUL or line breaks)")
    if not value:
        raise ValueError("must not be blank")
    return value


def _integral(value: object) -> object:
    """JSON has one number type: 5.0 is the integer 5 (as JSON Schema says); 5.5 is not."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _sane_year(value: datetime) -> datetime:
    if not 2000 <= value.year <= 2100:
        raise ValueError("must be between the years 2000 and 2100")
    return value


# Documents what _clean_text enforces: some visible character, no control characters.
TEXT_PATTERN = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
Name = Annotated[
    str, Field(max_length=100, json_schema_extra={"pattern": TEXT_PATTERN}), AfterValidator(_clean_text)
]
Text = Annotated[
    str, Field(max_length=500, json_schema_extra={"pattern": TEXT_PATTERN}), AfterValidator(_clean_text)
]


def whole(low: int, high: int, **extra: object) -> object:
    """An integer in [low, high]; an integral JSON number such as 5.0 counts."""
    return Annotated[int, Field(ge=low, le=high, **extra), BeforeValidator(_integral)]


Id = whole(1, ID_MAX)
def within(allowed: range, **extra: object) -> object:
    """An integer in the range ``allowed`` (the domain's own limits, ``ledger/limits.py``)."""
    return whole(allowed.start, allowed.stop - 1, **extra)


Credits = within(LOT_CREDITS)
Days = within(EXTEND_DAYS)
Delta = within(ADJUST_DELTA, description=f"±1-{ADJUST_DELTA.stop - 1}, not 0",
               json_schema_extra={"not": {"const": 0}})
Moment = Annotated[
    datetime,
    AfterValidator(_sane_year),
    Field(
        description="ISO 8601, years 2000-2100; without an offset it is read in the studio time zone",
        json_schema_extra={"pattern": r"^(20[0-9]{2}|2100)-"},
    ),
]
Instant = Annotated[
    str,
    Field(
        pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$",
        json_schema_extra={"format": "date-time"},
        examples=["2026-11-24T19:00:00Z"],
    ),
]


class Request(BaseModel):
    """Strict: exact JSON types, no unknown fields."""

    model_config = ConfigDict(extra="forbid", strict=True)


class Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _price(value: str) -> str:
    amount = Decimal(value)
    if amount > PRICE_MAX:
        raise ValueError("must be at most 100000.00")
    return str(amount.quantize(Decimal("0.01")))


def _currency(value: str) -> str:
    if pycountry.currencies.get(alpha_3=value) is None:
        raise ValueError("must be an ISO 4217 currency code, such as EUR or USD")
    return value


def _distinct(values: list[int]) -> list[int]:
    if len(set(values)) != len(values):
        raise ValueError("must not repeat a value")
    return values


PRICE_MAX = Decimal("100000.00")
Months = whole(1, 12)
Price = Annotated[
    str,
    Field(pattern=r"^[0-9]{1,6}(\.[0-9]{1,2})?$", description='"0.00"-"100000.00", up to two decimals',
          examples=["120.00"]),
    AfterValidator(_price),
]
Currency = Annotated[
    str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217", examples=["EUR"]),
    AfterValidator(_currency),
]


# ------------------------------------------------------------------- requests


class LessonChoice(Request):
    lesson_id: Id | None = None


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


class ClearRegistrations(Request):
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


class Error(Answer):
    error: str = Field(examples=["NO_CREDITS"])
    message: str


class Health(Answer):
    ok: bool


class LotView(Answer):
    id: int
    purchased_at: Instant
    expires_at: Instant
    validity_months: int
    credits_total: int
    credits_remaining: int


class Money(Answer):
    amount: str = Field(pattern=r"^-?[0-9]+\.[0-9]{2}$", examples=["120.00"])
    currency: str = Field(examples=["EUR"])


class LotDetail(LotView):
    status: Literal["active", "used", "expired"]
    closed_at: Instant | None = Field(description="when it was used up or expired")
    source: Literal["PURCHASE", "ADJUST"]
    price: Money | None
    note: str | None
    credits_expired: int = Field(description="credits that expired with it")


class LessonView(Answer):
    id: int
    starts_at: Instant
    registration_closes_at: Instant
    title: str | None
    capacity: int | None
    role_balance: int | None
    series_id: int | None
    status: Literal["scheduled", "cleared", "cancelled"]
    registered_count: int
    waitlist_count: int


class StudentRef(Answer):
    id: int
    name: str


class Entry(Answer):
    id: int
    ts: Instant
    type: Literal[ENTRY_TYPES]
    delta_credits: int
    balance_after: int
    ref_lot_id: int | None
    ref_lesson_id: int | None
    ref_event_id: int | None
    note: str | None
    actor: Literal["student", "teacher", "system"]
    lesson_starts_at: Instant | None = Field(description="the start of the lesson it names")


class Status(Answer):
    now: Instant
    student: StudentRef
    credits_available: int
    lots: list[LotDetail]
    past_lots: list[LotDetail] = Field(description="used up or expired in the last 365 days")
    next_lesson: LessonView | None
    registration_open: bool
    registered: bool
    ledger: list[Entry] | None = Field(None, description="present with ?ledger or ?ledger=all")


class Registered(Answer):
    registered: Literal[True]
    lesson_id: int
    consumed_lot_id: int
    credits_available: int


ExpiredOnReturn = Annotated[int, Field(
    ge=0, description="how many of the credits given back went to a lot that had already"
    " expired, so they expired at once (CANCEL then EXPIRE); the others are usable again",
)]


class Cancelled(Answer):
    registered: Literal[False]
    waitlisted: Literal[False] | None = Field(None, description="present when a waitlist place was left")
    lesson_id: int
    credits_available: int
    expired_on_return: ExpiredOnReturn


class StudentCard(Answer):
    id: int
    name: str
    token: str
    link: str


class Purchased(Answer):
    lot: LotView
    credits_available: int


class LessonSet(Answer):
    lesson: LessonView


class LessonCancelled(Answer):
    lesson_id: int
    refunded: int = Field(ge=0, description="credits given back (CANCEL entries)")
    expired_on_return: ExpiredOnReturn


class RegistrationCancelled(Answer):
    cancelled: bool
    credits_available: int
    expired_on_return: ExpiredOnReturn


class Cleared(Answer):
    lesson_id: int
    cleared: int


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


class StudentLesson(Answer):
    id: int
    starts_at: Instant
    status: str
    attendance: Literal["attended", "no_show"] | None
    waitlisted: bool


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
