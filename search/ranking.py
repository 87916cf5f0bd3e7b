"""Ranking on the term index: BM25F over four fields, phrases, synonyms, feedback, snippets.

A query becomes a :class:`Plan` of clauses; each clause is a set of alternative leaves (a term
or a phrase in one field, with a weight) whose scores add up, as in Lucene's BooleanQuery:

* ``should`` clauses score; a document must match at least one of them (or an expansion);
* ``must`` clauses score too, and a document must match every one of them;
* ``must_not`` clauses remove documents;
* ``extra`` clauses (synonyms, feedback words) add to the score and bring in new documents,
  but never decide alone whether a document must or must not match.

Each leaf is scored over a whole posting list at once with numpy. Scoring is BM25 per field
(Whoosh's formula: idf = ln(N / (df + 1)) + 1) multiplied by the field's weight.
"""

from __future__ import annotations

import heapq
import logging
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import analysis, limits, querylang
from .errors import IndexCorruptError, QuerySyntaxError
from .models import (
    ExpansionTerm,
    ExplainedClause,
    ExplainedHit,
    Explanation,
    Hit,
    Link,
    SearchResults,
    Snippet,
    TermScore,
)
from .plan import (
    FEEDBACK_CANDIDATES,
    FEEDBACK_DOCS,
    FEEDBACK_MAX_DF,
    FEEDBACK_MIN_DOCS,
    FEEDBACK_ORIGINAL,
    FEEDBACK_TERMS,
    FIELD_WEIGHTS,
    PHRASE_BOOST,
    PHRASE_BOOST_SLOP,
    SYNONYM_WEIGHT,
    Part,
    Unit,
    broad_term,
    parts,
    synonym_expansions,
)
from .snippets import indexed_snippet
from .terms.format import FIELDS, term_key
from .terms.ranges import concat_ranges
from .terms.reader import Segment, TermIndex

logger = logging.getLogger(__name__)

K1 = 1.2
#: BM25's length normalisation per field: short fields (titles, anchors) are normalised less.
B: dict[str, float] = {"title": 0.5, "body": 0.75, "anchors": 0.5, "broad": 0.75}
_MAX_PHRASE_VARIANTS = 8
_FIELD_INDEX = {name: i for i, name in enumerate(FIELDS)}


@dataclass(frozen=True)
class Leaf:
    """A term (one word) or a phrase (several, in order, each within ``slop`` positions of the last)."""

    field: str
    terms: tuple[str, ...]
    boost: float
    slop: int = 1

    def label(self) -> str:
        text = self.terms[0] if len(self.terms) == 1 else '"' + " ".join(self.terms) + '"'
        return f"{self.field}:{text}" + (f"~{self.slop}" if len(self.terms) > 1 and self.slop > 1 else "")


Clause = tuple[Leaf, ...]


@dataclass
class Plan:
    """A query ready to score (see the module docstring)."""

    should: list[Clause] = field(default_factory=list)
    must: list[Clause] = field(default_factory=list)
    must_not: list[Clause] = field(default_factory=list)
    extra: list[Clause] = field(default_factory=list)

    def leaves(self) -> list[Leaf]:
        return [leaf for group in (self.should, self.must, self.extra) for clause in group for leaf in clause]

    def __str__(self) -> str:
        def clause(c: Clause) -> str:
            return "(" + " | ".join(f"{leaf.label()}^{leaf.boost:g}" for leaf in c) + ")" if c else "()"

        pieces = [clause(c) for c in self.should] + ["+" + clause(c) for c in self.must]
        pieces += ["-" + clause(c) for c in self.must_not] + ["~" + clause(c) for c in self.extra]
        return " ".join(pieces)


# -- building plans ----------------------------------------------------------------------------


def unit_leaves(field_name: str, units: Sequence[Unit], boost: float) -> list[Leaf]:
    """Leaves matching ``units`` in order in one field: a term, or a phrase per choice of forms."""
    variants: list[list[tuple[int, str]]] = [[]]
    for unit in units:
        grown = []
        for variant in variants:
            for form in unit.forms:
                if field_name == "broad":
                    form = tuple(broad_term(term) for term in form)
                grown.append(variant + [(unit.pos + k, term) for k, term in enumerate(form)])
        variants = grown[:_MAX_PHRASE_VARIANTS]
    leaves: list[Leaf] = []
    for variant in variants:
        if len(variant) > 1 and field_name == "broad":
            continue  # the broad field keeps no positions: single words only
        if len(variant) == 1:
            leaves.append(Leaf(field_name, (variant[0][1],), boost))
            continue
        gaps = [max(0, b[0] - a[0] - 1) for a, b in zip(variant, variant[1:])]
        leaves.append(Leaf(field_name, tuple(term for _pos, term in variant), boost, 1 + max(gaps)))
    return leaves


