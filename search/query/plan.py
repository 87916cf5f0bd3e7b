"""Query planning: a parsed query analysed into parts, then into a plan of weighted leaves.

A query becomes a :class:`Plan` of clauses; each clause is a set of alternative leaves (a term
or a phrase in one field, with a weight) whose scores add up, as in Lucene's BooleanQuery:

* ``should`` clauses score; a document must match at least one of them (or an expansion),
  unless the query has ``must`` clauses, which then decide alone (as in Lucene);
* ``must`` clauses score too, and a document must match every one of them;
* ``must_not`` clauses remove documents;
* ``expansions`` (synonyms, feedback words) add to the score and bring in new documents,
  but never decide alone whether a document must or must not match.

The query text is analysed once (:func:`parts`); the plan, the synonyms looked up and the
explanation all read those parts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .. import limits
from ..errors import QuerySyntaxError
from ..ranking.bm25f import K1, LONG_QUERY_K1, idf
from ..schema import FIELD_WEIGHTS, PORTER_FIELDS, POSITIONAL, SPELL_FIELDS, TEXT_FIELDS
from ..terms.format import term_key
from ..terms.reader import TermIndex
from ..text.analyzer import analyze
from ..text.normalize import normalize_word
from ..text.stemmer import broad_term, stem
from ..text.words import QUESTION_WORDS
from . import syntax

#: Extra score for documents containing the query's words next to each other (title, body).
PHRASE_BOOST = 1.5
#: Words next to each other "within" this many positions count as a phrase for the boost.
PHRASE_BOOST_SLOP = 2
_MAX_PHRASE_VARIANTS = 8
#: The weight of a question or courtesy word (QUESTION_WORDS) beside the words a query asks about.
QUESTION_WORD_WEIGHT = 0.2
_QUESTION_TERMS = frozenset(stem(normalize_word(word)) for word in QUESTION_WORDS)
#: A query of at least this many plain words is long: its words weigh by their rarity, because
#: a long question names its subject with rare words ("splashed", "hiv") among common ones
#: ("worried", "risk") that BM25's idf alone leaves too strong when there are many of them; and
#: their counts saturate later (search.ranking.bm25f.LONG_QUERY_K1).
LONG_QUERY_WORDS = 4
#: How much: a word of a long query weighs (its idf / the idf of a word in one article) to this
#: power (NFCorpus dev long queries, nDCG@10: 0.3 -> 0.328, 0.5 -> 0.329, 0.7 -> 0.326; 0 is the
#: 0.321 before; train, 812 queries, checked later: 0.3 -> 0.328, 0.5 -> 0.331, 0.7 -> 0.330).
RARITY_EXPONENT = 0.5


@dataclass(frozen=True)
class Unit:
    """One word of a query as analysed: its alternative forms, each a run of terms.

    A plain word has one form of one term. A hyphenated compound has two: the joined term
    (``xray``) and its parts (``x``, ``ray``) at consecutive positions, so a query matches
    documents that write it either way.
    """

    pos: int
    forms: tuple[tuple[str, ...], ...]
    text: str = ""  # the word as typed


def units(text: str) -> list[Unit]:
    """Group the analyser's tokens into words; tokens inside a compound's span are its parts."""
    tokens = analyze(text)
    out: list[Unit] = []
    i = 0
    while i < len(tokens):
        head = tokens[i]
        parts = []
        j = i + 1
        while j < len(tokens) and tokens[j].start >= head.start and tokens[j].end <= head.end and tokens[j].pos >= head.pos:
            parts.append(tokens[j].text)
            j += 1
        forms = ((head.text,), tuple(parts)) if parts and tuple(parts) != (head.text,) else ((head.text,),)
        out.append(Unit(head.pos, forms, text[head.start : head.end]))
        i = j
    return out


@dataclass(frozen=True)
class Part:
    """A piece of the query: a word, a phrase or a prefix, with where and how it must occur."""

    text: str
    kind: str  # "term", "phrase" or "prefix"
    field: str | None
    occur: str  # "should", "must" or "must_not"
    units: tuple[Unit, ...]  # empty for a prefix


def parts(parsed: syntax.ParsedQuery) -> list[Part]:
    """The query's clauses, analysed; each word of a plain-word run becomes its own part.

    Consecutive plain words are analysed together, because the analyser needs context:
    the "a" of "hepatitis a" is kept only after "hepatitis".
    """
    out: list[Part] = []
    run: list[syntax.Clause] = []

    def flush() -> None:
        if run:
            for unit in units(" ".join(c.node.text for c in run)):
                out.append(Part(unit.text, "term", run[0].node.field, run[0].occur, (unit,)))
            run.clear()

    for clause in parsed.clauses:
        node = clause.node
        if isinstance(node, syntax.Term) and not node.prefix:
            if run and (run[0].occur, run[0].node.field) != (clause.occur, node.field):
                flush()
            run.append(clause)
            continue
        flush()
        if isinstance(node, syntax.Term):
            out.append(Part(node.text, "prefix", node.field, clause.occur, ()))
        else:
            out.append(Part(node.text, "phrase", node.field, clause.occur, tuple(units(node.text))))
    flush()
    return out


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


#: Alternative leaves of one clause: their scores add up; a document matching any matches the clause.
LeafSet = tuple[Leaf, ...]


@dataclass
class Plan:
    """A query ready to score: clauses of alternative leaves (see the module docstring)."""

    should: list[LeafSet] = field(default_factory=list)
    must: list[LeafSet] = field(default_factory=list)
    must_not: list[LeafSet] = field(default_factory=list)
    expansions: list[LeafSet] = field(default_factory=list)
    k1: float = K1  # BM25's term-frequency saturation: LONG_QUERY_K1 for a long query

    def leaves(self) -> list[Leaf]:
        return [leaf for group in (self.should, self.must, self.expansions) for clause in group for leaf in clause]

    def __str__(self) -> str:
        def clause(c: LeafSet) -> str:
            return "(" + " | ".join(f"{leaf.label()}^{leaf.boost:g}" for leaf in c) + ")" if c else "()"

        pieces = [clause(c) for c in self.should] + ["+" + clause(c) for c in self.must]
        pieces += ["-" + clause(c) for c in self.must_not] + ["~" + clause(c) for c in self.expansions]
        return " ".join(pieces)


def unit_leaves(field_name: str, units: Sequence[Unit], boost: float) -> list[Leaf]:
    """Leaves matching ``units`` in order in one field: a term, or a phrase per choice of forms."""
    variants: list[list[tuple[int, str]]] = [[]]
    for unit in units:
        grown = []
        for variant in variants:
            for form in unit.forms:
                if field_name in PORTER_FIELDS:
                    form = tuple(broad_term(term) for term in form)
                grown.append(variant + [(unit.pos + k, term) for k, term in enumerate(form)])
        variants = grown[:_MAX_PHRASE_VARIANTS]
    leaves: list[Leaf] = []
    for variant in variants:
        if len(variant) > 1 and field_name not in POSITIONAL:
            continue  # a field without positions (broad) takes single words only
        if len(variant) == 1:
            leaves.append(Leaf(field_name, (variant[0][1],), boost))
            continue
        gaps = [max(0, b[0] - a[0] - 1) for a, b in zip(variant, variant[1:])]
        leaves.append(Leaf(field_name, tuple(term for _pos, term in variant), boost, 1 + max(gaps)))
    return leaves


def build_plan(ti: TermIndex, analysed: Sequence[Part]) -> tuple[Plan, list[str]]:
    """The plan for the analysed query without expansion, and its free words (for the phrase boost).

    Raises QuerySyntaxError when nothing searchable is left.
    """
    plan = Plan(k1=LONG_QUERY_K1 if is_long(analysed) else K1)
    groups = {"should": plan.should, "must": plan.must, "must_not": plan.must_not}
    free: list[str] = []
    searchable = False
    # Each prefix expands to its most frequent words, all of them together to at most
    # MAX_PREFIX_EXPANSIONS (limits): a query of many prefixes costs no more than one of a few.
    prefixes = sum(part.kind == "prefix" for part in analysed)
    per_prefix = max(1, min(limits.MAX_PREFIX_TERMS, limits.MAX_PREFIX_EXPANSIONS // max(prefixes, 1)))
    questions = [_is_question_word(part) for part in analysed]
    asking = any(part.occur != "must_not" and not question for part, question in zip(analysed, questions, strict=True))
    rarity = rarity_weights(ti, analysed)
    for part, question, rare in zip(analysed, questions, rarity, strict=True):
        fields_ = {part.field: 1.0} if part.field else FIELD_WEIGHTS
        scale = rare * (QUESTION_WORD_WEIGHT if asking and question else 1.0)
        if scale != 1.0:
            fields_ = {f: weight * scale for f, weight in fields_.items()}
        leaves: list[Leaf] = []
        if part.kind == "prefix":
            stem = normalize_word(part.text)
            if not stem:
                continue
            words = _prefix_words(ti, stem, per_prefix)
            leaves = [Leaf(f, (w,), weight) for f, weight in fields_.items() if f not in PORTER_FIELDS for w in words]
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
            tuple(Leaf(f, tuple(free), PHRASE_BOOST * FIELD_WEIGHTS[f], PHRASE_BOOST_SLOP) for f in TEXT_FIELDS)
        )
    return plan, free


def _plain_word(part: Part) -> bool:
    return part.kind == "term" and part.occur != "must_not" and len(part.units) == 1


def is_long(analysed: Sequence[Part]) -> bool:
    """Whether a query is long: LONG_QUERY_WORDS plain words or more (stop words aside)."""
    return sum(map(_plain_word, analysed)) >= LONG_QUERY_WORDS


def rarity_weights(ti: TermIndex, analysed: Sequence[Part]) -> list[float]:
    """Each part's weight for its rarity: 1 unless the query is long (:func:`is_long`); then a
    plain word weighs (idf / idf of a one-article word) ** RARITY_EXPONENT, by its body
    document frequency; phrases, prefixes and exclusions keep 1."""
    if not is_long(analysed):
        return [1.0] * len(analysed)
    weighed = [_plain_word(part) for part in analysed]
    keys = [term_key("body", part.units[0].forms[0][0]) for part, w in zip(analysed, weighed, strict=True) if w]
    df = iter(ti.doc_frequencies(keys).tolist())
    top = idf(max(ti.n_docs, 1), 1)
    # (clamped: rows of removed articles count in df, so a word's idf can fall below 0)
    return [min(1.0, max(0.01, idf(max(ti.n_docs, 1), next(df)) / top)) ** RARITY_EXPONENT if w else 1.0 for w in weighed]


def _is_question_word(part: Part) -> bool:
    """A plain word of a question or a letter ("what", "please"), not what the query asks about."""
    if part.kind != "term" or part.field is not None or len(part.units) != 1:
        return False
    form = part.units[0].forms[0]
    return len(form) == 1 and form[0] in _QUESTION_TERMS


def _prefix_words(ti: TermIndex, prefix: str, most: int) -> list[str]:
    """The ``most`` most frequent indexed words starting with ``prefix``."""
    words = ti.words_with_prefix(prefix, 20 * limits.MAX_PREFIX_TERMS)
    if len(words) <= most:
        return words
    df = ti.word_frequencies(words, SPELL_FIELDS)
    best = np.argsort(-df, kind="stable")[:most]
    return sorted(words[int(i)] for i in best)


def expansion_words(analysed: Sequence[Part]) -> list[str]:
    """Analysed words that synonyms are looked up for: positive, unfielded words and phrases."""
    return [
        unit.forms[0][0]
        for part in analysed
        if part.occur != "must_not" and part.field is None
        for unit in part.units
    ]
