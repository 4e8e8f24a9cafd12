"""Reads of claims: search and filters, the claim page's summary, matrix and timeline, and the API's claim queries."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, SearchVectorExact
from django.core.cache import cache
from django.db import connection
from django.db.models import BooleanField, Exists, ExpressionWrapper, F, OuterRef, Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from claims.enums import ReviewState
from claims.models import Claim, ClaimStance, Evidence, Party, Statement
from claims.selectors._common import _STANCE_ORDER, _counted_statements
from claims.selectors.parties import party_and_below_ids


@dataclass(frozen=True)
class ArticleRef:
    id: int
    title: str
    outlet: str
    published_at: datetime | None


@dataclass(frozen=True)
class PartyStance:
    """One party's stance on a claim, over all the statements in which it takes it."""

    party_id: int | None
    party: str
    parent: str | None
    stance: str
    statements: int
    first_seen: datetime | None
    last_seen: datetime | None


@dataclass(frozen=True)
class ClaimStanceSummary:
    """Who takes which stance on a claim: the most-quoted parties' stances and the first articles, each capped.

    `parties_total` counts every party or unresolved speaker with a stance; `more_articles` says the article
    list stops at the cap (the claim's statements, all of them, are at /api/v1/statements/?claim=ID).
    """

    claim_id: int
    parties: tuple[PartyStance, ...]
    articles: tuple[ArticleRef, ...]
    first_seen: datetime | None
    last_seen: datetime | None
    contested: bool
    parties_total: int = 0
    more_articles: bool = False

    @property
    def parties_shown(self) -> int:
        return len({(p.party_id, p.party) for p in self.parties})


# How much of a claim's summary is shown: a claim reported 100,000 times has thousands of parties and articles.
SUMMARY_PARTIES = 50


SUMMARY_ARTICLES = 20


# One round trip: the stance groups of the most-quoted parties (claims_claimstance, kept by triggers), the totals
# over every group, and the first articles, as rows of one UNION ALL. The totals read no group row: first and last
# seen are the first entries of claim_stance_first_idx / claim_stance_last_idx, the parties are counted from the
# unique index alone, and "contested" reads the claim's backing and denial counters (the same rule, claims 0006;
# from the row, not the caller's Claim, which may predate a review).
# The articles as EXISTS, not IN: for a claim reported 100,000 times PostgreSQL then walks the articles' date index
# until it has enough, rather than collecting every article; for a small claim it starts from the claim's few
# statements.
# Public: the scale benchmark (tools/bench/scale.py) runs it as the floor of the claim pages and API detail.
STANCE_SUMMARY_SQL = """
(WITH top AS (
    SELECT party_id, speaker FROM claims_claimstance WHERE claim_id = %(claim)s
    GROUP BY party_id, speaker ORDER BY sum(statements) DESC, party_id, speaker LIMIT %(parties)s
)
SELECT 'group', cs.party_id, COALESCE(p.name, cs.speaker), pp.name, cs.stance, cs.statements, cs.first_seen,
       cs.last_seen, NULL::text, NULL::timestamptz
FROM claims_claimstance cs
JOIN top ON COALESCE(top.party_id, 0) = COALESCE(cs.party_id, 0) AND top.speaker = cs.speaker
LEFT JOIN claims_party p ON p.id = cs.party_id
LEFT JOIN claims_party pp ON pp.id = p.parent_id
WHERE cs.claim_id = %(claim)s)
UNION ALL
SELECT 'total', (SELECT count(*) FROM (SELECT DISTINCT party_id, speaker FROM claims_claimstance
                                       WHERE claim_id = %(claim)s) d),
       NULL, NULL, NULL,
       (SELECT (backing_count > 0 AND denial_count > 0)::int FROM claims_claim WHERE id = %(claim)s),
       (SELECT min(first_seen) FROM claims_claimstance WHERE claim_id = %(claim)s),
       (SELECT max(last_seen) FROM claims_claimstance WHERE claim_id = %(claim)s), NULL, NULL
UNION ALL
(SELECT 'article', a.id, COALESCE(NULLIF(a.title, ''), NULLIF(a.dateline, ''), a.canonical_url), NULL, NULL, NULL,
        NULL, NULL, COALESCE(o.name, ''), a.published_at
FROM sources_article a LEFT JOIN sources_outlet o ON o.id = a.outlet_id
WHERE EXISTS (
    SELECT 1 FROM claims_statement s
    WHERE s.article_id = a.id AND s.claim_id = %(claim)s AND s.review_state <> %(rejected)s AND s.withdrawn_at IS NULL
)
ORDER BY a.published_at NULLS LAST, a.id LIMIT %(articles)s)
"""


