"""The small hierarchy of refusals the domain can raise."""


class LedgerError(Exception):
    """A command was refused by a rule; nothing it would have written is kept."""

    code = "LEDGER_ERROR"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NoCreditsError(LedgerError):
    """No unexpired credit is left to take."""

    code = "NO_CREDITS"


class RegistrationClosedError(LedgerError):
    """The registration window of the lesson has closed."""

    code = "REGISTRATION_CLOSED"


class NoUpcomingLessonError(LedgerError):
    """There is no lesson to register for."""

    code = "NO_UPCOMING_LESSON"


class LessonNotStartedError(LedgerError):
    """A lesson cannot be cleared before it has begun."""

    code = "LESSON_NOT_STARTED"


class LessonClearedError(LedgerError):
    """The lesson is already cleared or cancelled."""

    code = "LESSON_CLEARED"


class NotFoundError(LedgerError):
    """An id names no student or lesson."""

    code = "NOT_FOUND"


class InvalidTermsError(LedgerError):
    """A value is outside what the rules allow (checked again inside the domain)."""

    code = "VALIDATION_ERROR"


class IdempotencyKeyReusedError(LedgerError):
    """The same Idempotency-Key came with a different request."""

    code = "IDEMPOTENCY_KEY_REUSED"


class StudentArchivedError(LedgerError):
    """A command names an archived student (unarchive first)."""

    code = "STUDENT_ARCHIVED"


class CapacityTooLowError(LedgerError):
    """A capacity below the number already registered."""

    code = "CAPACITY_TOO_LOW"


class BusyError(Exception):
    """The command kept colliding with concurrent writes; the client may retry."""
