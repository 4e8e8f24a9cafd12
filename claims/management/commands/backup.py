"""`manage.py backup FILE`: the whole database as one pg_dump archive (custom format), written atomically."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from claims.management.commands._pgtools import connection_args, pg_binary


class Command(BaseCommand):
    help = "Dump the database (DATABASE_URL, or the embedded PostgreSQL) into FILE; `restore FILE` brings it back."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("file", help="where to write the archive (pg_dump custom format)")

    def handle(self, *args, file: str, **options):
        target = Path(file).resolve()
        target.parent.mkdir(parents=True, exist_ok=True)
        connection.ensure_connection()  # starts the embedded server if it is down
        partial = target.with_name(target.name + ".partial")
        conn_args, env = connection_args()
        dump = subprocess.run(  # noqa: S603 -- a fixed binary, arguments as a list, no shell
            [pg_binary("pg_dump"), *conn_args, "--format=custom", "--no-owner", "--no-privileges",
             "--file", str(partial)],
            env=env, capture_output=True, text=True, timeout=3600, check=False,
        )
        if dump.returncode != 0:
            partial.unlink(missing_ok=True)
            raise CommandError(f"pg_dump failed: {dump.stderr.strip()}")
        # Read the archive's table of contents back before calling it a backup.
        listing = subprocess.run(  # noqa: S603 -- as above
            [pg_binary("pg_restore"), "--list", str(partial)], capture_output=True, text=True, timeout=600,
            check=False,
        )
        if listing.returncode != 0:
            partial.unlink(missing_ok=True)
            raise CommandError(f"the archive does not read back: {listing.stderr.strip()}")
        os.replace(partial, target)
        tables = sum(1 for line in listing.stdout.splitlines() if " TABLE DATA " in line)
        self.stdout.write(f"Backed up {tables} tables to {target} ({target.stat().st_size} bytes).")