def claim_stance_summary(
    *, claim: Claim, parties: int = SUMMARY_PARTIES, articles: int = SUMMARY_ARTICLES
) -> ClaimStanceSummary:
    """Who asserts, confirms, denies, questions or retracts a claim, in which articles and when.

    Rejected and withdrawn statements do not count. A statement with no resolved party counts under its speaker's
    words. "Contested": some party asserts or confirms it and some party denies it.
    The `parties` most-quoted parties (every stance of each) and the `articles` first articles: one query
    over claims_claimstance (a few rows per party) and the first articles, whatever the number of statements.
    """
    with connection.cursor() as cursor:
        cursor.execute(STANCE_SUMMARY_SQL, {
            "claim": claim.pk, "rejected": ReviewState.REJECTED.value, "parties": parties, "articles": articles + 1,
        })
        rows = cursor.fetchall()
    groups = [
        PartyStance(
            party_id=party_id, party=name, parent=parent, stance=stance, statements=n,
            first_seen=first_seen, last_seen=last_seen,
        )
        for kind, party_id, name, parent, stance, n, first_seen, last_seen, *_ in rows if kind == "group"
    ]
    groups.sort(key=lambda p: (_STANCE_ORDER[p.stance], p.party, p.party_id or 0))
    total = next(r for r in rows if r[0] == "total")
    refs = [ArticleRef(id=r[1], title=r[2], outlet=r[8], published_at=r[9]) for r in rows if r[0] == "article"]
    return ClaimStanceSummary(
        claim_id=claim.pk,
        parties=tuple(groups),
        articles=tuple(refs[:articles]),
        first_seen=total[6],
        last_seen=total[7],
        contested=bool(total[5]),
        parties_total=total[1],
        more_articles=len(refs) > articles,
    )


CLAIM_SORTS = {
    "newest": ("Newest first", (F("first_reported_at").desc(nulls_last=True), "-id")),
    "oldest": ("Oldest first", (F("first_reported_at").asc(nulls_last=True), "id")),
    "statements": ("Most statements", ("-statement_count", "-id")),
    "updated": ("Recently changed", ("-updated_at", "-id")),
    "relevance": ("Best match", ("-rank", "-id")),
}


# Must stay identical to the GIN index's expression (claims migration 0004), or PostgreSQL scans every row.
CLAIM_SEARCH_VECTOR = SearchVector("text", config="english")


# Up to this many matches, a search first collects their ids through the indexes (see claim_filter_text).
FEW_MATCHES = 500


# How many backers and deniers a claim row names (the most-quoted first; the templates show five and say
# "and others" when there is a sixth); the claim page has them all.
WHO_SHOWN = 5


def _text_match(q: str) -> Q:
    """Full text (English stemming, web-search syntax) or a tag: both answered by a GIN index."""
    query = SearchQuery(q, config="english", search_type="websearch")
    return Q(SearchVectorExact(CLAIM_SEARCH_VECTOR, query)) | Q(tags__contains=[q.lower()])


# A word in at least this many claims (and 1 % of them) is searched by walking the date index at once.
COMMON_WORD_CLAIMS = 20_000


_QUERY_WORDS_SQL = (
    "SELECT websearch_to_tsquery('english', %s)::text, "
    "(SELECT reltuples FROM pg_class WHERE oid = 'claims_claim'::regclass)"
)


_ONE_WORD = re.compile(r"'((?:[^']|'')+)'")


def _is_common_word(q: str) -> bool:
    """`q` is one word (no phrase, no minus, no OR) that the statistics of ANALYZE put in many claims.

    Only one plain word: "dam -bridge" may be rare although "dam" is common, and two common words may never meet
    ("airfield checkpoint"), which is what the collected ids protect against."""
    from claims.retrieval import word_counts

    with connection.cursor() as cursor:
        cursor.execute(_QUERY_WORDS_SQL, [q])
        tree, claims_estimate = cursor.fetchone()
        one = _ONE_WORD.fullmatch(tree or "")
        if one is None or claims_estimate < COMMON_WORD_CLAIMS:
            return False
        claims_with_word = word_counts(cursor, claims_estimate).get(one.group(1).replace("''", "'"), 0)
    return claims_with_word >= max(COMMON_WORD_CLAIMS, 0.01 * claims_estimate)


