"""The page model: the element mirror with text totals, and its page furniture marked."""

from __future__ import annotations

from bs4 import BeautifulSoup
from bs4.element import NavigableString, Tag

from .furniture import furniture_kind, heading_box_kind, may_be_heading
from .markup import attr, collapse
from .nodes import Node, up
from .words import BODY_WORDS, HEADINGS, JUNK_TAGS, PARAGRAPH_MIN_CHARS


class Page:
    """The page's element mirror, with furniture marked and content candidates scored."""

    def __init__(self, soup: BeautifulSoup) -> None:
        body = soup.find("body")
        self.root_tag: Tag = body if isinstance(body, Tag) else soup
        self.nodes: list[Node] = []
        self.index: dict[int, Node] = {}
        self.itemprops: dict[str, Tag] = {}  # first element of each microdata property
        self._build()
        self._accumulate(respect_drop=False)
        self.root = self.nodes[0] if self.nodes else None
        self.page_ptext = self.root.ptext if self.root else 0
        self._mark_furniture()
        self._accumulate(respect_drop=True)

    # -- building -----------------------------------------------------------------------------

    def _build(self) -> None:
        """Mirror the element tree (pre-order) and count each element's own text."""
        nodes, index = self.nodes, self.index
        stack: list[tuple[object, Node | None]] = [(self.root_tag, None)]
        while stack:
            el, parent = stack.pop()
            if type(el) is NavigableString:
                if parent is None:
                    continue
                n = len(el.strip())
                if n:
                    commas = el.count(",") + el.count("，") + el.count("、")
                    parent.own += n
                    parent.own_commas += commas
                    if parent.in_link:
                        parent.own_links += n
                continue
            if not isinstance(el, Tag) or el.name in JUNK_TAGS and el is not self.root_tag:
                continue
            node = Node(el, el.name, parent)
            nodes.append(node)
            index[id(el)] = node
            if "itemprop" in el.attrs:
                self.itemprops.setdefault(attr(el, "itemprop"), el)
            contents = el.contents
            if contents:
                stack.extend((child, node) for child in reversed(contents))

    def _accumulate(self, respect_drop: bool) -> None:
        """Bottom-up totals: text, link text, commas, paragraph text, inline text of blocks."""
        for node in self.nodes:
            node.text, node.links, node.commas = node.own, node.own_links, node.own_commas
            node.inl, node.inl_links, node.inl_commas = node.own, node.own_links, node.own_commas
            node.ptext = node.npara = 0
            node.pscore = 0.0
            node.positive = "itemprop" in node.tag.attrs and attr(node.tag, "itemprop") == "articleBody"
            node.positive = node.positive or bool(node.words & BODY_WORDS)
        for node in reversed(self.nodes):
            if is_paragraph(node):
                node.ptext += node.inl
                node.npara += 1
                node.pscore += paragraph_score(node)
            parent = node.parent
            if parent is None or (respect_drop and node.drop):
                continue
            parent.text += node.text
            parent.links += node.links
            parent.commas += node.commas
            parent.ptext += node.ptext
            parent.npara += node.npara
            parent.pscore += node.pscore
            parent.positive = parent.positive or node.positive
            if node.block is not node:  # inline content flows into the enclosing block
                parent.inl += node.inl
                parent.inl_links += node.inl_links
                parent.inl_commas += node.inl_commas

    # -- furniture ----------------------------------------------------------------------------

    def _mark_furniture(self) -> None:
        for node in self.nodes:
            parent = node.parent
            if parent is not None:
                node.drop = node.drop or parent.drop
                if not node.region:
                    node.region = parent.region
            if parent is None:
                continue
            kind = furniture_kind(node)
            if kind is None:
                if may_be_heading(node):
                    self._mark_heading_section(node)
                continue
            if kind in ("related", "pager"):
                node.region = kind
            if node.drop or self._protected(node, kind):
                continue
            node.drop = True
            if not node.region:
                node.region = "other"

    def _protected(self, node: Node, kind: str) -> bool:
        """Furniture-looking wrappers that actually hold the article are kept."""
        if node.positive and kind != "hidden":
            return True  # is or holds the article body container (hidden copies are metadata)
        if kind in ("comments", "related"):
            return False
        return self.page_ptext > 0 and node.ptext >= 0.6 * self.page_ptext

    def _mark_heading_section(self, node: Node) -> None:
        """A heading such as "Related articles" or "Comments" marks the box it opens.

        When the heading opens a small wrapper, the wrapper is the box; otherwise the heading
        and its following siblings are, up to the next heading or a run of real prose.
        """
        kind = heading_box_kind(collapse(node.tag.get_text()))
        if kind is None:
            return
        head = node  # climb wrappers that hold nothing but the heading
        while head.parent is not None and head.parent.parent is not None and head.parent.text <= head.text:
            head = head.parent
        box = head.parent
        if box is not None and box.parent is not None and _first_element(box) is head.tag and (
            box.ptext < 0.5 * max(self.page_ptext, 1)
        ):
            head = box
        for inner in up(node, 1000):  # already visited: mark the chain explicitly
            _mark(inner, kind)
            if inner is head:
                break
        if head is box:
            return
        for sibling in head.tag.find_next_siblings():
            sib = self.index.get(id(sibling))
            if sib is None:
                continue
            if sib.name in HEADINGS or (sib.link_density < 0.25 and sib.text > 300):
                break
            _mark(sib, kind)


def is_paragraph(node: Node) -> bool:
    """A block (not a heading) whose own inline text is long enough and mostly not links."""
    return (
        node.block is node
        and node.name not in HEADINGS
        and node.inl >= PARAGRAPH_MIN_CHARS
        and node.inl_links < 0.5 * node.inl
    )


def paragraph_score(node: Node) -> float:
    """Readability's paragraph score: one point, plus one per comma, plus one per 100 chars (max 3)."""
    return 1 + node.inl_commas + min(node.inl / 100, 3)


def _first_element(node: Node) -> Tag | None:
    return next((c for c in node.tag.children if isinstance(c, Tag)), None)


def _mark(node: Node, kind: str) -> None:
    """Drop a furniture region (its descendants inherit the mark in the pre-order walk)."""
    node.drop = True
    node.region = node.region or kind
