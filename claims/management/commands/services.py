"""Start, stop or show the embedded PostgreSQL and Redis (used when DATABASE_URL / REDIS_URL are unset)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from config import embedded


class Command(BaseCommand):
    help = "Manage the private PostgreSQL and Redis under var/: start, stop or status."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["start", "stop", "status"])

    def handle(self, *args, action: str, **options):
        wanted = []
        if settings.USE_EMBEDDED_POSTGRES:
            wanted.append(("postgres", embedded.ensure_postgres, embedded.stop_postgres, embedded.postgres_status))
        else:
            self.stdout.write("postgres: DATABASE_URL is set, the embedded server is not used")
        if settings.USE_EMBEDDED_REDIS:
            wanted.append(("redis", embedded.ensure_redis, embedded.stop_redis, embedded.redis_status))
        else:
            self.stdout.write("redis: REDIS_URL is set, the embedded server is not used")
        try:
            for name, start, stop, status in wanted:
                if action == "start":
                    self.stdout.write(f"{name}: running at {start()}")
                elif action == "stop":
                    self.stdout.write(f"{name}: {'stopped' if stop() else 'was not running'}")
                else:
                    self.stdout.write(f"{name}: {status().detail}")
        except embedded.EmbeddedServiceError as exc:
            raise CommandError(str(exc)) from None
