"""The one guard every command that writes a file passes first: never onto the live data.

A live SQLite database is more than one file: the database, its ``-wal``,
``-shm`` and ``-journal`` companions, and beside it Tango Pass keeps the
generated admin token (``.admin-token``), the command lock (``.lock``) and
gunicorn's control socket (``.ctl``). Writing onto any of them while a server
runs loses acknowledged commands or wedges the server.

Paths are compared as files, never as strings: ``..``, symlinks (to the file
or to a folder on the way), hard links and a second mount path of the same
folder all name the same file. An existing target is compared by
``(st_dev, st_ino)``; a target that does not exist yet (or is replaced by a
rename, which never follows a symlink) is compared by its folder's
``(st_dev, st_ino)`` and its name, so a file that would *become* the ``-wal``
of the database is refused too.
"""

from __future__ import annotations

import os

import click

# Every file Tango Pass or SQLite keeps beside the database, by suffix of its name.
LIVE_SUFFIXES = ("", "-wal", "-shm", "-journal", ".admin-token", ".lock", ".ctl")


class LiveFileTarget(click.ClickException):
    """A command was asked to write onto the live database or a companion: exit 2."""

    exit_code = 2

    def show(self, file: object = None) -> None:
        click.echo(f"Error: {self.format_message()}", err=True)


def _identity(path: str) -> tuple[int, int] | None:
    try:
        found = os.stat(path)
    except OSError:
        return None
    return (found.st_dev, found.st_ino)


def _slot(path: str) -> tuple[tuple[int, int], str] | None:
    """The (folder identity, name) a path's last component names, symlinks in folders resolved."""
    full = os.path.abspath(path)
    folder = _identity(os.path.realpath(os.path.dirname(full)))
    return None if folder is None else (folder, os.path.basename(full))


def _spellings(db_path: str) -> set[str]:
    """The database as given (its companions are named after it) and as resolved."""
    return {os.path.abspath(db_path), os.path.realpath(db_path)}


def live_files(db_path: str) -> tuple[set[tuple[int, int]], set[tuple[tuple[int, int], str]]]:
    """The identities of the live files that exist, and the slots of every live file's name."""
    identities, slots = set(), set()
    for spelling in _spellings(db_path):
        for suffix in LIVE_SUFFIXES:
            name = spelling + suffix
            if (found := _identity(name)) is not None:
                identities.add(found)
            if (slot := _slot(name)) is not None:
                slots.add(slot)
    return identities, slots


def refuse_live_target(target: str | os.PathLike, db_path: str, option: str) -> None:
    """Raise LiveFileTarget (exit 2) if writing ``target`` could touch ``db_path``'s live files.

    ``option`` names the command-line option in the message (``--to``).
    """
    target = os.fspath(target)
    identities, slots = live_files(db_path)
    candidates = {target, os.path.realpath(target)}
    for candidate in candidates:
        hit = _identity(candidate) in identities or _slot(candidate) in slots
        if hit:
            raise LiveFileTarget(
                f"{option} {target} is the live database {db_path} or one of its companion"
                " files (-wal, -shm, -journal, .admin-token, .lock, .ctl) under another name;"
                " writing there would destroy data. Choose a file elsewhere."
            )

