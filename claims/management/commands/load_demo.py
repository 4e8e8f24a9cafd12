"""Load the demo: ingest the seed articles through the pipeline, import their annotation, make demo logins."""

from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand

from claims.annotations import annotation_import
from claims.models import Claim, Party, Statement

DEMO_DIR_NAME = "demo"


class Command(BaseCommand):
    help = "Load the demo corpus (idempotent: running it again adds nothing)."

    def handle(self, *args, **options):
        import json

        from django.conf import settings

        demo_dir = settings.BASE_DIR / "sources" / DEMO_DIR_NAME
        if "ingest_demo" in get_commands():
            # Through the real pipeline: a local feed on 127.0.0.1, fetched, extracted, deduplicated.
            call_command("ingest_demo", stdout=self.stdout, stderr=self.stderr)
        report = annotation_import(data=json.loads((demo_dir / "gold.json").read_text()), base_dir=demo_dir)
        self.stdout.write(f"Seed annotation: {report.summary()}")
        self.stdout.write(
            f"The tracker holds {Claim.objects.count()} claims, {Party.objects.count()} parties, "
            f"{Statement.objects.count()} statements."
        )
        call_command("demo_login", stdout=self.stdout)
