"""The ``tangopass`` command."""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

import click

from tangopass.api.audit import add_commands
from tangopass.api.settings import Settings, SettingsError
from tangopass.projections.storage.stores import is_postgres, migrate


def admin_token_for(db_path: str) -> tuple[str, Path | None]:
    """The admin token from the environment, else the one kept beside the data.

    A PostgreSQL database has no file beside it: there the token must come from
    the environment (click.UsageError otherwise).
    """
    from_env = os.environ.get("TANGOPASS_ADMIN_TOKEN", "")
    if from_env:
        return from_env, None
    if is_postgres(db_path):
        raise click.UsageError(
            "TANGOPASS_ADMIN_TOKEN must be set to serve a PostgreSQL database"
            " (there is no folder beside the data to keep a generated token in)"
        )
    path = Path(f"{db_path}.admin-token")
    if path.exists():
        return path.read_text().strip(), path
    token = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, stat.S_IRUSR | stat.S_IWUSR)
    with os.fdopen(fd, "w") as out:
        out.write(token + "\n")
    return token, path


@click.group()
@click.version_option(package_name="tangopass")
def main() -> None:
    """Tango Pass: lesson passes for a dance teacher."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--db", "db_path", default=None,
              help="SQLite file or postgresql://user[:password]@host[:port]/dbname URL"
                   " [default: $TANGOPASS_DB or ./tangopass.db]")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes (all share the one database file).")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 256),
              help="Threads per worker.")
def serve(host: str, port: int, db_path: str | None, workers: int, threads: int) -> None:
    """Serve the API and the PWA from one process group."""
    from tangopass.api.server import TangoPassServer  # gunicorn is only needed here
    from tangopass.projections.storage.postgres import masked

    try:
        settings = Settings.from_env(db_path=db_path)
    except SettingsError as ex:
        raise click.UsageError(str(ex)) from None
    token, token_file = admin_token_for(settings.db_path)
    applied = migrate(settings.db_path)
    shown = masked(settings.db_path) if is_postgres(settings.db_path) else settings.db_path
    public_url = settings.public_url or f"http://{host}:{port}"
    settings = Settings(**{**settings.__dict__, "admin_token": token, "public_url": public_url})
    if applied:
        click.echo(f"Database {shown}: schema applied ({', '.join(applied)})")
    click.echo(f"Tango Pass on http://{host}:{port}  ({workers} workers, database {shown})")
    click.echo(f"Teacher console: {public_url}/teacher")
    if token_file is not None:
        click.echo(f"Admin token: in {token_file} (enter it once in the console)")
    TangoPassServer(settings, host, port, workers, threads).run()


# The auditor's commands: replay, verify, export, balance, backup (api/audit/).
add_commands(main)
