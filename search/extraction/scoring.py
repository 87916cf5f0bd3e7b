"""Choosing the main content container and its good siblings, the way Readability does."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bs4.element import Tag

from .markup import attr
from .nodes import Node, self_and_ancestors
from .page import Page, paragraph_score
from .records import RecordList
from .words import BODY_WORDS, HEADINGS, PARAGRAPH_MIN_CHARS, POSITIVE_WORDS

#: How much more reading text and prose the declared main region must hold to be read whole.
WIDEN_RATIO = 1.5
#: How many times the reading text of the prose container a list of records must hold to replace it.
RECORDS_RATIO = 1.0
#: ... and a list of teasers (every record a link) the reading text of prose that is an article.
TEASERS_RATIO = 2.0
#: Most link density of a landing page's region (see _landing_page).
LANDING_LINK_DENSITY = 0.3
#: Share of the page's prose below which even an article-like container is one section of many.
MINOR_SHARE = 0.25
#: Paragraph text of prose that reads as an article.
ARTICLE_CHARS = 1000


def main_content(page: Page, lists: Sequence[RecordList] = ()) -> list[Node]:
    """The main content container (and good siblings), in document order.

    ``lists`` are the page's lists of records (:func:`~search.extraction.records.record_lists`):
    the one holding the most reading text replaces a prose container holding much less.
    """
    if page.root is None:
        return []
    top = _top_candidate(page)
    if top is None:
        return [page.root]
    roots = _with_siblings(page, top)
    wider = _declared_main(page, top) or _landing_page(page, roots, top)
    if wider is not None:
        roots = [wider]
    records = max(lists, key=lambda r: r.weight) if lists else None
    if (
        records is not None
        and records.weight > _records_ratio(records, roots) * sum(_reading_chars(r) for r in roots)
        and not any(records.parent.is_inside(r) for r in roots)
    ):
        return [records.parent]
    if wider is not None:
        return roots
    if roots == [top]:
        explicit = _explicit_container(page, top)
        if explicit is not None:
            return [explicit]
    return roots


def _records_ratio(records: RecordList, roots: list[Node]) -> float:
    """How many times the prose's reading text the records must hold to replace it: more when
    every record links somewhere (teasers) and the prose reads as an article (several
    paragraphs, ARTICLE_CHARS of them); a box of teasers beside an article is not the page."""
    article = _reads_as_article(roots)
    teasers = all(record.link_chars > 0 for record in records.records)
    return TEASERS_RATIO if article and teasers else RECORDS_RATIO


def _landing_page(page: Page, roots: list[Node], top: Node) -> Node | None:
    """For prose too short to be an article, or holding a small share of the page's prose
    (less than MINOR_SHARE, furniture left out), the outermost ancestor that is still reading
    text (few links) and holds much more of it: a landing or service page is a run of
    sections, each too small to win alone."""
    page_prose = page.root.paragraph_chars if page.root is not None else 0
    if _reads_as_article(roots) and sum(r.paragraph_chars for r in roots) >= MINOR_SHARE * page_prose:
        return None
    best: Node | None = None
    for node in top.ancestors():
        if node.drop:
            break
        if node.link_density < LANDING_LINK_DENSITY and _reading_chars(node) > WIDEN_RATIO * _reading_chars(top):
            best = node
    return best


def _reads_as_article(roots: list[Node]) -> bool:
    paragraphs = sum(r.paragraph_count for r in roots)
    return paragraphs >= 3 and sum(r.paragraph_chars for r in roots) >= ARTICLE_CHARS


def _declared_main(page: Page, top: Node) -> Node | None:
    """The page's declared main region (``<main>``, ``role="main"``) when it holds ``top`` and
    much more reading text than it: a page made of sections (a service or product page, a
    listing) is read whole, not only its wordiest section."""
    for node in top.ancestors():
        if node.drop:
            return None
        if node.name == "main" or attr(node.tag, "role").lower() == "main":
            more_text = _reading_chars(node) > WIDEN_RATIO * _reading_chars(top)
            more_prose = node.paragraph_chars > WIDEN_RATIO * top.paragraph_chars
            if more_text and more_prose and node.link_density < 0.5:
                return node
            return None
    return None


def _reading_chars(node: Node) -> int:
    return node.text_chars - node.link_chars


def _explicit_container(page: Page, top: Node) -> Node | None:
    """The innermost <article>, <main> or article-body element holding nearly all of ``top``.

    An explicit container that holds 90% of the scored container's paragraph text is a
    tighter fit, with less room for furniture nobody marked.
    """
    if not top.paragraph_chars:
        return None  # no prose to fit: any one of a list's <article> cards would hold "all" of it
    best: Node | None = None
    for node in page.nodes:
        if node is top or node.drop or not _is_explicit_container(node):
            continue
        if node.paragraph_chars < 0.9 * top.paragraph_chars:
            continue
        if node.is_inside(top) and (best is None or node.is_inside(best)):
            best = node
    return best


def _top_candidate(page: Page) -> Node | None:
    candidates: list[Node] = []
    for node in page.nodes:
        if node.drop or node.block is not node or node.name in HEADINGS:
            continue
        if node.inline_chars < PARAGRAPH_MIN_CHARS:
            continue
        score = paragraph_score(node)
        # a <p>-like leaf scores its ancestors; loose text in a container scores the container
        start = node if node.has_blocks else node.parent
        for level, ancestor in enumerate(self_and_ancestors(start, 5)):
            if ancestor.score is None:
                ancestor.score = _initial_score(ancestor)
                candidates.append(ancestor)
            ancestor.score += score / (1 if level == 0 else 2 if level == 1 else level * 3)
    for candidate in candidates:
        candidate.score = (candidate.score or 0.0) * (1 - candidate.link_density)
    if not candidates:
        return None
    ranked = sorted(candidates, key=lambda c: c.score or 0.0, reverse=True)
    best = _shared_ancestor(ranked[0], ranked[1:5]) or _better_parent(ranked[0])
    # climb while the parent holds no more text than this node
    while (
        best.parent is not None and best.parent.text_chars <= best.text_chars
        and best.parent.name != "body"
    ):
        best = best.parent
    return best


def _with_siblings(page: Page, top: Node) -> list[Node]:
    parent = top.parent
    if parent is None:
        return [top]
    threshold = max(10.0, _candidate_score(top) * 0.2)
    top_class = attr(top.tag, "class")
    chosen: list[Node] = []
    for child in parent.tag.children:
        sibling = page.nodes_by_id.get(id(child)) if isinstance(child, Tag) else None
        if sibling is None or sibling.drop:
            continue
        if sibling is top or _good_sibling(sibling, top, top_class, threshold):
            chosen.append(sibling)
    return chosen or [top]


def _is_explicit_container(node: Node) -> bool:
    return node.name in ("article", "main") or node.holds_body and bool(
        node.class_words & BODY_WORDS or attr(node.tag, "itemprop") == "articleBody"
    )


def _good_sibling(sibling: Node, top: Node, top_class: str, threshold: float) -> bool:
    """Readability's sibling test: another section like the top one, or good prose paragraphs."""
    if top_class and sibling.name == top.name and attr(sibling.tag, "class") == top_class:
        return _content_score(sibling) >= 3 and _looks_like_prose(sibling)  # same article, next section
    if sibling.score is not None and sibling.score >= threshold:
        return _looks_like_prose(sibling)
    if not _is_leaf_paragraph(sibling) or sibling.text_chars == 0:
        return False
    if sibling.text_chars > 80:
        return sibling.link_density < 0.25
    return sibling.link_chars == 0 and bool(re.search(r"\.( |$)", sibling.tag.get_text()))


