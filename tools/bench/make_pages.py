"""Generate the extraction benchmark's fixed set of news pages (run once; the pages are committed).

The pages imitate three common layouts (a news CMS, a blog theme, a wire service) with what makes
extraction hard in real pages: navigation, cookie banners, scripts and styles, JSON-LD, figures,
pull quotes, in-article "related" boxes, sidebars, comments and long footers. The text is made
from a fixed pool of newsy sentences with a fixed seed, so the set is the same on every machine.

    python -m tools.bench.make_pages
"""

from __future__ import annotations

import html
import json
import random
from pathlib import Path

PAGES_DIR = Path(__file__).resolve().parent / "pages"
COUNT = 24

PLACES = ["Kyiv", "Baku", "Yerevan", "Tbilisi", "Ankara", "Geneva", "Brussels", "Nairobi", "Lima", "Manila",
          "Khartoum", "Beirut", "Caracas", "Warsaw", "Jakarta", "Dhaka"]
SPEAKERS = ["the defence ministry", "a government spokeswoman", "the foreign minister", "local officials",
            "a senior military source", "the regional governor", "United Nations monitors", "the opposition leader",
            "two people familiar with the talks", "the interior ministry", "aid agencies",
            "the prime minister's office"]
VERBS = ["said", "told reporters", "said in a statement", "confirmed", "denied", "claimed", "warned", "reported"]
EVENTS = ["two bridges had been destroyed overnight", "the ceasefire was holding in most districts",
          "at least a dozen civilians had been wounded by shelling",
          "talks would resume next week in a neutral country",
          "supplies of fuel and medicine were running low", "troops had withdrawn from the northern villages",
          "the airport would remain closed until further notice", "a convoy of aid lorries had crossed the border",
          "the electricity grid had been restored in the capital", "no evidence had been provided for the accusation",
          "the death toll had risen to 84", "drones had been used for the first time in the conflict",
          "the election would go ahead as planned", "several journalists had been detained at a checkpoint"]
TAILS = ["", " on Tuesday", " late on Monday", " according to the state news agency", " despite international appeals",
         ", a claim that could not be independently verified", " in a televised address", " citing field reports"]
BACKGROUND = [
    "The region has been contested since the collapse of the Soviet Union, and previous rounds of negotiations "
    "ended without a settlement.",
    "Diplomats said pressure from neighbouring states had grown after images of damaged homes spread online.",
    "Analysts said the escalation reflected a wider contest for influence between regional powers.",
    "Humanitarian organisations have repeatedly called for safe corridors to allow civilians to leave.",
    "Neither side has published a full count of military casualties since the fighting began.",
    "Markets reacted nervously to the news, with the local currency falling to its weakest level in a year.",
]


def _sentence(rng: random.Random) -> str:
    speaker = rng.choice(SPEAKERS)
    text = f"{speaker[0].upper()}{speaker[1:]} {rng.choice(VERBS)} that {rng.choice(EVENTS)}{rng.choice(TAILS)}."
    if rng.random() < 0.2:
        text = f"“We will not accept this,” {speaker} {rng.choice(['said', 'added'])}. {text}"
    return text


def _paragraph(rng: random.Random) -> str:
    sentences = [_sentence(rng) for _ in range(rng.randint(1, 3))]
    if rng.random() < 0.35:
        sentences.append(rng.choice(BACKGROUND))
    return " ".join(sentences)


def _links(rng: random.Random, count: int, prefix: str) -> str:
    words = ["World", "Politics", "Business", "Tech", "Science", "Health", "Sport", "Culture", "Opinion",
             "Video", "Podcasts", "Newsletters", "Weather", "Travel", "Climate", "Europe", "Asia", "Africa"]
    return "".join(
        f'<li><a href="/{prefix}/{rng.randint(1000, 9999)}">{rng.choice(words)} {rng.randint(1, 99)}</a></li>'
        for _ in range(count)
    )


def _script(rng: random.Random, size: int) -> str:
    tokens = ["var", "function", "return", "window", "document", "dataLayer", "push", "analytics", "if", "else"]
    return "<script>" + " ".join(rng.choice(tokens) for _ in range(size)) + "</script>"


def _style(rng: random.Random, rules: int) -> str:
    return "<style>" + "".join(
        f".c{rng.randint(0, 9999)}{{margin:{rng.randint(0, 40)}px;color:#{rng.randint(0, 0xFFFFFF):06x}}}"
        for _ in range(rules)
    ) + "</style>"


