"""Template helpers of the analysts' pages: article text with its statements marked, revision diffs, labels."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from itertools import pairwise
from urllib.parse import urlsplit

import nh3
from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from claims.enums import Stance, Verdict

register = template.Library()

_STANCE_LABELS = dict(Stance.choices)
_VERDICT_LABELS = dict(Verdict.choices)
# What the highlighted text may contain after it is built; anything else is stripped (belt and braces:
# the builder escapes every piece of ingested text itself).
_MARK_TAGS = {"mark", "span"}
_MARK_ATTRIBUTES = {
    "mark": {"class", "data-s", "data-tip", "tabindex", "aria-describedby"},
    "span": {"class", "id", "aria-hidden"},
}


def _who(statement) -> str:
    return statement.party.name if statement.party_id else statement.speaker_text


def _tip(statement) -> str:
    what = statement.claim.text if statement.claim_id else "a position (not a checkable claim)"
    return f"{_who(statement)} {statement.get_stance_display().lower()}: {what}"


@register.simple_tag
def highlighted_text(text: str, statements: Sequence) -> SafeString:
    """The revision's text, escaped, with each statement's words in a <mark> coloured by its stance.

    Overlapping statements split the text into segments; each segment is marked with the innermost
    statement covering it and lists every covering statement in data-s, so a link to any of them can
    light up all its pieces. An empty anchor <span id="s-ID"> sits where each statement begins.
    """
    length = len(text)
    spans = [s for s in statements if 0 <= s.start < s.end <= length]
    cuts = sorted({0, length, *(s.start for s in spans), *(s.end for s in spans)})
    starts: dict[int, list] = {}
    for s in spans:
        starts.setdefault(s.start, []).append(s)
    out: list[str] = []
    for a, b in pairwise(cuts):
        for s in starts.get(a, ()):
            out.append(f'<span class="anchor" id="s-{s.pk}" aria-hidden="true"></span>')
        piece = escape(text[a:b])
        covering = [s for s in spans if s.start <= a and b <= s.end]
        if not covering:
            out.append(piece)
            continue
        top = min(covering, key=lambda s: (s.end - s.start, s.pk))
        ids = " ".join(str(s.pk) for s in covering)
        tip = escape(" · ".join(_tip(s) for s in covering))
        focus = ' tabindex="0"' if a == top.start else ""
        pending = " st-pending" if top.review_state == "pending" else ""
        out.append(
            f'<mark class="st st-{escape(top.stance)}{pending}" data-s="{ids}" data-tip="{tip}"'
            f' aria-describedby="sd-{top.pk}"{focus}>{piece}</mark>'
        )
    html = nh3.clean(
        "".join(out), tags=_MARK_TAGS, attributes=_MARK_ATTRIBUTES, link_rel=None, strip_comments=True
    )
    return mark_safe(html)  # noqa: S308 -- every piece of text above is escaped, and nh3 had the last word


_TOKENS = re.compile(r"\s+|\w+|[^\w\s]")


@register.simple_tag
def revision_diff(old: str, new: str) -> SafeString:
    """Word-level difference between two revisions' texts: <del> for words gone, <ins> for words added."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(escape("".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            out.append(f"<del>{escape(''.join(a[i1:i2]))}</del>")
        if op in ("insert", "replace"):
            out.append(f"<ins>{escape(''.join(b[j1:j2]))}</ins>")
    return mark_safe("".join(out))  # noqa: S308 -- built from escaped pieces only


QUOTE_MARKS = "\"'“”‘’«»„"


