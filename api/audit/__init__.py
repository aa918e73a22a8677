"""The auditor's commands: replay, verify, export, balance, backup.

Each opens the live database read-only and exits 0 when all is well, 1 when
the check found a problem (reported on stdout), 2 on bad usage or an
unreadable database. Progress bars go to stderr; stdout stays clean for data.
"""

from __future__ import annotations

import click


def add_commands(group: click.Group) -> None:
    from tangopass.api.audit.backup import backup
    from tangopass.api.audit.balance import balance
    from tangopass.api.audit.export import export
    from tangopass.api.audit.replay import replay
    from tangopass.api.audit.verify import verify

    for command in (replay, verify, export, balance, backup):
        group.add_command(command)
