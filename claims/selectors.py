"""Reads of parties, claims and statements, shaped for the pages, the API and the analysis."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.postgres.aggregates import ArrayAgg
from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    SearchVectorExact,
)
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from claims.enums import OPPOSING_STANCES, SUPPORTING_STANCES, ReviewState, Stance, Verdict
from claims.models import Claim, ClaimStance, Evidence, Party, PartyAlias, Statement, Tally
from claims.normalise import normalise_mention
from sources.models import Article, ArticleRevision

_STANCE_ORDER = {stance.value: i for i, stance in enumerate(Stance)}


def party_resolve(*, mention: str) -> Party | None:
    """The party a mention names, by alias or name, ignoring case, accents and possessives.

    "Azerbaijan’s defence ministry" finds the party with that alias; "the Armenian Defense Ministry"
    finds "Armenian Defense Ministry". None when nothing matches: the caller decides whether to
    propose a new party.
    """
    key = normalise_mention(mention)
    if not key:
        return None
    alias = PartyAlias.objects.select_related("party").filter(normalised=key).first()
    if alias is not None:
        return alias.party
    return Party.objects.filter(name_normalised=key).order_by("id").first()


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
# over every group, and the first articles, as rows of one UNION ALL. The articles as EXISTS, not IN: for a
# claim reported 100,000 times PostgreSQL then walks the articles' date index until it has enough (20 ms, not
# 800 ms of collecting every article); for a small claim it starts from the claim's few statements.
_STANCE_SUMMARY_SQL = """
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
SELECT 'total', count(DISTINCT (party_id, speaker)), NULL, NULL, NULL,
       (COALESCE(bool_or(stance IN ('asserts', 'confirms')) AND bool_or(stance = 'denies'), false))::int,
       min(first_seen), max(last_seen), NULL, NULL
FROM claims_claimstance WHERE claim_id = %(claim)s
UNION ALL
(SELECT 'article', a.id, COALESCE(NULLIF(a.title, ''), NULLIF(a.dateline, ''), a.canonical_url), NULL, NULL, NULL,
        NULL, NULL, COALESCE(o.name, ''), a.published_at
FROM sources_article a LEFT JOIN sources_outlet o ON o.id = a.outlet_id
WHERE EXISTS (
    SELECT 1 FROM claims_statement s
    WHERE s.article_id = a.id AND s.claim_id = %(claim)s AND s.review_state <> %(rejected)s
)
ORDER BY a.published_at NULLS LAST, a.id LIMIT %(articles)s)
"""


def claim_stance_summary(
    *, claim: Claim, parties: int = SUMMARY_PARTIES, articles: int = SUMMARY_ARTICLES
) -> ClaimStanceSummary:
    """Who asserts, confirms, denies, questions or retracts a claim, in which articles and when.

    Rejected statements do not count. A statement with no resolved party counts under its speaker's
    words. "Contested": some party asserts or confirms it and some party denies it.
    The `parties` most-quoted parties (every stance of each) and the `articles` first articles: one query
    over claims_claimstance (a few rows per party) and the first articles, whatever the number of statements.
    """
    with connection.cursor() as cursor:
        cursor.execute(_STANCE_SUMMARY_SQL, {
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


def statement_list_pending() -> QuerySet[Statement]:
    """The review queue: machine-made statements nobody has accepted or rejected yet, the likeliest to be kept first
    (their confidence, docs/analysis.md "Confidence"), then oldest first; poor claims sort last."""
    return (
        Statement.objects.filter(review_state=ReviewState.PENDING)
        .select_related("party", "claim", "article__outlet")
        .order_by(F("confidence").desc(), "created_at", "id")
    )


# Past this many rows in claims_tally (one per count and database session that wrote), the rows of sessions that
# have ended are folded into one per count: a read then sums a few dozen rows, not one per connection ever made.
TALLY_FOLD_AT = 200


def tally_fold() -> None:
    """Fold the tally rows of ended database sessions into one row per count (claims_tally_fold, migration claims
    0012). No count changes, so the readers below may call it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT claims_tally_fold()")


def tally_counts(*, names: tuple[str, ...] = ()) -> dict[str, int]:
    """The counts kept by triggers in claims_tally (migration claims 0012), all of them or those in `names`: one
    query over a few dozen rows instead of COUNT(*) over millions. A count with no rows is 0 (and absent here)."""
    rows = Tally.objects.order_by().values_list("name").annotate(total=Sum("n"), rows=Count("slot"))
    if names:
        rows = rows.filter(name__in=names)
    rows = list(rows)
    if sum(r[2] for r in rows) > TALLY_FOLD_AT:
        tally_fold()
    return {name: total for name, total, _ in rows}


