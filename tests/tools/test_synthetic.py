"""The benchmark's data generator, at a small scale: right counts, consistent rows, news-like skew."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from claims.models import Claim, Party, PartyAlias, Statement, StatusChange
from sources.models import Article, ArticleRevision, Outlet


def test_generator_fills_the_tracker_with_consistent_skewed_data(db):
    out = StringIO()
    call_command("generate_data", outlets=20, parties=300, articles=400, claims=500, statements=1200,
                 check_spans=True, stdout=out)  # with the span trigger on: every quote is checked

    counts = [m.objects.count() for m in (Outlet, Party, Article, ArticleRevision, Claim, Statement)]
    assert counts == [20, 300, 400, 400, 500, 1200]
    assert PartyAlias.objects.count() == 300 + 3  # every name, plus "…ian government" for the 3 states
    assert StatusChange.objects.count() == Claim.objects.exclude(verdict="unverified").count()
    assert Party.objects.filter(parent__isnull=False).count() > 100
    for statement in Statement.objects.select_related("revision")[:200]:
        assert statement.revision.text[statement.start : statement.end] == statement.quote
        assert statement.revision.text[statement.cue_start : statement.cue_end] == statement.cue
    # Skew: the most reported claim gets far more statements than the median one.
    per_claim = sorted(Claim.objects.annotate(n=Count("statements")).values_list("n", flat=True), reverse=True)
    assert per_claim[0] >= 20 * max(1, per_claim[len(per_claim) // 2])
    assert Statement.objects.filter(stance="position", claim__isnull=False).count() == 0
    assert "Generated Scale(" in out.getvalue()


def test_generator_refuses_a_tracker_that_has_data(seeded):
    with pytest.raises(CommandError, match="fills an empty tracker"):
        call_command("generate_data", outlets=1, parties=1, articles=1, claims=1, statements=1, stdout=StringIO())
