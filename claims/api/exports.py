"""Streamed exports of claims (with their stances) and statements, as CSV or JSON Lines, for large sets."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Prefetch
from django.http import StreamingHttpResponse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from claims import selectors
from claims.api.filters import ClaimFilter, StatementFilter
from claims.enums import ReviewState, Stance
from claims.models import Claim, Statement
from core.enums import Role

CHUNK = 500  # rows per database round trip; the response never holds more than a chunk in memory
FORMATS = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson"}
_STANCE_COLUMNS = [(Stance.ASSERTS, "asserted_by"), (Stance.CONFIRMS, "confirmed_by"),
                   (Stance.DENIES, "denied_by"), (Stance.QUESTIONS, "questioned_by"),
                   (Stance.RETRACTS, "retracted_by")]
CLAIM_COLUMNS = ["id", "slug", "text", "kind", "verdict", "verdict_published_at", "first_reported_at", "tags",
                 "contested", "statement_count", *(c for _, c in _STANCE_COLUMNS)]
STATEMENT_COLUMNS = ["id", "claim_id", "claim", "party_id", "party", "speaker_text", "stance", "cue", "quote",
                     "quotation", "origin", "confidence", "review_state", "article_id", "article_url", "outlet",
                     "published_at", "revision_id", "start", "end"]


class _Echo:
    """csv.writer wants a file; this one hands each line straight back to the generator."""

    def write(self, value: str) -> str:
        return value


class JsonErrorsOnly(BaseContentNegotiation):
    """The path picks the format of a success; errors are always the API's JSON error body."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return JSONRenderer(), JSONRenderer.media_type

    def select_parser(self, request, parsers):
        return None


def _claim_rows(claims: Iterable) -> Iterator[dict]:
    for claim in claims:
        stances: dict[tuple, dict] = {}
        for st in claim.statements.all():
            who = st.party.name if st.party_id else st.speaker_text
            entry = stances.setdefault((st.party_id, who, st.stance), {
                "party_id": st.party_id, "party": who, "stance": st.stance, "statements": 0,
            })
            entry["statements"] += 1
        yield {
            "id": claim.pk, "slug": claim.slug, "text": claim.text, "kind": claim.kind, "verdict": claim.verdict,
            "verdict_published_at": claim.verdict_published_at, "first_reported_at": claim.first_reported_at,
            "tags": list(claim.tags), "contested": claim.contested, "statement_count": claim.statement_count,
            "stances": sorted(stances.values(), key=lambda e: (e["stance"], e["party"])),
        }


def _statement_rows(statements: Iterable[Statement]) -> Iterator[dict]:
    for st in statements:
        yield {
            "id": st.pk, "claim_id": st.claim_id, "claim": st.claim.text if st.claim_id else None,
            "party_id": st.party_id, "party": st.party.name if st.party_id else None,
            "speaker_text": st.speaker_text, "stance": st.stance, "cue": st.cue, "quote": st.quote,
            "quotation": st.quotation, "origin": st.origin, "confidence": st.confidence,
            "review_state": st.review_state, "article_id": st.article_id, "article_url": st.article.canonical_url,
            "outlet": st.article.outlet.name if st.article.outlet_id else None,
            "published_at": st.article.published_at, "revision_id": st.revision_id, "start": st.start, "end": st.end,
        }


def _claim_csv_row(row: dict) -> dict:
    flat = {k: row[k] for k in CLAIM_COLUMNS if k in row}
    flat["tags"] = ";".join(row["tags"])
    for stance, column in _STANCE_COLUMNS:
        flat[column] = "; ".join(e["party"] for e in row["stances"] if e["stance"] == stance)
    return flat


