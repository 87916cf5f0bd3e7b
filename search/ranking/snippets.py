"""Snippets: the passages of an article around the words a query matched, as text plus spans.

Finding passages is apart from formatting them: a :class:`~search.models.Snippet` holds plain
text and the character spans of the matched words, and :mod:`search.render` turns it into
HTML or terminal output. The work per hit is bounded: at most MAX_SNIPPET_SCAN_CHARS of a body
are analysed (:mod:`search.limits`), whatever its length.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from typing import TypeVar

import numpy as np

from .. import limits
from ..models import Snippet
from ..terms.format import CHECKPOINT_STRIDE
from ..terms.reader import Segment
from ..text.analyzer import Token, matches

SNIPPET_CHARS = 240  # the lead used when no body word matched
SNIPPET_FRAGMENTS = 2  # up to this many passages around matches
FRAGMENT_CHARS = 150  # a passage's matches lie within this many characters
FRAGMENT_CONTEXT = 40  # characters of context on each side of a passage
SEPARATOR = " … "  # between passages
_WINDOW_POSITIONS = 20  # a passage's matches lie within this many positions (about FRAGMENT_CHARS)
_NON_SPACE = re.compile(r"\S+")

Span = tuple[int, int]


def snippet(body: str, terms: set[str]) -> Snippet:
    """Up to SNIPPET_FRAGMENTS passages of ``body`` around the words in ``terms``, marked
    (scanning the body's first MAX_SNIPPET_SCAN_CHARS; :func:`indexed_snippet` is faster)."""
    if not body:
        return Snippet()
    scanned = body[: limits.MAX_SNIPPET_SCAN_CHARS]
    matched = matches(scanned, terms) if terms else []
    if not matched:
        return lead(body)
    fragments = _group(_spans(matched))
    best = sorted(fragments, key=lambda f: _weight(body, f))[:SNIPPET_FRAGMENTS]
    best.sort(key=lambda f: f[0][0])
    return _join([_fragment(body, frag) for frag in best])


def indexed_snippet(seg: Segment, row: int, body: str, terms: set[str], found: tuple[np.ndarray, np.ndarray]) -> Snippet:
    """:func:`snippet`'s passages, found from the index instead of by analysing the body.

    ``found`` gives the postings of the query's words in ``seg`` (``Segment.find``). Their body
    positions in ``row`` choose the best windows; only the stretch of text around each (from
    the checkpoint before it to the one after) is analysed to find the words' exact spans.
    """
    lo, hi = found
    docs, poffs, pos = seg.docs, seg.position_offsets, seg.pos
    hits: list[tuple[int, int]] = []  # (position, which term)
    for t, (a, z) in enumerate(zip(lo.tolist(), hi.tolist())):
        if z <= a:
            continue
        j = a + int(np.searchsorted(docs[a:z], row))
        if j < z and docs[j] == row:
            hits.extend((int(p), t) for p in pos[int(poffs[j]) : int(poffs[j + 1])])
    if not hits:
        return lead(body)
    hits.sort()
    windows = _runs(hits, lambda first, hit: hit[0] - first[0] <= _WINDOW_POSITIONS)
    best = sorted(windows, key=lambda w: _best_first(len({t for _p, t in w}), len(w), w[0][0]))[:SNIPPET_FRAGMENTS]
    best.sort()
    chk = seg.checkpoints[int(seg.checkpoint_offsets[row]) : int(seg.checkpoint_offsets[row + 1])]
    pieces: list[list[Span]] = []
    for window in best:
        first, last = window[0][0] // CHECKPOINT_STRIDE, window[-1][0] // CHECKPOINT_STRIDE + 1
        if first >= len(chk):
            return snippet(body, terms)  # checkpoints do not cover it: scan the body
        start = int(chk[first])
        end = int(chk[last]) if last < len(chk) else len(body)
        end = min(end, start + limits.MAX_SNIPPET_SCAN_CHARS)
        matched = matches(body[start:end], terms)
        if not matched:
            return snippet(body, terms)
        piece = min(_group(_spans(matched, start)), key=lambda f: _weight(body, f))
        if pieces and piece[0][0] - pieces[-1][-1][1] < 2 * FRAGMENT_CONTEXT:
            # Passages this close would repeat text: show them as one.
            pieces[-1] = _merge_spans(sorted(set(pieces[-1]) | set(piece)))
        else:
            pieces.append(piece)
    return _join([_fragment(body, frag) for frag in pieces])


def lead(body: str) -> Snippet:
    """The start of the body, cut at a word boundary (nothing marked)."""
    text = " ".join(body[: 4 * SNIPPET_CHARS].split())
    if len(text) <= SNIPPET_CHARS:
        return Snippet(text)
    return Snippet(text[:SNIPPET_CHARS].rsplit(" ", 1)[0] + " …")


def _spans(tokens: Sequence[Token], shift: int = 0) -> list[Span]:
    """Character spans to mark: one per stretch of text (a compound's parts lie inside it)."""
    return _merge_spans([(tok.start + shift, tok.end + shift) for tok in tokens])


def _merge_spans(spans: list[Span]) -> list[Span]:
    """Sorted spans with overlapping ones joined."""
    out: list[Span] = []
    for start, end in spans:
        if out and start < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _group(spans: list[Span]) -> list[list[Span]]:
    """Consecutive spans grouped into passages of at most FRAGMENT_CHARS characters."""
    return _runs(spans, lambda first, span: span[1] - first[0] <= FRAGMENT_CHARS)


_T = TypeVar("_T")


def _runs(items: list[_T], fits: Callable[[_T, _T], bool]) -> list[list[_T]]:
    """``items`` cut into runs: an item joins the current run when ``fits(run's first, item)``."""
    out: list[list[_T]] = [[items[0]]]
    for item in items[1:]:
        if fits(out[-1][0], item):
            out[-1].append(item)
        else:
            out.append([item])
    return out


def _best_first(distinct: int, marks: int, start: int) -> tuple[int, int, int]:
    """The one rule that orders passages, best first: most distinct words marked, then most
    marks, then the earliest (both ways of finding passages sort by it)."""
    return -distinct, -marks, start


def _weight(body: str, frag: list[Span]) -> tuple[int, int, int]:
    """:func:`_best_first` for a passage of marked spans of ``body``."""
    return _best_first(len({body[a:b].lower() for a, b in frag}), len(frag), frag[0][0])


def _fragment(body: str, frag: list[Span]) -> Snippet:
    """One passage: the marked spans with FRAGMENT_CONTEXT characters around them, cut at word
    boundaries, whitespace collapsed (the spans follow the text)."""
    start = max(0, frag[0][0] - FRAGMENT_CONTEXT)
    end = min(len(body), frag[-1][1] + FRAGMENT_CONTEXT)
    if start > 0:  # begin and end at word boundaries
        space = body.find(" ", start, frag[0][0])
        start = space + 1 if space >= 0 else frag[0][0]
    if end < len(body):
        space = body.rfind(" ", frag[-1][1], end)
        end = space if space >= 0 else frag[-1][1]
    # Collapse whitespace: each run of non-space characters moves to its place in the result.
    runs = [(m.start(), m.end()) for m in _NON_SPACE.finditer(body, start, end)]
    starts = [a for a, _b in runs]
    placed: list[int] = []
    length = 0
    for a, b in runs:
        placed.append(length)
        length += (b - a) + 1

    def moved(offset: int) -> int:
        i = bisect_right(starts, offset) - 1
        return placed[i] + offset - starts[i]

    text = " ".join(body[a:b] for a, b in runs)
    return Snippet(text, tuple((moved(a), moved(b - 1) + 1) for a, b in frag))


def _join(pieces: list[Snippet]) -> Snippet:
    """Passages joined with SEPARATOR, their spans shifted accordingly."""
    text_parts: list[str] = []
    spans: list[Span] = []
    offset = 0
    for piece in pieces:
        if text_parts:
            text_parts.append(SEPARATOR)
            offset += len(SEPARATOR)
        text_parts.append(piece.text)
        spans.extend((a + offset, b + offset) for a, b in piece.highlights)
        offset += len(piece.text)
    return Snippet("".join(text_parts), tuple(spans))
