"""The queues of proposed parties and claims in headless Chromium: a suggestion merges a party, a claim is reworded
and accepted, another merged into the claim the similar-claim lookup offers; the merged addresses still answer."""

from __future__ import annotations

from django.urls import reverse

from claims import services
from claims.enums import Origin, PartyKind, ReviewState
from claims.models import Claim, Party, Statement
from tests.factories import ClaimFactory, PartyFactory, StatementFactory
from tests.web.conftest import PHONE
from tests.web.test_browser import shoot, sign_in


def test_analyst_merges_a_proposed_party_from_its_suggestions(transactional_db, analyst, new_page):
    survivor = PartyFactory(name="Harbour Town Council", slug="harbour-town-council")
    proposal = services.party_create(slug="harbour-council-x", name="Harbour Council", kind=PartyKind.ORGANISATION,
                                     aliases=["Harbour Council"], origin=Origin.EXTRACTED)
    renamed = services.party_create(slug="coast-guard-x", name="coastguard", kind=PartyKind.ORGANISATION,
                                    aliases=["coastguard"], origin=Origin.EXTRACTED)
    moved = StatementFactory(party=proposal)
    page = new_page()
    sign_in(page, analyst, then=reverse("claims:party_proposal_list"))
    item = page.locator(f"#proposal-{proposal.pk}")
    item.get_by_role("button", name="Merge into Harbour Town Council").wait_for()  # loaded by htmx
    shoot(page, "proposed-parties")

    item.get_by_role("button", name="Merge into Harbour Town Council").click()
    page.get_by_text("Merged Harbour Council into Harbour Town Council: 1 statement moved.").wait_for()
    assert Statement.objects.get(pk=moved.pk).party_id == survivor.pk

    item = page.locator(f"#proposal-{renamed.pk}")
    item.get_by_label("Name").fill("Coast Guard")
    item.get_by_label("Kind").select_option(PartyKind.MILITARY)
    item.get_by_role("button", name="Accept").click()
    page.get_by_text("Accepted Coast Guard (military).").wait_for()
    page.get_by_text("No proposed party waits").wait_for()
    assert Party.objects.get(pk=renamed.pk).review_state == ReviewState.ACCEPTED
    shoot(page, "proposed-parties-done")

    page.goto(reverse("claims:party_detail", args=["harbour-council-x"]))
    page.get_by_text("Harbour Council was merged into Harbour Town Council.").wait_for()
    assert page.url.endswith(reverse("claims:party_detail", args=[survivor.slug]))
    assert page.locator("#h-merges").inner_text() == "Merged into it"
    shoot(page, "party-merged-into")


def test_analyst_rewords_one_proposed_claim_and_merges_another(transactional_db, analyst, new_page):
    target = ClaimFactory(text="The northern dam was opened on purpose to flood the valley")
    merging = services.claim_create(text="The northern dam was opened on purpose to flood the valley, they said",
                                    origin=Origin.EXTRACTED)
    rewording = services.claim_create(text="convoy stopped border", origin=Origin.EXTRACTED)
    for claim in (merging, rewording):
        StatementFactory(claim=claim)
    page = new_page(PHONE)
    sign_in(page, analyst, then=reverse("claims:claim_proposal_list"))
    item = page.locator(f"#proposal-{rewording.pk}")
    item.get_by_label("Wording").fill("A convoy was stopped at the northern border crossing")
    item.get_by_role("button", name="Accept").click()
    page.get_by_text(f"Accepted claim {rewording.pk}").wait_for()
    assert Claim.objects.get(pk=rewording.pk).text == "A convoy was stopped at the northern border crossing"

    item = page.locator(f"#proposal-{merging.pk}")
    item.get_by_role("button", name=f"Merge into #{target.pk}").wait_for()
    shoot(page, "proposed-claims-phone")
    item.get_by_role("button", name=f"Merge into #{target.pk}").click()
    page.get_by_text(f"Merged claim {merging.pk} into claim {target.pk}: 1 statement moved.").wait_for()
    assert Claim.objects.get(pk=merging.pk).merged_into_id == target.pk

    page.goto(reverse("claims:claim_detail", args=[merging.pk]))
    page.get_by_text(f"Claim {merging.pk} was merged into this one.").wait_for()
    assert page.locator("#h-merges").inner_text() == "Merged into this claim"
    shoot(page, "claim-merged-into-phone")