def _stream(rows: Iterator[dict], fmt: str, columns: list[str], flatten=lambda r: r) -> Iterator[str]:
    if fmt == "jsonl":
        for row in rows:
            yield json.dumps(row, cls=DjangoJSONEncoder, ensure_ascii=False) + "\n"
        return
    writer = csv.DictWriter(_Echo(), fieldnames=columns, extrasaction="ignore")
    yield writer.writeheader()
    for row in rows:
        flat = flatten(row)
        yield writer.writerow({k: "" if v is None else (v.isoformat() if hasattr(v, "isoformat") else v)
                               for k, v in flat.items()})


def _filtered(filterset_class, request, queryset):
    filterset = filterset_class(request.query_params, queryset=queryset, request=request)
    if not filterset.is_valid():
        raise ValidationError(filterset.errors)
    return filterset.qs


def _export_response(body: Iterator[str], fmt: str, name: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(body, content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def _responses(fmt: str, what: str) -> dict:
    media = FORMATS[fmt].split(";")[0]
    shape = "CSV with a header row" if fmt == "csv" else "JSON Lines, one object a line"
    return {(200, media): OpenApiResponse(OpenApiTypes.STR, description=f"{what}: {shape}.")}


CLAIM_EXPORT_DOC = (
    "Takes the claim list's filters. CSV has one column of party names per stance; JSON Lines has a `stances` "
    "list of {party_id, party, stance, statements}. Rejected statements are left out. Streamed."
)
STATEMENT_EXPORT_DOC = "Takes the statement list's filters; one row per statement with its claim, party and article."


class _Export(APIView):
    content_negotiation_class = JsonErrorsOnly
    filter_backends = [DjangoFilterBackend]
    required_roles = {"GET": Role.VIEWER}
    fmt = "csv"


class _ClaimExport(_Export):
    queryset = Claim.objects.none()  # tells drf-spectacular the model the filters apply to

    def export(self, request):
        counted = Statement.objects.exclude(review_state=ReviewState.REJECTED).select_related("party").order_by("id")
        claims = _filtered(ClaimFilter, request, selectors.api_claim_list()).order_by("id").prefetch_related(
            Prefetch("statements", queryset=counted)
        )
        rows = _claim_rows(claims.iterator(chunk_size=CHUNK))
        return _export_response(_stream(rows, self.fmt, CLAIM_COLUMNS, _claim_csv_row), self.fmt, "claims")


class _StatementExport(_Export):
    queryset = Statement.objects.none()

    def export(self, request):
        statements = _filtered(
            StatementFilter, request, Statement.objects.select_related("party", "claim", "article__outlet")
        ).order_by("id")
        rows = _statement_rows(statements.iterator(chunk_size=CHUNK))
        return _export_response(_stream(rows, self.fmt, STATEMENT_COLUMNS), self.fmt, "statements")


class ClaimCsvExport(_ClaimExport):
    fmt = "csv"
    filterset_class = ClaimFilter  # lets drf-spectacular document the query parameters

    @extend_schema(summary="Export claims with their stances (CSV)", description=CLAIM_EXPORT_DOC,
                   responses=_responses("csv", "Claims"), filters=True)
    def get(self, request):
        return self.export(request)


class ClaimJsonlExport(_ClaimExport):
    fmt = "jsonl"
    filterset_class = ClaimFilter

    @extend_schema(summary="Export claims with their stances (JSON Lines)", description=CLAIM_EXPORT_DOC,
                   responses=_responses("jsonl", "Claims"), filters=True)
    def get(self, request):
        return self.export(request)


class StatementCsvExport(_StatementExport):
    fmt = "csv"
    filterset_class = StatementFilter

    @extend_schema(summary="Export statements (CSV)", description=STATEMENT_EXPORT_DOC,
                   responses=_responses("csv", "Statements"), filters=True)
    def get(self, request):
        return self.export(request)


class StatementJsonlExport(_StatementExport):
    fmt = "jsonl"
    filterset_class = StatementFilter

    @extend_schema(summary="Export statements (JSON Lines)", description=STATEMENT_EXPORT_DOC,
                   responses=_responses("jsonl", "Statements"), filters=True)
    def get(self, request):
        return self.export(request)