def build_plan(ti: TermIndex, parsed: querylang.ParsedQuery) -> tuple[Plan, list[str]]:
    """The plan for ``parsed`` without expansion, and its free words (for the phrase boost).

    Raises QuerySyntaxError when nothing searchable is left.
    """
    plan = Plan()
    groups = {"should": plan.should, "must": plan.must, "must_not": plan.must_not}
    free: list[str] = []
    searchable = False
    analysed = parts(parsed)
    # Each prefix expands to its most frequent words, all of them together to at most
    # MAX_PREFIX_EXPANSIONS (limits): a query of many prefixes costs no more than one of a few.
    prefixes = sum(part.kind == "prefix" for part in analysed)
    per_prefix = max(1, min(limits.MAX_PREFIX_TERMS, limits.MAX_PREFIX_EXPANSIONS // max(prefixes, 1)))
    for part in analysed:
        fields_ = {part.field: 1.0} if part.field else FIELD_WEIGHTS
        leaves: list[Leaf] = []
        if part.kind == "prefix":
            stem = analysis.normalize_word(part.text)
            if not stem:
                continue
            words = _prefix_words(ti, stem, per_prefix)
            leaves = [Leaf(f, (w,), weight) for f, weight in fields_.items() if f != "broad" for w in words]
        elif part.units:
            leaves = [leaf for f, weight in fields_.items() for leaf in unit_leaves(f, part.units, weight)]
            if part.occur != "must_not" and part.field is None and part.kind == "term":
                free.extend(unit.forms[0][0] for unit in part.units)
        else:
            continue
        searchable = searchable or part.occur != "must_not"
        groups[part.occur].append(tuple(leaves))
    if not searchable:
        raise QuerySyntaxError("the query has only very common words (like 'the' or 'of'); add a more specific word")
    if len(free) > 1:
        plan.should.append(
            tuple(Leaf(f, tuple(free), PHRASE_BOOST * FIELD_WEIGHTS[f], PHRASE_BOOST_SLOP) for f in ("title", "body"))
        )
    return plan, free


def _prefix_words(ti: TermIndex, prefix: str, most: int) -> list[str]:
    """The ``most`` most frequent indexed words starting with ``prefix``."""
    words = ti.words_with_prefix(prefix, 20 * limits.MAX_PREFIX_TERMS)
    if len(words) <= most:
        return words
    df = ti.doc_frequencies([term_key("body", w) for w in words]) + ti.doc_frequencies([term_key("title", w) for w in words])
    best = np.argsort(-df, kind="stable")[:most]
    return sorted(words[int(i)] for i in best)


def _expansion_words(parsed: querylang.ParsedQuery) -> list[str]:
    """Analysed words that synonyms are looked up for: positive, unfielded words and phrases."""
    return [
        unit.forms[0][0]
        for part in parts(parsed)
        if part.occur != "must_not" and part.field is None
        for unit in part.units
    ]


# -- scoring ---------------------------------------------------------------------------------


class _Scorer:
    """Scores leaves on a term index, caching collection statistics for one query."""

    def __init__(self, ti: TermIndex) -> None:
        self.ti = ti
        self.n_docs = max(ti.live_docs, 1)
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
            self._idf[key] = math.log(self.n_docs / (n + 1)) + 1.0

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
        f = _FIELD_INDEX[leaf.field]
        b = B[leaf.field]
        if len(leaf.terms) == 1:
            a, z = int(lo[0]), int(hi[0])
            rows = seg.docs[a:z]
            tf = seg.tfs[a:z].astype(np.float64)
            norm = K1 * ((1.0 - b) + b * seg.lens[f][rows] / self._avg[leaf.field])
            return rows, (leaf.boost * self.idf(leaf.field, leaf.terms[0])) * tf * (K1 + 1.0) / (tf + norm)
        # A phrase scores what its words score in the documents where they form the phrase
        # (as Whoosh's span queries do).
        rows = _phrase_matches(seg, lo, hi, leaf.slop)
        if len(rows) == 0:
            return _EMPTY_ROWS, _EMPTY_SCORES
        norm = K1 * ((1.0 - b) + b * seg.lens[f][rows] / self._avg[leaf.field])
        total = np.zeros(len(rows), dtype=np.float64)
        for term, a, z in zip(leaf.terms, lo.tolist(), hi.tolist()):
            at = a + np.searchsorted(seg.docs[a:z], rows)
            tf = seg.tfs[at].astype(np.float64)
            total += self.idf(leaf.field, term) * tf * (K1 + 1.0) / (tf + norm)
        return rows, leaf.boost * total


_EMPTY_ROWS = np.zeros(0, dtype=np.int32)
_EMPTY_SCORES = np.zeros(0, dtype=np.float64)


def _phrase_matches(seg: Segment, lo: np.ndarray, hi: np.ndarray, slop: int) -> np.ndarray:
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
    return rows[np.unique(current >> 32)]


class _Ranked:
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

    def plus(self, scorer: _Scorer, clause: Clause) -> _Ranked:
        """These scores with an expansion clause added (it may bring in new rows)."""
        scorer.prepare(clause)
        accs = []
        for seg, acc in zip(self.segments, self.accs):
            acc = acc.copy()
            for leaf in clause:
                rows, scores = scorer.leaf(seg, leaf)
                acc[rows] += scores
            accs.append(acc)
        return _Ranked(self.ti, accs, self.allowed)


def _rank(scorer: _Scorer, plan: Plan) -> _Ranked:
    scorer.prepare(plan.leaves() + [leaf for c in plan.must_not for leaf in c])
    accs: list[np.ndarray] = []
    allowed_masks: list[np.ndarray | None] = []
    for seg in scorer.ti.segments:
        n = seg.docs_count
        acc = np.zeros(n, dtype=np.float64)
        for clause in (*plan.should, *plan.extra):
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
        accs.append(acc)
        allowed_masks.append(allowed)
    return _Ranked(scorer.ti, accs, allowed_masks)


# -- expansion -------------------------------------------------------------------------------


def feedback_terms(scorer: _Scorer, first: _Ranked, asked: set[str]) -> list[tuple[str, float]]:
    """Expansion words and weights from the top hits of the first pass (RM3-style).

    Each word of the top FEEDBACK_DOCS hits (title and body) is weighted by its share of each
    hit's words times the hit's share of their scores, then by its rarity (idf); words of the
    query itself, very common words, numbers and short words are left out. The weights are
    scaled so that together the expansion counts for (1 - FEEDBACK_ORIGINAL) of the query.
    """
    top = first.top(FEEDBACK_DOCS)
    total = sum(max(score, 0.0) for score, _s, _r in top)
    if total <= 0:
        return []
    model: dict[str, float] = {}
    by_segment: dict[int, tuple[list[np.ndarray], list[np.ndarray]]] = {}
    for score, s, row in top:
        seg = first.segments[s]
        a, b = int(seg.vector_offsets[row]), int(seg.vector_offsets[row + 1])
        counts = seg.vector_tfs[a:b].astype(np.float64)
        words = counts.sum()
        if words > 0:
            tids, weights = by_segment.setdefault(s, ([], []))
            tids.append(seg.vector_terms[a:b])
            weights.append((max(score, 0.0) / total / words) * counts)
    for s, (tids_l, weights_l) in by_segment.items():
        seg = first.segments[s]
        unique, inverse = np.unique(np.concatenate(tids_l), return_inverse=True)
        summed = np.bincount(inverse, weights=np.concatenate(weights_l))
        for word, weight in zip(seg.words(unique), summed.tolist()):
            model[word] = model.get(word, 0.0) + weight
    likely = heapq.nlargest(FEEDBACK_CANDIDATES, model.items(), key=lambda item: (item[1], item[0]))
    candidates = [(w, p) for w, p in likely if w not in asked and len(w) >= 3 and w.isalpha()]
    if not candidates:
        return []
    n_docs = scorer.n_docs
    df = scorer.ti.doc_frequencies([term_key("body", w) for w, _p in candidates]).tolist()
    scored = [(p * math.log(n_docs / d), w) for (w, p), d in zip(candidates, df) if 0 < d <= FEEDBACK_MAX_DF * n_docs]
    scored.sort(reverse=True)
    chosen = scored[:FEEDBACK_TERMS]
    norm = sum(p for p, _ in chosen)
    if norm <= 0:
        return []
    scale = (1 - FEEDBACK_ORIGINAL) / FEEDBACK_ORIGINAL * max(len(asked), 1)
    return [(word, scale * p / norm) for p, word in chosen]


# -- the searcher ----------------------------------------------------------------------------


class Searcher:
    """Queries one generation's term index."""

    def __init__(self, ti: TermIndex) -> None:
        self.ti = ti

    def _ranked(
        self, parsed: querylang.ParsedQuery, expand: bool
    ) -> tuple[_Scorer, Plan, Plan, list[ExpansionTerm], _Ranked]:
        """The scorer, the plan ranked with, the plan whose words snippets mark (without
        feedback words), the expansion terms added, and the ranking."""
        scorer, plan, shown, added, ranked = self._plan(parsed, expand)
        return scorer, plan, shown, added, ranked if ranked is not None else _rank(scorer, plan)

    def _plan(
        self, parsed: querylang.ParsedQuery, expand: bool
    ) -> tuple[_Scorer, Plan, Plan, list[ExpansionTerm], _Ranked | None]:
        scorer = _Scorer(self.ti)
        plan, _free = build_plan(self.ti, parsed)
        words = _expansion_words(parsed) if expand else []
        if not words:
            return scorer, plan, plan, [], None
        synonyms = synonym_expansions(words)
        for _name, units in synonyms:
            plan.extra.append(
                tuple(leaf for f in ("title", "body") for leaf in unit_leaves(f, units, SYNONYM_WEIGHT * FIELD_WEIGHTS[f]))
            )
        added = [ExpansionTerm(name, SYNONYM_WEIGHT, "synonym") for name, _units in synonyms]
        shown = Plan(list(plan.should), list(plan.must), list(plan.must_not), list(plan.extra))
        if self.ti.live_docs >= FEEDBACK_MIN_DOCS:
            asked = {t for clause in parsed.clauses for t in analysis.terms(clause.node.text)}
            first = _rank(scorer, plan)
            feedback = feedback_terms(scorer, first, asked)
            if feedback:
                clause = tuple(Leaf("body", (term,), weight) for term, weight in feedback)
                plan.extra.append(clause)
                added += [ExpansionTerm(term, round(weight, 4), "feedback") for term, weight in feedback]
                return scorer, plan, shown, added, first.plus(scorer, clause)
            return scorer, plan, shown, added, first
        return scorer, plan, shown, added, None

    def _unique_top(self, ranked: _Ranked, wanted: int) -> list[tuple[float, int, int]]:
        """The best ``wanted`` hits with copies of one article (one copy group) removed: the
        best-scoring copy stands for the article."""
        k = wanted + 5
        matched = ranked.matched
        while True:
            top = ranked.top(k)
            seen: set[int] = set()
            keep = []
            for item in top:
                group = ranked.group(item[1], item[2])
                if group not in seen:
                    seen.add(group)
                    keep.append(item)
            if len(keep) >= wanted or len(top) >= matched:
                return keep[:wanted]
            k *= 2

    def search(
        self, parsed: querylang.ParsedQuery, *, limit: int = 10, page: int = 1, snippets: bool = True, expand: bool = True
    ) -> SearchResults:
        """Rank the articles matching ``parsed`` and return one page of hits."""
        _scorer, _plan, shown, _added, ranked = self._ranked(parsed, expand)
        top = self._unique_top(ranked, page * limit)
        total = ranked.total
        marked_set = _highlight_terms(shown) if snippets else set()
        marked = sorted(marked_set)
        marked_keys = np.array([term_key("body", t) for t in marked], dtype=np.uint64)
        found: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        hits = []
        for score, s, row in top[(page - 1) * limit :]:
            seg = ranked.segments[s]
            stored = seg.stored(row)
            body = stored.get("body", "")
            passage = Snippet()
            if snippets and body:
                if s not in found:
                    found[s] = seg.find(marked_keys)
                passage = indexed_snippet(seg, row, body, marked_set, found[s])
            links = stored.get("links", [])
            hits.append(
                Hit(
                    id=stored["id"],
                    title=stored.get("title", ""),
                    url=stored.get("url", ""),
                    score=round(score, 4),
                    snippet=passage,
                    links=[Link(**link) for link in links[: limits.MAX_HIT_LINKS]],
                    more_links=max(0, len(links) - limits.MAX_HIT_LINKS),
                )
            )
        suggestion = suggest(self.ti, parsed) if total < 3 else None
        return SearchResults(query=parsed.text, total=total, page=page, hits=hits, suggestion=suggestion)

    def explain(self, parsed: querylang.ParsedQuery, *, limit: int = 5, expand: bool = True) -> Explanation:
        """How ``parsed`` was analysed and expanded, and what each leaf gave the top hits."""
        scorer, plan, _shown, added, ranked = self._ranked(parsed, expand)
        top = self._unique_top(ranked, limit)
        hits = []
        for score, s, row in top:
            seg = ranked.segments[s]
            contributions = []
            for leaf in dict.fromkeys(plan.leaves()):
                rows, scores = scorer.leaf(seg, leaf)
                at = np.flatnonzero(rows == row)
                if len(at):
                    text = " ".join(leaf.terms)
                    contributions.append(TermScore(leaf.field, text, round(float(scores[at[0]]), 4)))
            contributions.sort(key=lambda t: -t.score)
            stored = seg.stored(row)
            hits.append(ExplainedHit(stored["id"], stored.get("title", ""), round(score, 4), contributions))
        clauses = [_explain_part(part) for part in parts(parsed)]
        return Explanation(parsed.text, clauses, added, str(plan), hits)


def _explain_part(part: Part) -> ExplainedClause:
    if part.kind == "prefix":
        terms = [analysis.normalize_word(part.text) + "*"]
    else:
        terms = [" | ".join(" ".join(form) for form in unit.forms) for unit in part.units]
    return ExplainedClause(part.text, part.kind, part.field or "title, body, anchors, broad", part.occur, terms)


# -- snippets --------------------------------------------------------------------------------


def _highlight_terms(plan: Plan) -> set[str]:
    """The body terms a snippet marks: the words asked for and their synonyms."""
    return {term for leaf in plan.leaves() if leaf.field == "body" for term in leaf.terms}


# -- spelling --------------------------------------------------------------------------------

SPELL_FIELDS = ("title", "body")


def suggest(ti: TermIndex, parsed: querylang.ParsedQuery) -> str | None:
    """A corrected query when some of its words are not in the index, else None.

    At most MAX_SUGGESTED_WORDS unknown words are looked up (each scans the vocabulary).
    """
    changed = False
    out: list[str] = []
    budget = limits.MAX_SUGGESTED_WORDS
    for word in parsed.words():
        normal = analysis.normalize_word(word)
        fixed = None
        if (
            budget > 0
            and normal.isalpha()
            and not ti.doc_frequencies([term_key(f, analysis.stem(normal)) for f in SPELL_FIELDS]).any()
        ):
            budget -= 1
            fixed = _closest_term(ti, normal)
        out.append(fixed or word)
        changed = changed or fixed is not None
    return " ".join(out) if changed else None


def _closest_term(ti: TermIndex, word: str) -> str | None:
    """The indexed word nearest to ``word`` (fewest edits, then most documents), or None.

    Drug names often differ from other drug names by two letters (Losec/Lasix), so a word
    that looks like a drug name is only corrected by one edit; short words likewise.
    """
    allowed = 1 if len(word) <= 4 or _looks_like_drug(word) else 2
    candidates = []
    for candidate in ti.words_near(word[:1], len(word) - allowed, len(word) + allowed):
        if not candidate.isalpha():
            continue
        distance = _edit_distance(word, candidate, allowed)
        if distance > allowed or (allowed == 2 and distance == 2 and _looks_like_drug(candidate)):
            continue
        candidates.append((distance, candidate))
    if not candidates:
        return None
    df = ti.doc_frequencies([term_key("body", c) for _d, c in candidates]) + ti.doc_frequencies(
        [term_key("title", c) for _d, c in candidates]
    )
    ranked = sorted((d, -int(n), c) for (d, c), n in zip(candidates, df.tolist()) if n > 0)
    return ranked[0][2] if ranked else None


def _edit_distance(a: str, b: str, limit: int | None = None) -> int:
    """Optimal-string-alignment distance: insertions, deletions, substitutions, transpositions.

    With ``limit``, gives up as soon as the distance must exceed it (returns ``limit + 1``).
    """
    if limit is not None and abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if limit is not None and min(cur) > limit and (not prev or min(prev) > limit):
            return limit + 1
        prev2, prev = prev, cur
    return prev[len(b)]


_DRUG_SUFFIXES = (
    "mab", "nib", "pril", "sartan", "olol", "statin", "cillin", "mycin", "cycline", "floxacin",
    "azole", "prazole", "vir", "dipine", "tidine", "pam", "lam", "zepam", "triptan", "afil",
    "gliptin", "gliflozin", "glitazone", "parin", "oxetine", "aline", "ine", "one", "ide",
)


def _looks_like_drug(word: str) -> bool:
    """Heuristic: drug names differ by one or two letters, so suggest them only at distance 1."""
    return len(word) > 5 and word.endswith(_DRUG_SUFFIXES)


# -- following the live generation -----------------------------------------------------------


def open_searcher(gen: Path) -> Searcher:
    """A searcher on one generation's term index (see :class:`search.store.Live`)."""
    ti = TermIndex.open(gen)
    if ti is None:
        raise IndexCorruptError(
            f"the index at {gen.parent} was built by another version of healthsearch; run 'healthsearch index --rebuild'"
        )
    return Searcher(ti)
