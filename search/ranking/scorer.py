"""Scoring a plan on the term index: each leaf over a whole posting list at once (numpy), summed.

Roles as in Lucene: the :class:`LeafScorer` is the weight (collection statistics, cached per
query) and scorer of one leaf; :class:`Scores` is the collector's input, every segment's
scores and which rows may be returned; :meth:`Scores.top` collects the best. Exhaustive on
purpose: it is the reference a pruned scorer must agree with.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable

import numpy as np

from ..query.filters import Filter
from ..query.plan import Leaf, LeafSet, Plan
from ..schema import FIELD_INDEX, FIELDS
from ..terms.format import term_key
from ..terms.ranges import concat_ranges
from ..terms.reader import Segment, TermIndex
from .bm25f import K1, B, idf, length_norm, term_weight


class LeafScorer:
    """Scores leaves on a term index, caching collection statistics for one query, with the
    query's term-frequency saturation ``k1`` (see :attr:`search.query.plan.Plan.k1`)."""

    def __init__(self, ti: TermIndex, k1: float = K1) -> None:
        self.ti = ti
        self.k1 = k1
        self.n_docs = ti.n_docs
        self._idf: dict[tuple[str, str], float] = {}
        self._avg = {name: ti.avg_length(name) for name in FIELDS}
        # The feedback pass and the final pass score the same leaves: score each once.
        self._cache: dict[tuple[int, Leaf], tuple[np.ndarray, np.ndarray]] = {}

    def prepare(self, leaves: Iterable[Leaf]) -> None:
        """Look up the document frequencies of every term of ``leaves`` at once."""
        wanted = sorted({(leaf.field, term) for leaf in leaves for term in leaf.terms} - self._idf.keys())
        if not wanted:
            return
        df = self.ti.doc_frequencies([term_key(f, t) for f, t in wanted])
        for key, n in zip(wanted, df.tolist()):
            self._idf[key] = idf(self.n_docs, n)

    def idf(self, field_name: str, term: str) -> float:
        found = self._idf.get((field_name, term))
        if found is None:
            self.prepare([Leaf(field_name, (term,), 1.0)])
            found = self._idf[(field_name, term)]
        return found

    def leaf(self, seg: Segment, leaf: Leaf) -> tuple[np.ndarray, np.ndarray]:
        """Rows of ``seg`` matching ``leaf`` and their scores."""
        cache_key = (id(seg), leaf)
        found = self._cache.get(cache_key)
        if found is None:
            found = self._cache[cache_key] = self._score_leaf(seg, leaf)
        return found

    def _score_leaf(self, seg: Segment, leaf: Leaf) -> tuple[np.ndarray, np.ndarray]:
        keys = np.array([term_key(leaf.field, t) for t in leaf.terms], dtype=np.uint64)
        lo, hi = seg.find(keys)
        if np.any(hi == lo):
            return _EMPTY_ROWS, _EMPTY_SCORES
        f = FIELD_INDEX[leaf.field]
        b = B[leaf.field]
        if len(leaf.terms) == 1:
            a, z = int(lo[0]), int(hi[0])
            rows = seg.docs[a:z]
            tf = seg.tfs[a:z].astype(np.float64)
            norm = length_norm(seg.lens[f][rows], self._avg[leaf.field], b, self.k1)
            return rows, term_weight(leaf.boost * self.idf(leaf.field, leaf.terms[0]), tf, norm, self.k1)
        # A phrase scores what its words score in the documents where they form the phrase
        # (as Whoosh's span queries do).
        rows = phrase_matches(seg, lo, hi, leaf.slop)
        if len(rows) == 0:
            return _EMPTY_ROWS, _EMPTY_SCORES
        norm = length_norm(seg.lens[f][rows], self._avg[leaf.field], b, self.k1)
        total = np.zeros(len(rows), dtype=np.float64)
        for term, a, z in zip(leaf.terms, lo.tolist(), hi.tolist()):
            at = a + np.searchsorted(seg.docs[a:z], rows)
            tf = seg.tfs[at].astype(np.float64)
            total += term_weight(self.idf(leaf.field, term), tf, norm, self.k1)
        return rows, leaf.boost * total


_EMPTY_ROWS = np.zeros(0, dtype=np.int32)
_EMPTY_SCORES = np.zeros(0, dtype=np.float64)


def phrase_matches(seg: Segment, lo: np.ndarray, hi: np.ndarray, slop: int) -> np.ndarray:
    """Rows where the terms (postings lo[i]:hi[i]) occur in order, each within ``slop``
    positions of the previous one."""
    docs, poffs, pos = seg.docs, seg.position_offsets, seg.pos
    lists = [docs[int(a) : int(b)] for a, b in zip(lo, hi)]
    rows = lists[0]
    for other in lists[1:]:
        rows = np.intersect1d(rows, other, assume_unique=True)
        if len(rows) == 0:
            return _EMPTY_ROWS
    # Each term's positions in the candidate rows, as one sorted array of row * 2**32 + position.
    coded = []
    for (a, _b), row_list in zip(zip(lo, hi), lists):
        j = int(a) + np.searchsorted(row_list, rows)
        counts = poffs[j + 1] - poffs[j]
        where = np.repeat(np.arange(len(rows), dtype=np.int64), counts)
        coded.append(where * (1 << 32) + pos[concat_ranges(poffs[j], counts)].astype(np.int64))
    current = coded[0]
    for nxt in coded[1:]:
        reached = np.zeros(len(nxt), dtype=bool)
        for delta in range(1, slop + 1):
            reached |= np.isin(nxt, current + delta)
        current = nxt[reached]
        if len(current) == 0:
            return _EMPTY_ROWS
    found: np.ndarray = rows[np.unique(current >> 32)]
    return found