def tracker_counts() -> dict[str, int]:
    """What the home page shows: how much the tracker holds, exact, from the tallies."""
    verdicts = tuple(f"claims:{verdict.value}" for verdict in Verdict)
    tallies = tally_counts(names=(*verdicts, "statements", "parties", "articles", "statements:pending"))
    return {
        "claims": sum(n for name, n in tallies.items() if name.startswith("claims:")),
        "statements": tallies.get("statements", 0),
        "parties": tallies.get("parties", 0),
        "articles": tallies.get("articles", 0),
        "pending_review": tallies.get("statements:pending", 0),
    }


# --- The analysts' pages (claims/views.py, sources/views.py) ------------------------------------

# Statements that count on the pages: everything but what an analyst rejected.
def _counted_statements() -> QuerySet[Statement]:
    return Statement.objects.exclude(review_state=ReviewState.REJECTED)


# Three index lookups (the party, its children, their children) instead of an OR across a self-join, which
# PostgreSQL answers by reading all 20,000 parties twice (30 ms on every party-filtered page).
_PARTY_AND_BELOW_SQL = (
    "SELECT id FROM claims_party WHERE id = %s UNION ALL SELECT id FROM claims_party WHERE parent_id = %s "
    "UNION ALL SELECT c.id FROM claims_party c JOIN claims_party m ON m.id = c.parent_id WHERE m.parent_id = %s"
)


def party_and_below_ids(party_id: int) -> RawSQL:
    """Ids of the party and of the parties up to two levels below it (state → ministry → spokeswoman), as a
    subquery for `__in`."""
    return RawSQL(_PARTY_AND_BELOW_SQL, (party_id, party_id, party_id))  # noqa: S611 -- constant SQL, id as a parameter


def _party_or_below(prefix: str, party: Party) -> Q:
    """The party itself or a party up to two levels below it (state → ministry → spokeswoman).

    An IN over the few party ids, not an OR across joins: PostgreSQL can then use the statements' party index.
    """
    return Q(**{f"{prefix}_id__in": party_and_below_ids(party.pk)})


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
    trigrams are common in news wording, and the lookup alone costs 100 ms.

    PostgreSQL guesses how many claims match from word frequencies. For a rare or contradictory query
    ("airfield checkpoint": two common words that never meet) it guesses thousands, walks the date index
    looking for them and reads every one of a million claims. So the matching ids are fetched first through
    the indexes (one query, both tries), stopping after FEW_MATCHES: if that is all of them (`few`), the page
    is those ids and ranking them is cheap; if not, the query is common enough for the date-index walk to
    find a page quickly.

    One word that the full-text index's statistics count in COMMON_WORD_CLAIMS claims or more goes straight to
    the walk: collecting its first 501 ids cost more than the page (PostgreSQL prices `to_tsvector` too low
    and scans ~7,000 claims computing it, 37 ms at a million claims, against 6 ms for the walk).
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
# times has 25,000 backing groups, and joining each to its party's name cost 300 ms a page.
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
    """Live claims for the claims list, one query: each with its statement count (claim_rows_with_who names who
    backs or denies the claims of a page).

    `q` goes through claim_filter_text (the API's ?q= too). Sorting by relevance ranks the matches, so it
    is offered when they are few (at most FEW_MATCHES); with more, the list is newest first. The statement
    filters (party, stance, outlet, dates) combine: the claim has at least one statement matching all of them.
    """
    # statement_count, backing_count and denial_count are the claim's own counters (kept by a trigger).
    claims = Claim.objects.live()
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

    Unnesting the tags of a million claims takes a second, so the list is cached with the newest claim id and
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


def claim_verdict_counts() -> list[tuple[str, str, int]]:
    """(verdict, label, live claims with it) for every verdict, zeros included, in the verdicts' order; from the
    tallies."""
    counts = tally_counts(names=tuple(f"claims:{verdict.value}" for verdict in Verdict))
    return [(verdict.value, verdict.label, counts.get(f"claims:{verdict.value}", 0)) for verdict in Verdict]


def statement_list_newest(*, limit: int = 8) -> list[Statement]:
    return list(
        _counted_statements().select_related("party", "claim", "article__outlet").order_by("-created_at", "-id")[
            :limit
        ]
    )


def statement_review_count() -> int:
    """Statements waiting for review, exact, from the tallies (counting a million pending took 150 ms)."""
    return tally_counts(names=("statements:pending",)).get("statements:pending", 0)


@dataclass(frozen=True)
class DailyStances:
    """Statements per day by stance, for the dashboard's chart: days oldest first, one count per stance per day."""

    days: tuple[date, ...]
    stances: tuple[tuple[str, str], ...]
    counts: dict[tuple[date, str], int]

    def total(self, day: date) -> int:
        return sum(self.counts.get((day, s), 0) for s, _ in self.stances)


