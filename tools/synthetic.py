"""Synthetic newsroom data at benchmark scale, written with COPY: outlets, parties, articles, claims, statements.

The shape follows the news: a few outlets publish most articles, a few parties make most statements,
a few claims are reported everywhere and most are reported once (Zipf-distributed choices). Every
statement quotes its revision exactly, so the data passes the same invariants as real data.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
from django.db import connection, transaction

from claims import counters
from claims.normalise import normalise_mention

EPOCH = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
SPAN_DAYS = 700
STANCES = np.array(["asserts", "denies", "confirms", "questions", "retracts", "position"])
STANCE_P = np.array([0.60, 0.15, 0.07, 0.03, 0.01, 0.14])
CUES = {"asserts": "said", "denies": "denied", "confirms": "confirmed", "questions": "questioned",
        "retracts": "retracted", "position": "called for"}
VERDICTS = np.array(["unverified", "in_review", "confirmed", "false", "misleading", "unverifiable"])
VERDICT_P = np.array([0.62, 0.08, 0.12, 0.10, 0.05, 0.03])
REVIEW = np.array(["accepted", "pending", "rejected"])
REVIEW_P = np.array([0.70, 0.25, 0.05])
PARTY_KINDS = ["ministry", "military", "agency", "government-body", "person", "organisation", "media", "anonymous"]
_SYLLABLES = ["va", "lor", "ia", "ken", "tar", "mi", "ros", "del", "an", "sk", "or", "bel", "zu", "ra", "ne",
              "tov", "ka", "li", "gra", "dor", "sen", "ma", "ul", "vi", "ost", "han", "pe", "rin", "ba", "cu"]
_VERBS = ["shelled", "struck", "shot down", "seized", "blockaded", "bombed", "evacuated", "mined", "raided",
          "captured", "attacked", "closed", "reinforced", "surrounded", "abandoned", "fortified"]
_OBJECTS = ["a border post", "the main bridge", "a fuel depot", "two villages", "the power station",
            "a convoy of aid trucks", "the railway junction", "an airfield", "the water plant", "a hospital",
            "the regional airport", "a checkpoint", "the grain terminal", "a radar station", "the dam"]
_TAGS = ["air", "artillery", "civilians", "border", "drones", "diplomacy", "casualties", "infrastructure",
         "ceasefire", "refugees", "energy", "cyber"]
_FILLER = ["Fighting continued through the night.", "Residents reported hearing explosions.",
           "The situation could not be independently verified.", "Talks are expected to resume next week.",
           "Aid agencies warned of shortages.", "Markets fell on the news."]


@dataclass(frozen=True)
class Scale:
    outlets: int = 2_000
    parties: int = 20_000
    articles: int = 1_000_000
    claims: int = 1_000_000
    statements: int = 3_000_000


def _zipf_index(rng: np.random.Generator, n: int, size: int, a: float = 1.2) -> np.ndarray:
    """Indices in [0, n) where index 0 is the most popular, falling off like news attention does."""
    ranks = rng.zipf(a, size=size) - 1
    overflow = ranks >= n
    ranks[overflow] = rng.integers(0, n, size=int(overflow.sum()))
    return ranks


def _names(rng: np.random.Generator, count: int, *, words: int = 1) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    while len(out) < count:
        parts = []
        for _ in range(words):
            n = int(rng.integers(2, 4))
            parts.append("".join(_SYLLABLES[i] for i in rng.integers(0, len(_SYLLABLES), n)).capitalize())
        name = " ".join(parts)
        if name not in seen:
            seen.add(name)
            out.append(name)
    return out


def _tsv(value: object) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def _copy(table: str, columns: list[str], rows: Iterator[tuple]) -> int:
    count = 0
    connection.ensure_connection()
    quoted = ", ".join(f'"{column}"' for column in columns)  # "end" is a reserved word
    with connection.connection.cursor() as cursor, cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
        buffer = io.StringIO()
        for row in rows:
            buffer.write("\t".join(_tsv(v) for v in row))
            buffer.write("\n")
            count += 1
            if count % 20_000 == 0:
                copy.write(buffer.getvalue())
                buffer = io.StringIO()
        copy.write(buffer.getvalue())
    return count


# The tables the generator fills. Their secondary indexes, unique constraints and foreign keys are dropped
# for the load and rebuilt after it: one sort per index and one join per foreign key instead of millions of
# index insertions and queued foreign-key checks.
LOADED_TABLES = ("sources_outlet", "claims_party", "claims_partyalias", "claims_claim", "claims_statuschange",
                 "sources_article", "sources_articlerevision", "claims_statement")


def _drop_secondary_indexes(cursor) -> list[str]:
    """Drop the loaded tables' non-primary indexes, unique constraints and foreign keys; the SQL to rebuild them."""
    cursor.execute(
        """SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), contype FROM pg_constraint
           WHERE conrelid = ANY(%s::regclass[]) AND contype IN ('u', 'f')""",
        [list(LOADED_TABLES)],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        """SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i
           WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary
             AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)""",
        [list(LOADED_TABLES)],
    )
    indexes = cursor.fetchall()
    for table, name, _definition, _kind in constraints:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _definition in indexes:
        cursor.execute(f"DROP INDEX {name}")
    # Unique constraints first (nothing refers to them), plain indexes, then foreign keys (validated in bulk).
    rebuild = [f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}' for t, n, d, k in constraints if k == "u"]
    rebuild += [definition for _name, definition in indexes]
    rebuild += [f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}' for t, n, d, k in constraints if k == "f"]
    return rebuild