def _substring_match(q: str) -> Q:
    """The wording holds `q` as it is typed: ILIKE, which the trigram GIN index answers (not Django's
    icontains, UPPER(text) LIKE ..., which no index answers)."""
    pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return Q(RawSQL('"claims_claim"."text" ILIKE %s', (pattern,), output_field=BooleanField()))


def claim_filter_text(claims: QuerySet[Claim], *, q: str) -> tuple[QuerySet[Claim], bool]:
    """Claims of `claims` whose wording matches `q`, for the pages and the API alike; (claims, few).

    Full text or a tag; when that finds nothing and `q` is one word of three letters or more, the wording as
    a substring ("Vltav", a name the parser splits or stems away). Multi-word substrings are not tried: their
    trigrams are common in news wording, and the lookup alone costs more than the page.

    PostgreSQL guesses how many claims match from word frequencies. For a rare or contradictory query
    ("airfield checkpoint": two common words that never meet) it guesses thousands, walks the date index
    looking for them and reads every one of a million claims. So the matching ids are fetched first through
    the indexes (one query, both tries), stopping after FEW_MATCHES: if that is all of them (`few`), the page
    is those ids and ranking them is cheap; if not, the query is common enough for the date-index walk to
    find a page quickly.

    One word that the full-text index's statistics count in COMMON_WORD_CLAIMS claims or more goes straight to
    the walk: collecting its first 501 ids cost more than the page (PostgreSQL prices `to_tsvector` too low
    and scans thousands of claims computing it; docs/architecture.md has the figures).
    """
    text = _text_match(q)
    if _is_common_word(q):
        return claims.filter(text), False
    first_sql, first_params = (
        Claim.objects.filter(text).order_by().values("pk")[: FEW_MATCHES + 1].query.sql_with_params()
    )
    sql = f"WITH found (id) AS MATERIALIZED ({first_sql}) SELECT id, false FROM found"  # noqa: S608 -- ORM-compiled SQL, values as parameters
    params = list(first_params)
    if len(q) >= 3 and not any(c.isspace() for c in q):
        substring = _substring_match(q)
        second_sql, second_params = (
            Claim.objects.filter(substring).order_by().values("pk")[: FEW_MATCHES + 1].query.sql_with_params()
        )
        # An uncorrelated NOT EXISTS is a one-time filter: the substring lookup runs only when nothing was found.
        sql += f" UNION ALL SELECT s.id, true FROM ({second_sql}) s (id) WHERE NOT EXISTS (SELECT 1 FROM found)"  # noqa: S608 -- as above
        params += second_params
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    match = substring if rows and rows[0][1] else text
    if len(rows) <= FEW_MATCHES:
        return claims.filter(pk__in=[pk for pk, _ in rows]), True
    return claims.filter(match), False


# Who backs and who denies each claim of a page, most-quoted first (ties: the older party), WHO_SHOWN + 1 names
# at most per side. The groups are summed per party before any name is looked up: a claim reported 100,000
# times has tens of thousands of backing groups, and joining each to its party's name cost more than the page.
_WHO_SIDE = """
       ARRAY(SELECT COALESCE(p.name, t.speaker) FROM (
                 SELECT cs.party_id, cs.speaker, sum(cs.statements) AS n FROM claims_claimstance cs
                 WHERE cs.claim_id = c.id AND cs.stance IN ({stances})
                 GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2 LIMIT %(n)s
             ) t LEFT JOIN claims_party p ON p.id = t.party_id ORDER BY t.n DESC, t.party_id, t.speaker)"""


_WHO_SQL = (
    "SELECT c.id,"
    + _WHO_SIDE.format(stances="'asserts', 'confirms'") + ","
    + _WHO_SIDE.format(stances="'denies'")
    + "\nFROM unnest(%(ids)s::bigint[]) AS c (id)"
)


