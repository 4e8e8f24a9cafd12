"""Reads of the charts: statements per day by stance over a chosen range, for the tracker, a party, a claim."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import connection
from django.db.models import Count, Max, Min, Q, Sum
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from claims.enums import Stance
from claims.models import ClaimPartyDay, PartyDay
from claims.selectors._common import _counted_statements
from claims.selectors.dashboard import DailyStances

CHART_MAX_DAYS = 366  # one bar a day; a longer range shows its last CHART_MAX_DAYS days and says so
WHO_WHEN_PARTIES = 10

# The first and last day with statements, from the day tallies (claims migration 0013; days in UTC).
_TALLY_RANGE_SQL = """
(SELECT substr(name, 16, 10)::date FROM claims_tally WHERE name LIKE 'statements:day:%%'
 GROUP BY name HAVING sum(n) <> 0 ORDER BY name LIMIT 1)
UNION ALL
(SELECT substr(name, 16, 10)::date FROM claims_tally WHERE name LIKE 'statements:day:%%'
 GROUP BY name HAVING sum(n) <> 0 ORDER BY name DESC LIMIT 1)
"""
_TALLY_BETWEEN_SQL = """
SELECT substr(name, 16, 10)::date, substr(name, 27), sum(n) FROM claims_tally
WHERE name >= 'statements:day:' || %(start)s AND name < 'statements:day:' || %(after)s
GROUP BY name HAVING sum(n) <> 0
"""


@dataclass(frozen=True)
class ChartRange:
    start: date
    end: date
    data_start: date | None  # the range of the data, which the form offers as the default
    data_end: date | None
    clipped: bool  # the asked range was longer than CHART_MAX_DAYS: its last days are shown


def chart_range(*, start: date | None, end: date | None, data: tuple[date | None, date | None]) -> ChartRange:
    """The range to draw: what the analyst asked, else the data's own; at most CHART_MAX_DAYS days."""
    data_start, data_end = data
    end = end or data_end or timezone.localdate()
    start = start or data_start or end
    if start > end:
        start, end = end, start
    clipped = (end - start).days + 1 > CHART_MAX_DAYS
    if clipped:
        start = end - timedelta(days=CHART_MAX_DAYS - 1)
    return ChartRange(start=start, end=end, data_start=data_start, data_end=data_end, clipped=clipped)


def statement_day_range() -> tuple[date | None, date | None]:
    """The first and the last day anything was reported (a statement's day is its article's date)."""
    if timezone.get_current_timezone_name() == "UTC":
        with connection.cursor() as cursor:
            cursor.execute(_TALLY_RANGE_SQL)
            days = [r[0] for r in cursor.fetchall()]
        return (days[0], days[-1]) if days else (None, None)
    span = _counted_statements().annotate(day=TruncDate(Coalesce("article__published_at", "created_at"))).aggregate(
        first=Min("day"), last=Max("day")
    )
    return span["first"], span["last"]


def statement_daily_between(*, span: ChartRange) -> DailyStances:
    """Statements per day by stance over the range (rejected ones left out), from the day tallies."""
    if timezone.get_current_timezone_name() != "UTC":
        return _daily(_counted_statements(), span=span)
    with connection.cursor() as cursor:
        cursor.execute(_TALLY_BETWEEN_SQL, {"start": span.start.isoformat(),
                                             "after": (span.end + timedelta(days=1)).isoformat()})
        rows = cursor.fetchall()
    return _as_daily(rows, span=span)


# A party's (and its sub-parties') first and last day: the first and last entry of each party's days in the party
# days' primary key (party, day, ...), not every day of a top state and its hundred sub-parties.
_PARTY_DAY_RANGE_SQL = """
SELECT min(f.day), max(l.day) FROM ({ids}) AS p (id)
LEFT JOIN LATERAL (SELECT day FROM claims_partyday WHERE party_id = p.id ORDER BY day LIMIT 1) f ON true
LEFT JOIN LATERAL (SELECT day FROM claims_partyday WHERE party_id = p.id ORDER BY day DESC LIMIT 1) l ON true
"""


