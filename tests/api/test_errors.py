"""Every answer under /api/v1/ is JSON in the one error shape, whatever Django itself would have rendered."""

from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

from tests.api.conftest import token_client


@pytest.fixture(params=[False, True], ids=["debug-off", "debug-on"])
def debug(request, settings):
    settings.DEBUG = request.param
    return request.param


def test_an_id_that_is_not_a_number_is_a_json_404(world, viewer, debug):
    client = token_client(viewer, read_write=False)
    # No route matches these (ids are [^/.]+): Django's resolver answered its HTML 404.
    unrouted = [client.get(path) for path in (
        "/api/v1/articles/-2.2e-308/", "/api/v1/claims/1.5/verdict/", "/api/v1/nothing/", "/api/v1/",
    )]
    routed = client.get("/api/v1/claims/abc/")  # a route, but no such claim: DRF's own 404

    for answer in unrouted:
        assert answer.status_code == 404
        assert answer["Content-Type"] == "application/json"
        assert answer.json() == {"error": {
            "code": "not_found", "message": f"there is no API resource at {answer.wsgi_request.path}", "fields": {}}}
    assert (routed.status_code, routed.json()) == (404, {"error": {
        "code": "not_found", "message": "Not found.", "fields": {}}})


def test_an_oversized_body_is_a_json_400(world, analyst, settings, debug):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    client = token_client(analyst, read_write=True)
    body = json.dumps({"title": "t", "text": "x" * 20_000})

    answer = client.post("/api/v1/ingestion-runs/", body, content_type="application/json")
    form = client.post("/api/v1/evidence/", {"note": "x" * 20_000})

    for reply in (answer, form):
        assert reply.status_code == 400
        assert reply["Content-Type"] == "application/json"
        assert reply.json()["error"]["code"] == "too_large"
    assert answer.json()["error"]["message"].startswith("the request body is over the limit of 10,000 bytes")


def test_a_method_the_api_does_not_have_and_malformed_json_keep_the_shape(world, analyst, debug):
    client = token_client(analyst, read_write=True)
    put = client.put(f"/api/v1/claims/{world['published'].pk}/", {}, format="json")
    broken = client.post("/api/v1/ingestion-runs/", "{not json", content_type="application/json")

    assert (put.status_code, put.json()["error"]["code"]) == (405, "method_not_allowed")
    assert (broken.status_code, broken.json()["error"]["code"]) == (400, "parse_error")


def test_pages_outside_the_api_keep_their_html_404(client, viewer):
    client.force_login(viewer)
    answer = client.get("/claims/not-a-number/")

    assert answer.status_code == 404
    assert answer["Content-Type"].startswith("text/html")


def test_an_anonymous_404_under_the_api_is_json_too(db):
    answer = APIClient().get("/api/v1/statements/1.5/")

    assert (answer.status_code, answer.json()["error"]["code"]) == (404, "not_found")


# --- The schema says what the API enforces ------------------------------------------------------


def _spec(client) -> dict:
    return client.get("/api/v1/schema/?format=json").json()


def _parameter(spec, path: str, name: str) -> dict:
    return next(p for p in spec["paths"][path]["get"]["parameters"] if p["name"] == name)["schema"]


def test_the_schema_gives_id_filters_and_page_sizes_their_bounds(client, db):
    spec = _spec(client)

    assert _parameter(spec, "/api/v1/statements/", "claim") == {"type": "integer", "minimum": 1,
                                                                "maximum": 2**63 - 1}
    # party takes an id or a slug (what a link to the party's page carries), so it is text without NULs.
    assert _parameter(spec, "/api/v1/statements/", "party") == {"type": "string", "pattern": "^[^\\x00]*$"}
    assert _parameter(spec, "/api/v1/parties/", "parent")["minimum"] == 1
    assert _parameter(spec, "/api/v1/statements/", "page_size") == {"type": "integer", "minimum": 1,
                                                                    "maximum": 500}
    assert _parameter(spec, "/api/v1/parties/", "page") == {"type": "integer", "minimum": 1}


def test_a_page_size_outside_its_bounds_is_a_400(world, viewer):
    client = token_client(viewer, read_write=False)
    answers = {size: client.get("/api/v1/statements/", {"page_size": size}) for size in ("0", "-1", "x", "", "501")}

    assert {size: a.status_code for size, a in answers.items()} == {"0": 400, "-1": 400, "x": 400, "": 400,
                                                                    "501": 400}
    assert answers["x"].json()["error"]["fields"] == {"page_size": ["a whole number from 1 to 500"]}
    assert client.get("/api/v1/statements/", {"page_size": "500"}).status_code == 200


def test_an_ingestion_run_with_a_url_and_a_text_is_refused_and_the_schema_says_so(world, analyst):
    client = token_client(analyst, read_write=True)
    both = client.post("/api/v1/ingestion-runs/", {"url": "https://news.example/a", "text": "Said."}, format="json")
    blank = client.post("/api/v1/ingestion-runs/", {"url": "https://news.example/a", "text": "  "}, format="json")
    spec = client.get("/api/v1/schema/?format=json").json()["components"]["schemas"]["IngestionSubmitRequest"]

    assert (both.status_code, both.json()["error"]["message"]) == (400, "give either url or text, not both")
    assert (blank.status_code, blank.json()["error"]["fields"]) == (400, {"text": ["This field may not be blank."]})
    assert spec["oneOf"] == [{"required": ["url"], "not": {"required": ["text"]}},
                             {"required": ["text"], "not": {"required": ["url"]}}]
    assert spec["properties"]["text"]["pattern"] == r"^[^\x00]*[^\x00\s][^\x00]*$"


def test_a_malformed_if_match_is_a_400_and_a_stale_one_a_412(world, editor):
    client = token_client(editor, read_write=True)
    claim = world["unpublished"]
    path = f"/api/v1/claims/{claim.pk}/verdict/"
    body = {"verdict": "false", "rationale": "r"}

    garbage = client.post(path, body, format="json", HTTP_IF_MATCH="not-an-etag")
    other = client.post(path, body, format="json", HTTP_IF_MATCH=f'"claim-{claim.pk}-v999"')

    assert (garbage.status_code, garbage.json()["error"]["code"]) == (400, "invalid")
    assert garbage.json()["error"]["fields"] == {"If-Match": ["not a list of entity tags (\"…\" or W/\"…\")"]}
    assert (other.status_code, other.json()["error"]["code"]) == (412, "stale_version")


def test_setting_the_verdict_a_claim_already_has_is_a_409(world, editor):
    client = token_client(editor, read_write=True)
    answer = client.post(f"/api/v1/claims/{world['unpublished'].pk}/verdict/",
                         {"verdict": world["unpublished"].verdict, "rationale": "again"}, format="json")

    assert (answer.status_code, answer.json()["error"]) == (409, {
        "code": "unchanged", "message": "the claim is already unverified", "fields": {}})
    spec = client.get("/api/v1/schema/?format=json").json()
    assert "409" in spec["paths"]["/api/v1/claims/{id}/verdict/"]["post"]["responses"]