def claim_rows_with_who(claims) -> list[Claim]:
    """The claims (a page of claim_search) with `backed_by` and `denied_by`: the names of the parties (or
    unresolved speakers) asserting or confirming, and denying, most-quoted first, WHO_SHOWN + 1 at most.

    One query for the page, from claims_claimstance, after the page is cut: computed in the list query, the
    names of every row an OFFSET skips were computed too (page 200 reads 5,000 rows).
    """
    claims = list(claims)
    if not claims:
        return claims
    with connection.cursor() as cursor:
        cursor.execute(_WHO_SQL, {"ids": [c.pk for c in claims], "n": WHO_SHOWN + 1})
        who = {pk: (backers, deniers) for pk, backers, deniers in cursor.fetchall()}
    for claim in claims:
        claim.backed_by, claim.denied_by = who[claim.pk]
    return claims


def claim_search(
    *,
    q: str = "",
    verdict: str = "",
    contested: bool | None = None,
    party: Party | None = None,
    stance: str = "",
    outlet_id: int | None = None,
    tag: str = "",
    reported_from: date | None = None,
    reported_to: date | None = None,
    sort: str = "",
) -> QuerySet[Claim]:
    """Listed claims (Claim.listed: not machine-made ones left with no live statement) for the claims list, one
    query: each with its statement count (claim_rows_with_who names who
    backs or denies the claims of a page).

    `q` goes through claim_filter_text (the API's ?q= too). Sorting by relevance ranks the matches, so it
    is offered when they are few (at most FEW_MATCHES); with more, the list is newest first. The statement
    filters (party, stance, outlet, dates) combine: the claim has at least one statement matching all of them.
    """
    # statement_count, backing_count and denial_count are the claim's own counters (kept by a trigger).
    claims = Claim.objects.listed()
    rankable = False
    if q:
        claims, rankable = claim_filter_text(claims, q=q)
        if rankable:
            query = SearchQuery(q, config="english", search_type="websearch")
            claims = claims.annotate(rank=SearchRank(CLAIM_SEARCH_VECTOR, query))
    if verdict:
        claims = claims.filter(verdict=verdict)
    if contested is True:
        claims = claims.filter(backing_count__gt=0, denial_count__gt=0)
    elif contested is False:
        claims = claims.exclude(backing_count__gt=0, denial_count__gt=0)
    if tag:
        claims = claims.filter(tags__contains=[tag])
    claims = claim_filter_statements(
        claims, party_id=party.pk if party is not None else None, stance=stance, outlet_id=outlet_id,
        reported_from=reported_from, reported_to=reported_to,
    )
    if sort not in CLAIM_SORTS or (sort == "relevance" and not rankable):
        sort = "relevance" if rankable else "newest"
    return claims.order_by(*CLAIM_SORTS[sort][1])


def claim_filter_statements(
    claims: QuerySet[Claim],
    *,
    party_id: int | None = None,
    stance: str = "",
    outlet_id: int | None = None,
    reported_from: date | None = None,
    reported_to: date | None = None,
) -> QuerySet[Claim]:
    """Claims with at least one statement (not rejected) matching all the filters given, for the pages and the API.

    `party_id` takes in the parties up to two levels under it. Party and stance alone are answered by
    claims_claimstance (a few rows per claim) rather than the statements (up to 100,000 per claim).
    """
    if outlet_id or reported_from or reported_to:
        statement = Q()
        if party_id is not None:
            statement &= Q(party_id__in=party_and_below_ids(party_id))
        if stance:
            statement &= Q(stance=stance)
        if outlet_id:
            statement &= Q(article__outlet_id=outlet_id)
        if reported_from:
            statement &= Q(article__published_at__date__gte=reported_from)
        if reported_to:
            statement &= Q(article__published_at__date__lte=reported_to)
        return claims.filter(Exists(_counted_statements().filter(statement, claim=OuterRef("pk"))))
    group = Q()
    if party_id is not None:
        group &= Q(party_id__in=party_and_below_ids(party_id))
    if stance:
        group &= Q(stance=stance)
    if not group:
        return claims
    return claims.filter(Exists(ClaimStance.objects.filter(group, claim=OuterRef("pk"))))


_CLAIM_TAGS_SQL = """
SELECT f.max_id, f.changed,
       CASE WHEN f.max_id IS NOT DISTINCT FROM %(max_id)s AND f.changed IS NOT DISTINCT FROM %(changed)s THEN NULL
            ELSE ARRAY(
                SELECT DISTINCT t FROM claims_claim c, unnest(c.tags) t WHERE c.merged_into_id IS NULL ORDER BY t
            )
       END
FROM (SELECT (SELECT max(id) FROM claims_claim) AS max_id, (SELECT max(updated_at) FROM claims_claim) AS changed) f
"""


