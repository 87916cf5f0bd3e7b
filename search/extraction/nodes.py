"""The light mirror of the element tree: per-element text statistics and class/id words."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from itertools import pairwise

from bs4.element import Tag

from .words import BLOCK_TAGS, CELL_TAGS, HIDING_WORDS, NOT_HIDING_WORDS, RESPONSIVE_WORDS

_SHOWN_AT = re.compile(r":(?:block|flex|grid|inline|inline-block|inline-flex|table|contents)$")
_SEPARATORS = re.compile(r"[^a-z0-9]+")
_WORD_SPLIT = re.compile(r"[^A-Za-z0-9]+|(?<=[a-z])(?=[A-Z])")


class Node:
    """Per-element statistics, computed once bottom-up (sizes are in characters)."""

    __slots__ = (
        "block", "class_words", "commas", "drop", "has_blocks", "holds_body", "in_link",
        "inline_chars", "inline_commas", "inline_link_chars", "link_chars", "name",
        "own_chars", "own_commas", "own_link_chars", "paragraph_chars", "paragraph_count",
        "paragraph_score_total", "parent", "region", "score", "tag", "text_chars",
    )

    def __init__(self, tag: Tag, name: str, parent: Node | None) -> None:
        self.tag = tag
        self.name = name
        self.parent = parent
        self.block: Node | None = self if name in BLOCK_TAGS or name in CELL_TAGS else (
            parent.block if parent else None
        )  # the enclosing block element (itself for a block)
        self.in_link: bool = name == "a" or (parent is not None and parent.in_link)
        self.class_words: frozenset[str] = _class_words(tag)
        # the element's own text nodes, not its children's
        self.own_chars = self.own_link_chars = self.own_commas = 0
        # the whole subtree (without dropped furniture, once that is marked)
        self.text_chars = self.link_chars = self.commas = 0
        # text not inside a nested block (for a block: the paragraph it holds directly)
        self.inline_chars = self.inline_link_chars = self.inline_commas = 0
        # the paragraphs of the subtree, whatever their depth: text, count and summed scores
        self.paragraph_chars = self.paragraph_count = 0
        self.paragraph_score_total = 0.0
        self.holds_body = False  # is or holds an article-body container (class/id words, microdata)
        self.drop = False
        self.region = ""  # "related", "pager" or "other" for furniture regions
        self.score: float | None = None  # Readability's content score; None when not a candidate
        self.has_blocks = False  # contains block elements (its own text is a "loose" paragraph)
        if self.block is self and parent is not None and parent.block is not None:
            parent.block.has_blocks = True

    @property
    def link_density(self) -> float:
        return self.link_chars / self.text_chars if self.text_chars else 0.0

    def ancestors(self) -> Iterator[Node]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def is_inside(self, other: Node) -> bool:
        return self is other or any(a is other for a in self.ancestors())


_NO_WORDS: frozenset[str] = frozenset()


def _class_words(tag: Tag) -> frozenset[str]:
    """Words of the element's class and id tokens (see :func:`_token_words`)."""
    attrs = tag.attrs
    if not attrs:
        return _NO_WORDS
    cls, ident = attrs.get("class"), attrs.get("id")
    if not cls and not ident:
        return _NO_WORDS
    tokens = " ".join(cls) if isinstance(cls, list) else str(cls or "")
    return _token_words((f"{tokens} {ident}" if ident else tokens)[:2000])


@lru_cache(maxsize=4096)
def _token_words(tokens: str) -> frozenset[str]:
    """Words of class/id tokens, plus joined word pairs ("more-stories" -> "morestories").

    Each token's last word (and the whole token joined) is also stored with a "$" suffix, so
    weak words can be matched as head nouns only.
    """
    split = tokens.split()[:20]
    if len(split) == 1:
        return _one_token_words(split[0][:100])
    words = _NO_WORDS.union(*[_one_token_words(token[:100]) for token in split])
    if ":" in tokens and any(_SHOWN_AT.search(token) for token in split):
        return words - HIDING_WORDS  # "hidden md:block": hidden on phones only
    return words


@lru_cache(maxsize=8192)
def _one_token_words(token: str) -> frozenset[str]:
    """The words of one class or id token (see :func:`_token_words`); tokens recur across pages
    far more than whole class strings do."""
    if token.islower() or token.isdigit():  # (most tokens: no camelCase to split)
        parts = [p for p in _SEPARATORS.split(token) if p]
    else:
        parts = [p.lower() for p in _WORD_SPLIT.split(token) if p]
    if ":" in token or RESPONSIVE_WORDS.intersection(parts) or NOT_HIDING_WORDS.intersection(parts):
        # hidden only sometimes ("hidden-xs", "empty:hidden"), or not the element itself
        # ("overflow-hidden" clips, "label-hidden" hides a label, an accordion's panel opens)
        parts = [p for p in parts if p not in HIDING_WORDS]
    if not parts:
        return frozenset()
    words = set(parts)
    words.update(a + b for a, b in pairwise(parts))
    words.add(parts[-1] + "$")
    words.add("".join(parts) + "$")
    return frozenset(words)


def self_and_ancestors(node: Node | None, levels: int) -> Iterator[Node]:
    """``node`` and its ancestors, at most ``levels`` of them."""
    while node is not None and levels > 0:
        yield node
        node = node.parent
        levels -= 1