def party_daily_by_stance(*, party_ids: RawSQL, span: ChartRange) -> DailyStances:
    """A party's (and the parties under it) statements per day by stance over the range, from the party days
    (claims_partyday, kept by the statements' tally trigger): a row a (party, day, stance) shown, whatever the
    party's history. `party_ids`: claims.selectors.party_and_below_ids."""
    if timezone.get_current_timezone_name() != "UTC":
        return _daily(_counted_statements().filter(party_id__in=party_ids), span=span)
    rows = (
        PartyDay.objects.filter(party_id__in=party_ids, day__gte=span.start, day__lte=span.end)
        .values_list("day", "stance").annotate(n=Sum("statements")).filter(~Q(n=0)).order_by()
    )
    return _as_daily(list(rows), span=span)


def party_day_range(*, party_ids: RawSQL) -> tuple[date | None, date | None]:
    """The first and last day the party (or a party under it) said anything."""
    if timezone.get_current_timezone_name() != "UTC":
        span = (
            _counted_statements().filter(party_id__in=party_ids)
            .aggregate(first=Min("article__published_at"), last=Max("article__published_at"))
        )
        return tuple(timezone.localtime(v).date() if v else None for v in (span["first"], span["last"]))
    with connection.cursor() as cursor:
        cursor.execute(_PARTY_DAY_RANGE_SQL.format(ids=party_ids.sql), party_ids.params)
        return cursor.fetchone()


@dataclass(frozen=True)
class WhoWhen:
    """The claim's timeline chart: for its most-quoted parties, on which days each asserted, denied..."""

    days: tuple[date, ...]  # every day with a statement, oldest first
    rows: list[tuple[str, list[tuple[date, str, int]]]]  # (party, [(day, stance, statements)])


def claim_who_when(*, claim, parties: list[tuple[int, str]]) -> WhoWhen:
    """Who asserted and who denied the claim, and when, for the given (id, name) parties: one query.

    From the claim's party days (claims_claimpartyday, kept by the claim stances' trigger): a row a (party, day,
    stance) drawn, not the statements of the claim's ten most-quoted parties, tens of thousands on a big claim.
    """
    ids = [pk for pk, _ in parties][:WHO_WHEN_PARTIES]
    if timezone.get_current_timezone_name() == "UTC":
        rows = ClaimPartyDay.objects.filter(claim=claim, party_id__in=ids).values_list(
            "party_id", "day", "stance", "statements"
        )
    else:  # the days are kept in UTC; another zone counts its own days from the statements
        rows = (
            _counted_statements().filter(claim=claim, party_id__in=ids)
            .annotate(day=TruncDate(Coalesce("article__published_at", "created_at")))
            .order_by().values_list("party_id", "day", "stance").annotate(n=Count("pk"))
        )
    by_party: dict[int, list] = {pk: [] for pk in ids}
    days = set()
    for party_id, day, stance, n in rows:
        by_party[party_id].append((day, stance, n))
        days.add(day)
    names = dict(parties)
    return WhoWhen(days=tuple(sorted(days)),
                   rows=[(names[pk], sorted(by_party[pk])) for pk in ids if by_party[pk]])


def _daily(statements, *, span: ChartRange) -> DailyStances:
    start = timezone.make_aware(datetime.combine(span.start, datetime.min.time()))
    after = timezone.make_aware(datetime.combine(span.end + timedelta(days=1), datetime.min.time()))
    moment = Coalesce("article__published_at", "created_at")
    rows = (
        statements.annotate(moment=moment).filter(moment__gte=start, moment__lt=after)
        .annotate(day=TruncDate("moment")).order_by().values_list("day", "stance").annotate(n=Count("pk"))
    )
    return _as_daily(list(rows), span=span)


def _as_daily(rows, *, span: ChartRange) -> DailyStances:
    days = tuple(span.start + timedelta(days=i) for i in range((span.end - span.start).days + 1))
    counts = {(day, stance): n for day, stance, n in rows if span.start <= day <= span.end}
    used = {stance for _, stance in counts}
    stances = tuple((s.value, s.label) for s in Stance if s.value in used)
    return DailyStances(days=days if counts else (), stances=stances, counts=counts)
