"""``TangoPass``: the application, composed of its command mixins over ``Service``.

Each verb method returns plain values; how a command becomes one atomic append
is described in ledger/service.py.
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