def claim_tags() -> list[str]:
    """Every tag in use, for the tag filter.

    Unnesting the tags of every claim is slow at scale, so the list is cached with the newest claim id and
    change time it was computed at. One query either way: it reads both (two index probes) and unnests the
    tags again only when either moved, so a claim created or saved since is never missed.
    """
    cached = cache.get("claim_tags")
    known = {"max_id": cached[0], "changed": cached[1]} if cached else {"max_id": -1, "changed": None}
    with connection.cursor() as cursor:
        cursor.execute(_CLAIM_TAGS_SQL, known)
        max_id, changed, tags = cursor.fetchone()
    if tags is None:
        return list(cached[2]) if cached else []
    cache.set("claim_tags", (max_id, changed, tags), timeout=3600)
    return list(tags)


def claim_get(*, pk: int) -> Claim:
    return Claim.objects.select_related("merged_into", "assignee").get(pk=pk)


@dataclass(frozen=True)
class MatrixRow:
    """One party in a claim's "who says what" matrix, with its place in the party hierarchy."""

    party_id: int | None
    party: str
    slug: str
    lineage: tuple[str, ...]  # the party's ancestors, outermost first
    stances: dict[str, int]  # stance -> statements
    statements: int
    first_seen: datetime | None
    last_seen: datetime | None

    @property
    def depth(self) -> int:
        return len(self.lineage)


def claim_party_matrix(*, summary: ClaimStanceSummary) -> list[MatrixRow]:
    """The stance summary pivoted to one row per party, ordered so a party sits under its parent."""
    ids = {p.party_id for p in summary.parties if p.party_id is not None}
    parties = {p.pk: p for p in Party.objects.filter(pk__in=ids).select_related("parent__parent__parent")}

    def lineage(party: Party) -> tuple[str, ...]:
        chain, up = [], party.parent
        while up is not None and len(chain) < 3:
            chain.append(up.name)
            up = up.parent if up.parent_id else None
        return tuple(reversed(chain))

    rows: dict[tuple, dict] = {}
    for stance in summary.parties:
        key = (stance.party_id, stance.party)
        row = rows.setdefault(key, {"stances": {}, "statements": 0, "first": [], "last": []})
        row["stances"][stance.stance] = row["stances"].get(stance.stance, 0) + stance.statements
        row["statements"] += stance.statements
        row["first"].append(stance.first_seen)
        row["last"].append(stance.last_seen)
    result = []
    for (party_id, name), row in rows.items():
        party = parties.get(party_id)
        firsts = [d for d in row["first"] if d]
        lasts = [d for d in row["last"] if d]
        result.append(
            MatrixRow(
                party_id=party_id, party=name, slug=party.slug if party else "",
                lineage=lineage(party) if party else (), stances=row["stances"], statements=row["statements"],
                first_seen=min(firsts) if firsts else None, last_seen=max(lasts) if lasts else None,
            )
        )
    result.sort(key=lambda r: (*r.lineage, r.party))
    return result


def claim_timeline(*, claim: Claim) -> QuerySet[Statement]:
    """The claim's statements in the order they were reported, each with what its link into the article needs.

    A queryset for the page to slice: a claim can have 100,000 statements. A page of it is the first rows of
    the articles' date index joined to the claim's statements, or the claim's statements sorted, whichever
    PostgreSQL finds cheaper; its length is the claim's statement_count (the same statements: not rejected).
    """
    return (
        _counted_statements()
        .filter(claim=claim)
        .select_related("party__parent", "article__outlet", "revision")
        .defer("revision__text", "revision__raw_html")
        .order_by(F("article__published_at").asc(nulls_last=True), "article_id", "start", "id")
    )


# How many of a claim's withdrawn statements its page lists.
WITHDRAWN_SHOWN = 50


