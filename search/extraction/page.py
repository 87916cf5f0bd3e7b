"""The page model: the element mirror with text totals, and its page furniture marked."""

from __future__ import annotations

from collections.abc import Iterator

from bs4 import BeautifulSoup
from bs4.element import NavigableString, PageElement, Tag

from .furniture import furniture_kind, heading_box_kind, may_be_heading, relaxed_furniture_kind
from .markup import attr, collapse
from .nodes import Node, self_and_ancestors
from .words import BODY_WORDS, CONTAINER_TAGS, CONTROL_TAGS, HEADINGS, JUNK_TAGS, PARAGRAPH_MIN_CHARS

#: Paragraph text a declared main region (<main>, role="main") must hold to be believed.
MAIN_MIN_CHARS = 200


class Page:
    """The page's element mirror, with text totals counted and page furniture marked."""

    def __init__(self, soup: BeautifulSoup, *, relaxed: bool = False) -> None:
        body = soup.find("body")
        self.relaxed = relaxed
        self.root_tag: Tag = body if isinstance(body, Tag) else soup
        self.nodes: list[Node] = []
        self.nodes_by_id: dict[int, Node] = {}  # each element's node, by id(element)
        self.itemprops: dict[str, Tag] = {}  # first element of each microdata property
        self._build_mirror()
        self._accumulate(respect_drop=False)
        self.root = self.nodes[0] if self.nodes else None
        self.page_paragraph_chars = self.root.paragraph_chars if self.root else 0
        self.declared_mains = [n for n in self.nodes if _is_declared_main(n) and n.paragraph_chars >= MAIN_MIN_CHARS]
        self._mark_furniture()
        self._accumulate(respect_drop=True)

    # -- building -----------------------------------------------------------------------------

    def _build_mirror(self) -> None:
        """Mirror the element tree (pre-order) and count each element's own text."""
        nodes, nodes_by_id, itemprops = self.nodes, self.nodes_by_id, self.itemprops
        root = self.root_tag
        node = Node(root, root.name, None)
        nodes.append(node)
        nodes_by_id[id(root)] = node
        if "itemprop" in root.attrs:
            itemprops[attr(root, "itemprop")] = root
        stack: list[tuple[Node, Iterator[PageElement]]] = [(node, iter(root.contents))]
        while stack:
            parent, children = stack[-1]
            for element in children:
                if type(element) is NavigableString:
                    chars = len(element.strip())
                    if chars:
                        parent.own_chars += chars
                        parent.own_commas += element.count(",") + element.count("，") + element.count("、")
                        if parent.in_link:
                            parent.own_link_chars += chars
                    continue
                if not isinstance(element, Tag) or element.name in JUNK_TAGS and self._is_junk(element):
                    continue
                node = Node(element, element.name, parent)
                nodes.append(node)
                nodes_by_id[id(element)] = node
                if "itemprop" in element.attrs:
                    itemprops.setdefault(attr(element, "itemprop"), element)
                if element.contents:
                    stack.append((node, iter(element.contents)))
                    break  # pre-order: the element's children before its next sibling
            else:
                stack.pop()

    def _is_junk(self, element: Tag) -> bool:
        """True for an element whose content is never text: scripts, media, form controls...

        Two are read after all: a form control holding whole blocks (a ``<button>`` left open
        swallows the page in the parse tree: a label never holds paragraphs), and on the second
        look ``<noscript>``, where script-built pages keep their server-rendered text.
        """
        if element is self.root_tag:
            return False
        if element.name == "noscript":
            return not self.relaxed
        if element.name in CONTROL_TAGS:
            return not any(type(e) is Tag and e.name in CONTAINER_TAGS for e in element.descendants)
        return True

    def _accumulate(self, respect_drop: bool) -> None:
        """Bottom-up totals: text, link text, commas, paragraph text, inline text of blocks."""
        for node in self.nodes:
            own_counts = node.own_chars, node.own_link_chars, node.own_commas
            node.text_chars, node.link_chars, node.commas = own_counts
            node.inline_chars, node.inline_link_chars, node.inline_commas = own_counts
            node.paragraph_chars = node.paragraph_count = 0
            node.paragraph_score_total = 0.0
            node.holds_body = "itemprop" in node.tag.attrs and attr(node.tag, "itemprop") == "articleBody"
            node.holds_body = node.holds_body or bool(node.class_words & BODY_WORDS)
        for node in reversed(self.nodes):
            if is_paragraph(node):
                node.paragraph_chars += node.inline_chars
                node.paragraph_count += 1
                node.paragraph_score_total += paragraph_score(node)
            parent = node.parent
            if parent is None or (respect_drop and node.drop):
                continue
            parent.text_chars += node.text_chars
            parent.link_chars += node.link_chars
            parent.commas += node.commas
            parent.paragraph_chars += node.paragraph_chars
            parent.paragraph_count += node.paragraph_count
            parent.paragraph_score_total += node.paragraph_score_total
            parent.holds_body = parent.holds_body or node.holds_body
            if node.block is not node:  # inline content flows into the enclosing block
                parent.inline_chars += node.inline_chars
                parent.inline_link_chars += node.inline_link_chars
                parent.inline_commas += node.inline_commas

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
            kind = relaxed_furniture_kind(node) if self.relaxed else furniture_kind(node)
            if kind is None:
                if not self.relaxed and may_be_heading(node):
                    self._mark_heading_section(node)
                continue
            if kind in ("related", "pager"):
                node.region = kind
            if node.drop or self._must_keep(node, kind):
                continue
            node.drop = True
            if not node.region:
                node.region = "other"

    def _must_keep(self, node: Node, kind: str) -> bool:
        """Furniture-looking wrappers that actually hold the article are kept."""
        if node.holds_body and kind != "hidden":
            return True  # is or holds the article body container (hidden copies are metadata)
        if kind in ("comments", "related", "consent"):
            return False
        if any(not main.is_inside(node) and not node.is_inside(main) for main in self.declared_mains):
            return False  # the page says where its main content is, and it is elsewhere
        page_chars = self.page_paragraph_chars
        return page_chars > 0 and node.paragraph_chars >= 0.6 * page_chars

    def _mark_heading_section(self, node: Node) -> None:
        """A heading such as "Related articles" or "Comments" marks the box it opens.

        When the heading opens a small wrapper, the wrapper is the box; otherwise the heading
        and its following siblings are, up to the next heading or a run of real prose.
        """
        kind = heading_box_kind(collapse(node.tag.get_text()))
        if kind is None:
            return
        head = node  # climb wrappers that hold nothing but the heading
        while (
            head.parent is not None and head.parent.parent is not None
            and head.parent.text_chars <= head.text_chars
        ):
            head = head.parent
        box = head.parent
        if box is not None and box.parent is not None and _first_element(box) is head.tag and (
            box.paragraph_chars < 0.5 * max(self.page_paragraph_chars, 1)
        ):
            head = box
        for inner in self_and_ancestors(node, 1000):  # already visited: mark the chain explicitly
            _drop_as_furniture(inner, kind)
            if inner is head:
                break
        if head is box:
            return
        for sibling_tag in head.tag.find_next_siblings():
            sibling = self.nodes_by_id.get(id(sibling_tag))
            if sibling is None:
                continue
            if sibling.name in HEADINGS or (sibling.link_density < 0.25 and sibling.text_chars > 300):
                break
            _drop_as_furniture(sibling, kind)


def _is_declared_main(node: Node) -> bool:
    """``<main>`` or ``role="main"``: the region a page declares as its main content."""
    return node.name == "main" or (bool(node.tag.attrs) and attr(node.tag, "role").lower() == "main")


def is_paragraph(node: Node) -> bool:
    """A block (not a heading) whose own inline text is long enough and mostly not links."""
    return (
        node.block is node
        and node.name not in HEADINGS
        and node.inline_chars >= PARAGRAPH_MIN_CHARS
        and node.inline_link_chars < 0.5 * node.inline_chars
    )


def paragraph_score(node: Node) -> float:
    """Readability's paragraph score: one point, plus one per comma, plus one per 100 chars (max 3)."""
    return 1 + node.inline_commas + min(node.inline_chars / 100, 3)


def _first_element(node: Node) -> Tag | None:
    return next((c for c in node.tag.children if isinstance(c, Tag)), None)


def _drop_as_furniture(node: Node, kind: str) -> None:
    """Drop a furniture region (its descendants inherit the mark in the pre-order walk)."""
    node.drop = True
    node.region = node.region or kind
