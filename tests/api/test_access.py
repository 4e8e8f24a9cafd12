"""Every endpoint and method against every persona: the status code each one gets."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from rest_framework.test import APIClient

from claims.services import api_token_revoke
from core.enums import Role
from core.roles import user_set_role
from tests.api.conftest import token_client

PERSONAS = ["anon", "outsider", "viewer", "analyst", "editor", "admin", "editor_ro", "revoked"]


def _client(persona: str, people: dict) -> APIClient:
    if persona == "anon":
        return APIClient()
    if persona == "outsider":  # signed in through the browser session, holds no role
        client = APIClient()
        client.force_login(people["outsider"])
        return client
    if persona == "viewer":
        return token_client(people["viewer"], read_write=False)
    if persona == "editor_ro":  # an editor's token made the default way: read-only
        return token_client(people["editor"], read_write=False)
    if persona == "revoked":
        client = token_client(people["editor"], read_write=True)
        api_token_revoke(token=client.token)
        return client
    return token_client(people[persona], read_write=True)


# (method, path, body, expected codes in PERSONAS order)
# anon outsider viewer analyst editor admin editor_ro revoked
MATRIX = [
    ("get", "/api/v1/schema/", None, "200 200 200 200 200 200 200 401"),
    ("get", "/api/docs/", None, "200 200 200 200 200 200 200 401"),
    ("get", "/api/redoc/", None, "200 200 200 200 200 200 200 401"),
    ("get", "/api/v1/claims/", None, "200 200 200 200 200 200 200 401"),
    ("get", "/api/v1/claims/{published}/", None, "200 200 200 200 200 200 200 401"),
    ("get", "/api/v1/claims/{unpublished}/", None, "404 404 200 200 200 200 200 401"),
    ("get", "/api/v1/claims/{published}/claimreview/", None, "200 200 200 200 200 200 200 401"),
    ("get", "/api/v1/claims/{unpublished}/claimreview/", None, "404 404 404 404 404 404 404 401"),
    ("patch", "/api/v1/claims/{unpublished}/", {"tags": ["air"]}, "401 403 403 200 200 200 403 401"),
    ("post", "/api/v1/claims/{unpublished}/verdict/", {"verdict": "confirmed", "rationale": "Seen on video"},
     "401 403 403 403 200 200 403 401"),
    ("post", "/api/v1/claims/{unpublished}/verdict/", {"verdict": "in_review", "rationale": "Needs checking"},
     "401 403 403 200 200 200 403 401"),
    ("post", "/api/v1/claims/{unpublished}/merge/", {"target": "{published}"}, "401 403 403 200 200 200 403 401"),
    ("get", "/api/v1/statements/", None, "401 403 200 200 200 200 200 401"),
    ("get", "/api/v1/statements/{statement}/", None, "401 403 200 200 200 200 200 401"),
    ("post", "/api/v1/statements/{statement}/review/", {"action": "accept"}, "401 403 403 200 200 200 403 401"),
    ("get", "/api/v1/parties/", None, "401 403 200 200 200 200 200 401"),
    ("get", "/api/v1/parties/{party}/", None, "401 403 200 200 200 200 200 401"),
    ("get", "/api/v1/outlets/", None, "401 403 200 200 200 200 200 401"),
    ("get", "/api/v1/outlets/{outlet}/", None, "401 403 200 200 200 200 200 401"),
    ("get", "/api/v1/feeds/", None, "401 403 200 200 200 200 200 401"),
    ("get", "/api/v1/feeds/{feed}/", None, "401 403 200 200 200 200 200 401"),
    ("get", "/api/v1/articles/", None, "401 403 200 200 200 200 200 401"),
    ("get", "/api/v1/articles/{article}/", None, "401 403 200 200 200 200 200 401"),
    ("get", "/api/v1/evidence/", None, "401 403 200 200 200 200 200 401"),
    ("get", "/api/v1/evidence/{evidence}/", None, "401 403 200 200 200 200 200 401"),
    ("post", "/api/v1/evidence/", {"claim": "{published}", "kind": "link", "url": "https://example.org/b"},
     "401 403 403 201 201 201 403 401"),
    ("get", "/api/v1/status-changes/", None, "401 403 200 200 200 200 200 401"),
    ("get", "/api/v1/status-changes/{change}/", None, "401 403 200 200 200 200 200 401"),
    ("get", "/api/v1/ingestion-runs/", None, "401 403 200 200 200 200 200 401"),
    ("get", "/api/v1/ingestion-runs/{run}/", None, "401 403 200 200 200 200 200 401"),
    ("post", "/api/v1/ingestion-runs/", {"title": "Wire", "text": "The minister said the border was calm."},
     "401 403 403 202 202 202 403 401"),
    ("get", "/api/v1/export/claims.csv", None, "401 403 200 200 200 200 200 401"),
    ("get", "/api/v1/export/claims.jsonl", None, "401 403 200 200 200 200 200 401"),
    ("get", "/api/v1/export/statements.csv", None, "401 403 200 200 200 200 200 401"),
    ("get", "/api/v1/export/statements.jsonl", None, "401 403 200 200 200 200 200 401"),
    ("get", "/api/v1/tokens/", None, "401 403 200 200 200 200 200 401"),
    # Webhooks belong to a token: a browser session has none (403), a read-only token may subscribe.
    ("get", "/api/v1/webhooks/", None, "401 403 200 200 200 200 200 401"),
    ("post", "/api/v1/webhooks/", {"target_url": "http://127.0.0.1:9/hook", "events": ["claim.created"]},
     "401 403 201 201 201 201 201 401"),
    # Methods nobody may use.
    # Unknown methods are writes: the role check comes first, so only writers learn they are not allowed.
    ("delete", "/api/v1/claims/{published}/", None, "401 403 403 405 405 405 403 401"),
    ("put", "/api/v1/statements/{statement}/", None, "401 403 403 405 405 405 403 401"),
    ("delete", "/api/v1/webhooks/{published}/", None, "401 403 404 404 404 404 404 401"),
]


def _fill(value, world):
    if isinstance(value, str):
        return value.format(**{k: getattr(v, "pk", v) for k, v in world.items()})
    if isinstance(value, dict):
        return {k: _coerce(_fill(v, world)) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, world) for v in value]
    return value


def _coerce(value):
    return int(value) if isinstance(value, str) and value.isdigit() else value


@pytest.fixture
def people(viewer, analyst, editor, admin_user, outsider):
    return {"viewer": viewer, "analyst": analyst, "editor": editor, "admin": admin_user, "outsider": outsider}


@pytest.mark.parametrize(("method", "path", "body", "expected"), MATRIX, ids=[f"{m} {p}" for m, p, _, _ in MATRIX])
def test_access(method, path, body, expected, world, people, settings):
    """One row of the matrix: each persona's request runs in a savepoint that is rolled back after it."""
    settings.INGEST_ALLOWED_HOSTS = ["127.0.0.1"]  # the webhook row subscribes to a local receiver
    codes, bodies = [], []
    for persona in PERSONAS:
        with transaction.atomic():
            client = _client(persona, people)
            response = getattr(client, method)(_fill(path, world), _fill(body, world), format="json")
            codes.append(response.status_code)
            if response.status_code >= 400 and response["Content-Type"].startswith("application/json"):
                bodies.append(response.json())
            transaction.set_rollback(True)

    assert dict(zip(PERSONAS, codes, strict=True)) == dict(
        zip(PERSONAS, map(int, expected.split()), strict=True)
    )
    assert all(set(b["error"]) >= {"code", "message", "fields"} for b in bodies), bodies


