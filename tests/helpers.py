"""Small builders for test pages, shared by the index, search and CLI tests."""

from __future__ import annotations

import html
from collections.abc import Iterable
from pathlib import Path

SITE = "https://clinic.example"
#: The id healthsearch gives a page() article: its canonical URL without the scheme.
SITE_ID = "clinic.example/articles/"


def page_id(slug: str) -> str:
    """The id of the page() article with this slug."""
    return SITE_ID + slug


def slug(article_id: str, prefix: str = SITE_ID) -> str:
    """The slug of an article id, checking that the id has the shape the id scheme gives it
    (``prefix`` then the slug): a test comparing slugs still fails on a wrong id."""
    assert article_id.startswith(prefix), f"{article_id!r} does not start with {prefix!r}"
    return article_id[len(prefix):]


def page(
    slug: str,
    title: str,
    paragraphs: Iterable[str],
    *,
    body_links: Iterable[tuple[str, str]] = (),
    related: Iterable[tuple[str, str]] = (),
    canonical: bool = True,
) -> str:
    """A scraped-looking article page with furniture around the article body (and, unless
    ``canonical`` is false, a canonical URL: then its id comes from its path)."""
    paras = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    links = " ".join(f'<a href="/articles/{s}">{html.escape(t)}</a>' for s, t in body_links)
    if links:
        paras += f"\n<p>See also: {links}.</p>"
    rel = "".join(
        f'<li><a href="/articles/{s}">{html.escape(t)}</a><p>Opening words of that article...</p></li>'
        for s, t in related
    )
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{html.escape(title)} | Clinic Notes</title>
{f'<link rel="canonical" href="{SITE}/articles/{slug}">' if canonical else ""}</head>
<body><header><nav><a href="/">Home</a> <a href="/subscribe">Subscribe to cookies newsletter</a></nav></header>
<main><article><h1>{html.escape(title)}</h1>
<div class="article-body">{paras}</div>
<aside class="recommend"><h3>Recommend</h3><ul>{rel}</ul></aside>
</article></main><footer>Copyright Clinic Notes. Privacy policy.</footer></body></html>"""


def write_page(
    folder: Path,
    slug: str,
    title: str,
    paragraphs: Iterable[str],
    *,
    canonical: bool = True,
    **links: Iterable[tuple[str, str]],
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{slug}.html"
    path.write_text(page(slug, title, paragraphs, canonical=canonical, **links), encoding="utf-8")
    return path


def small_corpus(folder: Path) -> Path:
    """Four articles with known words, links and titles."""
    write_page(
        folder,
        "knee-pain",
        "Knee Pain in Runners",
        [
            "Runners often feel knee pain below the kneecap after long distances.",
            "Rest, ice and strengthening the thigh muscles usually help within weeks.",
        ],
        body_links=[("hepatitis-b", "jaundice explainer")],
    )
    write_page(
        folder,
        "hepatitis-b",
        "Hepatitis B",
        [
            "Hepatitis B is a liver infection spread through blood and body fluids.",
            "A safe vaccine protects against hepatitis B and is offered to babies.",
        ],
        related=[("knee-pain", "Knee Pain in Runners")],
    )
    write_page(
        folder,
        "hepatitis-c",
        "Hepatitis C",
        [
            "Hepatitis C spreads mostly through shared needles; there is no vaccine.",
            "Modern antiviral tablets cure most people with hepatitis C.",
        ],
    )
    write_page(
        folder,
        "anaemia",
        "Iron Deficiency Anaemia",
        [
            "Anaemia means you have too little haemoglobin to carry oxygen.",
            "Iron tablets and iron-rich food such as lentils and spinach help; knee pain is not a symptom.",
        ],
    )
    return folder
