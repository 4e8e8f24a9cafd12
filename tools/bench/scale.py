# ruff: noqa: S608 -- the floor SQL is assembled from this module's constants; values always go as parameters.
"""The scale benchmark: API endpoints and pages at a million claims, each beside its hand-written SQL floor.

Run by `manage.py bench` (see docs/benchmarks.md). Requests go through Django's test client in this process
(no network); queries are counted per request; every figure is the median and 95th percentile of several runs.
"""

from __future__ import annotations

import base64
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

BENCH_USER = "bench-analyst"


@dataclass
class Row:
    """One measured thing: its timings (ms), queries per request, and its SQL floor's timings."""

    group: str
    name: str
    path: str = ""
    times: list[float] = field(default_factory=list)
    queries: int | None = None
    floor: list[float] = field(default_factory=list)
    sql: list[float] = field(default_factory=list)  # per run: the execution time of the request's own queries
    note: str = ""
    # The row's first request, before any warm-up: its plan and pages not yet cached (right after generation or a
    # restart, the first time this process asks it); its own SQL's share of it.
    cold: float | None = None
    cold_sql: float | None = None

    @property
    def p50(self) -> float:
        return statistics.median(self.times)

    @property
    def p95(self) -> float:
        return percentile(self.times, 95)

    @property
    def ratio(self) -> float | None:
        return self.p50 / statistics.median(self.floor) if self.floor else None

    @property
    def sql_p50(self) -> float | None:
        return statistics.median(self.sql) if self.sql else None

    @property
    def sql_ratio(self) -> float | None:
        return self.sql_p50 / statistics.median(self.floor) if self.floor and self.sql else None


class SqlTimer:
    """A connection.execute_wrapper that adds up how long the request's queries take to execute and fetch."""

    def __init__(self) -> None:
        self.ms = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.ms += (time.perf_counter() - started) * 1000


def database_create_if_missing(name: str) -> bool:
    """Create database `name` on the configured server (the bench commands' own databases); True if it was made."""
    import psycopg

    db = settings.DATABASES["default"]
    params = {"host": db["HOST"], "port": db["PORT"] or 5432, "user": db["USER"], "dbname": "postgres"}
    if db.get("PASSWORD"):
        params["password"] = db["PASSWORD"]
    with psycopg.connect(**params, autocommit=True) as server:
        if server.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return False
        server.execute(f'CREATE DATABASE "{name}"')
        return True


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile: with 20 runs, p95 is the 19th fastest."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[int(rank) - 1]


def _timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def _sql(sql: str, params: list | tuple | dict = ()) -> Callable[[], list]:
    def run() -> list:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    return run


# --- What is measured ------------------------------------------------------------------------------------------

_CLAIM_COLUMNS = (
    "c.id, c.slug, c.text, c.kind, c.verdict, c.rationale, c.verdict_published_at, c.first_reported_at, c.tags, "
    "c.origin, c.review_state, c.merged_into_id, c.version, c.created_at, c.updated_at, c.statement_count, "
    "c.backing_count > 0 AND c.denial_count > 0"
)
_API_ORDER = "ORDER BY COALESCE(c.first_reported_at, c.created_at) DESC, c.id DESC"
_PARTY_IDS = "SELECT p.id FROM claims_party p LEFT JOIN claims_party pp ON pp.id = p.parent_id " \
             "WHERE p.id = %(party)s OR p.parent_id = %(party)s OR pp.parent_id = %(party)s"
_STATEMENT_COLUMNS = (
    "s.id, s.claim_id, s.speaker_text, s.stance, s.cue, s.quote, s.start, s.\"end\", s.quotation, s.origin, "
    "s.confidence, s.review_state, s.reviewed_at, s.article_id, s.revision_id, s.version, s.created_at, "
    "p.id, p.slug, p.name, p.kind"
)
# The pages' claim rows also name who backs and who denies each claim: the six most-quoted (five shown).
_WHO = (
    "ARRAY(SELECT COALESCE(p.name, t.speaker) FROM (SELECT cs.party_id, cs.speaker, sum(cs.statements) AS n "
    "FROM claims_claimstance cs WHERE cs.claim_id = c.id AND cs.stance IN {stances} GROUP BY 1, 2 "
    "ORDER BY 3 DESC, 1, 2 LIMIT 6) t LEFT JOIN claims_party p ON p.id = t.party_id ORDER BY t.n DESC, 1)"
)
_BACKERS = _WHO.format(stances="('asserts', 'confirms')")
_DENIERS = _WHO.format(stances="('denies')")
_PAGE_CLAIM_COLUMNS = f"{_CLAIM_COLUMNS}, {_BACKERS}, {_DENIERS}"
_PAGE_ORDER = "ORDER BY c.first_reported_at DESC NULLS LAST, c.id DESC"