def _content_score(node: Node) -> float:
    return node.paragraph_score_total * (1 - node.link_density)


def _candidate_score(node: Node) -> float:
    return node.score or 0.0


def _shared_ancestor(top: Node, others: list[Node]) -> Node | None:
    """An ancestor of ``top`` holding three runner-ups that score nearly as well (Readability)."""
    close = [o for o in others if _candidate_score(o) >= 0.75 * _candidate_score(top)]
    if len(close) < 3:
        return None
    for ancestor in top.ancestors():
        if ancestor.name == "body":
            return None
        if sum(1 for o in close if o.is_inside(ancestor)) >= 3:
            return ancestor
    return None


def _better_parent(top: Node) -> Node:
    """Climb to an ancestor whose score beats the last one seen, before scores fade (Readability)."""
    last = _candidate_score(top)
    threshold = last / 3
    for ancestor in top.ancestors():
        if ancestor.name == "body":
            break
        if ancestor.score is None:
            continue
        if _candidate_score(ancestor) < threshold:
            break
        if _candidate_score(ancestor) > last:
            return ancestor
        last = _candidate_score(ancestor)
    return top


def _is_leaf_paragraph(node: Node) -> bool:
    return node.name == "p" or (node.name == "div" and not node.has_blocks)


def _looks_like_prose(node: Node) -> bool:
    """Few links and paragraphs of sentence length (teaser lists have short blurbs)."""
    return (
        node.link_density < 0.33 and node.paragraph_count > 0
        and node.paragraph_chars / node.paragraph_count >= 80
    )


def _initial_score(node: Node) -> float:
    """Readability's prior for a candidate: by tag, plus class/id and microdata cues."""
    name = node.name
    if name in ("div", "article", "main", "section"):
        score = 5.0
    elif name in ("pre", "td", "blockquote"):
        score = 3.0
    elif name in ("address", "ol", "ul", "dl", "dd", "dt", "li", "form"):
        score = -3.0
    elif name in HEADINGS or name == "th":
        score = -5.0
    else:
        score = 0.0
    if node.class_words & POSITIVE_WORDS:
        score += 25
    if node.class_words & BODY_WORDS or attr(node.tag, "itemprop") == "articleBody":
        score += 25
    return score
