"""The light mirror of the element tree: per-element text statistics and class/id words."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from bs4.element import Tag

from .words import BLOCK_TAGS, CELL_TAGS, HIDING_WORDS, RESPONSIVE_WORDS

_WORD_SPLIT = re.compile(r"[^A-Za-z0-9]+|(?<=[a-z])(?=[A-Z])")


class Node:
    """Per-element statistics, computed once bottom-up (sizes are in characters)."""

    __slots__ = (
        "tag", "name", "parent", "block", "in_link", "words", "own", "own_links", "own_commas",
        "text", "links", "commas", "ptext", "inl", "inl_links", "inl_commas", "positive",
        "drop", "region", "score", "has_blocks", "npara", "pscore",
    )

    def __init__(self, tag: Tag, name: str, parent: Node | None) -> None:
        self.tag = tag
        self.name = name
        self.parent = parent
        self.block: Node | None = self if name in BLOCK_TAGS or name in CELL_TAGS else (
            parent.block if parent else None
        )
        self.in_link: bool = name == "a" or (parent is not None and parent.in_link)
        self.words: frozenset[str] = _class_words(tag)
        self.own = self.own_links = self.own_commas = 0
        self.text = self.links = self.commas = self.ptext = 0
        self.inl = self.inl_links = self.inl_commas = 0
        self.positive = False
        self.drop = False
        self.region = ""  # "related", "pager" or "other" for furniture regions
        self.score: float | None = None
        self.has_blocks = False  # contains block elements (its own text is a "loose" paragraph)
        self.npara = 0
        self.pscore = 0.0  # summed paragraph scores of the subtree, whatever their depth
        if self.block is self and parent is not None and parent.block is not None:
            parent.block.has_blocks = True

    @property
    def link_density(self) -> float:
        return self.links / self.text if self.text else 0.0

    def ancestors(self) -> Iterator[Node]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def is_inside(self, other: Node) -> bool:
        return self is other or any(a is other for a in self.ancestors())


def _class_words(tag: Tag) -> frozenset[str]:
    """Words of the element's class and id tokens (see :func:`_token_words`)."""
    attrs = tag.attrs
    cls, ident = attrs.get("class"), attrs.get("id")
    if not cls and not ident:
        return frozenset()
    tokens = " ".join(cls) if isinstance(cls, list) else str(cls or "")
    return _token_words(f"{tokens} {ident or ''}"[:2000])


@lru_cache(maxsize=4096)
def _token_words(tokens: str) -> frozenset[str]:
    """Words of class/id tokens, plus joined word pairs ("more-stories" -> "morestories").

    Each token's last word (and the whole token joined) is also stored with a "$" suffix, so
    weak words can be matched as head nouns only.
    """
    words: set[str] = set()
    for token in tokens.split()[:20]:
        parts = [p.lower() for p in _WORD_SPLIT.split(token[:100]) if p]
        if RESPONSIVE_WORDS.intersection(parts):  # "hidden-xs", "hidden-print": hidden only sometimes
            parts = [p for p in parts if p not in HIDING_WORDS]
        if not parts:
            continue
        words.update(parts)
        words.update(a + b for a, b in zip(parts, parts[1:], strict=False))
        words.add(parts[-1] + "$")
        words.add("".join(parts) + "$")
    return frozenset(words)


def up(node: Node | None, levels: int) -> Iterator[Node]:
    """``node`` and its ancestors, at most ``levels`` of them."""
    while node is not None and levels > 0:
        yield node
        node = node.parent
        levels -= 1