def _iso(value: dt.datetime) -> str:
    return value.isoformat()


@dataclass
class _Steps:
    """Seconds per step of the load, each printed as it ends."""

    progress: Callable[[str], None]
    timings: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        yield
        self.timings[name] = round(time.perf_counter() - started, 2)
        self.progress(f"{name}: {self.timings[name]} s")


@dataclass
class _Draws:
    """The random choices behind every statement: its article, party, claim, stance and review state."""

    per_article: np.ndarray  # statements in each article
    outlets_of: np.ndarray  # each article's outlet id
    claims_of: np.ndarray  # each statement's claim index
    parties_of: np.ndarray  # each statement's party index
    stances: np.ndarray
    reviews: np.ndarray


def _tracker_is_empty() -> bool:
    from claims.models import Claim, Statement
    from sources.models import Article

    return not (Claim.objects.exists() or Statement.objects.exists() or Article.objects.exists())


def _load_begin(*, check_spans: bool) -> list[str]:
    """Counting triggers off (everything is counted once after the load) and, unless `check_spans`, the span
    check and the secondary indexes too; the SQL that rebuilds the indexes."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
    counters.counters_suspend()
    if check_spans:
        return []
    counters.statement_span_check_suspend()
    with connection.cursor() as cursor:
        return _drop_secondary_indexes(cursor)


def _outlets_load(rng: np.random.Generator, scale: Scale, now: dt.datetime) -> list[str]:
    """Outlets with two-word names; their names, by id - 1."""
    outlet_names = _names(rng, scale.outlets, words=2)
    _copy("sources_outlet", ["id", "name", "domain", "country", "language", "created_at"], (
        (i + 1, f"{name} News", f"{name.lower().replace(' ', '')}.example", "", "en", _iso(now))
        for i, name in enumerate(outlet_names)
    ))
    return outlet_names


def _parties_load(rng: np.random.Generator, scale: Scale, now: dt.datetime) -> list[str]:
    """States (1 %), their ministries, militaries and agencies (25 %), then people and organisations, some under a
    state or body; each with its name as an alias, states also as "...ian government". Their names, by id - 1."""
    states = max(1, scale.parties // 100)
    bodies = max(1, scale.parties // 4)
    base = _names(rng, scale.parties, words=1)
    party_rows, alias_rows = [], []
    for i in range(scale.parties):
        pid = i + 1
        if i < states:
            name, kind, parent = base[i], "state", None
        elif i < states + bodies:
            kind = PARTY_KINDS[i % 4]
            parent = int(rng.integers(1, states + 1))
            name = f"{kind.replace('-', ' ').capitalize()} {base[i]} of {base[parent - 1]}"
        else:
            kind = PARTY_KINDS[4 + i % 4]
            parent = int(rng.integers(1, states + bodies + 1)) if i % 3 else None
            name = f"{base[i]} {base[(i * 7) % scale.parties]}"
        party_rows.append((pid, f"p{pid}", name, normalise_mention(name), kind, parent, "", "analyst",
                           "accepted", _iso(now)))
        alias_rows.append((pid, name))
        if kind == "state":
            alias_rows.append((pid, f"{name}ian government"))
    _copy("claims_party", ["id", "slug", "name", "name_normalised", "kind", "parent_id", "country", "origin",
                           "review_state", "created_at"], iter(party_rows))
    _copy("claims_partyalias", ["id", "party_id", "text", "normalised"], (
        (n + 1, pid, text, normalise_mention(text)) for n, (pid, text) in enumerate(alias_rows)
    ))
    return [row[2] for row in party_rows]


def _statements_draw(rng: np.random.Generator, scale: Scale) -> _Draws:
    """Statements spread evenly over articles; outlets, claims and parties chosen with news-like skew."""
    return _Draws(
        per_article=rng.multinomial(scale.statements, np.full(scale.articles, 1 / scale.articles)),
        outlets_of=_zipf_index(rng, scale.outlets, scale.articles, a=1.3) + 1,
        claims_of=_zipf_index(rng, scale.claims, scale.statements, a=1.15),
        parties_of=_zipf_index(rng, scale.parties, scale.statements, a=1.2),
        stances=rng.choice(STANCES, size=scale.statements, p=STANCE_P),
        reviews=rng.choice(REVIEW, size=scale.statements, p=REVIEW_P),
    )


def _claims_load(rng: np.random.Generator, scale: Scale, now: dt.datetime, draws: _Draws,
                 party_names: list[str]) -> tuple[list[str], list[str]]:
    """Claims ("<state> forces <verb> <object> near <place>") with the counters the statements will give them, and
    a verdict change for each claim not unverified; the claims' texts and the places they name."""
    # Claim.statement_count / backing_count / denial_count: what the trigger would have counted.
    counted = (draws.reviews != "rejected") & (draws.stances != "position")
    backing = counted & ((draws.stances == "asserts") | (draws.stances == "confirms"))
    statement_counts = np.bincount(draws.claims_of[counted], minlength=scale.claims)
    backing_counts = np.bincount(draws.claims_of[backing], minlength=scale.claims)
    denial_counts = np.bincount(draws.claims_of[counted & (draws.stances == "denies")], minlength=scale.claims)
    claim_days = rng.integers(0, SPAN_DAYS, scale.claims)
    verdicts = rng.choice(VERDICTS, size=scale.claims, p=VERDICT_P)
    places = _names(rng, 3000, words=1)
    claim_texts = []
    for i in range(scale.claims):
        actor = party_names[int(rng.integers(0, max(1, scale.parties // 100)))]
        claim_texts.append(f"{actor} forces {_VERBS[i % len(_VERBS)]} {_OBJECTS[(i // 16) % len(_OBJECTS)]} "
                           f"near {places[int(rng.integers(0, len(places)))]}")

    def claim_rows() -> Iterator[tuple]:
        for i in range(scale.claims):
            first = EPOCH + dt.timedelta(days=int(claim_days[i]), seconds=int(rng.integers(0, 86400)))
            verdict = str(verdicts[i])
            published = _iso(first + dt.timedelta(days=2)) if verdict in ("confirmed", "false") else None
            tags = "{" + ",".join(sorted({_TAGS[i % len(_TAGS)], _TAGS[(i // 7) % len(_TAGS)]})) + "}"
            yield (i + 1, "", claim_texts[i], "factual", verdict,
                   "Checked against satellite imagery and local sources." if verdict != "unverified" else "",
                   published, _iso(first), tags, "extracted", "accepted", None, 1, _iso(now), _iso(now),
                   int(statement_counts[i]), int(backing_counts[i]), int(denial_counts[i]))

    _copy("claims_claim", ["id", "slug", "text", "kind", "verdict", "rationale", "verdict_published_at",
                           "first_reported_at", "tags", "origin", "review_state", "merged_into_id", "version",
                           "created_at", "updated_at", "statement_count", "backing_count", "denial_count"],
          claim_rows())
    _copy("claims_statuschange", ["claim_id", "from_verdict", "to_verdict", "rationale", "published",
                                  "actor_id", "created_at"], (
        (i + 1, "unverified", str(verdicts[i]), "Checked against satellite imagery and local sources.",
         str(verdicts[i]) in ("confirmed", "false"), None, _iso(now))
        for i in range(scale.claims) if verdicts[i] != "unverified"
    ))
    return claim_texts, places


@dataclass
class _Articles:
    """The rows of the articles, their one revision each, and their statements, ready to copy."""

    articles: list[tuple]
    revisions: list[tuple]
    statements: list[tuple]


def _articles_build(rng: np.random.Generator, scale: Scale, now: dt.datetime, draws: _Draws, *,
                    outlet_names: list[str], party_names: list[str], claim_texts: list[str],
                    places: list[str]) -> _Articles:
    """Each article: one sentence per statement ("<party> <cue> <claim>.") and a line of filler; every statement
    quotes its revision at its offsets."""
    article_days = rng.integers(0, SPAN_DAYS, scale.articles)
    built = _Articles(articles=[], revisions=[], statements=[])
    s = 0
    for a in range(scale.articles):
        aid = a + 1
        published = EPOCH + dt.timedelta(days=int(article_days[a]), seconds=int(rng.integers(0, 86400)))
        parts, offset = [], 0
        for _ in range(int(draws.per_article[a])):
            party = party_names[int(draws.parties_of[s])]
            stance = str(draws.stances[s])
            cue = CUES[stance]
            content = (f"an end to the attacks near {places[s % len(places)]}" if stance == "position"
                       else claim_texts[int(draws.claims_of[s])])
            sentence = f"{party} {cue} {content}."
            cue_start = offset + len(party) + 1
            start = cue_start + len(cue) + 1
            end = start + len(content)
            built.statements.append((
                aid, aid, int(draws.parties_of[s]) + 1, "",
                None if stance == "position" else int(draws.claims_of[s]) + 1,
                stance, cue, cue_start, cue_start + len(cue), content, start, end, "indirect",
                "extracted" if s % 5 else "analyst", round(0.5 + (s % 50) / 100, 2), str(draws.reviews[s]),
                None, None, 1, _iso(published),
            ))
            parts.append(sentence)
            offset += len(sentence) + 1
            s += 1
        parts.append(_FILLER[a % len(_FILLER)])
        text = " ".join(parts)
        outlet = int(draws.outlets_of[a])
        url = f"https://{outlet_names[outlet - 1].lower().replace(' ', '')}.example/{published:%Y/%m/%d}/{aid}"
        built.articles.append((aid, outlet, None, url, url, "", f"Story {aid}", "", "", _iso(published), "en",
                               "analysed", "", None, _iso(now), _iso(now)))
        # No MinHash bands: synthetic stories are distinct by construction, near-dup detection is not measured.
        built.revisions.append((aid, aid, 1, text, hashlib.sha256(text.encode()).hexdigest(), None, "{}", "{}",
                                _iso(published), _iso(now)))
    return built


def _load_end(*, rebuild: list[str], check_spans: bool, steps: _Steps) -> None:
    """Sequences past the loaded ids, indexes and foreign keys back, then everything the triggers keep recounted."""
    with connection.cursor() as cursor:
        for table in LOADED_TABLES:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), COALESCE((SELECT max(id) FROM "  # noqa: S608 -- table names from the fixed tuple above
                + table + "), 1))",
                [table],
            )
        if rebuild:
            with steps("indexes and foreign keys rebuilt"):
                for sql in rebuild:
                    cursor.execute(sql)
    counters.claim_counters_resume()  # checks the loaded rows' foreign keys first
    with steps("claim stances"):
        counters.claim_stances_recount()
    with steps("tallies"):
        counters.tallies_recount()
    if not check_spans:
        counters.statement_span_check_resume()


def generate(*, scale: Scale, seed: int = 42, check_spans: bool = False,
             progress: Callable[[str], None] = print) -> dict[str, float]:
    """Fill empty tables with synthetic data; returns seconds per step.

    `check_spans` keeps the statement trigger on (slower; the tests use it to prove every quote
    matches its revision); otherwise the trigger is off during the load and on again afterwards.
    """
    from claims.embeddings import claim_embeddings_fill

    if not _tracker_is_empty():
        raise ValueError("the generator fills an empty tracker; this one already has claims or articles")
    # One generator, drawn from in a fixed order: the same seed gives the same data.
    rng = np.random.default_rng(seed)
    now = dt.datetime.now(dt.UTC)
    steps = _Steps(progress)
    with transaction.atomic():
        rebuild = _load_begin(check_spans=check_spans)
        with steps("outlets"):
            outlet_names = _outlets_load(rng, scale, now)
        with steps("parties"):
            party_names = _parties_load(rng, scale, now)
        with steps("claims"):
            draws = _statements_draw(rng, scale)
            claim_texts, places = _claims_load(rng, scale, now, draws, party_names)
        # The similar-claim lookup's embeddings: batches, binary COPY, then one HNSW build (claims.embeddings).
        with steps("claim embeddings and their index"):
            claim_embeddings_fill(progress=progress)
        with steps("articles and statements built"):
            built = _articles_build(rng, scale, now, draws, outlet_names=outlet_names, party_names=party_names,
                                    claim_texts=claim_texts, places=places)
        with steps("articles copied"):
            _copy("sources_article", ["id", "outlet_id", "feed_id", "url", "canonical_url", "external_id", "title",
                                      "dateline", "byline", "published_at", "language", "status", "error",
                                      "duplicate_of_id", "created_at", "updated_at"], iter(built.articles))
            built.articles = []
            _copy("sources_articlerevision", ["id", "article_id", "number", "text", "text_hash", "raw_html",
                                              "metadata", "lsh_bands", "fetched_at", "created_at"],
                  iter(built.revisions))
            built.revisions = []
        with steps("statements copied"):
            _copy("claims_statement", ["revision_id", "article_id", "party_id", "speaker_text", "claim_id",
                                       "stance", "cue", "cue_start", "cue_end", "quote", "start", "end",
                                       "quotation", "origin", "confidence", "review_state", "reviewed_by_id",
                                       "reviewed_at", "version", "created_at"], iter(built.statements))
        _load_end(rebuild=rebuild, check_spans=check_spans, steps=steps)
    with steps("analyze"), connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return steps.timings
