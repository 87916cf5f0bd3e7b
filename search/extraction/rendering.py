"""Rendering the content as paragraphs, without boilerplate lines and with link teasers set apart."""

from __future__ import annotations

import re
from collections.abc import Iterable

from bs4.element import NavigableString, PageElement, Tag

from .markup import collapse
from .nodes import Node
from .words import BLOCK_TAGS, CELL_TAGS

_BOILERPLATE_PARAGRAPH = re.compile(
    r"^(?:advertisement|advertising|advert|ad|tags?|sponsored(?: content)?|story continues below"
    r"(?: advertisement)?|continue reading(?: below)?|skip to (?:main )?content|read more"
    r"|share(?: this)?(?: article| story| post)?|print|email|facebook|twitter"
    r"|loading|(?:please )?(?:you need to )?enable javascript(?: to [\w ]{1,40})?)\W*$",  # status lines
    re.IGNORECASE,
)
_TEASER_LABEL = re.compile(  # one-word labels need a colon or dash ("More: ...", not "More than")
    r"^(?:(?:related(?: articles?| stories| posts| coverage)?|more|watch|trending|popular|recommended)"
    r"\s*[:|»\-–—]|(?:read (?:more|also|next)|also read|see more|also on [\w.]+|don'?t miss)\b)",
    re.IGNORECASE,
)
_PROMO_PARAGRAPH = re.compile(
    r"(?:subscribe|sign up|signup)\b.*\b(?:newsletter|inbox)|(?:newsletter|inbox)\b.*\b(?:subscribe|sign up)"
    r"|^follow (?:us|him|her|them|[\w' ]{1,40}) on (?:twitter|facebook|instagram)"
    r"|^\(?(?:additional )?(?:reporting|editing|writing) by\b|contributed to this report\.?$"
    r"|may earn an? (?:affiliate )?commission|contain(?:s)? affiliate",
    re.IGNORECASE,
)


#: The block name a record's blocks are rendered under (see search.extraction.records).
RECORD = "record"


class Renderer:
    """Renders content roots as paragraphs, skipping furniture and filtering link teasers.

    Every paragraph remembers how much of its text is link text and which anchors it holds,
    so that "Related: ..." teaser lines can be dropped and their links typed as related.
    """

    def __init__(
        self, nodes_by_id: dict[int, Node], title: str = "", title_h1: Node | None = None,
        records: frozenset[int] = frozenset(),
    ) -> None:
        self.nodes_by_id = nodes_by_id
        self.records = records  # id() of the elements that are records of a list (a card's title link is content)
        self._title_lower = title.lower()
        self._title_h1 = title_h1
        self.paragraphs: list[str] = []
        self.body_anchors: list[Node] = []
        self.teaser_anchors: list[Node] = []
        self._inline_pieces: list[str] = []
        self._paragraph_link_chars = 0
        self._paragraph_anchors: list[Node] = []
        self._open_blocks: list[str] = ["body"]

    def render(self, roots: Iterable[Node]) -> Renderer:
        for root in roots:
            self._walk(root.tag)
            self._end_paragraph()
        return self

    def _walk(self, top: Tag) -> None:
        stack: list[tuple[PageElement, str]] = [(top, "")]
        while stack:
            element, closing = stack.pop()
            if closing:
                if closing == "cell":
                    self._inline_pieces.append(" ")
                else:
                    self._end_paragraph()
                    self._open_blocks.pop()
                continue
            if type(element) is NavigableString:
                self._add_text(element)
                continue
            node = self.nodes_by_id.get(id(element))
            if node is None or node.drop or node is self._title_h1:
                continue
            if node.name == "h1" and collapse(node.tag.get_text()).lower() == self._title_lower:
                continue
            name = node.name
            if name == "br":
                self._inline_pieces.append("\x00")
                continue
            if name in BLOCK_TAGS:
                self._end_paragraph()
                in_record = id(element) in self.records or self._open_blocks[-1] == RECORD
                self._open_blocks.append(RECORD if in_record else name)
                stack.append((element, "block"))
            elif name in CELL_TAGS:
                stack.append((element, "cell"))
            elif name == "a":
                self._paragraph_anchors.append(node)
            stack.extend((child, "") for child in reversed(node.tag.contents))

    def _add_text(self, text: NavigableString) -> None:
        self._inline_pieces.append(text)
        parent = self.nodes_by_id.get(id(text.parent))
        if parent is not None and parent.in_link:
            self._paragraph_link_chars += len(text.strip())

    def _end_paragraph(self) -> None:
        if not self._inline_pieces:
            return
        parts = _split_paragraph("".join(self._inline_pieces))
        verdict = _judge_paragraph(" ".join(parts), self._paragraph_link_chars, self._open_blocks[-1])
        if verdict == "keep":
            self.paragraphs.extend(parts)
            self.body_anchors.extend(self._paragraph_anchors)
        elif verdict == "related":
            self.teaser_anchors.extend(self._paragraph_anchors)
        self._inline_pieces.clear()
        self._paragraph_anchors = []
        self._paragraph_link_chars = 0


def _judge_paragraph(text: str, link_chars: int, block: str) -> str:
    """"keep", "drop" or "related" (a teaser line whose links point to related articles)."""
    if not text:
        return "drop"
    if _BOILERPLATE_PARAGRAPH.match(text) or _PROMO_PARAGRAPH.search(text[:300]) and len(text) < 300:
        return "drop"
    link_ratio = link_chars / max(len(text), 1)
    if link_ratio >= 0.3 and len(text) < 300 and _TEASER_LABEL.match(text):
        return "related"
    if link_ratio >= 0.8 and block not in ("li", "td", "th", "dd", RECORD) and len(text.split()) <= 15:
        return "drop"  # a stray link line ("See the gallery", a teaser headline)
    return "keep"


def _split_paragraph(text: str) -> list[str]:
    """Split inline text on double line breaks; collapse whitespace."""
    parts = re.split(r"\x00\s*\x00", text) if "\x00" in text else [text]
    kept = []
    for part in parts:
        part = collapse(part.replace("\x00", " "))
        if part:
            kept.append(part)
    return kept
