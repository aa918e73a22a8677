"""Shapes both sides of the HTTP contract share, and the ranges they are built from.

Field types (``Id``, ``Credits``, ``Days``, ``Delta``, ``Moment``, ``Instant``, ``Name``,
``Text``, ``Price``, ``Currency``) take their ranges from the domain's ``ledger/limits.py``;
``Request`` is strict, ``Answer`` lists exactly what is sent. The answer parts both the
student's and the teacher's pages show (lots, lessons, ledger entries, errors) live here too.
By role: ``student_schemas.py``, ``teacher_schemas.py``, ``week_schemas.py``. The same models
validate requests and generate ``/openapi.json``, so the document cannot drift from the code.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

import pycountry
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from tangopass.ledger.entries import ENTRY_TYPES
from tangopass.ledger.limits import ADJUST_DELTA, EXTEND_DAYS, LOT_CREDITS

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


# ------------------------------------------------------- answer parts shared


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


ExpiredOnReturn = Annotated[int, Field(
    ge=0, description="how many of the credits given back went to a lot that had already"
    " expired, so they expired at once (CANCEL then EXPIRE); the others are usable again",
)]


# The teacher's student page lists these. It stays in this module on purpose: the week's
# StudentLesson shares its name, so the OpenAPI document names both by their module
# ("tangopass__api__schemas__StudentLesson"), and moving it would rename a component.
class StudentLesson(Answer):
    id: int
    starts_at: Instant
    status: str
    attendance: Literal["attended", "no_show"] | None
    waitlisted: bool