def claim_withdrawn_statements(*, claim: Claim, limit: int = WITHDRAWN_SHOWN) -> tuple[list[Statement], bool]:
    """The claim's statements that a later revision of their article no longer has (rejected ones left out), most
    recently withdrawn first, with the revision each was found in and the one that dropped it; and whether there
    are more than `limit`. Read through the claim's statement index: a claim's withdrawn statements are few."""
    statements = list(
        Statement.objects.filter(claim=claim, withdrawn_at__isnull=False)
        .exclude(review_state=ReviewState.REJECTED)
        .select_related("party", "article__outlet", "revision", "withdrawn_in")
        .defer("revision__text", "revision__raw_html", "withdrawn_in__text", "withdrawn_in__raw_html")
        .order_by("-withdrawn_at", "-id")[: limit + 1]
    )
    return statements[:limit], len(statements) > limit


def claim_evidence(*, claim: Claim) -> list:
    return list(claim.evidence.select_related("article", "added_by").order_by("created_at", "id"))


def claim_history(*, claim: Claim) -> list:
    """Verdict changes, newest first."""
    return list(claim.status_changes.select_related("actor").order_by("-created_at", "-id"))


def claim_list_similar(*, claim: Claim, limit: int = 5) -> list[Claim]:
    """Other live claims that say much the same, most alike first: candidates for a merge.

    The similar-claim lookup's candidates (claims.retrieval: nearest by embedding and sharing rare words,
    both through indexes) ranked by the analysis's similarity; each claim carries its score as
    `similarity`, and only those at SIMILAR_CLAIM_FLOOR or above are listed.
    """
    from claims.analysis.similarity import similarity
    from claims.retrieval import claim_candidates

    candidates = claim_candidates(text=claim.text, exclude_ids=(claim.pk,), nearest=4 * limit, by_words=2 * limit)
    if not candidates:
        return []
    scores = similarity([claim.text], [c.text for c in candidates])[0]
    for candidate, score in zip(candidates, scores, strict=True):
        candidate.similarity = float(score)
    alike = [c for c in candidates if c.similarity >= SIMILAR_CLAIM_FLOOR]
    return sorted(alike, key=lambda c: (-c.similarity, -c.pk))[:limit]


# The "similar claims" box lists claims somewhat below the same-claim threshold of the matching
# (claims.analysis.similarity.SAME_CLAIM_THRESHOLD, 0.40) too: the analyst decides on a merge.
SIMILAR_CLAIM_FLOOR = 0.30


def claim_choices(*, limit: int = 500) -> list[tuple[int, str]]:
    """(id, wording) of live claims for pickers, newest first."""
    return list(Claim.objects.live().order_by("-id").values_list("pk", "text")[:limit])


def _api_claim_annotations() -> dict:
    # statement_count is the claim's own counter; contested reads the backing and denial counters (migration 0006).
    return {
        "contested": ExpressionWrapper(Q(backing_count__gt=0) & Q(denial_count__gt=0), output_field=BooleanField()),
        # Cursor pagination needs a non-null sort key; a claim not yet reported sorts by its creation.
        "reported_at": Coalesce("first_reported_at", "created_at"),
    }


def api_claim_list(*, published_only: bool = False) -> QuerySet[Claim]:
    """Listed claims (Claim.listed) for API lists and exports, each with contested, statement_count and
    reported_at; one query. A hidden claim is still at its detail URL (api_claim_detail)."""
    claims = Claim.objects.listed().annotate(**_api_claim_annotations())
    return claims.published() if published_only else claims


# How many statements the API's claim detail embeds; the rest are at /api/v1/statements/?claim=ID.
EMBEDDED_STATEMENTS = 50


def api_claim_detail(*, published_only: bool = False) -> QuerySet[Claim]:
    """Claims, merged ones too (a client may hold an old id), with their evidence prefetched.

    Statements are not prefetched: a claim can have 100,000; see api_claim_statements.
    """
    claims = Claim.objects.annotate(**_api_claim_annotations()).prefetch_related(
        Prefetch("evidence", queryset=Evidence.objects.select_related("added_by").order_by("created_at", "id")),
    )
    return claims.published() if published_only else claims


def api_claim_statements(*, claim: Claim, limit: int = EMBEDDED_STATEMENTS) -> tuple[list[Statement], bool]:
    """The claim's newest `limit` statements (rejected ones too, marked so), the first page of
    /api/v1/statements/?claim=ID; and whether there are more."""
    statements = list(
        Statement.objects.filter(claim=claim).select_related("party", "reviewed_by").order_by("-id")[: limit + 1]
    )
    return statements[:limit], len(statements) > limit
