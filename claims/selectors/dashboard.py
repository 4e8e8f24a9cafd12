"""Reads for the dashboard: the database's tallies, the tracker's counts, verdict counts and the daily stance chart."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import connection
from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from claims.enums import Stance, Verdict
from claims.models import Tally
from claims.selectors._common import _counted_statements
from sources.models import Article


def tally_counts(*, names: tuple[str, ...] = ()) -> dict[str, int]:
    """The counts kept by triggers in claims_tally (claims/sql/tallies.sql), all of them or those in `names`: one
    query over a few dozen rows instead of COUNT(*) over millions (the periodic claims.fold_tallies keeps the rows
    few). A count with no rows is 0 (and absent here)."""
    rows = Tally.objects.order_by().values_list("name").annotate(total=Sum("n"))
    if names:
        rows = rows.filter(name__in=names)
    return dict(rows)


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


def claim_verdict_counts() -> list[tuple[str, str, int]]:
    """(verdict, label, live claims with it) for every verdict, zeros included, in the verdicts' order; from the
    tallies."""
    counts = tally_counts(names=tuple(f"claims:{verdict.value}" for verdict in Verdict))
    return [(verdict.value, verdict.label, counts.get(f"claims:{verdict.value}", 0)) for verdict in Verdict]


@dataclass(frozen=True)
class DailyStances:
    """Statements per day by stance, for the dashboard's chart: days oldest first, one count per stance per day."""

    days: tuple[date, ...]
    stances: tuple[tuple[str, str], ...]
    counts: dict[tuple[date, str], int]

    def total(self, day: date) -> int:
        return sum(self.counts.get((day, s), 0) for s, _ in self.stances)

    def table_rows(self) -> list[tuple[date, list[int]]]:
        """The days with statements, each with its count per stance in the order of `stances`: the chart's table.
        One lookup a cell (a filter scanning every count for every cell made a year's table cost a second)."""
        rows = [(day, [self.counts.get((day, s), 0) for s, _ in self.stances]) for day in self.days]
        return [(day, cells) for day, cells in rows if any(cells)]


# The chart's counts from the tallies (claims/sql/tallies.sql: "statements:day:<YYYY-MM-DD>:<stance>", days in
# UTC): the latest day with any (the names sort by day: read backwards from the last name, it stops at the first
# day whose count is not 0), then the names of the window's days.
_DAILY_TALLY_SQL = """
WITH last AS (
    SELECT substr(name, 16, 10)::date AS day FROM claims_tally WHERE name LIKE 'statements:day:%%'
    GROUP BY name HAVING sum(n) <> 0 ORDER BY name DESC LIMIT 1
)
SELECT substr(t.name, 16, 10)::date, substr(t.name, 27), sum(t.n)
FROM claims_tally t, last
WHERE t.name LIKE 'statements:day:%%'
  AND t.name >= 'statements:day:' || to_char(last.day - (%(days)s - 1), 'YYYY-MM-DD')
GROUP BY t.name HAVING sum(t.n) <> 0
"""


def statement_daily_by_stance(*, days: int = 30) -> DailyStances:
    """The `days` days up to the latest day anything was reported; a statement's day is its article's date
    (when the article has none, the day the statement was recorded). Rejected statements are left out.

    From the tallies kept by triggers, one query over a few thousand rows, rather than counting the window's
    statements through their articles. The tallies' days are UTC days; in another time zone the statements are
    counted.
    """
    if timezone.get_current_timezone_name() != "UTC":
        return _statement_daily_counted(days=days)
    with connection.cursor() as cursor:
        cursor.execute(_DAILY_TALLY_SQL, {"days": days})
        rows = cursor.fetchall()
    return _daily_stances(days=days, rows=rows)


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