@dataclass
class Fixture:
    """The rows the benchmark asks for, picked from the generated data."""

    parties: list[tuple[int, str]]  # (id, slug): a state, a ministry-sized party, a small one
    heavy_party: tuple[int, str, int]  # (id, slug, own statements): one of the most quoted states
    words: list[str]  # full-text search terms, common to rare
    typical_claims: list[int]
    heavy_claim: int
    heavy_claim_statements: int
    deep_position: str  # reported_at of the claim half way down the API list
    statement_texts: list[str]  # new statements for the similar-claim lookup
    published_claims: list[int]  # typical claims with a published verdict (the public pages)
    heavy_published: tuple[int, int]  # (id, statements): the most-reported claim with a published verdict


def fixture() -> Fixture:
    with connection.cursor() as cursor:
        # Party ids follow the generator's popularity ranks: 40 is a busy state, 400 a ministry, 4000 a person.
        cursor.execute("SELECT id, slug FROM claims_party WHERE id IN (40, 400, 4000) ORDER BY id")
        parties = cursor.fetchall()
        cursor.execute(
            "SELECT p.id, p.slug, count(*) FROM claims_party p JOIN claims_statement s ON s.party_id = p.id "
            "WHERE p.id = 3 GROUP BY p.id"
        )
        heavy_party = cursor.fetchone()
        # Spread over the id range: most claims, like most news, are reported a handful of times.
        cursor.execute(
            "SELECT id FROM claims_claim WHERE merged_into_id IS NULL AND id IN (SELECT generate_series(50021, "
            "(SELECT max(id) FROM claims_claim), 95001)) ORDER BY id LIMIT 10"
        )
        typical = [r[0] for r in cursor.fetchall()]
        cursor.execute(
            "SELECT id, statement_count FROM claims_claim WHERE statement_count BETWEEN 50000 AND 150000 "
            "ORDER BY statement_count DESC LIMIT 1"
        )
        heavy = cursor.fetchone() or (None, 0)
        if heavy[0] is None:
            cursor.execute("SELECT id, statement_count FROM claims_claim ORDER BY statement_count DESC LIMIT 1")
            heavy = cursor.fetchone()
        cursor.execute(
            "SELECT COALESCE(first_reported_at, created_at) FROM claims_claim WHERE merged_into_id IS NULL "
            f"{_API_ORDER.replace('c.', '')} OFFSET (SELECT count(*) / 2 FROM claims_claim) LIMIT 1"
        )
        deep = cursor.fetchone()[0]
        cursor.execute(
            "SELECT id FROM claims_claim WHERE merged_into_id IS NULL AND verdict_published_at IS NOT NULL "
            "AND id > 50000 ORDER BY id LIMIT 10"
        )
        published = [r[0] for r in cursor.fetchall()]
        cursor.execute(
            "SELECT id, statement_count FROM claims_claim WHERE merged_into_id IS NULL "
            "AND verdict_published_at IS NOT NULL ORDER BY statement_count DESC LIMIT 1"
        )
        heavy_published = cursor.fetchone()
        cursor.execute("SELECT text FROM claims_claim WHERE id % 991 = 7 ORDER BY id LIMIT 10")
        texts = [r[0] for r in cursor.fetchall()]
    # Reworded as a new statement would be: another verb, the same place.
    statements = [t.replace(" forces ", " troops ", 1).replace(" near ", " close to ", 1) for t in texts]
    return Fixture(
        parties=parties, heavy_party=heavy_party,
        words=["bridge", "airfield checkpoint", '"power station"', "-bridge dam"],
        typical_claims=typical, heavy_claim=heavy[0], heavy_claim_statements=heavy[1],
        deep_position=str(deep), statement_texts=statements, published_claims=published,
        heavy_published=heavy_published,
    )