# The chart's counts from the tallies (migration claims 0013: "statements:day:<YYYY-MM-DD>:<stance>", days in
# UTC): the latest day with any (the names sort by day: read backwards from the last name, it stops at the first
# day whose count is not 0), then the names of the window's days; and how many rows sessions left there (tally_fold).
_DAILY_TALLY_SQL = """
WITH last AS (
    SELECT substr(name, 16, 10)::date AS day FROM claims_tally WHERE name LIKE 'statements:day:%%'
    GROUP BY name HAVING sum(n) <> 0 ORDER BY name DESC LIMIT 1
)
SELECT substr(t.name, 16, 10)::date, substr(t.name, 27), sum(t.n), count(*) FILTER (WHERE t.slot <> 0)
FROM claims_tally t, last
WHERE t.name LIKE 'statements:day:%%'
  AND t.name >= 'statements:day:' || to_char(last.day - (%(days)s - 1), 'YYYY-MM-DD')
GROUP BY t.name HAVING sum(t.n) <> 0
"""


def statement_daily_by_stance(*, days: int = 30) -> DailyStances:
    """The `days` days up to the latest day anything was reported; a statement's day is its article's date
    (when the article has none, the day the statement was recorded). Rejected statements are left out.

    From the tallies kept by triggers, one query over a few thousand rows: counting the window's statements took
    250 ms at three million (120,000 statements reached through 43,000 article lookups). The tallies' days are
    UTC days; in another time zone the statements are counted.
    """
    if timezone.get_current_timezone_name() != "UTC":
        return _statement_daily_counted(days=days)
    with connection.cursor() as cursor:
        cursor.execute(_DAILY_TALLY_SQL, {"days": days})
        rows = cursor.fetchall()
    if sum(r[3] for r in rows) > TALLY_FOLD_AT:
        tally_fold()
    return _daily_stances(days=days, rows=[(day, stance, n) for day, stance, n, _ in rows])


def _daily_stances(*, days: int, rows: list[tuple[date, str, int]]) -> DailyStances:
    if not rows:
        return DailyStances(days=(), stances=(), counts={})
    last = max(day for day, _, _ in rows)
    span = tuple(last - timedelta(days=i) for i in range(days - 1, -1, -1))
    counts = {(day, stance): n for day, stance, n in rows if span[0] <= day <= last}
    used = {stance for _, stance in counts}
    stances = tuple((s.value, s.label) for s in Stance if s.value in used)
    return DailyStances(days=span, stances=stances, counts=counts)


def _statement_daily_counted(*, days: int) -> DailyStances:
    """statement_daily_by_stance counted from the statements, in the current time zone."""
    counted = _counted_statements()
    newest_dated = (
        counted.filter(article__published_at__isnull=False).order_by("-article__published_at")
        .values_list("article__published_at", flat=True).first()
    )
    newest_undated = counted.filter(
        article__in=Article.objects.filter(published_at__isnull=True).values("pk")
    ).aggregate(newest=Max("created_at"))["newest"]
    latest = max((moment for moment in (newest_dated, newest_undated) if moment is not None), default=None)
    if latest is None:
        return DailyStances(days=(), stances=(), counts={})
    last = timezone.localtime(latest).date()
    start = timezone.make_aware(datetime.combine(last - timedelta(days=days - 1), datetime.min.time()))
    window = Q(article__published_at__gte=start) | Q(article__published_at__isnull=True, created_at__gte=start)
    rows = list(
        counted.filter(window)
        .annotate(day=TruncDate(Coalesce("article__published_at", "created_at")))
        .order_by()
        .values_list("day", "stance")
        .annotate(n=Count("pk"))
    )
    return _daily_stances(days=days, rows=rows)  # the newest statement's day is among them: `last`


def claim_get(*, pk: int) -> Claim:
    return Claim.objects.select_related("merged_into").get(pk=pk)


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


def statement_review_batch(*, limit: int = 20) -> list[Statement]:
    """A page of the review queue with the revision text each item's context is cut from; two queries.

    The revisions come in a query of their own: PostgreSQL took 1-3 ms to plan the seven-table join that
    select_related made, about twice the time of planning the six-table one plus the revisions by id. Only the
    revision's number and text are read: its fetched page (raw_html, compressed HTML, tens of kilobytes each),
    metadata and near-duplicate bands stay in the database.
    """
    pending = statement_list_pending().select_related("party__parent").prefetch_related(
        Prefetch("revision", queryset=ArticleRevision.objects.only("id", "article_id", "number", "text"))
    )
    return list(pending[:limit])


