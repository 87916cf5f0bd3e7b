"""Extracting one article (title, clean body, metadata, typed links) from an HTML page."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bs4 import BeautifulSoup

from ..models import Article
from .links import collect_links
from .markup import collapse, parse_html
from .metadata import article_time, page_url, read_metadata
from .nodes import Node
from .page import Page
from .profiles import SiteProfile, find_profile
from .records import RecordList, record_ids, record_lists
from .rendering import Renderer
from .scoring import main_content
from .titles import choose_title

#: Bump when a change to extraction changes its output: the next index run re-reads every file.
EXTRACTOR_VERSION = "4"
#: Repeats of a paragraph this long (in words) are copies of it, left out.
COPY_MIN_WORDS = 8
#: A product description (JSON-LD) of this many word trigrams, SHOWN on the page but less than
#: FOUND in the body, is put first in the body.
DESCRIPTION_MIN_TRIGRAMS = 20
DESCRIPTION_SHOWN_SHARE = 0.8
DESCRIPTION_FOUND_SHARE = 0.5
#: A first look that renders less than this share of the page's paragraph text gets a second look,
SECOND_LOOK_SHARE = 0.2
#: whose result is taken when it holds this many times more text.
SECOND_LOOK_GAIN = 2.0

_WORDS = re.compile(r"\w+")


def extract_article(html: str, url: str | None = None, profiles: Sequence[SiteProfile] = ()) -> Article:
    """Extract one article from decoded HTML; never raises on odd markup.

    The extractor is general, not per site.  It parses the page once with BeautifulSoup (lxml),
    then works on a light mirror of the element tree (:class:`~search.extraction.nodes.Node`):

    1. read metadata from ``<head>`` (title, canonical URL, description, language, dates);
    2. mark page furniture (navigation, ads, share bars, comments, related boxes, pagers,
       hidden elements...) by tag, ARIA role and class/id *words*;
    3. score text blocks the way Readability does (text length, commas, link density,
       structural cues) to find the main content container plus its good siblings; a declared
       ``<main>`` holding much more is read whole, and a list of repeated records (cards,
       products, posts: :mod:`search.extraction.records`) holding more replaces it;
    4. render that container as paragraphs (exact copies of a long paragraph left out) and
       classify every link as prev, next, related or body.

    A first look that finds little of the page's text gets a second one that trusts only the
    surest furniture and reads ``<noscript>``; then the whole body, then the description, so
    a page with readable text never has an empty body.

    A site profile matching the page's canonical URL (else ``url``) overrides the generic
    choices of title and body and drops the elements it names (see :mod:`search.extraction.profiles`).
    """
    soup = parse_html(html)
    profile = find_profile(profiles, page_url(soup, url)) if profiles else None
    if profile is not None:
        for selector in profile.drop:
            for element in soup.select(selector):
                element.decompose()
    page = Page(soup)
    meta = read_metadata(soup, url, page.itemprops)
    chosen = _profile_body_nodes(page, soup, profile.body) if profile and profile.body else []
    roots, title, rendered = _look(page, soup, meta, profile, chosen)
    found = _chars(rendered)
    if found < SECOND_LOOK_SHARE * page.page_paragraph_chars or not found:
        # a second look: only navigation and the surest furniture words count, <noscript> is read
        second_page = Page(soup, relaxed=True)
        second = _look(second_page, soup, meta, profile, [])
        if _chars(second[2]) > SECOND_LOOK_GAIN * found:
            page, (roots, title, rendered) = second_page, second
    paragraphs = _without_copies(rendered.paragraphs)
    paragraphs = _product_description(meta, page, paragraphs) + paragraphs or _description(meta)
    canonical = meta.get("canonical", "")
    return Article(
        id="",  # named by search.ingest.ids, the one home of article ids
        title=title,
        body="\n\n".join(paragraphs),
        url=canonical or (url or ""),
        links=collect_links(page, rendered, meta["base"]),
        description=meta.get("description", ""),
        language=meta.get("language", ""),
        published=meta.get("published") or article_time(roots),
        modified=meta.get("modified", ""),
    )


def _look(
    page: Page, soup: BeautifulSoup, meta: dict[str, str], profile: SiteProfile | None, chosen: list[Node]
) -> tuple[list[Node], str, Renderer]:
    """One look at the page: its content roots (``chosen`` by a profile, else found), title and
    rendering; on the second look an empty rendering falls back to the whole body."""
    lists = record_lists(page)
    roots = chosen or main_content(page, lists)
    title, rendered = _render(page, soup, meta, profile, roots, lists)
    if not rendered.paragraphs and page.relaxed and page.root is not None:
        roots = [page.root]
        title, rendered = _render(page, soup, meta, profile, roots, lists)
    return roots, title, rendered


def _render(
    page: Page, soup: BeautifulSoup, meta: dict[str, str], profile: SiteProfile | None, roots: list[Node],
    lists: list[RecordList],
) -> tuple[str, Renderer]:
    """The title, and the content roots rendered as paragraphs (the title's heading left out)."""
    title, title_h1 = choose_title(meta, page, roots)
    if profile is not None and profile.title:
        chosen = soup.select_one(profile.title)
        if chosen is not None and collapse(chosen.get_text(" ")):
            title, title_h1 = collapse(chosen.get_text(" ")), page.nodes_by_id.get(id(chosen))
    return title, Renderer(page.nodes_by_id, title, title_h1, record_ids(lists)).render(roots)


def _without_copies(paragraphs: list[str]) -> list[str]:
    """The paragraphs without exact repeats of an earlier one of COPY_MIN_WORDS or more words:
    responsive templates carry a desktop and a mobile copy of the same block."""
    seen: set[str] = set()
    kept = []
    for paragraph in paragraphs:
        if paragraph in seen:
            continue
        if paragraph.count(" ") + 1 >= COPY_MIN_WORDS:
            seen.add(paragraph)
        kept.append(paragraph)
    return kept


def _chars(rendered: Renderer) -> int:
    return sum(len(paragraph) for paragraph in rendered.paragraphs)


def _product_description(meta: dict[str, str], page: Page, paragraphs: list[str]) -> list[str]:
    """A product's description (JSON-LD), as paragraphs, when the page shows it but the body
    holds little of it: shops keep it in a tab, drawer or dialog that reads as furniture."""
    text = meta.get("product_description", "")
    if "<" in text:
        text = parse_html(text).get_text("\n")
    wanted = _trigrams(text)
    if len(wanted) < DESCRIPTION_MIN_TRIGRAMS:
        return []
    if len(wanted & _trigrams(" ".join(paragraphs))) >= DESCRIPTION_FOUND_SHARE * len(wanted):
        return []  # the body has it already
    if len(wanted & _trigrams(page.root_tag.get_text(" "))) < DESCRIPTION_SHOWN_SHARE * len(wanted):
        return []  # not on the page: metadata only
    return [line for line in (collapse(line) for line in text.splitlines()) if line]


def _trigrams(text: str) -> set[tuple[str, ...]]:
    words = _WORDS.findall(text.lower())
    return set(zip(words, words[1:], words[2:], strict=False))


def _description(meta: dict[str, str]) -> list[str]:
    """The last resort for a page whose body has no text (a script-built shell): its description."""
    description = meta.get("description", "")
    return [description] if description else []


def _profile_body_nodes(page: Page, soup: BeautifulSoup, selector: str) -> list[Node]:
    """The mirror nodes of the elements a profile names as the body (outermost only)."""
    nodes_by_id = page.nodes_by_id
    chosen = [nodes_by_id[id(element)] for element in soup.select(selector) if id(element) in nodes_by_id]
    ids = {id(node) for node in chosen}

    def nested(node: Node) -> bool:
        parent = node.parent
        while parent is not None:
            if id(parent) in ids:
                return True
            parent = parent.parent
        return False

    return [node for node in chosen if not nested(node)]
