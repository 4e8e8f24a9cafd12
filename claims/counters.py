"""The numbers the database keeps by trigger, around a bulk load: turned off for the load, rebuilt after it.

A load of millions of statements (tools/synthetic.py) is far quicker counted once afterwards than row by row.
Each function acts on the current transaction (ALTER TABLE ... DISABLE TRIGGER is transactional: a load that
fails leaves every trigger on); call them inside `transaction.atomic()`, on tables no other session writes to.
Each first checks the foreign keys the transaction has written (SET CONSTRAINTS ALL IMMEDIATE).
Between `counters_suspend` and the recounts the claims' counters, the claim stances (with their days) and the
tallies (with the party days) are not kept: the caller writes the claims' `statement_count`, `backing_count` and
`denial_count` with its rows.
"""

from __future__ import annotations

import importlib

from django.db import connection

# The counting triggers, by the names their migrations gave them.
_CLAIM_COUNTERS = ("claims_statement", "claims_statement_counts")  # claims 0006: statement/backing/denial counts
_CLAIM_STANCES = ("claims_statement", "claims_statement_stances")  # claims 0008: claims_claimstance rows
_SPAN_CHECK = ("claims_statement", "claims_statement_span_check")  # claims 0002: quote equals the revision's text


def _tally_triggers() -> tuple[tuple[str, str], ...]:
    """(table, trigger) of the dashboard's tally triggers (claims_tally), as their migration lists them."""
    return importlib.import_module("claims.migrations.0013_dashboard_tallies").TALLY_TRIGGERS


# The rebuild of claims_claimstance and claims_claimpartyday from the statements: the backfills of the migrations
# that made them (claims 0008, 0024), with the rules the trigger keeps (claims/sql/claim_stances.sql): rejected and
# withdrawn statements count nowhere; `accepted` counts the accepted ones; a day is UTC.
_CLAIM_STANCES_REBUILD = """
INSERT INTO claims_claimstance (claim_id, party_id, speaker, stance, statements, accepted, first_seen, last_seen)
SELECT s.claim_id, s.party_id, CASE WHEN s.party_id IS NULL THEN s.speaker_text ELSE '' END, s.stance, count(*),
       count(*) FILTER (WHERE s.review_state = 'accepted'),
       min(COALESCE(a.published_at, s.created_at)), max(COALESCE(a.published_at, s.created_at))
FROM claims_statement s JOIN sources_article a ON a.id = s.article_id
WHERE s.claim_id IS NOT NULL AND s.review_state <> 'rejected' AND s.withdrawn_at IS NULL
GROUP BY 1, 2, 3, 4
ORDER BY 1;  -- a claim's groups side by side on disk: a heavy claim's 18,000 groups in 200 pages, not 10,000
DELETE FROM claims_claimpartyday;
INSERT INTO claims_claimpartyday (claim_id, party_id, day, stance, statements)
SELECT s.claim_id, s.party_id, claims_utc_day(COALESCE(a.published_at, s.created_at)), s.stance, count(*)
FROM claims_statement s JOIN sources_article a ON a.id = s.article_id
WHERE s.claim_id IS NOT NULL AND s.party_id IS NOT NULL AND s.review_state <> 'rejected' AND s.withdrawn_at IS NULL
GROUP BY 1, 2, 3, 4
ORDER BY 1, 2;
"""


def _triggers(enable: bool, triggers: tuple[tuple[str, str], ...]) -> None:
    verb = "ENABLE" if enable else "DISABLE"
    with connection.cursor() as cursor:
        # PostgreSQL alters no table with checks pending (foreign keys are checked at commit by default): check
        # them now, and so at once for the rest of the transaction.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table, trigger in triggers:
            cursor.execute(f"ALTER TABLE {table} {verb} TRIGGER {trigger}")


def counters_suspend() -> None:
    """Stop keeping the claims' counters, the claim stances and the tallies until the recounts below."""
    _triggers(False, (_CLAIM_COUNTERS, _CLAIM_STANCES, *_tally_triggers()))


def claim_counters_resume() -> None:
    """Keep the claims' statement counters again; those of the loaded rows are the loader's (nothing is recounted)."""
    _triggers(True, (_CLAIM_COUNTERS,))


def claim_stances_recount() -> None:
    """Rebuild claims_claimstance (which must be empty) and claims_claimpartyday from the loaded statements, then
    keep them again."""
    with connection.cursor() as cursor:
        cursor.execute(_CLAIM_STANCES_REBUILD)
    _triggers(True, (_CLAIM_STANCES,))


def tallies_recount() -> None:
    """Keep the tallies again and count every one of them afresh (claims_tally_recount)."""
    _triggers(True, _tally_triggers())
    with connection.cursor() as cursor:
        cursor.execute("SELECT claims_tally_recount()")


def statement_span_check_suspend() -> None:
    """Stop checking each new statement's quote and offsets against its revision (the loader builds them exactly)."""
    _triggers(False, (_SPAN_CHECK,))


def statement_span_check_resume() -> None:
    """Check new statements' quotes against their revisions again (rows loaded meanwhile are not checked)."""
    _triggers(True, (_SPAN_CHECK,))
