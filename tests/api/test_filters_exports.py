"""Filters, full-text search, cursor pagination and the streamed exports, on the seed corpus."""

import csv
import io
import json

import pytest

from claims.models import Claim, Party
from tests.api.conftest import token_client


@pytest.fixture
def client(seeded, viewer):
    return token_client(viewer, read_write=False)


def _slugs(answer) -> list[str]:
    assert answer.status_code == 200, answer.content
    return sorted(c["slug"] for c in answer.json()["results"])


def test_claims_by_party_and_stance_combine_on_one_statement(client):
    turkey = Party.objects.get(slug="turkey")
    denied = _slugs(client.get("/api/v1/claims/", {"party": turkey.pk, "stance": "denies"}))
    asserted = _slugs(client.get("/api/v1/claims/", {"party": turkey.pk, "stance": "asserts"}))

    assert "f16-shootdown" in denied
    assert "f16-shootdown" not in asserted


def test_party_filter_takes_in_the_parties_under_it(client):
    armenia = Party.objects.get(slug="armenia")
    # the defence ministry (under Armenia) asserts it; so does Armenia itself
    assert "f16-shootdown" in _slugs(client.get("/api/v1/claims/", {"party": armenia.pk, "stance": "asserts"}))


def test_contested_and_full_text_search(client):
    contested = _slugs(client.get("/api/v1/claims/", {"contested": "true", "q": "F-16 shot down"}))
    not_contested = _slugs(client.get("/api/v1/claims/", {"contested": "false", "q": "F-16 shot down"}))
    nothing = _slugs(client.get("/api/v1/claims/", {"q": "shot -aircraft -jet -F-16 submarine"}))

    assert contested == ["f16-shootdown"]
    assert not_contested == []
    assert nothing == []


def test_verdict_tag_and_date_filters(client, editor):
    from claims.services import claim_set_verdict, claim_update

    claim = Claim.objects.get(slug="f16-shootdown")
    claim_set_verdict(claim=claim, actor=editor, verdict="false", rationale="r")
    claim_update(claim=claim, actor=editor, tags=["aviation"])

    assert _slugs(client.get("/api/v1/claims/", {"verdict": ["false", "misleading"]})) == ["f16-shootdown"]
    assert _slugs(client.get("/api/v1/claims/", {"tag": "aviation"})) == ["f16-shootdown"]
    assert _slugs(client.get("/api/v1/claims/", {"reported_after": "2020-10-01T00:00:00Z"})) == []
    assert "f16-shootdown" in _slugs(client.get("/api/v1/claims/", {"reported_before": "2020-09-30T00:00:00Z"}))


def test_bad_filter_values_are_400_in_the_one_shape(client):
    answer = client.get("/api/v1/claims/", {"verdict": "maybe", "reported_after": "yesterday"})

    assert answer.status_code == 400
    assert sorted(answer.json()["error"]["fields"]) == ["reported_after", "verdict"]


def test_statements_by_party_stance_and_review_state(client):
    turkey = Party.objects.get(slug="turkey")
    answer = client.get("/api/v1/statements/", {"party": turkey.pk, "stance": "denies", "page_size": 100})
    rows = answer.json()["results"]

    assert rows and {(r["party"]["name"], r["stance"]) for r in rows} <= {
        ("Turkey", "denies"), ("Ministry of Foreign Affairs of Turkey", "denies")
    }
    assert client.get("/api/v1/statements/", {"review_state": "pending"}).json()["results"] == []


def test_articles_by_text_search(client):
    rows = client.get("/api/v1/articles/", {"q": '"escalating and widening"'}).json()["results"]
    wire = client.get("/api/v1/articles/", {"q": "Baku"}).json()["results"]

    assert [r["canonical_url"] for r in rows] == ["https://annotation.invalid/article-2"]
    assert "https://annotation.invalid/article-1" in [r["canonical_url"] for r in wire]


def test_cursor_pagination_walks_every_claim_once(client):
    seen, url = [], "/api/v1/claims/?page_size=4"
    while url:
        page = client.get(url).json()
        seen += [c["id"] for c in page["results"]]
        url = page["next"]

    assert sorted(seen) == sorted(Claim.objects.live().values_list("pk", flat=True))
    assert len(seen) == 11


def test_claims_csv_has_a_column_per_stance(client):
    answer = client.get("/api/v1/export/claims.csv", {"q": "F-16"})
    rows = list(csv.DictReader(io.StringIO(b"".join(answer.streaming_content).decode())))

    assert answer["Content-Type"] == "text/csv; charset=utf-8"
    assert [(r["slug"], r["asserted_by"], r["denied_by"], r["contested"]) for r in rows] == [
        ("f16-shootdown", "Armenia; Ministry of Defence of Armenia", "Azerbaijan; Turkey", "True")
    ]


def test_claims_jsonl_carries_the_stances(client):
    answer = client.get("/api/v1/export/claims.jsonl", {"q": "F-16"})
    lines = [json.loads(line) for line in b"".join(answer.streaming_content).decode().splitlines()]

    assert answer["Content-Type"] == "application/x-ndjson"
    assert [(s["party"], s["stance"], s["statements"]) for s in lines[0]["stances"]] == [
        ("Armenia", "asserts", 1), ("Ministry of Defence of Armenia", "asserts", 2),
        ("Azerbaijan", "denies", 1), ("Turkey", "denies", 2),
    ]


def test_statements_exports_have_one_row_per_statement(client):
    from claims.models import Statement

    csv_rows = list(csv.DictReader(io.StringIO(
        b"".join(client.get("/api/v1/export/statements.csv").streaming_content).decode()
    )))
    jsonl_rows = b"".join(client.get("/api/v1/export/statements.jsonl").streaming_content).decode().splitlines()

    assert len(csv_rows) == len(jsonl_rows) == Statement.objects.count() == 39
    assert sorted(int(r["id"]) for r in csv_rows) == sorted(json.loads(r)["id"] for r in jsonl_rows)
