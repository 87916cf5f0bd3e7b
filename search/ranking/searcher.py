"""The numpy ranker: a plan scored exhaustively, copies collapsed, one page of hits with snippets."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from .. import limits
from ..errors import IndexCorruptError, QuerySyntaxError
from ..models import (
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
from ..query import syntax
from ..query.expansion import (
    FEEDBACK_DOCS,
    FEEDBACK_MIN_DOCS,
    SYNONYM_WEIGHT,
    feedback_terms,
    synonym_expansions,
)
from ..query.filters import Filter
from ..query.plan import (
    Leaf,
    Part,
    Plan,
    build_plan,
    expansion_words,
    parts,
    unit_leaves,
)
from ..query.syntax import ParsedQuery
from ..schema import FIELD_WEIGHTS, FIELDS, PORTER_FIELDS, TEXT_FIELDS
from ..terms.format import term_key
from ..terms.reader import TermIndex
from ..text.analyzer import terms
from ..text.normalize import normalize_word
from .scorer import LeafScorer, Scores, rank
from .snippets import indexed_snippet
from .spelling import Correction, suggest

#: A ranked query: the scorer, the plan ranked with, the plan whose words snippets mark (without
#: feedback words), the expansion terms added, and the ranking.
_Ranking = tuple[LeafScorer, Plan, Plan, list[ExpansionTerm], Scores]

#: How deep :meth:`Searcher._best_coverage` looks: a first page of results.
COVERAGE_DEPTH = 10


class Searcher:
    """Queries one generation's term index."""

    def __init__(self, ti: TermIndex) -> None:
        self.ti = ti

    def _ranked(
        self, parsed: ParsedQuery, analysed: Sequence[Part], expand: bool, filter: Filter | None = None
    ) -> _Ranking:
        """``parsed`` ranked (see :data:`_Ranking`)."""
        scorer, plan, shown, added, ranked = self._plan(parsed, analysed, expand, filter)
        return scorer, plan, shown, added, ranked if ranked is not None else rank(scorer, plan, filter)

    def _plan(
        self, parsed: ParsedQuery, analysed: Sequence[Part], expand: bool, filter: Filter | None
    ) -> tuple[LeafScorer, Plan, Plan, list[ExpansionTerm], Scores | None]:
        plan, _free = build_plan(self.ti, analysed)
        scorer = LeafScorer(self.ti, plan.k1)
        words = expansion_words(analysed) if expand else []
        if not words:
            return scorer, plan, plan, [], None
        synonyms = synonym_expansions(words)
        added = []
        for synonym in synonyms:
            weight = SYNONYM_WEIGHT * synonym.confidence
            plan.expansions.append(
                tuple(leaf for f in TEXT_FIELDS for leaf in unit_leaves(f, synonym.units, weight * FIELD_WEIGHTS[f]))
            )
            added.append(ExpansionTerm(synonym.name, round(weight, 4), "synonym"))
        shown = Plan(list(plan.should), list(plan.must), list(plan.must_not), list(plan.expansions))
        if self.ti.live_docs >= FEEDBACK_MIN_DOCS:
            # Each clause analysed alone (not in context, as the plan's parts are): the words
            # feedback must not add again, and how many there are (it scales the feedback).
            asked = {t for clause in parsed.clauses for t in terms(clause.node.text)}
            first = rank(scorer, plan, filter)
            feedback = feedback_terms(self.ti, first.top(FEEDBACK_DOCS), asked)
            if feedback:
                clause = tuple(Leaf("body", (term,), weight) for term, weight in feedback)
                plan.expansions.append(clause)
                added += [ExpansionTerm(term, round(weight, 4), "feedback") for term, weight in feedback]
                return scorer, plan, shown, added, first.plus(scorer, clause)
            return scorer, plan, shown, added, first
        return scorer, plan, shown, added, None

    def _unique_top(self, ranked: Scores, wanted: int) -> list[tuple[float, int, int]]:
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
        self,
        parsed: ParsedQuery,
        *,
        limit: int = 10,
        page: int = 1,
        snippets: bool = True,
        expand: bool = True,
        filter: Filter | None = None,
        correct: bool = True,
    ) -> SearchResults:
        """Rank the articles matching ``parsed`` (among those ``filter`` allows) and return
        one page of hits.

        A word the index does not hold is corrected to its nearest indexed word (see
        :func:`~search.ranking.spelling.suggest`) and the correction offered as ``suggestion``
        ("Did you mean"), whatever the number of hits (beside hits, for short queries only:
        see :mod:`search.limits`). With ``correct`` on, the corrected query is searched
        instead and named in ``corrected`` ("Showing results for") when the query as typed
        finds nothing, or when the correction is likelier than what was typed (see
        :meth:`_more_likely`).
        """
        results = self._search_as_typed(parsed, limit, page, snippets, expand, filter)
        correction, instead = self._correction(parsed, results.total > 0, filter, correct)
        if correction is not None and instead:
            found = self._search_corrected(correction.text, limit, page, snippets, expand, filter)
            if found is not None:
                return replace(found, query=parsed.text, corrected=correction.text)
        return replace(results, suggestion=correction.text) if correction is not None else results

    def _correction(
        self, parsed: ParsedQuery, found: bool, filter: Filter | None, correct: bool
    ) -> tuple[Correction | None, bool]:
        """The query's spelling correction, if any, and whether to search it instead of the
        query as typed (which ``found`` articles or not)."""
        if not found:
            correction = suggest(self.ti, parsed)
            return correction, correct and correction is not None
        # beside hits only short queries are looked up: a long question's unknown words are
        # not worth the scans
        if len(parsed.words()) > limits.SUGGEST_WITH_HITS_MAX_QUERY_WORDS:
            return None, False
        correction = suggest(self.ti, parsed, limits.MAX_SUGGESTED_WORDS_WITH_HITS)
        return correction, correct and correction is not None and self._more_likely(correction, parsed, filter)

    def _more_likely(self, correction: Correction, parsed: ParsedQuery, filter: Filter | None) -> bool:
        """Whether a correction is likelier than the query as typed, which found articles:
        each word is one edit from the one typed and not in the index (a rare word is only
        offered a correction: it may be a drug's name), and one of the corrected query's first
        articles holds more of its words than any of the first articles of the query as typed
        holds of its own. "migrane" finds Lyme disease only through the stemmed "migrans",
        "migraine" an article that holds it; but "flaxseeds vs. chia seeds" is not "china
        seeds" when no article holds china and flaxseeds together.

        On NFCorpus, where a third of the queries hold a word its corpus lacks, replacing
        hits whenever a word is unknown lowered dev nDCG@10 from 0.317 to 0.310 (titles)
        and from 0.312 to 0.267 (long queries)."""
        if correction.edits > 1 or correction.replaces_known:
            return False
        fixed = _parsed(correction.text)
        return fixed is not None and self._best_coverage(fixed, filter) > self._best_coverage(parsed, filter)

    def _best_coverage(self, parsed: ParsedQuery, filter: Filter | None) -> int:
        """The most clauses of ``parsed`` (words only) that one of its first page of articles
        (COVERAGE_DEPTH) matches, each in a field other than the Porter-stemmed one (which
        matches other words than those typed)."""
        plan, _free = build_plan(self.ti, parts(parsed))
        scorer = LeafScorer(self.ti, plan.k1)
        ranked = rank(scorer, plan, filter)
        clauses = (*plan.should, *plan.must)

        def holds(s: int, row: int, leaf: Leaf) -> bool:
            rows = scorer.leaf(ranked.segments[s], leaf)[0]
            at = int(np.searchsorted(rows, row))
            return leaf.field not in PORTER_FIELDS and at < len(rows) and int(rows[at]) == row

        top = ranked.top(COVERAGE_DEPTH)
        return max((sum(any(holds(s, row, leaf) for leaf in c) for c in clauses) for _score, s, row in top), default=0)

    def _search_corrected(
        self, corrected: str, limit: int, page: int, snippets: bool, expand: bool, filter: Filter | None
    ) -> SearchResults | None:
        """The hits of the corrected query, or None when it finds nothing."""
        fixed = _parsed(corrected)
        if fixed is None:
            return None
        found = self._search_as_typed(fixed, limit, page, snippets, expand, filter)
        return found if found.total else None

    def _search_as_typed(
        self, parsed: ParsedQuery, limit: int, page: int, snippets: bool, expand: bool, filter: Filter | None
    ) -> SearchResults:
        _scorer, _plan, shown, _added, ranked = self._ranked(parsed, parts(parsed), expand, filter)
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
        return SearchResults(query=parsed.text, total=total, page=page, hits=hits)

    def explain(
        self,
        parsed: ParsedQuery,
        *,
        limit: int = 5,
        expand: bool = True,
        filter: Filter | None = None,
        correct: bool = True,
    ) -> Explanation:
        """How ``parsed`` was analysed and expanded, and what each leaf gave the top hits; of
        its correction instead (named in ``corrected``) when :meth:`search` would show that."""
        analysed = parts(parsed)
        ranking = self._ranked(parsed, analysed, expand, filter)
        correction, instead = self._correction(parsed, ranking[4].total > 0, filter, correct)
        if correction is not None and instead:
            fixed = _parsed(correction.text)
            if fixed is not None:
                fixed_parts = parts(fixed)
                explained = self._explain(fixed, fixed_parts, self._ranked(fixed, fixed_parts, expand, filter), limit)
                if explained.hits:
                    return replace(explained, query=parsed.text, corrected=correction.text)
        return self._explain(parsed, analysed, ranking, limit)

    def _explain(
        self,
        parsed: ParsedQuery,
        analysed: Sequence[Part],
        ranking: _Ranking,
        limit: int,
    ) -> Explanation:
        scorer, plan, _shown, added, ranked = ranking
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
        clauses = [_explain_part(part) for part in analysed]
        return Explanation(parsed.text, clauses, added, str(plan), hits)


def _parsed(corrected: str) -> ParsedQuery | None:
    """A correction parsed, or None when it does not parse (it keeps the typed query's syntax,
    so it nearly always does)."""
    try:
        return syntax.parse(corrected)
    except QuerySyntaxError:
        return None


def _explain_part(part: Part) -> ExplainedClause:
    if part.kind == "prefix":
        terms = [normalize_word(part.text) + "*"]
    else:
        terms = [" | ".join(" ".join(form) for form in unit.forms) for unit in part.units]
    return ExplainedClause(part.text, part.kind, part.field or ", ".join(FIELDS), part.occur, terms)


def _highlight_terms(plan: Plan) -> set[str]:
    """The body terms a snippet marks: the words asked for and their synonyms."""
    return {term for leaf in plan.leaves() if leaf.field == "body" for term in leaf.terms}


def open_searcher(gen: Path) -> Searcher:
    """A searcher on one generation's term index (see :class:`search.storage.live.Live`)."""
    ti = TermIndex.open(gen)
    if ti is None:
        raise IndexCorruptError(
            f"the index at {gen.parent} was built by another version of healthsearch; run 'healthsearch index --rebuild'"
        )
    return Searcher(ti)
