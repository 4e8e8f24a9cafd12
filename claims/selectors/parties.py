"""Reads of parties: resolving a mention, the party list, a party's page and its track record."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.postgres.aggregates import ArrayAgg
from django.db import connection
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from claims.enums import OPPOSING_STANCES, SUPPORTING_STANCES
from claims.models import Claim, ClaimStance, Party, PartyAlias
from claims.normalise import normalise_mention
from claims.selectors._common import _STANCE_ORDER, _counted_statements


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
    # A merged-away party's name became an alias of the party it was merged into, so the alias lookup finds that.
    return Party.objects.filter(name_normalised=key, merged_into__isnull=True).order_by("id").first()


# Three index lookups (the party, its children, their children) instead of an OR across a self-join, which
# PostgreSQL answers by reading every party twice, on every party-filtered page.
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


def party_search(*, q: str = "") -> QuerySet[Party]:
    """Parties for the party list: with their parent, how many statements they made and how many children."""
    parties = Party.objects.filter(merged_into__isnull=True).select_related("parent").annotate(
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


@dataclass(frozen=True)
class PartySuggestion:
    name: str
    slug: str
    alias: str  # the alias that matched what was typed, or "" when the name did


def party_suggest(*, q: str, limit: int = 10) -> list[PartySuggestion]:
    """Parties whose name or an alias contains what was typed (two characters at least), names first: the party
    filters' autocomplete. Two index-backed queries (the trigram indexes on names and aliases), not an OR join."""
    key = normalise_mention(q)
    if len(key) < 2:
        return []
    by_name = list(Party.objects.filter(name_normalised__contains=key, merged_into__isnull=True).order_by("name", "id")
                   .values_list("name", "slug")[:limit])
    by_alias = list(PartyAlias.objects.filter(normalised__contains=key).order_by("text", "id")
                    .values_list("party__name", "party__slug", "text")[:limit])
    found: dict[str, PartySuggestion] = {}
    for name, slug in by_name:
        found.setdefault(slug, PartySuggestion(name=name, slug=slug, alias=""))
    for name, slug, alias in by_alias:
        found.setdefault(slug, PartySuggestion(name=name, slug=slug, alias=alias))
    return list(found.values())[:limit]


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


_TRACK_RECORD_STANCES = sorted(s.value for s in SUPPORTING_STANCES | OPPOSING_STANCES)

# The claims the party and the parties under it back or deny, newest claim first, read party by party from the
# newest end of claim_stance_party_idx: each party gives at most %(per_party)s groups, which is enough (a party
# has one group a stance on a claim, so a claim among the first N has fewer than N * stances groups above it in
# any party's list). The work is what the page asks for, not the party's history (a top state backed or denied
# 36,000 claims), and the plan is the same for a quiet party and a busy one: no estimate chooses it.
_TRACK_RECORD_SQL = """
WITH parties AS MATERIALIZED ({parties})
SELECT g.claim_id FROM parties, LATERAL (
    SELECT cs.claim_id FROM claims_claimstance cs {verdict_join}
    WHERE cs.party_id = parties.id AND cs.stance = ANY(%(stances)s) {verdict_where}
    ORDER BY cs.claim_id DESC LIMIT %(per_party)s
) g
GROUP BY g.claim_id ORDER BY g.claim_id DESC LIMIT %(limit)s OFFSET %(offset)s
"""


class TrackRecord:
    """party_track_record's claims, as the paginator takes them: `count_upto(n)` and a slice, one query each."""

    def __init__(self, *, party: Party, verdict: str = "") -> None:
        self.party, self.verdict = party, verdict

    def query(self, *, offset: int, limit: int) -> tuple[str, dict]:
        """The SQL (and its parameters) of the claim ids from `offset`, at most `limit` of them."""
        sql = _TRACK_RECORD_SQL.format(
            parties=_PARTY_AND_BELOW_SQL.replace("%s", "%(party)s"),
            verdict_join="JOIN claims_claim c ON c.id = cs.claim_id" if self.verdict else "",
            verdict_where="AND c.verdict = %(verdict)s" if self.verdict else "",
        )
        params = {"party": self.party.pk, "stances": _TRACK_RECORD_STANCES, "verdict": self.verdict,
                  "per_party": (offset + limit) * len(_TRACK_RECORD_STANCES), "limit": limit, "offset": offset}
        return sql, params

    def _claim_ids(self, *, offset: int, limit: int) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(*self.query(offset=offset, limit=limit))
            return [row[0] for row in cursor.fetchall()]

    def count_upto(self, n: int) -> int:
        """How many claims, counted up to `n` (past it the page says "1000+")."""
        return len(self._claim_ids(offset=0, limit=n))

    def __len__(self) -> int:
        return self.count_upto(10**9)

    def __getitem__(self, page: slice) -> list[Claim]:
        offset, stop = page.start or 0, page.stop
        ids = self._claim_ids(offset=offset, limit=stop - offset)
        claims = Claim.objects.in_bulk(ids)
        return [claims[pk] for pk in ids]


def party_track_record(*, party: Party, verdict: str = "") -> TrackRecord:
    """The claims a party (or a party under it) asserted, confirmed or denied, newest claim first; a page of it
    goes to party_track_record_entries. `verdict` keeps the claims that have it.

    Paged through like a queryset (core.views.page_of); each page and the bounded count read at most what they
    show from each party's newest groups (_TRACK_RECORD_SQL), whatever the party's history.
    """
    return TrackRecord(party=party, verdict=verdict)


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
