"""Logging that never writes a secret: student tokens and admin tokens are redacted."""

from __future__ import annotations

import logging
import re

from gunicorn.glogging import Logger

SECRETS = [
    (re.compile(r"([?&;](?:t|token)=)[^&\s\"';]+", re.IGNORECASE), r"\1[redacted]"),
    (re.compile(r"(Bearer\s+)\S+", re.IGNORECASE), r"\1[redacted]"),
    (re.compile(r"(X-Admin-Token:\s*)\S+", re.IGNORECASE), r"\1[redacted]"),
]

# Access lines name the path only (%(U)s), never the query string that holds ?t=.
ACCESS_FORMAT = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'


def redact(text: str) -> str:
    for pattern, replacement in SECRETS:
        text = pattern.sub(replacement, text)
    return text


class RedactSecrets(logging.Filter):
    """Rewrites each record's final message with secrets replaced."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, ()
        if record.exc_info and record.exc_text is None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return True


class RedactingLogger(Logger):
    """Gunicorn's logger with the redacting filter on every handler."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        app_log = logging.getLogger("tangopass")
        app_log.setLevel(logging.INFO)
        app_log.propagate = False
        for handler in self.error_log.handlers:
            app_log.addHandler(handler)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.addFilter(RedactSecrets())
