"""Anchor text: what other articles call an article when they link to it, found over the link graph."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from .. import limits

_WORD_RE = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class LinkNode:
    """What resolves a link to an article (its links themselves are spooled to disk)."""

    url: str
    title: str


def normalize_url(url: str) -> str:
    """A comparable form of a URL: no fragment, no trailing slash, lower-case scheme and host."""
    if not url:
        return ""
    parts = urlsplit(url.strip())
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))


def _title_key(title: str) -> str:
    return " ".join(_WORD_RE.findall(title.lower()))


def incoming_anchors(nodes: dict[str, LinkNode], edges: Iterable[tuple[str, Sequence[Sequence[str]]]]) -> dict[str, str]:
    """For each article, the anchor texts other articles use to link to it (one per line).

    ``edges`` gives each article's links as (url, text) pairs. Links are matched to articles
    by URL; links without a URL (plain-text exports) by title. A text appears once per linking
    article; texts are sorted, so the result does not depend on the order of the edges.
    """
    by_url: dict[str, str] = {}
    by_title: dict[str, str] = {}
    for doc_id, node in nodes.items():
        if node.url:
            by_url.setdefault(normalize_url(node.url), doc_id)
        if node.title:
            by_title.setdefault(_title_key(node.title), doc_id)
    texts: dict[str, list[str]] = defaultdict(list)
    canonical: dict[str, str] = {}  # one object per distinct text: link texts repeat a lot
    for doc_id, pairs in edges:
        seen: set[tuple[str, str]] = set()
        for url, raw_text in pairs:
            target = by_url.get(normalize_url(url)) if url else by_title.get(_title_key(raw_text))
            text = " ".join(raw_text.split())
            if target is None or target == doc_id or not text or (target, text) in seen:
                continue
            seen.add((target, text))
            texts[target].append(canonical.setdefault(text, text))
    canonical.clear()
    return {doc_id: "\n".join(sorted(items)[: limits.MAX_ANCHOR_TEXTS]) for doc_id, items in texts.items()}
