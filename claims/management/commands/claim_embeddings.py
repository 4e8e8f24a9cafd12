"""Embed every live claim that has no embedding yet (after migrating a large database to the embedding column)."""

import time

from django.core.management.base import BaseCommand

from claims.embeddings import claim_embeddings_fill


class Command(BaseCommand):
    help = "Fill Claim.embedding for live claims that lack it: batches, binary COPY, one UPDATE, one index build."

    def handle(self, *args, **options):
        started = time.perf_counter()
        filled = claim_embeddings_fill(progress=self.stdout.write)
        self.stdout.write(f"Embedded {filled} claims in {time.perf_counter() - started:.1f} s")