def _cursor(position: str) -> str:
    """A DRF cursor pointing at `position` in the list (what a client gets after walking that far)."""
    return base64.b64encode(urlencode({"p": position}).encode()).decode()


def _rotating(items: list) -> Callable[[], object]:
    state = {"i": -1}

    def next_item():
        state["i"] = (state["i"] + 1) % len(items)
        return items[state["i"]]

    return next_item


def plan(fx: Fixture) -> list[tuple[str, str, Callable[[], str], Callable[[], Callable[[], list]]]]:
    """(group, name, next path, next floor query) for every API endpoint and page measured."""
    party = _rotating(fx.parties)
    party_f = _rotating(fx.parties)
    word = _rotating(fx.words)
    word_f = _rotating(fx.words)
    claim = _rotating(fx.typical_claims)
    claim_f = _rotating(fx.typical_claims)
    deep = _cursor(fx.deep_position)
    api_list = f"SELECT {_CLAIM_COLUMNS} FROM claims_claim c WHERE c.merged_into_id IS NULL AND c.listed"
    party_exists = (
        "EXISTS (SELECT 1 FROM claims_claimstance cs WHERE cs.claim_id = c.id "
        f"AND cs.stance = 'denies' AND cs.party_id IN ({_PARTY_IDS}))"
    )
    search = "to_tsvector('english', COALESCE(c.text, '')) @@ websearch_to_tsquery('english', %(q)s)"
    pending = (
        f"SELECT {_STATEMENT_COLUMNS} FROM claims_statement s LEFT JOIN claims_party p ON p.id = s.party_id "
        "WHERE s.review_state = 'pending' AND s.withdrawn_at IS NULL ORDER BY s.created_at, s.id LIMIT {n}"
    )
    by_party = (
        f"SELECT {_STATEMENT_COLUMNS} FROM claims_statement s LEFT JOIN claims_party p ON p.id = s.party_id "
        f"WHERE s.party_id IN ({_PARTY_IDS}) ORDER BY s.id DESC LIMIT 51"
    )
    # The page's rows first, then who backs and denies each of them (not of every row an OFFSET skips).
    page_list = (
        f"SELECT {_PAGE_CLAIM_COLUMNS} FROM (SELECT * FROM claims_claim c WHERE c.merged_into_id IS NULL AND c.listed "
        "{where} " + _PAGE_ORDER + " LIMIT 25 OFFSET {offset}) c " + _PAGE_ORDER
    )

    # Full text or a tag (the substring is tried only for one word that found nothing: not these words).
    text_match = f"({search} OR c.tags @> ARRAY[lower(%(q)s)]::varchar(50)[])"
    page_count = (
        "SELECT count(*) FROM (SELECT 1 FROM claims_claim c WHERE c.merged_into_id IS NULL AND c.listed {where} "
        "LIMIT {limit}) n"
    )

    def detail_floor(claim_id: int, *, page: bool) -> Callable[[], list]:
        """The claim, its stance summary (capped), a page of its statements, its evidence: what the page or the
        API shows of it."""
        from claims.selectors import SUMMARY_ARTICLES, SUMMARY_PARTIES
        from claims.selectors.claims import STANCE_SUMMARY_SQL

        summary = {"claim": claim_id, "rejected": "rejected", "parties": SUMMARY_PARTIES,
                   "articles": SUMMARY_ARTICLES + 1}
        if page:  # the timeline's first page, in report order
            statements = _sql(
                f"SELECT {_STATEMENT_COLUMNS}, a.title, a.published_at, o.name, pp.name FROM claims_statement s "
                "JOIN sources_article a ON a.id = s.article_id LEFT JOIN sources_outlet o ON o.id = a.outlet_id "
                "LEFT JOIN claims_party p ON p.id = s.party_id LEFT JOIN claims_party pp ON pp.id = p.parent_id "
                "WHERE s.claim_id = %s AND s.review_state <> 'rejected' "
                "ORDER BY a.published_at NULLS LAST, s.article_id, s.start, s.id LIMIT 50", [claim_id],
            )
        else:  # the newest 50, and one more to say whether there are more
            statements = _sql(
                f"SELECT {_STATEMENT_COLUMNS} FROM claims_statement s LEFT JOIN claims_party p ON p.id = s.party_id "
                "WHERE s.claim_id = %s ORDER BY s.id DESC LIMIT 51", [claim_id],
            )
        queries = [
            _sql(f"SELECT {_CLAIM_COLUMNS} FROM claims_claim c WHERE c.id = %s", [claim_id]),
            _sql(STANCE_SUMMARY_SQL, summary),
            statements,
            _sql("SELECT * FROM claims_evidence WHERE claim_id = %s ORDER BY created_at, id", [claim_id]),
        ]
        if page:  # the page also shows the verdict history and, to an analyst, the evidence form's newest articles
            queries += [
                # "who said it when": the ten most-quoted parties' days
                _sql("SELECT party_id, day, stance, statements FROM claims_claimpartyday WHERE claim_id = %(c)s "
                     "AND party_id IN (SELECT party_id FROM claims_claimstance WHERE claim_id = %(c)s AND party_id "
                     "IS NOT NULL GROUP BY 1 ORDER BY sum(statements) DESC, 1 LIMIT 10)", {"c": claim_id}),
                _sql("SELECT sc.*, u.username FROM claims_statuschange sc LEFT JOIN auth_user u ON u.id = sc.actor_id "
                     "WHERE sc.claim_id = %s ORDER BY sc.created_at DESC, sc.id DESC", [claim_id]),
                _sql("SELECT id, title, dateline, canonical_url FROM sources_article "
                     "ORDER BY published_at DESC, id DESC LIMIT 200"),
            ]
        return lambda: [q() for q in queries]

    def review_floor(where: str = "", params: dict | None = None) -> Callable[[], list]:
        """The review page: the 20 likeliest-kept (then oldest) pending statements not withdrawn (under the filters
        in `where`) with what each item shows (the revision's text the paragraph is cut from, the claim, the
        article and its outlet, the party's parent), how many wait in each of their articles, the pending count
        (a tally), the count under the filters (bounded at 1,000) and the claim picker's 500 newest live claims."""
        # The revisions by id after the items: one seven-table join takes longer to plan than both queries.
        params = params or {}
        items = _sql(
            f"SELECT {_STATEMENT_COLUMNS}, pp.name, c.text, a.title, a.dateline, a.canonical_url, o.name "
            "FROM claims_statement s LEFT JOIN claims_party p ON p.id = s.party_id "
            "LEFT JOIN claims_party pp ON pp.id = p.parent_id LEFT JOIN claims_claim c ON c.id = s.claim_id "
            "JOIN sources_article a ON a.id = s.article_id LEFT JOIN sources_outlet o ON o.id = a.outlet_id "
            f"WHERE s.review_state = 'pending' AND s.withdrawn_at IS NULL {where} "
            "ORDER BY s.confidence DESC, s.created_at, s.id LIMIT 20", params
        )
        count = _sql("SELECT sum(n) FROM claims_tally WHERE name = 'statements:pending'")
        matching = _sql(f"SELECT count(*) FROM (SELECT 1 FROM claims_statement s WHERE s.review_state = 'pending' "
                        f"AND s.withdrawn_at IS NULL {where} LIMIT 1001) n", params)
        picker = _sql("SELECT id, text FROM claims_claim WHERE merged_into_id IS NULL ORDER BY id DESC LIMIT 500")

        def run() -> list:
            rows = items()
            revisions = _sql("SELECT id, number, text FROM sources_articlerevision WHERE id = ANY(%s)",
                             [[row[14] for row in rows]])()
            per_article = _sql(
                "SELECT s.article_id, count(*) FROM claims_statement s WHERE s.review_state = 'pending' "
                f"AND s.withdrawn_at IS NULL {where} AND s.article_id = ANY(%(articles)s) GROUP BY s.article_id",
                {**params, "articles": [row[13] for row in rows]},
            )()
            return [rows, revisions, per_article, count(), matching() if where else None, picker()]

        return run

    def public_floor(claim_id: int) -> Callable[[], list]:
        """The public verdict page: the claim, who says what from accepted statements (the 50 most-quoted), the
        first 20 articles reporting it, its evidence and the ClaimReview's first 50 accepted statements."""
        queries = [
            _sql(f"SELECT {_CLAIM_COLUMNS} FROM claims_claim c WHERE c.id = %s AND c.verdict_published_at IS NOT NULL "
                 "AND c.merged_into_id IS NULL", [claim_id]),
            # the accepted counts the claim stances' trigger keeps (claims 0024), the 50 largest groups
            _sql("SELECT COALESCE(p.name, cs.speaker), cs.stance, cs.accepted FROM claims_claimstance cs "
                 "LEFT JOIN claims_party p ON p.id = cs.party_id WHERE cs.claim_id = %s AND cs.accepted > 0 "
                 "ORDER BY cs.accepted DESC, 1, 2 LIMIT 50", [claim_id]),
            _sql("SELECT a.*, o.name FROM sources_article a LEFT JOIN sources_outlet o ON o.id = a.outlet_id "
                 "WHERE EXISTS (SELECT 1 FROM claims_statement s WHERE s.article_id = a.id AND s.claim_id = %s "
                 "AND s.review_state = 'accepted' AND s.withdrawn_at IS NULL) ORDER BY a.published_at, a.id LIMIT 20",
                 [claim_id]),
            _sql("SELECT * FROM claims_evidence WHERE claim_id = %s ORDER BY created_at, id", [claim_id]),
            _sql(f"SELECT {_STATEMENT_COLUMNS}, a.title, a.published_at, o.name FROM claims_statement s "
                 "JOIN sources_article a ON a.id = s.article_id LEFT JOIN sources_outlet o ON o.id = a.outlet_id "
                 "LEFT JOIN claims_party p ON p.id = s.party_id WHERE s.claim_id = %s AND s.review_state = 'accepted' "
                 "ORDER BY a.published_at, s.article_id, s.start, s.id LIMIT 50", [claim_id]),
        ]
        return lambda: [q() for q in queries]

    def public_index_floor() -> Callable[[], list]:
        """The newest 25 published verdicts and their count, bounded at 10,000 ("10000+")."""
        live = "FROM claims_claim c WHERE c.merged_into_id IS NULL AND c.verdict_published_at IS NOT NULL"
        rows = _sql(f"SELECT {_CLAIM_COLUMNS} {live} ORDER BY c.verdict_published_at DESC, c.id DESC LIMIT 25")
        count = _sql(f"SELECT count(*) FROM (SELECT 1 {live} LIMIT 10001) n")
        return lambda: [rows(), count()]

    published = _rotating(fx.published_claims)
    published_f = _rotating(fx.published_claims)

    def track_record_floor(pid: int) -> Callable[[], list]:
        """The first page of the party's track record (claims newest first) and its count, bounded at 1,000."""
        groups = (
            f"FROM claims_claimstance cs WHERE cs.party_id IN ({_PARTY_IDS}) "
            "AND cs.stance IN ('asserts', 'confirms', 'denies') GROUP BY cs.claim_id"
        )
        page = _sql(
            "SELECT c.id, c.text, c.verdict, g.stances, g.speakers, g.n FROM ("
            "SELECT cs.claim_id, array_agg(DISTINCT cs.stance) AS stances, "
            "array_agg(DISTINCT p.name) AS speakers, sum(cs.statements) AS n "
            f"{groups.replace('WHERE', 'JOIN claims_party p ON p.id = cs.party_id WHERE', 1)} "
            "ORDER BY cs.claim_id DESC LIMIT 25) g JOIN claims_claim c ON c.id = g.claim_id ORDER BY c.id DESC",
            {"party": pid},
        )
        count = _sql(f"SELECT count(*) FROM (SELECT 1 {groups} LIMIT 1001) n", {"party": pid})  # "1000+"
        return lambda: [page(), count()]

    def party_chart_floor(pid: int) -> Callable[[], list]:
        """The party page with its chart: the track record, then the party's and its sub-parties' first and last
        day and their statements by day and stance over the last 366 days, from the party days (claims 0024)."""
        ids = f"SELECT id FROM ({_PARTY_IDS}) i"
        span = _sql(
            f"SELECT min(f.day), max(l.day) FROM ({ids}) p LEFT JOIN LATERAL (SELECT day FROM claims_partyday "
            "WHERE party_id = p.id ORDER BY day LIMIT 1) f ON true LEFT JOIN LATERAL (SELECT day FROM "
            "claims_partyday WHERE party_id = p.id ORDER BY day DESC LIMIT 1) l ON true", {"party": pid},
        )
        track_record = track_record_floor(pid)

        def run() -> list:
            first, last = span()[0]
            daily = _sql(
                f"SELECT day, stance, sum(statements) FROM claims_partyday WHERE party_id IN ({ids}) "
                "AND day BETWEEN %(last)s::date - 365 AND %(last)s GROUP BY 1, 2 HAVING sum(statements) <> 0",
                {"party": pid, "last": last},
            )()
            return [track_record(), first, daily]

        return run

    def proposals_floor(table: str, where: str) -> Callable[[], list]:
        """The oldest 20 proposals waiting (claims_party_proposed_idx, claims_claim_proposed_idx) and their count,
        bounded at 10,000."""
        live = f"FROM {table} x WHERE x.review_state = 'pending' AND x.merged_into_id IS NULL {where}"
        rows = _sql(f"SELECT x.* {live} ORDER BY x.created_at, x.id LIMIT 20")
        count = _sql(f"SELECT count(*) FROM (SELECT 1 {live} LIMIT 10001) n")
        return lambda: [rows(), count()]

    def list_floor(where: str = "", params: dict | None = None, offset: int = 0, limit: int = 10001):
        """A page of the claims list, with its bounded count (the page shows "10000+ claims")."""
        rows = _sql(page_list.format(where=where, offset=offset), params or {})
        count = _sql(page_count.format(where=where, limit=limit), params or {})
        return lambda: [rows(), count()]

    return [
        ("API", "claims list, first page", lambda: "/api/v1/claims/",
         lambda: _sql(f"{api_list} {_API_ORDER} LIMIT 51")),
        ("API", "claims list, deep cursor page (half way)", lambda: f"/api/v1/claims/?cursor={deep}",
         lambda: _sql(f"{api_list} AND COALESCE(c.first_reported_at, c.created_at) < %s {_API_ORDER} LIMIT 51",
                      [fx.deep_position])),
        ("API", "claims by party (and sub-parties) and stance",
         lambda: f"/api/v1/claims/?party={party()[0]}&stance=denies",
         lambda: _sql(f"{api_list} AND {party_exists} {_API_ORDER} LIMIT 51", {"party": party_f()[0]})),
        ("API", "claims full-text search", lambda: f"/api/v1/claims/?{urlencode({'q': word()})}",
         lambda: _sql(f"{api_list} AND {search} {_API_ORDER} LIMIT 51", {"q": word_f()})),
        ("API", "claim detail + stance summary (typical claims)", lambda: f"/api/v1/claims/{claim()}/",
         lambda: detail_floor(claim_f(), page=False)),
        ("API", f"claim detail + stance summary ({fx.heavy_claim_statements} statements)",
         lambda: f"/api/v1/claims/{fx.heavy_claim}/", lambda: detail_floor(fx.heavy_claim, page=False)),
        ("API", "review queue (pending, oldest first)",
         lambda: "/api/v1/statements/?review_state=pending&ordering=created_at",
         lambda: _sql(pending.format(n=51))),
        ("API", "party track record (its statements)", lambda: f"/api/v1/statements/?party={party()[0]}",
         lambda: _sql(by_party, {"party": party_f()[0]})),
        ("page", "claims list, first page", lambda: "/claims/", lambda: list_floor()),
        ("page", "claims list, page 200", lambda: "/claims/?page=200", lambda: list_floor(offset=4975)),
        ("page", "claims by party (and sub-parties) and stance", lambda: f"/claims/?party={party()[1]}&stance=denies",
         lambda: list_floor(f"AND {party_exists}", {"party": party_f()[0]}, limit=1001)),
        ("page", "claims full-text search", lambda: f"/claims/?{urlencode({'q': word()})}",
         lambda: list_floor(f"AND {text_match}", {"q": word_f()}, limit=501)),
        ("page", "claim page (typical claims)", lambda: f"/claims/{claim()}/",
         lambda: detail_floor(claim_f(), page=True)),
        ("page", f"claim page ({fx.heavy_claim_statements} statements)", lambda: f"/claims/{fx.heavy_claim}/",
         lambda: detail_floor(fx.heavy_claim, page=True)),
        ("page", "review queue", lambda: "/review/", lambda: review_floor()),
        ("page", "review queue filtered by party", lambda: f"/review/?party={party()[1]}",
         lambda: review_floor("AND s.party_id = %(party)s", {"party": party_f()[0]})),
        ("page", "review queue filtered by confidence below 0.5", lambda: "/review/?confidence_max=0.5",
         lambda: review_floor("AND s.confidence <= %(high)s", {"high": 0.5})),
        ("page", "review queue filtered by origin and confidence",
         lambda: "/review/?origin=extracted&confidence_min=0.9",
         lambda: review_floor("AND s.origin = %(origin)s AND s.confidence >= %(low)s",
                              {"origin": "extracted", "low": 0.9})),
        ("page", "review queue filtered by claim", lambda: f"/review/?claim={claim()}",
         lambda: review_floor("AND s.claim_id = %(claim)s", {"claim": claim_f()})),
        ("page", "proposed parties queue", lambda: "/review/parties/",
         lambda: proposals_floor("claims_party", "AND x.origin = 'extracted'")),
        ("page", "proposed claims queue", lambda: "/review/claims/",
         lambda: proposals_floor("claims_claim", "AND x.origin = 'extracted' AND x.listed")),
        ("page", "public verdict index", lambda: "/verdicts/", lambda: public_index_floor()),
        ("page", "public verdict page (typical published claims)", lambda: f"/verdicts/{published()}/",
         lambda: public_floor(published_f())),
        ("page", f"public verdict page ({fx.heavy_published[1]} statements)",
         lambda: f"/verdicts/{fx.heavy_published[0]}/", lambda: public_floor(fx.heavy_published[0])),
        ("page", "party page with track record", lambda: f"/parties/{party()[1]}/",
         lambda: track_record_floor(party_f()[0])),
        ("page", f"party page, a top state ({fx.heavy_party[2]} own statements)",
         lambda: f"/parties/{fx.heavy_party[1]}/", lambda: track_record_floor(fx.heavy_party[0])),
        ("page", f"party page with its chart, a top state ({fx.heavy_party[2]} own statements)",
         lambda: f"/parties/{fx.heavy_party[1]}/?chart=1", lambda: party_chart_floor(fx.heavy_party[0])),
        ("page", "party page with its chart (typical parties)", lambda: f"/parties/{party()[1]}/?chart=1",
         lambda: party_chart_floor(party_f()[0])),
    ]