def page(number: int) -> str:
    rng = random.Random(1000 + number)  # noqa: S311 -- reproducible test data, not security
    layout = number % 3
    place = rng.choice(PLACES)
    title = f"{place}: {rng.choice(EVENTS)[0].upper()}{rng.choice(EVENTS)[1:]}"
    paragraphs = [_paragraph(rng) for _ in range(rng.randint(8, 24))]
    paragraphs[0] = f"{place.upper()} – {paragraphs[0]}" if layout == 2 else paragraphs[0]
    author = rng.choice(["Anna Petrosyan", "James Whitfield", "Leyla Mammadova", "Carlos Ortega", "Mei Tanaka"])
    day = f"2020-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    date = f"{day}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00Z"
    ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": title,
                     "datePublished": date, "author": {"@type": "Person", "name": author}})
    body_parts = []
    for index, paragraph in enumerate(paragraphs):
        text = html.escape(paragraph, quote=False)
        if rng.random() < 0.25:
            words = text.split(" ")
            cut = rng.randint(1, max(1, len(words) - 2))
            text = " ".join(words[:cut]) + f' <a href="/news/{rng.randint(1, 9999)}">{words[cut]}</a> ' + " ".join(
                words[cut + 1:])
        body_parts.append(f"<p>{text}</p>")
        if index == 2:
            body_parts.append(
                '<figure><img src="/img/photo.jpg" alt="A photo"><figcaption>Residents inspect the damage. '
                "Photo: Agency</figcaption></figure>"
            )
        if index == 4 and layout == 0:
            body_parts.append(
                f'<aside class="related"><h3>Read more</h3><ul>{_links(rng, 4, "related")}</ul></aside>'
            )
        if index == 6 and layout == 1:
            body_parts.append(f"<blockquote><p>{html.escape(_sentence(rng))}</p></blockquote>")
    article = "\n".join(body_parts)
    nav = f'<nav class="main-menu"><ul>{_links(rng, 30, "section")}</ul></nav>'
    cookie = ('<div id="cookie-banner" class="consent"><p>We use cookies to improve your experience. '
              "By continuing you accept our use of cookies.</p><button>Accept</button></div>")
    comments = "".join(
        f'<div class="comment"><p class="who">reader{rng.randint(1, 999)}</p><p>{html.escape(_sentence(rng))}</p></div>'
        for _ in range(rng.randint(0, 8))
    )
    footer = (f'<footer><ul>{_links(rng, 40, "footer")}</ul>'
              "<p>© 2020 Example Media Group. All rights reserved.</p></footer>")
    if layout == 0:
        main = (f'<main><article class="story"><header><h1>{html.escape(title)}</h1>'
                f'<p class="byline">By <a rel="author" href="/authors/1">{author}</a></p>'
                f'<time datetime="{date}">{date[:10]}</time></header><div class="story-body">{article}</div></article>'
                f'<aside class="sidebar"><h2>Most read</h2><ol>{_links(rng, 10, "popular")}</ol></aside></main>'
                f'<section class="comments"><h2>Comments</h2>{comments}</section>')
    elif layout == 1:
        main = (f'<div id="page"><div id="content" class="site-content"><div class="entry">'
                f'<h1 class="entry-title">{html.escape(title)}</h1><span class="author vcard">{author}</span>'
                f'<div class="entry-content">{article}</div></div>'
                f'<div id="secondary" class="widget-area"><section class="widget"><h2>Archives</h2>'
                f'<ul>{_links(rng, 12, "archive")}</ul></section></div></div>'
                f'<div id="comments">{comments}</div></div>')
    else:
        main = (f'<div class="wire"><h1>{html.escape(title)}</h1><div class="meta">{author} | {date[:10]}</div>'
                f'<div class="article-text">{article}</div><div class="tags">{_links(rng, 6, "tag")}</div></div>')
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)} | Example News</title>
<meta name="description" content="{html.escape(paragraphs[0][:150])}">
<meta property="og:title" content="{html.escape(title)}"><meta name="author" content="{author}">
<meta property="article:published_time" content="{date}">
<script type="application/ld+json">{ld}</script>
{_style(rng, rng.randint(100, 400))}{_script(rng, rng.randint(500, 3000))}
</head><body>{cookie}<header class="masthead"><a href="/" class="logo">Example News</a>{nav}</header>
{main}
{footer}{_script(rng, rng.randint(200, 1500))}</body></html>
"""


def main() -> None:
    PAGES_DIR.mkdir(exist_ok=True)
    for number in range(COUNT):
        (PAGES_DIR / f"page-{number:02d}.html").write_text(page(number), encoding="utf-8")
    print(f"wrote {COUNT} pages to {PAGES_DIR}")


if __name__ == "__main__":
    main()
