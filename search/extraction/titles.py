"""Choosing the article's title, and removing site names from page titles."""

from __future__ import annotations

import re

from .markup import collapse
from .nodes import Node
from .page import Page

_TOKEN = re.compile(r"\w+")
_TITLE_SEPARATORS = (" | ", " – ", " — ", " - ", " :: ", " · ", " » ")


def choose_title(meta: dict[str, str], page: Page, roots: list[Node]) -> tuple[str, Node | None]:
    """The title (og:title, else the article's h1, else ``<title>`` minus the site name).

    Also returns the h1 element that holds the title, so the body can leave it out.
    """
    h1 = _article_h1(page, roots, meta.get("og_title") or meta.get("title", ""))
    h1_text = collapse(h1.tag.get_text()) if h1 is not None else ""
    site = meta.get("site_name", "")
    if meta.get("og_title"):
        return clean_title(meta["og_title"], h1_text, site, only_matching=True), h1
    if h1_text:
        return h1_text, h1
    return clean_title(meta.get("title", ""), "", site), h1


def clean_title(title: str, h1: str = "", site: str = "", only_matching: bool = False) -> str:
    """Remove a site name from a title: keep the part matching the h1, else the wordiest part.

    Ties go to the first part, since site names are more often a suffix than a prefix.

    With ``only_matching`` the title is kept whole unless a part equals the h1 or the site name.
    """
    title = collapse(title)
    for sep in _TITLE_SEPARATORS:
        if sep in title:
            parts = [p.strip() for p in title.split(sep) if p.strip()]
            for part in parts:
                if h1 and part.lower() == h1.lower():
                    return part
            if site and any(p.lower() == site.lower() for p in parts):
                return sep.join(p for p in parts if p.lower() != site.lower())
            if only_matching or not parts:
                return title
            return max(parts, key=lambda part: len(part.split()))
    return title


def _article_h1(page: Page, roots: list[Node], title: str) -> Node | None:
    """The h1 most like the page title, preferring one inside the article; first wins ties."""
    title_words = set(_TOKEN.findall(title.lower()))
    best: Node | None = None
    best_score = -10.0
    for node in page.nodes:
        if node.name != "h1" or not node.text_chars:
            continue
        words = set(_TOKEN.findall(node.tag.get_text().lower()))
        if not words:
            continue
        score = 2 * (2 * len(words & title_words) / (len(words) + len(title_words) or 1))
        if any(a.name in ("article", "main") for a in node.ancestors()) or any(
            node.is_inside(r) for r in roots
        ):
            score += 1
        if node.drop and node.region == "other":
            score -= 1
        if score > best_score:
            best, best_score = node, score
    return best
