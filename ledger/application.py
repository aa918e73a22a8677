"""The application: one verb method per command, each returning plain values.

Every command loads the aggregates it needs, settles the student's expired lots
(lazy expiry: a fact of time, kept even when the command is then refused), runs
the domain method, and saves every touched aggregate. The injected ``runner``
runs the whole command in ONE write transaction of the store (the write lock
held before anything is read), so all its saves are one atomic append, and
retries it on a version conflict a bounded number of times before answering
busy. The injected ``events`` store loads aggregates and appends their events
with the projections, the hash chain and the idempotent answer. Nothing here
reads the clock, the environment or a file, sleeps, or writes SQL: ``now``
comes in, and lookups (next id, who is registered, which students hold valid
lots) go through the injected ``queries``, which inside a command read on the
command's own transaction.
"""
from __future__ import annotations

from tangopass.ledger.desk import TeachersDesk
from tangopass.ledger.errors import BusyError
from tangopass.ledger.service import Events, Queries, Runner, Service, Terms
from tangopass.ledger.student_commands import StudentCommands
from tangopass.ledger.teacher_commands import TeacherCommands
from tangopass.ledger.week import StudioWeek

__all__ = ["BusyError", "Events", "Queries", "Runner", "TangoPass", "Terms"]


class TangoPass(StudentCommands, TeacherCommands, TeachersDesk, StudioWeek, Service):
    """Tango Pass commands over an injected event store, command runner and queries.

    Built by api/wiring.py (the server), worker/app.py (the Worker) and
    tests/support/fake_reads.py (service tests on in-memory persistence).
    """
