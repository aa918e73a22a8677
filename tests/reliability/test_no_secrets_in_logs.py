"""No student or admin token is ever written to a log."""

import logging

from tangopass.api.logs import RedactSecrets, redact


def record(message: str, *args) -> logging.LogRecord:
    return logging.LogRecord("gunicorn.error", logging.ERROR, __file__, 1, message, args, None)


def test_query_string_tokens_are_redacted():
    assert redact("Invalid request /status?t=SECRET123&ledger=all") == (
        "Invalid request /status?t=[redacted]&ledger=all"
    )
    assert redact("GET /register?ledger&t=SECRET123 HTTP/1.1") == "GET /register?ledger&t=[redacted] HTTP/1.1"


def test_admin_tokens_in_headers_are_redacted():
    assert redact("Authorization: Bearer s3cr3t-admin") == "Authorization: Bearer [redacted]"
    assert redact("X-Admin-Token: s3cr3t-admin") == "X-Admin-Token: [redacted]"


def test_the_filter_rewrites_formatted_messages_and_tracebacks():
    entry = record("Error handling request %s", "/status?t=SECRET123")
    try:
        raise ValueError("bad /cancel?t=SECRET456")
    except ValueError:
        import sys

        entry.exc_info = sys.exc_info()
    RedactSecrets().filter(entry)
    text = logging.Formatter().format(entry)
    assert "SECRET123" not in text and "SECRET456" not in text
    assert "t=[redacted]" in text


def test_an_unexpected_error_is_logged_without_the_query_string(api, caplog, monkeypatch):
    ana = api.add_student("Ana")

    def boom(*args, **kwargs):
        raise RuntimeError("simulated fault")

    monkeypatch.setattr("tangopass.projections.queries.Queries.status", boom)
    with caplog.at_level(logging.ERROR, logger="tangopass"):
        result = api.status(ana["token"])
    assert result.status_code == 500 and result.json["error"] == "INTERNAL_ERROR"
    assert "GET /status" in caplog.text and ana["token"] not in caplog.text
