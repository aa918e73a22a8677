"""Checks at the edge, in the contract's order: 401, 413, 415, 400.

Nothing the client sends about credits or balances is trusted; every body is
read with a size limit and validated strictly before any command runs.
"""

from __future__ import annotations

import hmac
from datetime import datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

import falcon
from pydantic import BaseModel, ValidationError

from tangopass.api.errors import ApiError
from tangopass.ledger.instants import to_second

BODY_LIMIT = 64 * 1024

M = TypeVar("M", bound=BaseModel)


def admin_token_of(req: falcon.Request) -> str | None:
    auth = req.get_header("Authorization") or ""
    scheme, _, value = auth.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return req.get_header("X-Admin-Token")


def check_admin(req: falcon.Request, admin_token: str) -> None:
    given = admin_token_of(req)
    # Constant time, on bytes, so neither timing nor odd encodings tell anything.
    if not given or not admin_token or not hmac.compare_digest(
        given.encode("utf-8", "surrogateescape"), admin_token.encode()
    ):
        raise ApiError("UNAUTHORIZED", "a valid admin token is required (Authorization: Bearer …)")


def single_param(req: falcon.Request, name: str) -> str | None:
    """A query parameter given at most once; a repeated one is a malformed request."""
    value = req.params.get(name)
    if isinstance(value, list):
        raise ApiError("VALIDATION_ERROR", f"query parameter '{name}' must be given once")
    return value


def read_body(req: falcon.Request) -> bytes:
    """The raw body, at most 64 KiB (413 beyond that, before reading it all)."""
    length = req.content_length
    if length is not None and length > BODY_LIMIT:
        raise ApiError("PAYLOAD_TOO_LARGE", f"the body is {length} bytes; the limit is {BODY_LIMIT}")
    data = req.bounded_stream.read(BODY_LIMIT + 1)
    if len(data) > BODY_LIMIT:
        raise ApiError("PAYLOAD_TOO_LARGE", f"the body is over the limit of {BODY_LIMIT} bytes")
    return data


def parse_body(req: falcon.Request, model: type[M], *, required: bool = True) -> M:
    """Read, type-check and validate a JSON body against ``model``."""
    data = read_body(req)
    if not data.strip():
        if required:
            raise ApiError("VALIDATION_ERROR", "a JSON object body is required")
        return model()
    media_type = (req.content_type or "").split(";")[0].strip().lower()
    if media_type != "application/json":
        raise ApiError(
            "UNSUPPORTED_MEDIA_TYPE",
            f"the body must be application/json, not {media_type or 'unlabelled'}",
        )
    try:
        return model.model_validate_json(data)
    except ValidationError as ex:
        raise ApiError("VALIDATION_ERROR", describe(ex)) from None


def describe(ex: ValidationError) -> str:
    """One human sentence per problem, naming the field."""
    parts = []
    for error in ex.errors(include_url=False)[:5]:
        field = ".".join(str(p) for p in error["loc"])
        message = error["msg"]
        if error["type"] == "extra_forbidden":
            message = "is not a known field"
        elif message.startswith("Value error, "):
            message = message.removeprefix("Value error, ")
        parts.append(f"{field}: {message}" if field else message)
    return "; ".join(parts)


def localize(moment: datetime, tz: ZoneInfo) -> datetime:
    """An input without an offset is read in the studio time zone."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return to_second(moment)
