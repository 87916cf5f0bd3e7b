"""Repeated records: the cards of a listing, a shop's products, a forum's posts, found by their shape."""

from __future__ import annotations

from dataclasses import dataclass

from bs4.element import Tag

from .markup import attr
from .nodes import Node
from .page import Page

#: Fewest siblings of one shape that make a list of records.
MIN_RECORDS = 4
#: Fewest characters of text a record holds on average (a menu's items hold a word or two).
MIN_RECORD_CHARS = 30
#: A list whose text is mostly links (above this share) is a list of cards only when its links
#: read as titles, MIN_TITLE_CHARS long on average (a menu's or a directory's links are a word or two).
LINKED_SHARE = 0.8
MIN_TITLE_CHARS = 25
#: What a character of link text in a record counts for, beside one of plain text.
LINK_WEIGHT = 0.5


@dataclass(frozen=True)
class RecordList:
    """A container and its children of one shape (tag and class), in document order."""

    parent: Node
    records: tuple[Node, ...]

    @property
    def weight(self) -> float:
        """Reading text, plus link text at LINK_WEIGHT (a card's title is a link, and content)."""
        links = sum(r.link_chars for r in self.records)
        return self.text_chars - links + LINK_WEIGHT * links

    @property
    def text_chars(self) -> int:
        return sum(r.text_chars for r in self.records)


def record_lists(page: Page) -> list[RecordList]:
    """Every container with at least MIN_RECORDS element children of one shape holding text."""
    found: list[RecordList] = []
    for node in page.nodes:
        if node.drop or not node.has_blocks or node.text_chars < MIN_RECORDS * MIN_RECORD_CHARS:
            continue
        groups: dict[tuple[str, str], list[Node]] = {}
        for child in node.tag.children:
            if not isinstance(child, Tag):
                continue
            record = page.nodes_by_id.get(id(child))
            if record is None or record.drop or record.text_chars == 0:
                continue
            groups.setdefault((record.name, attr(child, "class")), []).append(record)
        for members in groups.values():
            if len(members) < MIN_RECORDS:
                continue
            text = sum(m.text_chars for m in members)
            links = sum(m.link_chars for m in members)
            if text < MIN_RECORD_CHARS * len(members):
                continue
            if links > LINKED_SHARE * text and links < MIN_TITLE_CHARS * _anchors(members):
                continue  # columns of short links: a directory or a menu, not cards
            found.append(RecordList(node, tuple(members)))
    return found


def _anchors(members: list[Node]) -> int:
    return sum(len(member.tag.find_all("a", href=True)) for member in members)


def record_ids(lists: list[RecordList]) -> frozenset[int]:
    """``id()`` of every record's element, for the renderer."""
    return frozenset(id(record.tag) for found in lists for record in found.records)
