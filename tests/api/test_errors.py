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
