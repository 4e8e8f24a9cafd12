"""From the analysis's plain results to the database: parties resolved or proposed, claims matched or proposed.

The analysis package (claims.analysis) knows nothing of the database; this module feeds it the known
parties, stores what it finds as machine-made statements waiting for review, and links each
statement to an existing claim when it reports the same thing in other words.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import logging
import re
import threading
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from claims import services
from claims.enums import Origin, PartyKind, Quotation, ReviewState, Stance
from claims.models import Claim, Party, Statement
from claims.retrieval import claim_candidates
from claims.revisions import Alignment, Earlier, Found, Plan, supersession_plan
from claims.selectors import party_resolve
from core.stages import pipeline_stage
from sources.enums import ArticleStatus
from sources.models import Article, ArticleRevision

logger = logging.getLogger(__name__)

@dataclass
class AnalysisReport:
    revision_id: int
    found: int = 0
    created: int = 0
    skipped_reviewed: int = 0
    skipped_no_content: int = 0  # reports whose content says nothing checkable (a bare noun phrase): not stored
    removed_stale: int = 0
    claims_linked: int = 0
    claims_proposed: int = 0
    parties_proposed: int = 0
    carried_over: int = 0  # statements of earlier revisions found again, moved onto this one
    withdrawn: int = 0  # statements of earlier revisions no longer in the text
    superseded_by: int | None = None  # a later revision's number: this one was not stored (that one's analysis is)
    problems: list[str] = field(default_factory=list)


def known_parties() -> list:
    """Every party not rejected nor merged away (its aliases went to the party it was merged into), with its
    aliases, as the analysis package wants them: in id order, the aliases of each in id order (the
    order decides between parties whose names compete: the older party wins)."""
    return _known(_party_rows())


# --- The analysis's party index, kept per process ---------------------------------------------------------------
#
# Building the PartyResolver from 20,000 parties takes ~0.5 s, and the analysis proposes new parties (unknown
# speakers) in most articles. So each process keeps one and, before each article, asks the database in one query
# what changed since: a fingerprint of the rows it has taken in (their count and the sum of a hash of each row's
# fields that the index uses), and the rows added after them (ids above the highest it has). Same fingerprint:
# nothing it holds was edited, deleted or merged away, and the added rows are taken in with PartyResolver.add
# (lookups identical to a full build, since known_parties gives the parties in id order). Any other
# fingerprint (an edit, a delete, a merge, a party rejected or restored, a row committed late under an id already
# passed) builds it again from all the rows.
# Why not a version column or "max(id) and max(updated_at)": the tables have no updated marker (adding one with a
# trigger is a migration), a max cannot see a delete or a late commit, and edits through the admin or the shell
# bypass any counter kept by services. The fingerprint sees every write path; it costs one scan of the two small
# tables (~20 ms at 20,000 parties, against ~150 ms to read them and ~500 ms to build). Fields the index does not
# use (country, slug, accepted vs pending) are left out, so reviewing a proposed party rebuilds nothing.

_PARTY_ROWS = """
SELECT p.n, p.h::text, p.added, a.n, a.h::text, a.added
FROM (
    SELECT count(*) FILTER (WHERE id <= %(party_mark)s) AS n,
           coalesce(sum(h) FILTER (WHERE id <= %(party_mark)s), 0) AS h,
           coalesce(json_agg(json_build_array(id, name, kind, parent_id, rejected, h) ORDER BY id)
                    FILTER (WHERE id > %(party_mark)s), '[]') AS added
    FROM (
        SELECT id, name, kind, parent_id, (review_state = 'rejected' OR merged_into_id IS NOT NULL) AS rejected,
               hashtextextended(concat_ws(chr(31), id, kind, coalesce(parent_id, 0),
                                          review_state = 'rejected' OR merged_into_id IS NOT NULL, name), 0) AS h
        FROM claims_party
    ) party
) p, (
    SELECT count(*) FILTER (WHERE id <= %(alias_mark)s) AS n,
           coalesce(sum(h) FILTER (WHERE id <= %(alias_mark)s), 0) AS h,
           coalesce(json_agg(json_build_array(id, party_id, text, h) ORDER BY id)
                    FILTER (WHERE id > %(alias_mark)s), '[]') AS added
    FROM (
        SELECT id, party_id, text, hashtextextended(concat_ws(chr(31), id, party_id, text), 0) AS h
        FROM claims_partyalias
    ) alias
) a
"""


@dataclass(frozen=True)
class _PartyRows:
    """One snapshot of the party tables: the fingerprint of the rows up to the marks asked for, and the rows after."""

    party_print: tuple[int, int]  # (rows, sum of row hashes)
    alias_print: tuple[int, int]
    parties: list  # [id, name, kind, parent_id, rejected, hash], by id
    aliases: list  # [id, party_id, text, hash], by id


@pipeline_stage("parties")
def _party_rows(*, party_mark: int = 0, alias_mark: int = 0) -> _PartyRows:
    # One statement, so one snapshot: the fingerprint and the rows added describe the same moment.
    with connection.cursor() as cursor:
        cursor.execute(_PARTY_ROWS, {"party_mark": party_mark, "alias_mark": alias_mark})
        parties_n, parties_h, parties, aliases_n, aliases_h, aliases = cursor.fetchone()
    return _PartyRows(party_print=(parties_n, int(parties_h)), alias_print=(aliases_n, int(aliases_h)),
                      parties=parties, aliases=aliases)


def _known(rows: _PartyRows, *, extending=None) -> list:
    """KnownParty for each party row not rejected, with its alias rows; with `extending` (a PartyResolver), also
    the parties it has that the alias rows add to."""
    from claims.analysis import KnownParty

    aliases: dict[int, list[str]] = {}
    for _pk, party_id, text, _h in rows.aliases:
        aliases.setdefault(party_id, []).append(text)
    known = []
    for pk, name, kind, parent_id, rejected, _h in rows.parties:
        texts = aliases.pop(pk, ())
        if not rejected:
            known.append(KnownParty(id=str(pk), name=name, kind=kind, parent=str(parent_id) if parent_id else None,
                                    aliases=tuple(texts)))
    if extending is not None:
        for party_id, texts in aliases.items():
            party = extending.parties.get(str(party_id))
            if party is not None:  # else a rejected party's: not in the index
                known.append(dataclasses.replace(party, aliases=(*party.aliases, *texts)))
    return known


@dataclass
class _PartyIndex:
    resolver: object  # claims.analysis.parties.PartyResolver
    party_mark: int  # the highest party id taken in
    alias_mark: int
    party_print: tuple[int, int]  # fingerprint of the party rows up to party_mark
    alias_print: tuple[int, int]

    def take_in(self, rows: _PartyRows) -> None:
        """Add rows read after the marks (parties and aliases new since) to the index."""
        self.resolver.add(_known(rows, extending=self.resolver))
        self.move_past(rows)

    def move_past(self, rows: _PartyRows) -> None:
        if rows.parties:
            self.party_mark = rows.parties[-1][0]
            self.party_print = _print_plus(self.party_print, rows.parties)
        if rows.aliases:
            self.alias_mark = rows.aliases[-1][0]
            self.alias_print = _print_plus(self.alias_print, rows.aliases)


def _print_plus(fingerprint: tuple[int, int], rows: list) -> tuple[int, int]:
    return fingerprint[0] + len(rows), fingerprint[1] + sum(row[-1] for row in rows)


# Per thread, though workers run one analysis at a time per process: the index is changed in place.
_party_index = threading.local()


def party_resolver():
    """The analysis's PartyResolver over the known parties, kept per process: parties and aliases added since the
    last article are added to it, and it is built again from all the parties only when rows it holds changed (the
    comment above _PARTY_ROWS says how that is told)."""
    from claims.analysis.parties import PartyResolver

    index = getattr(_party_index, "index", None)
    if index is not None:
        rows = _party_rows(party_mark=index.party_mark, alias_mark=index.alias_mark)
        if (rows.party_print, rows.alias_print) == (index.party_print, index.alias_print):
            if rows.parties or rows.aliases:
                index.take_in(rows)
            return index.resolver
    rows = _party_rows()
    index = _PartyIndex(resolver=PartyResolver(_known(rows)), party_mark=0, alias_mark=0,
                        party_print=(0, 0), alias_print=(0, 0))
    index.move_past(rows)
    _party_index.index = index
    return index.resolver


@pipeline_stage("claim matching")
def claim_match(*, text: str, exclude_ids: tuple[int, ...] = ()) -> tuple[Claim | None, float]:
    """The live claim that says the same as `text`, with the probability that it does; (None, that probability for
    the best candidate) when it is not likely enough.

    A few candidates come from indexes (claim_candidates: nearest wordings by embedding, and claims sharing the
    text's rarest words); the analysis's link model (claims.analysis.matching.match_decide, fitted and calibrated
    on Emergent so that links stay 95 % right) decides among them.
    """
    decision = claim_decide(text=text, exclude_ids=exclude_ids)
    return decision.claim, decision.probability


@dataclass(frozen=True)
class ClaimDecision:
    best: Claim | None  # the most likely candidate, linked or not
    probability: float  # that `best` is the claim the text reports
    similarity: float
    claim: Claim | None  # `best` when the link model says link, else None


# Marked too (nested in claim_match it counts once): the analysis calls it directly, and its time and its lookups
# went uncounted in the ingestion bench's "claim matching" stage.
@pipeline_stage("claim matching")
def claim_decide(*, text: str, exclude_ids: tuple[int, ...] = ()) -> ClaimDecision:
    """claim_match with the best candidate and its similarity too."""
    from claims.analysis.matching import match_decide

    text = text.strip()
    candidates = claim_candidates(text=text, exclude_ids=exclude_ids) if text else []
    if not candidates:
        return ClaimDecision(best=None, probability=0.0, similarity=0.0, claim=None)
    [decision] = match_decide([text], [c.text for c in candidates])
    best = candidates[decision.best] if decision.best is not None else None
    return ClaimDecision(best=best, probability=decision.probability, similarity=decision.similarity,
                         claim=best if decision.claim is not None else None)


@pipeline_stage("speakers")
def _proposed_party(name: str, kind: str = "") -> tuple[Party, bool]:
    """The party an unknown speaker's name stands for, and whether it was created: the party the name already
    resolves to, a known person whose fuller name contains it ("Haddad" is "Abdullah Haddad"), or a new proposal
    of the kind the analysis gave. Written at once, outside the analysis's transaction: when another analysis
    proposes the same speaker at the same moment, its insert wins the slug and this one takes its party."""
    name = " ".join(name.split())
    existing = party_resolve(mention=name) or _party_containing(name=name, kind=kind)
    if existing is not None:
        return _proposal_completed(party=existing, name=name, kind=kind), False
    digest = hashlib.sha256(name.encode()).hexdigest()[:6]
    party_kind = kind if kind in PartyKind.values else PartyKind.ORGANISATION
    try:
        party = services.party_create(
            slug=f"{slugify(name)[:80] or 'speaker'}-{digest}", name=name, kind=party_kind,
            aliases=[name], origin=Origin.EXTRACTED,
        )
    except IntegrityError:
        existing = party_resolve(mention=name)
        if existing is None:
            raise
        return existing, False
    return party, True


def _proposal_completed(*, party: Party, name: str, kind: str) -> Party:
    """A machine proposal named by a lone word ("Trump", typed an organisation where the tagger had no more to go
    on) that a later article names in full as a person ("Donald Trump") becomes that person: the fuller name, the
    person kind, the short name kept as an alias. Parties an analyst made or reviewed are never changed."""
    from claims.analysis.speakers import ORGANISATION, PERSON, core_tokens

    if (party.origin != Origin.EXTRACTED or party.review_state != ReviewState.PENDING or kind != PERSON
            or party.kind not in (ORGANISATION, PERSON)):
        return party
    words, fuller = core_tokens(party.name), core_tokens(name)
    if len(words) != 1 or not words < fuller or (party.kind == PERSON and len(party.name.split()) > 1):
        return party
    if party_resolve(mention=name) not in (None, party):
        return party  # the full name is someone else's already
    short = party.name
    party = services.party_update(party=party, name=name, kind=PERSON, parent=party.parent, country=party.country)
    for text in (name, short):
        # A text that names another party stays that party's; the rename stands.
        with contextlib.suppress(ValidationError):
            services.party_alias_add(party=party, text=text)
    return party


def _party_containing(*, name: str, kind: str) -> Party | None:
    """The one known person whose name holds all of this name's words and more: a surname for a person named
    in full before ("Haddad" is "Abdullah Haddad"). None when several or none fit."""
    from claims.analysis.speakers import PERSON, core_tokens

    words = core_tokens(name)
    # "Officials" in one article are not the "US officials" of another; a lone name the tagger took for an
    # organisation may still be a person's surname.
    if kind != PERSON and len(words) != 1:
        return None
    resolver = party_resolver()
    fits = {
        pid: core_tokens(resolver.name(pid)) for pid in resolver.containing(frozenset(words))
        if resolver.kind(pid) == PERSON and words < core_tokens(resolver.name(pid))
    }
    # "Trump" beside "Donald Trump" and "Donald Trump Jr.": the one name every other fit extends is the person
    # a lone surname means; two unrelated fits ("Anna Berg", "Ivo Berg") leave it unresolved.
    shortest = [pid for pid, core in fits.items() if all(core <= other for other in fits.values())]
    return Party.objects.filter(pk=int(shortest[0])).first() if len(shortest) == 1 else None


@dataclass(eq=False)
class _NewClaim:
    """A claim nobody has reported yet, proposed by this analysis: created in its write transaction."""

    text: str
    claim: Claim | None = None
    # How likely it is not a stored claim in other words: 1 - the probability that the best candidate is its own.
    keep: float = 1.0


def revision_analyse(*, revision: ArticleRevision) -> AnalysisReport:
    """Run the analysis on one revision and store what it finds; safe to run again on the same revision.

    Side effects: pending machine-made statements of this revision that the analysis no longer finds
    are removed (nothing an analyst reviewed is changed or removed); new statements are created with
    origin "extracted" and review state "pending"; unknown speakers become proposed parties, and claims
    nobody has reported yet become proposed claims; the article is marked analysed.

    A new revision of an article supersedes the earlier ones (claims.revisions says how statements are matched):
    an earlier statement found again moves onto this revision with its review state and an analyst's edits, at
    its words' new offsets, instead of a second statement being created beside it; one whose words are gone is
    withdrawn (kept, counted nowhere). Under the article's row lock, so two analyses of the article's revisions
    take turns, and a revision older than the article's latest stores nothing (the latest one's analysis does).

    The slow part comes first, outside any transaction: the analysis, the speakers' parties (proposed ones are
    written at once), the checks against reviewed statements, claim matching, the alignment of the earlier
    revisions' texts onto this one. Then one short transaction writes: the new claims, the claims linked to locked
    in id order, the statements in one insert, the earlier ones carried over or withdrawn, the stale ones removed.
    Two worker processes whose articles report the same claims used to hold those claims locked for the whole
    analysis, locking them in the order the text named them: they waited on each other and deadlocked (a quarter
    of the analyses ran twice in manage.py bench_ingestion with two processes).
    """
    from claims.analysis import analyse

    report = AnalysisReport(revision_id=revision.pk)
    statements = analyse(revision.text, party_resolver())
    report.found = len(statements)
    # One pasted text once made 5,252 pending statements: past the limit, keep the first ones (text order) and
    # ask for a person, rather than flood the review queue.
    limit = settings.ANALYSIS_MAX_STATEMENTS_PER_ARTICLE
    flag = ""
    if len(statements) > limit:
        statements = statements[:limit]
        flag = (f"Analysis kept the first {limit:,} of {report.found:,} statements found "
                "(ANALYSIS_MAX_STATEMENTS_PER_ARTICLE): an article this long needs a person to look at it.")
    drafts = _statement_drafts(statements, revision=revision, report=report)
    drafts = list({_draft_identity(draft, ref): (draft, ref) for draft, ref in drafts}.values())
    alignments = _Alignments(revision)
    for earlier_revision_id in _earlier_revision_ids(revision):
        alignments.get(earlier_revision_id)
    with transaction.atomic():
        # Taken first: the analyses of two revisions of one article must not both carry the same statements over.
        Article.objects.select_for_update().filter(pk=revision.article_id).first()
        later = revision.article.revisions.filter(number__gt=revision.number).order_by("-number").first()
        if later is not None:
            report.superseded_by = later.number
            ArticleRevision.objects.filter(pk=revision.pk).update(analysed_at=timezone.now())
            return report
        earlier = list(
            Statement.objects.select_for_update().filter(article_id=revision.article_id)
            .exclude(revision=revision).order_by("pk")
        )
        plan = _supersession_plan(revision=revision, earlier=earlier, drafts=drafts, alignments=alignments)
        kept = {move.found for move in plan.carried if move.take_found} | set(plan.new)
        for proposal in dict.fromkeys(ref for i, (_draft, ref) in enumerate(drafts) if i in kept and
                                      isinstance(ref, _NewClaim)):
            proposal.claim = services.claim_create(
                text=proposal.text, origin=Origin.EXTRACTED,
                first_reported_at=revision.article.published_at or revision.fetched_at,
            )
        pending = Statement.objects.filter(revision=revision, origin=Origin.EXTRACTED, review_state=ReviewState.PENDING)
        stored = services.statement_create_many(
            revision=revision,
            drafts=[
                dataclasses.replace(draft, claim=_claim_of(ref))
                for draft, ref in (drafts[i] for i in plan.new)
            ],
            # The claims of statements that may be removed, withdrawn, carried over to another claim or back from
            # being withdrawn below: their counters change too.
            lock_also={s.claim_id for s in earlier if s.claim_id is not None}
            | {claim_id for claim_id in pending.exclude(claim=None).values_list("claim_id", flat=True)}
            | {ref.pk for i, (_d, ref) in enumerate(drafts) if i in kept and isinstance(ref, Claim)},
        )
        report.created = sum(created for _statement, created in stored)
        by_id = {statement.pk: statement for statement in earlier}
        readings = {move.found: _claim_of(drafts[move.found][1]) for move in plan.carried if move.take_found}
        # Locked above; this follows a merge that ran since the claims were matched, as statement_create_many does.
        live = services.claims_lock_live(claim_ids={claim.pk for claim in readings.values() if claim is not None})
        carried = services.statement_carry_over(revision=revision, moves=[
            services.StatementMove(
                statement=by_id[move.statement_id], start=move.start, end=move.end, cue_start=move.cue_start,
                cue_end=move.cue_end,
                reading=dataclasses.replace(
                    drafts[move.found][0], claim=live[readings[move.found].pk] if readings[move.found] else None
                ) if move.take_found else None,
            )
            for move in plan.carried
        ])
        report.carried_over = len(carried)
        report.withdrawn = services.statement_withdraw_many(statement_ids=plan.withdrawn, revision=revision)
        keep = {statement.pk for statement, _created in stored} | {statement.pk for statement in carried}
        _count, removed = pending.exclude(pk__in=keep).delete()
        report.removed_stale = removed.get(Statement._meta.label, 0)
        Article.objects.filter(pk=revision.article_id).exclude(status=ArticleStatus.DUPLICATE).update(
            status=ArticleStatus.ANALYSED
        )
        ArticleRevision.objects.filter(pk=revision.pk).update(analysed_at=timezone.now())
        if flag:
            Article.objects.filter(pk=revision.article_id).update(error=flag)
    return report


def _draft_identity(draft, ref) -> tuple:
    """What makes two drafts the same statement (statement_unique_attribution), a proposed claim by identity."""
    claim = id(ref) if isinstance(ref, _NewClaim) else ref.pk if ref is not None else None
    return (draft.start, draft.end, draft.party.pk if draft.party else None, draft.speaker_text.strip(), claim,
            draft.stance)


def _claim_of(ref) -> Claim | None:
    return ref.claim if isinstance(ref, _NewClaim) else ref


class _Alignments:
    """Earlier revisions' texts aligned onto this revision's, each computed once (claims.revisions.Alignment)."""

    def __init__(self, revision: ArticleRevision) -> None:
        self.revision = revision
        self.done: dict[int, Alignment] = {}

    def get(self, revision_id: int) -> Alignment:
        if revision_id not in self.done:
            old = ArticleRevision.objects.values_list("text", flat=True).get(pk=revision_id)
            self.done[revision_id] = Alignment(old, self.revision.text)
        return self.done[revision_id]


def _earlier_revision_ids(revision: ArticleRevision) -> list[int]:
    """The other revisions of the article that statements point into (read again under the lock: a guess here)."""
    return list(
        Statement.objects.filter(article_id=revision.article_id).exclude(revision=revision)
        .order_by().values_list("revision_id", flat=True).distinct()
    )


def _supersession_plan(*, revision: ArticleRevision, earlier: list[Statement], drafts: list[tuple],
                       alignments: _Alignments) -> Plan:
    found = []
    for draft, ref in drafts:
        claim = ref if isinstance(ref, Claim) else None
        found.append(Found(
            start=draft.start, end=draft.end, cue_start=draft.cue_start, cue_end=draft.cue_end,
            party_id=draft.party.pk if draft.party else None, speaker_text=draft.speaker_text.strip(),
            stance=draft.stance, claim_id=claim.pk if claim else None, new_claim=isinstance(ref, _NewClaim),
        ))
    taken = frozenset(
        Statement.objects.filter(revision=revision).values_list(
            "start", "end", "party_id", "speaker_text", "claim_id", "stance"
        )
    )
    return supersession_plan(
        earlier=[
            Earlier(
                id=s.pk, revision_id=s.revision_id, start=s.start, end=s.end, quote=s.quote, cue_start=s.cue_start,
                cue_end=s.cue_end, party_id=s.party_id, speaker_text=s.speaker_text, stance=s.stance,
                claim_id=s.claim_id, reviewed=s.origin == Origin.ANALYST or s.review_state != ReviewState.PENDING,
                analyst_made=s.origin == Origin.ANALYST, withdrawn=s.withdrawn_at is not None,
            )
            for s in earlier
        ],
        found=found, alignment_for=alignments.get, taken=taken,
    )


def _statement_drafts(statements: list, *, revision: ArticleRevision, report: AnalysisReport) -> list[tuple]:
    """(StatementDraft without its claim, the claim: a Claim, a _NewClaim or None) for each statement to store.

    Reads only, but for proposed parties. A statement over words an analyst already recorded or reviewed (same
    party and stance, overlapping span) is left out: the machine does not propose it again.
    """
    parties = Party.objects.in_bulk({int(e.party_id) for e in statements if e.party_id})
    headline = _Headline(revision.article.title or "")
    reviewed = list(
        Statement.objects.filter(revision=revision)
        .filter(Q(origin=Origin.ANALYST) | ~Q(review_state=ReviewState.PENDING))
        .values_list("start", "end", "stance", "party_id")
    )
    drafts: list[tuple] = []
    claim_for_key: dict[str, Claim | _NewClaim | None] = {}
    wording_for_key: dict[str, object] = {}
    for extracted in statements:
        if extracted.claim_key and getattr(extracted, "claim_wording", ""):
            wording_for_key.setdefault(extracted.claim_key, extracted)
    proposals: list[_NewClaim] = []
    sides_held: dict[tuple[int, object], str] = {}  # (claim, speaker) -> the side the speaker took on it
    for extracted in statements:
        if not extracted.content and not extracted.cue:
            continue
        if (getattr(extracted, "extra", None) or {}).get("says_nothing"):
            # "X told reporters", "X cited disparaging remarks": nothing for an analyst to check or keep.
            report.skipped_no_content += 1
            continue
        spans = extracted.content or extracted.cue
        start, end = min(s.start for s in spans), max(s.end for s in spans)
        party = parties.get(int(extracted.party_id)) if extracted.party_id else None
        fuller = (getattr(extracted, "extra", None) or {}).get("speaker_name")
        if party is not None and fuller:
            party = parties[party.pk] = _proposal_completed(
                party=party, name=fuller, kind=extracted.extra.get("speaker_kind", ""))
        if party is None and extracted.proposed_party:
            party, created = _proposed_party(extracted.proposed_party, getattr(extracted, "proposed_kind", ""))
            report.parties_proposed += int(created)
        # As written, on one line, within the column (a misparsed subject can run long).
        # A relative pronoun ("which said") shows as whom it stands for.
        named = extracted.extra.get("speaker_named", "")
        speaker = (named or " ".join(extracted.speaker.text.split()))[:300] if extracted.speaker else ""
        if party is None and not speaker:
            report.problems.append(f"statement at {start}-{end} has no speaker; kept out")
            continue
        stance = extracted.stance
        party_id = party.pk if party else None
        if any(r_start < end and r_end > start and (r_stance, r_party) == (stance, party_id)
               for r_start, r_end, r_stance, r_party in reviewed):
            report.skipped_reviewed += 1
            continue
        claim, keep = None, 1.0
        if stance != Stance.POSITION and extracted.claim_key:
            if extracted.claim_key not in claim_for_key:
                # The group's claim is looked up with its first statement that words it on its own.
                claim_for_key[extracted.claim_key] = _claim_for(
                    wording_for_key.get(extracted.claim_key, extracted), report=report, proposals=proposals,
                    headline=headline,
                )
            claim, keep = claim_for_key[extracted.claim_key]
            side = _SIDES.get(stance)
            speaker_key = party.pk if party else speaker
            if claim is not None and side is not None:
                held = sides_held.setdefault((id(claim), speaker_key), side)
                if held != side:
                    # One speaker asserting and denying one claim in one article: the link is what is wrong (a
                    # long quote that holds both, a negation read against another sentence), not the speaker.
                    claim, keep = None, 1.0
        cue = extracted.cue[0] if extracted.cue else None
        drafts.append((services.StatementDraft(
            start=start, end=end, stance=stance, origin=Origin.EXTRACTED, party=party,
            speaker_text="" if party else speaker,
            cue_start=cue.start if cue else None, cue_end=cue.end if cue else None,
            quotation=Quotation.DIRECT if extracted.direct else Quotation.INDIRECT,
            # How likely an analyst keeps it: the extraction's confidence (wording checks included) times how
            # likely its claim is right (the link's calibrated probability, or for a new claim the chance that
            # it is not a stored claim in other words). docs/analysis.md, "Confidence".
            confidence=round(max(0.0, min(1.0, float(extracted.confidence) * keep)), 4),
        ), claim))
    return drafts


# Which side of a claim a stance takes: a speaker on both sides of one claim in one article is a misread link.
_SIDES = {Stance.ASSERTS: "for", Stance.CONFIRMS: "for", Stance.DENIES: "against"}


class _Headline:
    """The article's headline and the stored claim it reports, looked up once and only when a statement needs it.

    The headline is the outlet's own statement of the story's claim, often closer to other outlets' wording than
    the sentences quoted in the body: a statement that says what the headline says takes the headline's claim when
    its own wording links to nothing.
    """

    def __init__(self, text: str) -> None:
        self.text = text.strip()
        self._decision: ClaimDecision | None = None

    def decision(self) -> ClaimDecision | None:
        if not self.text:
            return None
        if self._decision is None:
            self._decision = claim_decide(text=self.text)
        return self._decision

    def reports_denial(self) -> bool:
        """A headline that reports a denial or is negated ("Operator Denies Plan To Cut Trains"): a statement that
        shares its words may take either side, so it cannot take the headline's claim with its own stance."""
        from claims.analysis import lexicon
        from claims.analysis.nlp import get_nlp

        return any(
            token.dep_ == "neg" or getattr(lexicon.CUES.get(token.lemma_.lower()), "stance", "") == "denies"
            for token in get_nlp()(self.text)
        )

    def claim_for(self, wording: str) -> tuple[Claim, float] | None:
        """The headline's linked claim and its probability, when `wording` says what the headline says (and the
        headline does not report a denial)."""
        from claims.analysis.similarity import SAME_CLAIM_THRESHOLD, similarity

        if not self.text or similarity([wording], [self.text])[0, 0] < SAME_CLAIM_THRESHOLD:
            return None
        if self.reports_denial():
            return None
        decision = self.decision()
        if decision is None or decision.claim is None:
            return None
        return decision.claim, decision.probability