def test_a_token_carries_its_users_role_when_that_changes(world, analyst):
    client = token_client(analyst, read_write=True)
    path = f"/api/v1/claims/{world['unpublished'].pk}/"
    assert client.patch(path, {"tags": ["a"]}, format="json").status_code == 200

    user_set_role(user=analyst, role=Role.VIEWER)
    answer = client.patch(path, {"tags": ["b"]}, format="json")

    assert (answer.status_code, answer.json()["error"]["code"]) == (403, "permission_denied")


def test_a_read_write_token_cannot_be_made_for_a_user_who_cannot_write(viewer):
    from django.core.exceptions import ValidationError

    from claims.services import api_token_create

    with pytest.raises(ValidationError) as raised:
        api_token_create(user=viewer, name="tool", read_write=True)
    assert raised.value.message_dict == {
        "read_write": ["vera-viewer has no role that can write; make a read-only token"]
    }


def test_the_error_bodies_say_what_went_wrong(world, viewer):
    anon = APIClient().get("/api/v1/statements/")
    viewer_client = token_client(viewer, read_write=False)
    forbidden = viewer_client.post(f"/api/v1/statements/{world['statement'].pk}/review/", {"action": "accept"})
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Bearer ctk_not-a-token")
    unknown = bad.get("/api/v1/claims/")
    editor = token_client(get_user_model().objects.get(username="ed-editor"), read_write=True)
    invalid = editor.post(f"/api/v1/claims/{world['unpublished'].pk}/verdict/", {"verdict": "maybe"}, format="json")

    assert (anon.status_code, anon.json()) == (401, {"error": {
        "code": "not_authenticated", "message": "Authentication credentials were not provided.", "fields": {}}})
    assert anon["WWW-Authenticate"] == 'Bearer realm="api"'
    assert (forbidden.status_code, forbidden.json()) == (403, {"error": {
        "code": "permission_denied", "message": "this token is read-only; ask an admin for a read-write token",
        "fields": {}}})
    assert (unknown.status_code, unknown.json()) == (401, {"error": {
        "code": "authentication_failed", "message": "the token is not valid", "fields": {}}})
    assert (invalid.status_code, invalid.json()) == (400, {"error": {
        "code": "invalid",
        "message": 'verdict: "maybe" is not a valid choice. rationale: This field is required.',
        "fields": {"verdict": ['"maybe" is not a valid choice.'], "rationale": ["This field is required."]},
    }})


