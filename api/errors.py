"""Every refusal becomes the contract's JSON error, in exactly one place."""

from __future__ import annotations

import logging

import falcon

from tangopass.ledger.application import BusyError
from tangopass.ledger.errors import LedgerError

log = logging.getLogger("tangopass")

STATUS_OF_CODE = {
    "VALIDATION_ERROR": 400,
    "INVALID_TOKEN": 401,
    "UNAUTHORIZED": 401,
    "NOT_FOUND": 404,
    "METHOD_NOT_ALLOWED": 405,
    "NO_CREDITS": 409,
    "REGISTRATION_CLOSED": 409,
    "NO_UPCOMING_LESSON": 409,
    "LESSON_NOT_STARTED": 409,
    "LESSON_CLEARED": 409,
    "IDEMPOTENCY_KEY_REUSED": 409,
    "STUDENT_ARCHIVED": 409,
    "CAPACITY_TOO_LOW": 409,
    "PAYLOAD_TOO_LARGE": 413,
    "UNSUPPORTED_MEDIA_TYPE": 415,
    "TOO_MANY_REQUESTS": 429,
    "BUSY": 503,
    "INTERNAL_ERROR": 500,
}

CODE_OF_FALCON_STATUS = {
    400: "VALIDATION_ERROR",
    401: "UNAUTHORIZED",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
}


class ApiError(Exception):
    """A refusal decided at the edge (auth, size, media type, validation)."""

    def __init__(self, code: str, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.headers = headers or {}


def _send(resp: falcon.Response, code: str, message: str, status: int | None = None) -> None:
    resp.status = status or STATUS_OF_CODE[code]
    resp.media = {"error": code, "message": message}
    resp.set_header("Cache-Control", "no-store")


def handle_api_error(req: falcon.Request, resp: falcon.Response, ex: ApiError, params: dict) -> None:
    for name, value in ex.headers.items():
        resp.set_header(name, value)
    _send(resp, ex.code, ex.message)


def handle_ledger_error(req: falcon.Request, resp: falcon.Response, ex: LedgerError, params: dict) -> None:
    _send(resp, ex.code, ex.message)


def handle_busy(req: falcon.Request, resp: falcon.Response, ex: BusyError, params: dict) -> None:
    resp.set_header("Retry-After", "1")
    _send(resp, "BUSY", str(ex))


def handle_http_error(req: falcon.Request, resp: falcon.Response, ex: falcon.HTTPError, params: dict) -> None:
    """Falcon's own refusals (unknown route, wrong verb) in the contract's format."""
    status = ex.status_code
    code = CODE_OF_FALCON_STATUS.get(status, "INTERNAL_ERROR" if status >= 500 else "VALIDATION_ERROR")
    if status == 404:
        message = f"no such route: {req.method} {req.path}"
    elif status == 405:
        message = f"{req.method} is not allowed on {req.path}"
    else:
        message = ex.description or ex.title or "request refused"
    for name, value in (ex.headers or {}).items():
        resp.set_header(name, value)
    _send(resp, code, message, status)


def handle_unexpected(req: falcon.Request, resp: falcon.Response, ex: Exception, params: dict) -> None:
    # The path only: the query string may hold a student's token.
    log.exception("unexpected error on %s %s", req.method, req.path)
    _send(resp, "INTERNAL_ERROR", "unexpected server error; the request was not completed")


def install(app: falcon.App) -> None:
    # Falcon picks the most specific handler for an exception's class.
    app.add_error_handler(Exception, handle_unexpected)
    app.add_error_handler(falcon.HTTPError, handle_http_error)
    app.add_error_handler(LedgerError, handle_ledger_error)
    app.add_error_handler(BusyError, handle_busy)
    app.add_error_handler(ApiError, handle_api_error)