def bench_user():
    from django.contrib.auth.models import User

    from claims.services import api_token_create
    from core.enums import Role
    from core.roles import user_set_role

    user, _ = User.objects.get_or_create(username=BENCH_USER)
    user_set_role(user=user, role=Role.ANALYST)
    _token, raw = api_token_create(user=user, name="benchmark")
    return user, raw


def measure_requests(fx: Fixture, *, runs: int, progress: Callable[[str], None], only: str = "") -> list[Row]:
    user, raw = bench_user()
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    pages = Client()
    pages.force_login(user)
    rows = []
    for group, name, next_path, next_floor in plan(fx):
        if only and only not in f"{group} {name}":
            continue
        client = api if group == "API" else pages
        row = Row(group=group, name=name)
        warmup, timed = 2, runs
        for i in range(timed + warmup):  # warm-up runs first: caches, first-call costs
            path = next_path()
            timer = SqlTimer()
            with CaptureQueriesContext(connection) as queries, connection.execute_wrapper(timer):
                started = time.perf_counter()
                response = client.get(path)
                elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise RuntimeError(f"{path} answered {response.status_code}: {response.content[:300]!r}")
            if i == 0:
                row.cold, row.cold_sql = elapsed, timer.ms
            if i >= warmup:
                row.times.append(elapsed)
                row.sql.append(timer.ms)
                row.queries = max(row.queries or 0, len(queries.captured_queries))
        for i in range(timed + warmup):
            query = next_floor()
            elapsed = _timed(query)
            if i >= warmup:
                row.floor.append(elapsed)
        row.path = path
        progress(f"{group:4} {name:55} cold {row.cold:8.1f} ms (SQL {row.cold_sql:7.1f})  p50 {row.p50:8.1f} ms  "
                 f"p95 {row.p95:8.1f} ms  queries {row.queries:3}  our SQL {row.sql_p50:7.1f} ms  "
                 f"floor {statistics.median(row.floor):7.1f} ms")
        rows.append(row)
    return rows