def statement_context(*, statement: Statement, width: int = 240) -> tuple[str, str, str]:
    """(before, quoted words, after) around a statement, cut at sentence or word boundaries."""
    text = statement.revision.text
    start, end = statement.start, statement.end
    lo = max(0, start - width)
    before = text[lo:start]
    cut = max(before.rfind(". "), before.rfind("\n"))
    if cut >= 0:
        before = before[cut + 1 :].lstrip()
    elif lo > 0:
        before = "…" + before.split(" ", 1)[-1]
    after = text[end : end + width]
    stop = min((i for i in (after.find(". "), after.find("\n")) if i >= 0), default=-1)
    if stop >= 0:
        after = after[: stop + 1]
    elif end + width < len(text):
        after = after.rsplit(" ", 1)[0] + "…"
    return before, text[start:end], after


def statement_list_for_revision(*, revision) -> list[Statement]:
    """Every statement found in a revision (rejected ones left out), for the article reader."""
    return list(
        _counted_statements()
        .filter(revision=revision)
        .select_related("party", "claim")
        .order_by("start", "-end", "id")
    )


def party_search(*, q: str = "") -> QuerySet[Party]:
    """Parties for the party list: with their parent, how many statements they made and how many children."""
    parties = Party.objects.select_related("parent").annotate(
        statement_count=Coalesce(
            Subquery(
                _counted_statements().filter(party=OuterRef("pk")).order_by().values("party")
                .annotate(n=Count("pk")).values("n")
            ),
            0,
        ),
        children_count=Coalesce(
            Subquery(
                Party.objects.filter(parent=OuterRef("pk")).order_by().values("parent")
                .annotate(n=Count("pk")).values("n")
            ),
            0,
        ),
    )
    if q:
        key = normalise_mention(q)
        parties = parties.filter(
            Q(name__icontains=q) | Q(aliases__normalised__icontains=key) | Q(country__icontains=q)
        ).distinct()
    return parties.order_by("name", "id")


def party_get(*, slug: str) -> Party:
    return Party.objects.select_related("parent__parent").get(slug=slug)


@dataclass(frozen=True)
class TrackRecordEntry:
    claim: Claim
    stances: tuple[str, ...]
    speakers: tuple[str, ...]
    statements: int


def _track_record_groups(party: Party) -> QuerySet[ClaimStance]:
    return ClaimStance.objects.filter(
        _party_or_below("party", party), stance__in=SUPPORTING_STANCES | OPPOSING_STANCES
    )


def party_track_record(*, party: Party, verdict: str = "") -> QuerySet[Claim]:
    """The claims a party (or a party under it) asserted, confirmed or denied, newest claim first; a page of it
    goes to party_track_record_entries. `verdict` keeps the claims that have it.

    A queryset to page through: a top state backed or denied 30,000 claims. Walking the claims newest first
    and probing claims_claimstance for each finds a page of a busy party's claims in a few hundred probes;
    PostgreSQL starts from the party's groups instead when the party is a quiet one.
    """
    claims = Claim.objects.filter(Exists(_track_record_groups(party).filter(claim=OuterRef("pk"))))
    if verdict:
        claims = claims.filter(verdict=verdict)
    return claims.order_by("-id")


def party_track_record_entries(claims, *, party: Party) -> list[TrackRecordEntry]:
    """A page of party_track_record's claims with the party's stances, speakers and statements on each: two
    queries, whatever the page."""
    claims = list(claims)
    groups = (
        _track_record_groups(party).filter(claim__in=claims).values("claim_id")
        .annotate(
            stance_list=ArrayAgg("stance", distinct=True),
            speakers=ArrayAgg("party__name", distinct=True, order_by="party__name"),
            statement_total=Sum("statements"),
        )
        .order_by()
    )
    by_claim = {g["claim_id"]: g for g in groups}
    return [
        TrackRecordEntry(
            claim=claim,
            stances=tuple(sorted(by_claim[claim.pk]["stance_list"], key=_STANCE_ORDER.__getitem__)),
            speakers=tuple(by_claim[claim.pk]["speakers"]),
            statements=by_claim[claim.pk]["statement_total"],
        )
        for claim in claims
    ]


def statement_get(*, pk: int) -> Statement:
    return Statement.objects.select_related("party").get(pk=pk)


def statement_list_by_ids(*, ids: list[int]) -> list[Statement]:
    return list(Statement.objects.filter(pk__in=ids).order_by("pk"))


# --- The REST API (claims/api/) ------------------------------------------------------------------


def _api_claim_annotations() -> dict:
    # statement_count is the claim's own counter; contested reads the backing and denial counters (migration 0006).
    return {
        "contested": ExpressionWrapper(Q(backing_count__gt=0) & Q(denial_count__gt=0), output_field=BooleanField()),
        # Cursor pagination needs a non-null sort key; a claim not yet reported sorts by its creation.
        "reported_at": Coalesce("first_reported_at", "created_at"),
    }


def api_claim_list(*, published_only: bool = False) -> QuerySet[Claim]:
    """Live claims for API lists and exports, each with contested, statement_count and reported_at; one query."""
    claims = Claim.objects.live().annotate(**_api_claim_annotations())
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
