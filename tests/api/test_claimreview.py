"""ClaimReview JSON-LD of a published seed claim, as a whole value, from the API and from the builder."""

from rest_framework.test import APIClient

from claims.claimreview import claim_review_jsonld
from claims.models import Claim
from claims.services import claim_set_verdict

ARTICLE_1 = {"@type": "NewsArticle", "url": "https://annotation.invalid/article-1", "datePublished": "2020-09-29"}
ARTICLE_2 = {
    "@type": "NewsArticle", "url": "https://annotation.invalid/article-2",
    "headline": "In Nagorno-Karabakh, signs of escalating and widening conflict.", "datePublished": "2020-09-29",
}


def test_the_f16_claim_with_a_published_false_verdict(seeded, editor):
    claim = Claim.objects.get(slug="f16-shootdown")
    claim_set_verdict(claim=claim, actor=editor, verdict="false", rationale="No wreckage was ever shown.", publish=True)

    answer = APIClient().get(f"/api/v1/claims/{claim.pk}/claimreview/")

    assert answer.status_code == 200
    assert answer.json() == {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": f"http://testserver/verdicts/{claim.pk}/",
        "claimReviewed": "A Turkish F-16 shot down an Armenian military aircraft over Armenian airspace",
        "datePublished": claim.verdict_published_at.date().isoformat(),
        "author": {"@type": "Organization", "name": "Claims tracker"},
        "reviewRating": {
            "@type": "Rating", "alternateName": "False", "ratingValue": 1, "bestRating": 3, "worstRating": 1,
            "ratingExplanation": "No wreckage was ever shown.",
        },
        "itemReviewed": {
            "@type": "Claim",
            "author": [
                {"@type": "GovernmentOrganization", "name": "Armenia"},
                {"@type": "GovernmentOrganization", "name": "Ministry of Defence of Armenia"},
            ],
            "appearance": [ARTICLE_1, ARTICLE_2],
            "firstAppearance": ARTICLE_1,
            "datePublished": "2020-09-29",
        },
    }


def test_a_verdict_off_the_truth_scale_has_a_name_and_no_number(seeded, editor):
    claim = Claim.objects.get(slug="f16-shootdown")
    claim_set_verdict(claim=claim, actor=editor, verdict="unverifiable", rationale="Nobody can see.", publish=True)

    review = claim_review_jsonld(claim=claim, url="https://tracker.example/claims/1/")

    assert review["reviewRating"] == {
        "@type": "Rating", "alternateName": "Unverifiable", "ratingExplanation": "Nobody can see.",
    }
    assert review["url"] == "https://tracker.example/claims/1/"


def test_an_unpublished_verdict_has_no_claimreview(seeded, editor):
    claim = Claim.objects.get(slug="f16-shootdown")
    claim_set_verdict(claim=claim, actor=editor, verdict="false", rationale="Checked, not yet published.")

    answer = APIClient().get(f"/api/v1/claims/{claim.pk}/claimreview/")

    assert answer.status_code == 404
