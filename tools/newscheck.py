"""The real-news check: article texts or pages through the real pipeline into a scratch database, and what an
analyst would see of them (parties proposed with their kinds, statements per article, claims)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

from claims.analysis.wording import claim_readable

BASE_URL = "https://newscheck.invalid/"
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,40}$")
# A first block this short, on one line, is the text's headline (how PolNeAR and pasted texts give it).
_HEADLINE_WORDS = 30


def scratch_url(name: str) -> str:
    """The URL of the scratch database `name` on the server the project uses."""
    if not _NAME.match(name):
        raise ValueError("the scratch database name must be lower-case letters, digits and _ (a letter first)")
    current = settings.DATABASES["default"]
    if name == current["NAME"]:
        raise ValueError(f"{name} is the project's own database: give the check a scratch one")
    user = quote(current.get("USER") or "", safe="")
    password = quote(current.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    port = f":{current['PORT']}" if current.get("PORT") else ""
    return f"postgresql://{auth}{current.get('HOST') or '127.0.0.1'}{port}/{name}"


def scratch_create(name: str) -> None:
    """Drop and create the scratch database (never the project's own: scratch_url refuses that name).

    On a connection of its own in autocommit (CREATE DATABASE cannot run in a transaction, and the caller's
    connection may be inside one)."""
    import psycopg

    scratch_url(name)
    connection.ensure_connection()  # starts the embedded server if it is down
    current = settings.DATABASES["default"]
    with psycopg.connect(
        host=current.get("HOST") or "127.0.0.1", port=current.get("PORT") or None, user=current.get("USER") or None,
        password=current.get("PASSWORD") or None, dbname=current["NAME"], autocommit=True,
    ) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


@dataclass
class Intake:
    """What came in: the article each file became, and files that gave none (with why)."""

    articles: dict[str, int] = field(default_factory=dict)  # file name -> article id
    problems: dict[str, str] = field(default_factory=dict)


def headline_split(text: str) -> tuple[str, str]:
    """(headline, body) of a plain-text article: its first block when that is one short line, else no headline."""
    text = text.replace("\r\n", "\n").strip()
    first, sep, rest = text.partition("\n\n")
    if sep and "\n" not in first and len(first.split()) <= _HEADLINE_WORDS and rest.strip():
        return first.strip(), rest
    return "", text


def files_ingest(*, directory: Path, limit: int | None = None, headline: bool = True) -> Intake:
    """Each .txt (article text, headline first) or .html/.htm (a saved page) through ingestion, as a user's
    submission; the analysis runs through the ingestion's hook (the caller makes Celery run tasks eagerly)."""
    from django.core.exceptions import ValidationError

    from sources import services as source_services
    from sources.enums import ItemStatus

    intake = Intake()
    files = sorted(p for p in directory.iterdir() if p.suffix.lower() in (".txt", ".html", ".htm"))
    for path in files[:limit]:
        url = BASE_URL + quote(path.name)
        try:
            if path.suffix.lower() == ".txt":
                raw = path.read_text(encoding="utf-8", errors="replace")
                title, body = headline_split(raw) if headline else ("", raw)
                run = source_services.article_submit_text(title=title or path.stem, text=body, url=url)
            else:
                run = source_services.article_submit_html(html=path.read_bytes(), url=url)
        except ValidationError as exc:
            intake.problems[path.name] = "; ".join(exc.messages)
            continue
        item = run.items.first()
        if item is None or item.article_id is None:
            intake.problems[path.name] = item.error if item else "nothing was stored"
            continue
        if item.status == ItemStatus.DUPLICATE:
            intake.problems[path.name] = "a duplicate of an earlier file: not analysed"
        intake.articles[path.name] = item.article_id
        _claims_analyse()
    return intake


def _claims_analyse() -> None:
    """Renew PostgreSQL's statistics of the claims table after each file.

    Claim candidates come partly from the claims' rarest words, rarity read from those statistics
    (claims.retrieval.word_counts). Left to autovacuum, they are renewed at moments that differ between runs, so
    the same texts could meet different candidates and link differently on a rerun. Renewed after every file
    (the analysis writes its claims at its end), they always describe the claims stored so far: a run over the
    same files proposes the same."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE claims_claim")


@dataclass
class StatementLine:
    speaker: str
    kind: str  # the party's kind, "unresolved" when the speaker is no party
    stance: str
    quote: str
    claim_id: int | None


@dataclass
class ArticleReport:
    name: str
    title: str
    status: str
    statements: list[StatementLine]


@dataclass
class ClaimLine:
    id: int
    text: str
    statements: int
    articles: int
    stances: dict[str, int]
    contested: bool


@dataclass
class Report:
    parties: list[tuple[str, str, int]]  # proposed parties: name, kind, statements
    articles: list[ArticleReport]
    claims: list[ClaimLine]
    problems: dict[str, str]

    def summary(self) -> dict[str, object]:
        statements = [s for a in self.articles for s in a.statements]
        return {
            "articles": len(self.articles),
            "statements": len(statements),
            "unresolved_speakers": sum(1 for s in statements if s.kind == "unresolved"),
            "statements_with_claim": sum(1 for s in statements if s.claim_id),
            "parties_proposed": len(self.parties),
            "parties_by_kind": dict(Counter(kind for _name, kind, _n in self.parties).most_common()),
            "claims": len(self.claims),
            "claims_in_two_or_more_articles": sum(1 for c in self.claims if c.articles >= 2),
            "contested_claims": sum(1 for c in self.claims if c.contested),
            # Claims whose wording is no self-contained clause of about 25 words (wording.claim_readable).
            "claims_not_readable": sum(1 for c in self.claims if not claim_readable(c.text)),
        }


def report_build(intake: Intake) -> Report:
    """What an analyst would see, read through the product's selectors."""
    from claims import selectors as claim_selectors
    from claims.enums import Origin
    from sources import selectors as source_selectors

    articles, claim_articles, claim_stances = [], {}, {}
    for name, article_id in intake.articles.items():
        article = source_selectors.article_get(pk=article_id)
        revision = source_selectors.article_revision_get(article=article)
        lines = []
        for statement in claim_selectors.statement_list_for_revision(revision=revision):
            party = statement.party
            lines.append(StatementLine(
                speaker=party.name if party else statement.speaker_text,
                kind=party.kind if party else "unresolved",
                stance=statement.stance,
                quote=" ".join(statement.quote.split()),
                claim_id=statement.claim_id,
            ))
            if statement.claim_id:
                claim_articles.setdefault(statement.claim_id, set()).add(article_id)
                stances = claim_stances.setdefault(statement.claim_id, Counter())
                stances[statement.stance] += 1
        articles.append(ArticleReport(name=name, title=article.title, status=article.status, statements=lines))
    claims = []
    for claim_id in sorted(claim_articles):
        claim = claim_selectors.claim_get(pk=claim_id)
        summary = claim_selectors.claim_stance_summary(claim=claim)
        claims.append(ClaimLine(
            id=claim_id, text=claim.text, statements=sum(claim_stances[claim_id].values()),
            articles=len(claim_articles[claim_id]), stances=dict(claim_stances[claim_id]),
            contested=summary.contested,
        ))
    claims.sort(key=lambda c: (-c.articles, -c.statements, c.id))
    parties = [
        (p.name, p.kind, p.statement_count)
        for p in claim_selectors.party_search() if p.origin == Origin.EXTRACTED
    ]
    parties.sort(key=lambda p: (-p[2], p[0]))
    return Report(parties=parties, articles=articles, claims=claims, problems=dict(intake.problems))


def report_lines(report: Report, *, quote_chars: int = 110) -> list[str]:
    """The report as text, the way an analyst reads it."""
    out = ["== parties proposed (name [kind] statements)"]
    out += [f"  {name} [{kind}] {n}" for name, kind, n in report.parties]
    for article in report.articles:
        out.append(f"== {article.name}: {article.title} ({article.status}, {len(article.statements)} statements)")
        for s in article.statements:
            claim = f" -> claim {s.claim_id}" if s.claim_id else ""
            words = s.quote if len(s.quote) <= quote_chars else s.quote[: quote_chars - 1] + "\u2026"
            out.append(f"  {s.speaker} [{s.kind}] {s.stance}: \u201c{words}\u201d{claim}")
    out.append("== claims (statements, articles, stances)")
    for c in report.claims:
        stances = ", ".join(f"{k} {v}" for k, v in sorted(c.stances.items()))
        flag = " CONTESTED" if c.contested else ""
        out.append(f"  #{c.id} {c.text} \u2014 {c.statements} statements, {c.articles} articles ({stances}){flag}")
    if report.problems:
        out.append("== files not analysed")
        out += [f"  {name}: {why}" for name, why in sorted(report.problems.items())]
    out.append("== summary")
    out += [f"  {key}: {value}" for key, value in report.summary().items()]
    return out
