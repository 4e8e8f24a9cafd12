"""Two analyses at once (two worker processes): the one that loses a race for a new party runs again and succeeds.

Found by `manage.py bench_ingestion` with two worker processes: both analyses proposed the same speaker as a new
party, the second insert of its slug failed once the first committed, and that article stayed unanalysed.
"""

from __future__ import annotations

import hashlib
import threading
import time

import pytest
from django.db import connection, transaction
from django.utils.text import slugify

from claims import services
from claims.enums import Origin, PartyKind
from claims.models import Party, Statement
from claims.tasks import analyse_revision
from sources.enums import ArticleStatus
from tests.factories import ArticleFactory, ArticleRevisionFactory

TEXT = "Local officials said on Tuesday that two bridges had been destroyed overnight by artillery fire."
SPEAKER = "Local officials"  # what the analysis proposes as a new party for TEXT
SLUG = f"{slugify(SPEAKER)}-{hashlib.sha256(SPEAKER.encode()).hexdigest()[:6]}"  # claims.linking._proposed_party


def _blocked_on_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # pg_stat_activity is otherwise frozen per transaction
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_an_analysis_that_loses_the_race_for_a_new_party_runs_again():
    revision = ArticleRevisionFactory(text=TEXT, article=ArticleFactory(status=ArticleStatus.FETCHED))
    started, problems = threading.Event(), []

    def other_analysis() -> None:
        """Another worker's analysis: proposes the same party, and commits only once ours waits for it."""
        try:
            with transaction.atomic():
                services.party_create(slug=SLUG, name=SPEAKER, kind=PartyKind.ORGANISATION, aliases=[SPEAKER],
                                      origin=Origin.EXTRACTED)
                started.set()
                deadline = time.monotonic() + 60
                while not _blocked_on_a_lock():
                    if time.monotonic() > deadline:
                        problems.append("the analysis never waited for the other transaction's party")
                        break
                    time.sleep(0.05)
        finally:
            started.set()
            connection.close()

    other = threading.Thread(target=other_analysis)
    other.start()
    started.wait(30)
    result = analyse_revision.apply(kwargs={"revision_id": revision.pk})
    other.join(60)

    assert problems == []
    assert result.successful(), result.traceback
    assert list(Party.objects.filter(slug=SLUG).values_list("origin", flat=True)) == [Origin.EXTRACTED]
    assert list(Statement.objects.filter(revision=revision).values_list("party__slug", flat=True)) == [SLUG]
    revision.article.refresh_from_db()
    assert revision.article.status == ArticleStatus.ANALYSED