class Scores:
    """Every segment's scores for one plan, and which rows may be returned.

    ``accs[i]`` holds segment i's score per row; ``allowed[i]`` masks the rows that satisfy
    the must and must-not clauses and are not deleted (None: every row). ``ti`` gives each
    row's copy group (copies of one article share one), so totals count articles, not copies.
    """

    def __init__(self, ti: TermIndex, accs: list[np.ndarray], allowed: list[np.ndarray | None]) -> None:
        self.ti = ti
        self.segments = ti.segments
        self.accs = accs
        self.allowed = allowed
        self._matches: list[tuple[np.ndarray, np.ndarray]] | None = None

    @property
    def matches(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per segment: the matching rows and their scores."""
        if self._matches is None:
            out = []
            for acc, allowed in zip(self.accs, self.allowed):
                keep = acc > 0
                if allowed is not None:
                    keep &= allowed
                rows = np.flatnonzero(keep)
                out.append((rows, acc[rows]))
            self._matches = out
        return self._matches

    @property
    def matched(self) -> int:
        """Matching rows (copies of one article counted apart)."""
        return sum(len(rows) for rows, _scores in self.matches)

    @property
    def total(self) -> int:
        """Matching articles: distinct copy groups among the matching rows (exact)."""
        seen = np.zeros(self.ti.n_groups, dtype=bool)
        for (rows, _scores), groups in zip(self.matches, self.ti.groups()):
            seen[groups[rows]] = True
        return int(np.count_nonzero(seen))

    def group(self, s: int, row: int) -> int:
        return int(self.ti.groups()[s][row])

    def top(self, k: int) -> list[tuple[float, int, int]]:
        """The ``k`` best as (score, segment number, row), best first; ties by index order."""
        found: list[tuple[float, int, int]] = []
        for s, (rows, scores) in enumerate(self.matches):
            if len(rows) > k:
                # Everything scoring at least the k-th best (ties included), then sorted exactly.
                kth = np.partition(scores, len(scores) - k)[len(scores) - k]
                pick = np.flatnonzero(scores >= kth)
                rows, scores = rows[pick], scores[pick]
            found.extend(zip(scores.tolist(), [s] * len(rows), rows.tolist()))
        return heapq.nsmallest(k, found, key=lambda item: (-item[0], item[1], item[2]))

    def plus(self, scorer: LeafScorer, clause: LeafSet) -> Scores:
        """These scores with an expansion clause added (it may bring in new rows)."""
        scorer.prepare(clause)
        accs = []
        for seg, acc in zip(self.segments, self.accs):
            acc = acc.copy()
            for leaf in clause:
                rows, scores = scorer.leaf(seg, leaf)
                acc[rows] += scores
            accs.append(acc)
        return Scores(self.ti, accs, self.allowed)


def rank(scorer: LeafScorer, plan: Plan, filter: Filter | None = None) -> Scores:
    """Score every segment's rows for ``plan`` (see :mod:`search.query.plan` for the clauses);
    rows ``filter`` does not allow are never returned."""
    scorer.prepare(plan.leaves() + [leaf for c in plan.must_not for leaf in c])
    accs: list[np.ndarray] = []
    allowed_masks: list[np.ndarray | None] = []
    for seg in scorer.ti.segments:
        n = seg.docs_count
        acc = np.zeros(n, dtype=np.float64)
        for clause in (*plan.should, *plan.expansions):
            for leaf in clause:
                rows, scores = scorer.leaf(seg, leaf)
                acc[rows] += scores
        allowed: np.ndarray | None = None
        for clause in plan.must:
            matched = np.zeros(n, dtype=bool)
            for leaf in clause:
                rows, scores = scorer.leaf(seg, leaf)
                acc[rows] += scores
                matched[rows] = True
            allowed = matched if allowed is None else allowed & matched
        for clause in plan.must_not:
            for leaf in clause:
                rows, _scores = scorer.leaf(seg, leaf)
                if allowed is None:
                    allowed = np.ones(n, dtype=bool)
                allowed[rows] = False
        if seg.live is not None:
            allowed = seg.live.copy() if allowed is None else allowed & seg.live
        if filter is not None:
            permitted = seg.rows_where(filter, filter.allows)
            allowed = permitted if allowed is None else allowed & permitted
        accs.append(acc)
        allowed_masks.append(allowed)
    return Scores(scorer.ti, accs, allowed_masks)
