"""`manage.py restore FILE`: load a `backup` archive into the database, all or nothing.

The target must be empty (a fresh embedded PostgreSQL, or a new DATABASE_URL database) unless
--replace is given, which drops what is there first. Either way it runs in one transaction.
"""

from __future__ import annotations

import subprocess

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from claims.management.commands._pgtools import connection_args, pg_binary, readable_path


class Command(BaseCommand):
    help = "Restore a `manage.py backup` archive into the database (empty unless --replace)."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("file", help="an archive written by `manage.py backup`")
        parser.add_argument("--replace", action="store_true",
                            help="drop the tables that exist before restoring (destroys the current data)")

    def handle(self, *args, file: str, replace: bool, **options):
        archive = readable_path(file)
        connection.ensure_connection()  # starts the embedded server and creates its database if need be
        existing = connection.introspection.table_names()
        connection.close()
        if existing and not replace:
            raise CommandError(
                f"The database already has {len(existing)} tables. Restore into an empty database, "
                "or pass --replace to drop them first."
            )
        conn_args, env = connection_args()
        command = [pg_binary("pg_restore"), *conn_args, "--no-owner", "--no-privileges", "--exit-on-error",
                   "--single-transaction"]
        if replace:
            command += ["--clean", "--if-exists"]
        result = subprocess.run(  # noqa: S603 -- a fixed binary, arguments as a list, no shell
            [*command, str(archive)], env=env, capture_output=True, text=True, timeout=3600, check=False,
        )
        if result.returncode != 0:
            raise CommandError(f"pg_restore failed, nothing was changed: {result.stderr.strip()}")
        self.stdout.write(f"Restored {archive} into {connection.settings_dict['NAME']}.")
