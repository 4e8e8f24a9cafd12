"""ETags on claim and statement details; PATCH, verdicts and reviews honour If-Match with 412."""

from claims.models import Claim
from tests.api.conftest import token_client


def test_claim_detail_carries_its_version_as_etag(world, editor):
    client = token_client(editor, read_write=True)
    claim = world["unpublished"]

    answer = client.get(f"/api/v1/claims/{claim.pk}/")

    assert answer["ETag"] == f'"claim-{claim.pk}-v1"'


def test_patch_with_the_current_etag_writes_and_answers_the_next_one(world, analyst):
    client = token_client(analyst, read_write=True)
    claim = world["unpublished"]
    etag = client.get(f"/api/v1/claims/{claim.pk}/")["ETag"]

    answer = client.patch(f"/api/v1/claims/{claim.pk}/", {"tags": ["river", "bridge"]}, format="json",
                          HTTP_IF_MATCH=etag)

    assert (answer.status_code, answer["ETag"], answer.json()["tags"]) == (
        200, f'"claim-{claim.pk}-v2"', ["bridge", "river"]
    )


def test_patch_with_a_stale_etag_is_412_and_writes_nothing(world, analyst):
    client = token_client(analyst, read_write=True)
    claim = world["unpublished"]
    stale = client.get(f"/api/v1/claims/{claim.pk}/")["ETag"]
    client.patch(f"/api/v1/claims/{claim.pk}/", {"tags": ["first"]}, format="json", HTTP_IF_MATCH=stale)

    answer = client.patch(f"/api/v1/claims/{claim.pk}/", {"tags": ["second"]}, format="json", HTTP_IF_MATCH=stale)

    assert (answer.status_code, answer.json()) == (412, {"error": {
        "code": "stale_version", "message": "this claim has changed since you loaded it (now version 2)",
        "fields": {}, "current_version": 2}})
    assert Claim.objects.get(pk=claim.pk).tags == ["first"]


def test_a_verdict_change_with_a_stale_etag_is_412(world, editor):
    client = token_client(editor, read_write=True)
    claim = world["unpublished"]
    stale = f'"claim-{claim.pk}-v1"'
    Claim.objects.filter(pk=claim.pk).update(version=5)  # someone else changed it meanwhile

    answer = client.post(f"/api/v1/claims/{claim.pk}/verdict/", {"verdict": "false", "rationale": "r"},
                         format="json", HTTP_IF_MATCH=stale)

    assert (answer.status_code, answer.json()["error"]["current_version"]) == (412, 5)
    assert Claim.objects.get(pk=claim.pk).verdict == "unverified"


def test_a_verdict_change_with_the_current_etag_goes_through(world, editor):
    client = token_client(editor, read_write=True)
    claim = world["unpublished"]

    answer = client.post(f"/api/v1/claims/{claim.pk}/verdict/", {"verdict": "false", "rationale": "r"},
                         format="json", HTTP_IF_MATCH=f'"claim-{claim.pk}-v1"')

    assert (answer.status_code, answer["ETag"], answer.json()["verdict"]) == (200, f'"claim-{claim.pk}-v2"', "false")


def test_an_etag_of_another_resource_does_not_match(world, editor):
    client = token_client(editor, read_write=True)
    claim = world["unpublished"]

    answer = client.post(f"/api/v1/claims/{claim.pk}/verdict/", {"verdict": "false", "rationale": "r"},
                         format="json", HTTP_IF_MATCH=f'"statement-{claim.pk}-v1"')

    assert answer.status_code == 412


def test_statement_review_honours_if_match(world, analyst):
    client = token_client(analyst, read_write=True)
    statement = world["statement"]
    etag = client.get(f"/api/v1/statements/{statement.pk}/")["ETag"]

    first = client.post(f"/api/v1/statements/{statement.pk}/review/", {"action": "reject"}, format="json",
                        HTTP_IF_MATCH=etag)
    second = client.post(f"/api/v1/statements/{statement.pk}/review/", {"action": "accept"}, format="json",
                         HTTP_IF_MATCH=etag)

    assert (etag, first.status_code, first.json()["review_state"]) == (
        f'"statement-{statement.pk}-v1"', 200, "rejected"
    )
    assert (second.status_code, second.json()["error"]["code"]) == (412, "stale_version")
