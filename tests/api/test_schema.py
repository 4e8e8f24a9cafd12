"""The OpenAPI schema, and Schemathesis over it: no 5xx and no answer that breaks the schema."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import token_client

# Bounded: the machine is shared; 8 examples per operation is ~400 requests.
MAX_EXAMPLES = 8
CHECKS = [
    not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
    response_headers_conformance,
]


@pytest.fixture
def editor_token(seeded, editor, settings):
    """Makes a fresh read-write editor token: DELETE /tokens/{id}/ may revoke the one in use."""
    # Schemathesis sends hundreds of requests per token; the suite tests throttling elsewhere.
    settings.API_THROTTLE_RATES = {"token": "100000/hour", "user": "100000/hour", "anon": "100000/hour"}
    return lambda: token_client(editor, read_write=True).raw_token


@pytest.fixture
def api_schema(db):
    """The schema as the WSGI app serves it; requests stay inside the test's transaction.

    Django closes the database connection at the end of every request; the test client turns that
    off, and so must we, or the first request would end the test's transaction.
    """
    from config.wsgi import application

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/schema/", application)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _fuzz(operation, token: str):
    @given(case=operation.as_strategy())
    @settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck),
              derandomize=True, database=None)
    def run(case):
        case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)

    return run


def test_every_operation_conforms_to_the_schema(api_schema, editor_token):
    """Hypothesis-generated requests to every operation, as an editor; each check failure is collected."""
    failures = {}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    for operation in operations:
        try:
            _fuzz(operation, editor_token())()
        except (Exception, BaseExceptionGroup) as exc:  # each failure is reported below, with its operation
            failures[operation.label] = str(exc)[:2000]

    assert failures == {}
    assert len(operations) >= 37  # every resource, action and export is in the schema


def test_the_schema_describes_every_operation_and_field(client):
    spec = client.get("/api/v1/schema/?format=json").json()

    undescribed = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if not operation.get("summary") and not operation.get("description"):
                undescribed.append(f"{method.upper()} {path}")
            if "401" not in operation["responses"]:
                undescribed.append(f"{method.upper()} {path}: no 401")
    for name, component in spec["components"]["schemas"].items():
        for field, prop in component.get("properties", {}).items():
            if not (prop.get("description") or "$ref" in prop or "allOf" in prop):
                undescribed.append(f"{name}.{field}")

    assert undescribed == []
    assert spec["components"]["securitySchemes"]["apiToken"] == {
        "type": "http", "scheme": "bearer",
        "description": "An API token from `manage.py api_token create`: `Authorization: Bearer ctk_…`. "
        "Read-only unless it was made with --read-write.",
    }


def test_the_docs_pages_load_their_assets_from_the_server_not_a_cdn(client):
    for path in ("/api/docs/", "/api/redoc/"):
        page = client.get(path).content.decode()
        assert "cdn.jsdelivr.net" not in page and "unpkg.com" not in page, path
        assert "/static/drf_spectacular_sidecar/" in page, path
