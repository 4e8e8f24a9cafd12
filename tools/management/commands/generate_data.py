"""Fill an empty tracker with synthetic data at benchmark scale (COPY, not one ORM save per row)."""

import time

from django.core.management.base import BaseCommand, CommandError

from tools.synthetic import Scale, generate


class Command(BaseCommand):
    help = "Generate outlets, parties, articles with revisions, claims and statements, skewed like news."

    def add_arguments(self, parser):
        defaults = Scale()
        for name in ("outlets", "parties", "articles", "claims", "statements"):
            parser.add_argument(f"--{name}", type=int, default=getattr(defaults, name))
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--check-spans", action="store_true",
                            help="Keep the statement span trigger on during the load (slower).")

    def handle(self, *args, seed: int, check_spans: bool, **options):
        scale = Scale(**{k: options[k] for k in ("outlets", "parties", "articles", "claims", "statements")})
        if min(scale.outlets, scale.parties, scale.articles, scale.claims) < 1 or scale.statements < 0:
            raise CommandError("every count must be at least 1 (statements at least 0)")
        started = time.perf_counter()
        try:
            generate(scale=scale, seed=seed, check_spans=check_spans, progress=self.stdout.write)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Generated {scale} in {time.perf_counter() - started:.1f} s")
