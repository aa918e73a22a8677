"""The auditor's commands: replay, verify, export, balance, backup.

Each opens the live database read-only and exits 0 when all is well, 1 when
the check found a problem (reported on stdout), 2 on bad usage or an
unreadable database. Progress bars go to stderr; stdout stays clean for data.
"""

from __future__ import annotations

import click


def add_commands(group: click.Group) -> None:
    from api.audit.backup import backup
    from api.audit.balance import balance
    from api.audit.export import export
    from api.audit.replay import replay
    from api.audit.verify import verify

    for command in (replay, verify, export, balance, backup):
        group.add_command(command)
