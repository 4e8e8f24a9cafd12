"""Push a directory of article texts or pages through the real pipeline into a scratch database and print
what an analyst would see: parties proposed with their kinds, statements per article, claims."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

# Set in the child process that works in the scratch database; its value is the database's name.
SCRATCH_ENV = "NEWSCHECK_SCRATCH"


class Command(BaseCommand):
    help = (
        "Ingest every .txt (headline first) or .html file of DIR as a user would, into a scratch database of its "
        "own (dropped and created again each run), let the analysis run, and print parties, statements, claims."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path)
        parser.add_argument("--database", default="newscheck", help="scratch database name (default newscheck)")
        parser.add_argument("--limit", type=int, default=None, help="only the first N files (by name)")
        parser.add_argument("--no-headline", action="store_true",
                            help="a .txt's first line is body text, not its headline")
        parser.add_argument("--json", type=Path, default=None, help="also write the report as JSON here")

    def handle(self, *args: Any, **options: Any) -> None:
        directory: Path = options["directory"]
        if not directory.is_dir():
            raise CommandError(f"{directory} is not a directory")
        name = options["database"]
        if os.environ.get(SCRATCH_ENV) == name:
            self._check_in_scratch(directory=directory, name=name, options=options)
            return
        from tools.newscheck import scratch_create, scratch_url

        try:
            url = scratch_url(name)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        scratch_create(name)
        env = {**os.environ, SCRATCH_ENV: name, "DATABASE_URL": url, "CACHE_KEY_PREFIX": f"newscheck-{name}"}
        if settings.USE_EMBEDDED_REDIS:
            env["EMBEDDED_REDIS_DB"] = "3"  # the scratch run's cache keys stay out of the demo's
        command = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "newscheck", str(directory.resolve()),
                   "--database", name]
        for flag in ("limit", "json"):
            if options[flag] is not None:
                command += [f"--{flag}", str(options[flag])]
        if options["no_headline"]:
            command.append("--no-headline")
        done = subprocess.run(command, env=env, check=False)  # noqa: S603 -- our own manage.py, no shell
        if done.returncode:
            raise CommandError(f"the check in the scratch database {name} failed (exit {done.returncode})")

    def _check_in_scratch(self, *, directory: Path, name: str, options: dict) -> None:
        from django.db import connection

        from config.celery import app
        from tools.newscheck import files_ingest, report_build, report_lines

        if connection.settings_dict["NAME"] != name:
            raise CommandError(f"refusing to run outside the scratch database {name}")
        call_command("migrate", verbosity=0, interactive=False)
        # The hook's analysis task runs here and now, in this database, never in a worker of another one.
        app.conf.task_always_eager = True
        app.conf.task_eager_propagates = True
        logging.getLogger("celery.app.trace").setLevel(logging.WARNING)  # one line per task would bury the report
        intake = files_ingest(directory=directory, limit=options["limit"], headline=not options["no_headline"])
        report = report_build(intake)
        for line in report_lines(report):
            self.stdout.write(line)
        self.stdout.write(f"(scratch database: {name})")
        if options["json"] is not None:
            options["json"].write_text(json.dumps(dataclasses.asdict(report) | {"summary": report.summary()},
                                                  ensure_ascii=False, indent=1), encoding="utf-8")