def _time_calls(row: Row, runs: int, call: Callable[[], object]) -> None:
    """Call `call` runs + 2 times: the first is the row's cold figure, the next one warms up, the rest are timed
    with their own SQL and query count."""
    for i in range(runs + 2):
        timer = SqlTimer()
        with CaptureQueriesContext(connection) as queries, connection.execute_wrapper(timer):
            elapsed = _timed(call)
        if i == 0:
            row.cold, row.cold_sql = elapsed, timer.ms
        if i >= 2:
            row.times.append(elapsed)
            row.sql.append(timer.ms)
            row.queries = len(queries.captured_queries)

def measure_claim_match(fx: Fixture, *, runs: int, progress: Callable[[str], None]) -> Row:
    from claims.linking import claim_match

    row = Row(group="lookup", name="similar-claim lookup (claims.linking.claim_match)")
    texts = _rotating(fx.statement_texts)
    _time_calls(row, runs, lambda: claim_match(text=texts()))
    progress(f"lookup {row.name:53} p50 {row.p50:8.1f} ms  p95 {row.p95:8.1f} ms  queries {row.queries}  "
             f"SQL p50 {row.sql_p50:.1f} ms  p95 {percentile(row.sql, 95):.1f} ms")
    return row


def measure_near_duplicate(*, runs: int, progress: Callable[[str], None]) -> Row:
    """Ingestion's near-duplicate check on its own, as article_store runs it for a new text: the MinHash bands,
    the candidates sharing a band (sources.selectors.revision_near_candidates) and the exact containment of each.
    Texts: the demo articles (sources/demo) and their last two thirds, which are new to the benchmark database."""
    from pathlib import Path

    from sources.dedup import shingles_containment, text_lsh_bands, text_shingles
    from sources.selectors import revision_near_candidates

    demo = sorted((Path(settings.BASE_DIR) / "sources" / "demo").glob("*.txt"))
    texts = [p.read_text(encoding="utf-8") for p in demo]
    texts = _rotating(texts + [t[len(t) // 3:] for t in texts])
    row = Row(group="lookup", name="near-duplicate check (MinHash bands, candidates, containment)")

    def check(text: str) -> None:
        shingles = text_shingles(text)
        for candidate in revision_near_candidates(bands=text_lsh_bands(text), exclude_article_id=0):
            shingles_containment(shingles, text_shingles(candidate.text))

    _time_calls(row, runs, lambda: check(texts()))
    progress(f"lookup {row.name:53} p50 {row.p50:8.1f} ms  p95 {row.p95:8.1f} ms  queries {row.queries}  "
             f"SQL p50 {row.sql_p50:.1f} ms")
    return row


def machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
        cursor.execute("SHOW shared_buffers")
        buffers = cursor.fetchone()[0]
    return f"{os.cpu_count()} cores (nproc), {memory:.0f} GiB memory, PostgreSQL {version} (shared_buffers {buffers})"


def counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        out = {}
        for table in ("claims_claim", "claims_statement", "sources_article", "sources_articlerevision",
                      "claims_party", "claims_partyalias", "sources_outlet"):
            cursor.execute(f"SELECT count(*) FROM {table}")
            out[table] = cursor.fetchone()[0]
    return out


def api_throttle_off() -> None:
    """The benchmark sends thousands of requests with one token; the rate limit is not what is measured."""
    settings.API_THROTTLE_RATES = {scope: "1000000/hour" for scope in settings.API_THROTTLE_RATES}