@register.filter
def shorten(text, length: int = 60) -> str:
    """At most `length` characters, cut between words (a title cut mid-word reads as another word) with "…"."""
    text = str(text or "").strip()
    if len(text) <= length:
        return text
    cut = text[: length - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > length // 2 else cut).rstrip(" ,;:–-") + "…"


@register.filter
def unquote(text: str) -> str:
    """The words without the quote marks the article put around them, so a template's own “…” is not doubled."""
    return (text or "").strip().strip(QUOTE_MARKS).strip()


@register.filter
def web_url(url: str) -> str:
    """The URL if it is an http(s) address that resolves on the web; empty otherwise (no javascript:, no .invalid)."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.hostname.endswith(".invalid"):
        return ""
    return url


@register.filter
def stance_label(value: str) -> str:
    return _STANCE_LABELS.get(value, value)


@register.filter
def verdict_label(value: str) -> str:
    return _VERDICT_LABELS.get(value, value)


@register.filter
def get_item(mapping: dict, key):
    return mapping.get(key, "") if mapping else ""


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters changed (page links keep the filters)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    return query.urlencode()


@register.simple_tag
def stance_chart(daily) -> SafeString:
    """Statements per day by stance as stacked bars in SVG; the page gives the same numbers as a table."""
    if not daily.days:
        return mark_safe("")
    width, height, left, bottom, top = 720, 200, 34, 24, 10
    plot_w, plot_h = width - left - 8, height - bottom - top
    peak = max(daily.total(day) for day in daily.days) or 1
    step = plot_w / len(daily.days)
    bar = max(1.0, step * 0.7)
    label_every = max(7, -(-len(daily.days) // 10))  # about ten day labels, whatever the range
    parts = [
        f'<svg viewBox="0 0 {width} {height}" role="img" aria-labelledby="chart-title chart-desc"'
        ' xmlns="http://www.w3.org/2000/svg">',
        '<title id="chart-title">Statements per day by stance</title>',
        f'<desc id="chart-desc">Stacked bars for {len(daily.days)} days from {daily.days[0]:%d %b %Y}'
        f" to {daily.days[-1]:%d %b %Y}; the busiest day has {peak} statements."
        " The table below has the numbers.</desc>",
        f'<line class="axis" x1="{left}" y1="{top + plot_h}" x2="{width - 8}" y2="{top + plot_h}"/>',
        f'<text x="{left - 6}" y="{top + 4}" text-anchor="end">{peak}</text>',
        f'<text x="{left - 6}" y="{top + plot_h}" text-anchor="end">0</text>',
    ]
    for i, day in enumerate(daily.days):
        x = left + i * step + (step - bar) / 2
        y = top + plot_h
        for stance, label in daily.stances:
            n = daily.counts.get((day, stance), 0)
            if not n:
                continue
            h = plot_h * n / peak
            y -= h
            parts.append(
                f'<rect class="bar-{escape(stance)}" x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}">'
                f"<title>{day:%d %b %Y}: {n} {escape(label.lower())}</title></rect>"
            )
        if i % label_every == (len(daily.days) - 1) % label_every:
            anchor = "end" if i == len(daily.days) - 1 and len(daily.days) > 1 else "middle"
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{height - 6}" text-anchor="{anchor}">{day:%d %b}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 -- numbers, dates and escaped choice labels only


_WHO_WHEN_COLOURS = {"asserts": "asserts", "confirms": "asserts", "denies": "denies"}


@register.simple_tag
def who_when_chart(chart) -> SafeString:
    """The claim's timeline as SVG: a row per party, a mark on each day it took a stance (sized by statements)."""
    if not chart.days:
        return mark_safe("")
    first, last = chart.days[0], chart.days[-1]
    span = max(1, (last - first).days)
    left, right, row_h, top = 190, 16, 26, 8
    width = 720
    height = top + row_h * len(chart.rows) + 24
    plot_w = width - left - right
    parts = [
        f'<svg viewBox="0 0 {width} {height}" role="img" aria-labelledby="who-when-title who-when-desc"'
        ' xmlns="http://www.w3.org/2000/svg" class="who-when">',
        '<title id="who-when-title">Who asserted and who denied the claim, and when</title>',
        f'<desc id="who-when-desc">{len(chart.rows)} parties from {first:%d %b %Y} to {last:%d %b %Y}; each mark is'
        " a day a party took a stance. The timeline below lists the statements.</desc>",
    ]
    for row, (party, marks) in enumerate(chart.rows):
        y = top + row * row_h + row_h / 2
        name = party if len(party) <= 28 else party[:27] + "…"
        parts.append(f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end">{escape(name)}</text>')
        parts.append(f'<line class="axis" x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}"/>')
        for day, stance, n in marks:
            x = left + plot_w * (day - first).days / span
            radius = min(9.0, 3.5 + n ** 0.5)
            kind = _WHO_WHEN_COLOURS.get(stance, "questions")
            parts.append(
                f'<circle class="bar-{escape(kind)}" cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}">'
                f"<title>{escape(party)} {escape(stance_label(stance).lower())} on {day:%d %b %Y}"
                f" ({n} statement{'s' if n != 1 else ''})</title></circle>"
            )
    base = top + row_h * len(chart.rows) + 16
    parts.append(f'<text x="{left}" y="{base}" text-anchor="start">{first:%d %b %Y}</text>')
    if last != first:
        parts.append(f'<text x="{width - right}" y="{base}" text-anchor="end">{last:%d %b %Y}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 -- numbers, dates and escaped names only


