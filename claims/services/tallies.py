"""Writes to the tallies the database keeps: folding the rows of ended sessions."""

from __future__ import annotations

from django.db import connection


def tally_fold() -> None:
    """Fold the tally rows of ended database sessions into one row per count (claims_tally_fold in
    claims/sql/tallies.sql). No count changes; readers sum fewer rows. Run by the periodic task
    claims.fold_tallies, never from a read."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT claims_tally_fold()")