def test_a_service_refusal_is_a_403_in_the_one_shape(world, analyst):
    client = token_client(analyst, read_write=True)
    answer = client.post(
        f"/api/v1/claims/{world['unpublished'].pk}/verdict/", {"verdict": "false", "rationale": "no"}, format="json"
    )

    assert (answer.status_code, answer.json()) == (403, {"error": {
        "code": "permission_denied",
        "message": "analysts propose a verdict by moving the claim to 'in review'; an editor sets and publishes it",
        "fields": {}}})


def test_a_service_validation_error_is_a_400_in_the_one_shape(world, editor):
    client = token_client(editor, read_write=True)
    answer = client.post(
        f"/api/v1/claims/{world['published'].pk}/merge/", {"target": world["published"].pk}, format="json"
    )

    assert (answer.status_code, answer.json()) == (400, {"error": {
        "code": "invalid", "message": "a claim cannot be merged into itself",
        "fields": {"non_field_errors": ["a claim cannot be merged into itself"]}}})


def test_throttling_answers_429_per_token_with_a_retry_time(world, viewer, editor, settings):
    settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, "token": "3/minute"}
    first = token_client(viewer, read_write=False)
    second = token_client(editor, read_write=False)

    codes = [first.get("/api/v1/claims/").status_code for _ in range(4)]
    limited = first.get("/api/v1/claims/")
    other = second.get("/api/v1/claims/")

    assert codes == [200, 200, 200, 429]
    assert limited.json()["error"]["code"] == "throttled"
    assert 0 < limited.json()["error"]["retry_after"] <= 60
    assert int(limited["Retry-After"]) >= 1
    assert other.status_code == 200  # another token has its own budget


def test_a_token_records_when_it_was_last_used_and_only_its_hash_is_stored(world, viewer):
    client = token_client(viewer, read_write=False)
    assert client.token.last_used_at is None

    client.get("/api/v1/claims/")
    client.token.refresh_from_db()

    assert client.token.last_used_at is not None
    assert client.raw_token not in {client.token.key_hash, client.token.prefix}
    assert client.token.prefix == client.raw_token[:12]


def test_a_user_revokes_their_own_token_through_the_api(world, viewer):
    client = token_client(viewer, read_write=False)
    other = token_client(get_user_model().objects.get(username="ed-editor"), read_write=False)

    assert client.delete(f"/api/v1/tokens/{other.token.pk}/").status_code == 404
    assert client.delete(f"/api/v1/tokens/{client.token.pk}/").status_code == 204
    assert client.get("/api/v1/claims/").status_code == 401
    assert other.get("/api/v1/claims/").status_code == 200


def test_a_read_only_token_revokes_itself_and_nothing_else(world, editor):
    read_only = token_client(editor, read_write=False, name="ro")
    read_write = token_client(editor, read_write=True, name="rw")
    sibling = token_client(editor, read_write=False, name="ro2")

    refused = read_only.delete(f"/api/v1/tokens/{read_write.token.pk}/")
    refused_sibling = read_only.delete(f"/api/v1/tokens/{sibling.token.pk}/")

    assert (refused.status_code, refused.json()) == (403, {"error": {
        "code": "permission_denied",
        "message": "a read-only token may revoke itself only; revoke other tokens with a read-write token",
        "fields": {}}})
    assert refused_sibling.status_code == 403
    assert read_write.get("/api/v1/claims/").status_code == 200
    assert sibling.get("/api/v1/claims/").status_code == 200
    # A read-write token of the same user may revoke the others; the read-only one may still end itself.
    assert read_write.delete(f"/api/v1/tokens/{sibling.token.pk}/").status_code == 204
    assert read_only.delete(f"/api/v1/tokens/{read_only.token.pk}/").status_code == 204
    assert (read_only.get("/api/v1/claims/").status_code, sibling.get("/api/v1/claims/").status_code) == (401, 401)
    assert read_write.get("/api/v1/claims/").status_code == 200


def test_the_revoke_service_refuses_a_read_only_token_revoking_another(editor):
    from django.core.exceptions import PermissionDenied

    from claims.services import api_token_create

    read_only, _ = api_token_create(user=editor, name="ro")
    read_write, _ = api_token_create(user=editor, name="rw", read_write=True)

    with pytest.raises(PermissionDenied):
        api_token_revoke(token=read_write, actor=editor, using=read_only)
    read_write.refresh_from_db()
    assert read_write.revoked_at is None
    assert api_token_revoke(token=read_only, actor=editor, using=read_only).revoked_at is not None
