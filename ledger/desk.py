"""The teacher's desk: settings, renaming, archiving, one lot's extension.

A mixin of the application (``TangoPass``): the same machinery (``_retrying``,
``_student``, ``save`` with an idempotency answer), one verb method per command,
each returning plain values. Nothing here reads the clock: ``now`` comes in.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tangopass.ledger.errors import NotFoundError
from tangopass.ledger.instants import iso
from tangopass.ledger.lesson import Lesson
from tangopass.ledger.places import promote
from tangopass.ledger.student import TEACHER, Lot, give_back
from tangopass.ledger.studio import Studio, StudioSettings


def lot_terms(lot: Lot) -> dict:
    """The lot as the API shows it after a change of its terms."""
    return {
        "id": lot.id,
        "purchased_at": iso(lot.purchased_at),
        "expires_at": iso(lot.expires_at),
        "validity_months": lot.validity_months,
        "credits_total": lot.credits_total,
        "credits_remaining": lot.remaining,
    }


class TeachersDesk:
    """Commands of the teacher's desk (mixed into ``TangoPass``)."""

    # ---------------------------------------------------------------- settings

    def default_settings(self) -> StudioSettings:
        """What is in force before the teacher changes anything (window from the environment)."""
        return StudioSettings(window_hours=self.terms.window_hours)

    def _studio(self) -> Studio | None:
        return self.events.load(Studio.create_id())

    def settings_in_force(self) -> StudioSettings:
        """The settings commands use now (issue 12's addLesson/addSeries read this too)."""
        studio = self._studio()
        return self.default_settings() if studio is None else studio.settings

    def _open_studio(self, now: datetime) -> Studio:
        studio = self._studio()
        return Studio.open(self.default_settings(), now) if studio is None else studio

    def change_settings(self, changes: dict, now: datetime, idempotency: Any = None) -> dict:
        """Record a change of settings (only the fields given); answer all of them.

        Raises InvalidTermsError (400) when the currency changes after a priced purchase.
        """

        def command() -> dict:
            studio = self._open_studio(now)
            body = studio.change(changes, now).as_dict()
            self.save(studio, idempotency=_bound(idempotency, body))
            return body

        return self._retrying(command, idempotency)

    def _lock_currency_if_priced(self, price: str | None, now: datetime) -> tuple[list, str | None]:
        """The studio to save with a priced purchase, and the currency the price is in."""
        if price is None:
            return [], None
        studio = self._open_studio(now)
        studio.lock_currency(now)
        return ([studio] if studio.pending_events else []), studio.settings.currency

    # ---------------------------------------------------------------- students

    def rename_student(self, student_id: int, name: str, now: datetime, idempotency: Any = None) -> dict:
        def command() -> dict:
            student = self._student(student_id, now)
            student.rename(name, now)
            body = {"id": student.number, "name": student.name, "token": student.token}
            self.save(student, idempotency=_bound(idempotency, body))
            return body

        return self._retrying(command, idempotency)

    def archive_student(
        self, student_id: int, archived: bool, now: datetime, idempotency: Any = None
    ) -> dict:
        """Archive (cancelling registrations for lessons not started, credits back) or unarchive."""

        def command() -> dict:
            touched = self._touched(now)
            student = touched.get(student_id)
            lessons: list[Lesson] = []
            refunded = expired = 0
            if archived and student.set_archived(True, now):
                for registration in list(student.registrations):
                    lesson = self._lesson(registration.lesson_id)
                    if lesson.has_begun(now) or lesson.status != "scheduled":
                        continue
                    expired += give_back([student], lesson.number, now, TEACHER)[1]
                    lesson.release(student.number, now, TEACHER)
                    promote(lesson, now, touched)  # the freed place goes to the line
                    lessons.append(lesson)
                    refunded += 1
                for number in self.queries.waitlisted_lessons(student.number):
                    lesson = self._lesson(number)
                    if lesson.leave_waitlist(student.number, "archived", now, TEACHER):
                        lessons.append(lesson)
            elif not archived:
                student.set_archived(False, now)
            body = {"student_id": student.number, "archived": archived, "refunded": refunded,
                    "expired_on_return": expired}
            self.save(*touched.all(), *lessons, idempotency=_bound(idempotency, body))
            return body

        return self._retrying(command, idempotency)

    def extend_lot(
        self, lot_id: int, days: int, reason: str, now: datetime, idempotency: Any = None
    ) -> dict:
        """Move one lot by N days with a reason. NotFoundError for an unknown lot."""

        def command() -> dict:
            owner = self.queries.lot_owner(lot_id)
            if owner is None:
                raise NotFoundError(f"no lot with id {lot_id}")
            student = self._student(owner, now)

            def decide() -> Lot:
                return student.extend_lot(lot_id, days, reason, now, self.terms.tz)

            return self._decide_and_save(
                student, decide, [], idempotency, lambda lot: {"lot": lot_terms(lot)}
            )

        return self._retrying(command, idempotency)


def _bound(idempotency: Any, body: dict) -> Any:
    return None if idempotency is None else idempotency.answer(body)
