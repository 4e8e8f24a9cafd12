"""People at once: two analysts set one claim's verdict through the page and the API at the same moment;
a merge runs while the analysis adds statements to the claim. Threads with their own database connections."""

from __future__ import annotations

import pytest
from django.test import Client

from claims.enums import Origin, Stance
from claims.models import Claim, Statement, StatusChange
from claims.services import claim_merge, statement_create
from tests.api.conftest import token_client
from tests.factories import ArticleRevisionFactory, ClaimFactory
from tests.threads import in_threads


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("rounds", [5])
def test_two_editors_setting_one_verdict_at_once_one_wins_and_the_other_is_told(editor, admin_user, rounds):
    for n in range(rounds):
        claim = ClaimFactory(text=f"The dam at site {n} was breached")
        version = claim.version
        page = Client()
        page.force_login(editor)
        tool = token_client(admin_user, read_write=True)

        by_page, by_api = in_threads(
            lambda claim=claim, page=page, version=version: page.post(
                f"/claims/{claim.pk}/verdict/",
                {"verdict": "false", "rationale": "satellite images", "version": version},
            ),
            lambda claim=claim, tool=tool, version=version: tool.post(
                f"/api/v1/claims/{claim.pk}/verdict/", {"verdict": "confirmed", "rationale": "ministry footage"},
                format="json", HTTP_IF_MATCH=f'"claim-{claim.pk}-v{version}"',
            ),
        )

        codes = sorted([by_page.status_code, by_api.status_code])
        assert codes in ([302, 412], [200, 409]), codes
        history = list(StatusChange.objects.filter(claim=claim).values_list("from_verdict", "to_verdict", "actor"))
        claim.refresh_from_db()
        winner = ("false", editor.pk) if by_page.status_code == 302 else ("confirmed", admin_user.pk)
        assert history == [("unverified", winner[0], winner[1])]
        assert (claim.verdict, claim.version) == (winner[0], version + 1)
        loser = by_api if by_page.status_code == 302 else by_page
        if loser is by_api:
            assert loser.json()["error"]["code"] == "stale_version"
        else:
            assert "Someone else changed this claim" in loser.content.decode()
        # The loser tries again on the version they are shown now: both attempts end up in the history, in order.
        retry = tool.post(f"/api/v1/claims/{claim.pk}/verdict/", {"verdict": "misleading", "rationale": "again"},
                          format="json", HTTP_IF_MATCH=f'"claim-{claim.pk}-v{version + 1}"')
        assert retry.status_code == 200
        assert list(StatusChange.objects.filter(claim=claim).order_by("pk").values_list("from_verdict", "to_verdict")) \
            == [("unverified", winner[0]), (winner[0], "misleading")]


@pytest.mark.django_db(transaction=True)
def test_a_merge_while_statements_are_being_added_loses_no_statement(analyst):
    sentences = [f"Officials in town {n} said the bridge number {n} had been shelled overnight." for n in range(60)]
    revision = ArticleRevisionFactory(text=" ".join(sentences))
    spans, offset = [], 0
    for sentence in sentences:
        spans.append((offset, offset + len(sentence)))
        offset += len(sentence) + 1
    source, target = ClaimFactory(text="Bridges were shelled"), ClaimFactory(text="The bridges were hit by shells")
    stale_source = Claim.objects.get(pk=source.pk)  # what the analysis holds: the claim as it was before the merge

    def add_statements():
        for n, (start, end) in enumerate(spans):
            statement_create(revision=revision, start=start, end=end, stance=Stance.ASSERTS, origin=Origin.EXTRACTED,
                             speaker_text=f"official {n}", claim=stale_source)
        return len(spans)

    def merge():
        import time

        time.sleep(0.05)  # a few statements are in before the merge starts
        return claim_merge(source=Claim.objects.get(pk=source.pk), target=Claim.objects.get(pk=target.pk),
                           actor=analyst)

    added, merged = in_threads(add_statements, merge)

    assert added == len(spans), added
    assert not isinstance(merged, Exception), merged
    assert Statement.objects.filter(claim=source).count() == 0
    assert Statement.objects.filter(claim=target).count() == len(spans)
