"""Configuration, read once from the environment by the command line."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class SettingsError(ValueError):
    """An environment variable holds a value Tango Pass cannot use."""


@dataclass(frozen=True)
class Settings:
    db_path: str = "tangopass.db"
    admin_token: str = ""
    public_url: str = "http://127.0.0.1:8000"
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    window_hours: int = 2
    cors_origins: tuple[str, ...] = ()

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides) -> Settings:
        env = os.environ if env is None else env
        tz_name = env.get("TANGOPASS_TZ", "UTC") or "UTC"
        try:
            tz = ZoneInfo(tz_name)
        except (ZoneInfoNotFoundError, ValueError):
            raise SettingsError(f"TANGOPASS_TZ={tz_name!r} is not an IANA time zone name") from None
        hours = env.get("TANGOPASS_WINDOW_HOURS", "2") or "2"
        if not hours.isdigit() or not 0 <= int(hours) <= 168:
            raise SettingsError(f"TANGOPASS_WINDOW_HOURS={hours!r} must be a whole number 0-168")
        origins = tuple(
            o.strip().rstrip("/") for o in env.get("TANGOPASS_CORS_ORIGINS", "").split(",")
            if o.strip()
        )
        values = dict(
            db_path=env.get("TANGOPASS_DB") or "tangopass.db",
            admin_token=env.get("TANGOPASS_ADMIN_TOKEN", ""),
            public_url=env.get("TANGOPASS_PUBLIC_URL", ""),
            tz=tz,
            window_hours=int(hours),
            cors_origins=origins,
        )
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)