def _claim_for(
    extracted, *, report: AnalysisReport, proposals: list[_NewClaim], headline: _Headline | None = None
) -> tuple[Claim | _NewClaim | None, float]:
    """The claim a statement reports and how likely that is right: a stored one that says the same (or the one the
    article's headline links to, when the statement says what the headline says), else one this article already
    proposes (what matching saw when the proposals were stored as it went), else a new proposal, added to
    `proposals`."""
    from claims.analysis.similarity import SAME_CLAIM_THRESHOLD, similarity

    wording = (extracted.claim_text or " ".join(s.text for s in extracted.content)).strip()
    if not wording:
        return None, 1.0
    decision = claim_decide(text=wording)
    if proposals:
        scores = similarity([wording], [p.text for p in proposals])[0]
        best = int(scores.argmax())
        if scores[best] >= SAME_CLAIM_THRESHOLD and (decision.claim is None or scores[best] > decision.similarity):
            report.claims_linked += 1
            return proposals[best], proposals[best].keep
    if decision.claim is not None:
        report.claims_linked += 1
        return decision.claim, decision.probability
    by_headline = headline.claim_for(wording) if headline is not None else None
    if by_headline is not None:
        report.claims_linked += 1
        return by_headline
    if not getattr(extracted, "claim_wording", ""):
        # No wording readable on its own ("We will see", an anaphoric "the claim" with nothing before it): it may
        # join a claim, but a new one would be a remark, not a claim. The statement stays for the analyst to place.
        return None, 1.0
    report.claims_proposed += 1
    # The analysis's wording: the content's clause in positive form, pronouns resolved, about 25 words.
    proposals.append(_NewClaim(text=_readable(getattr(extracted, "claim_wording", "") or wording),
                               keep=round(1.0 - decision.probability, 4)))
    return proposals[-1], proposals[-1].keep


def _readable(wording: str) -> str:
    """Canonical wording for a proposed claim: one sentence, capitalised, no trailing punctuation."""
    wording = " ".join(wording.split()).strip(" ,;:.“”\"'")
    # Reported speech keeps its complementiser ("said that ..."); a claim reads without it.
    wording = re.sub(r"^(that|whether)\s+", "", wording, flags=re.IGNORECASE)
    return wording[:1].upper() + wording[1:]
