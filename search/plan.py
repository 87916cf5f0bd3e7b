"""Query planning: a parsed query analysed into weighted clauses, with its synonyms (no engine)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

from whoosh.lang.porter import stem as porter_stem  # a plain function; loads no Whoosh index code

from . import analysis, querylang

#: Query-time field weights (BM25F per field, summed): a title match outranks a body match.
FIELD_WEIGHTS: dict[str, float] = {"title": 3.0, "body": 1.0, "anchors": 1.5, "broad": 1.0}
#: Extra score for documents containing the query's words next to each other (title, body).
PHRASE_BOOST = 1.5
#: Words next to each other "within" this many positions count as a phrase for the boost.
PHRASE_BOOST_SLOP = 2
#: Pseudo-relevance feedback (RM3-style): words typical of the top FEEDBACK_DOCS hits, rare in
#: the index (in at most FEEDBACK_MAX_DF of its documents), are added to the query, together
#: weighing (1 - FEEDBACK_ORIGINAL) of it. Tuned on NFCorpus dev (see the README).
FEEDBACK_DOCS = 10
FEEDBACK_TERMS = 20
FEEDBACK_ORIGINAL = 0.5
FEEDBACK_MAX_DF = 0.1
FEEDBACK_CANDIDATES = 150
#: Below this many articles the top hits say too little about "what else is relevant": a
#: small collection gets only the words typed and their synonyms.
FEEDBACK_MIN_DOCS = 500
#: Weight of lay <-> clinical synonyms (search/data/synonyms.tsv) relative to the words typed.
SYNONYM_WEIGHT = 0.6


@functools.lru_cache(maxsize=200_000)
def broad_term(term: str) -> str:
    """Porter stem of an analysed term (digits and one-letter terms stay as they are)."""
    if len(term) < 4 or not term.isalpha():
        return term
    return porter_stem(term)


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
    tokens = analysis.analyze(text)
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


def parts(parsed: querylang.ParsedQuery) -> list[Part]:
    """The query's clauses, analysed; each word of a plain-word run becomes its own part.

    Consecutive plain words are analysed together, because the analyser needs context:
    the "a" of "hepatitis a" is kept only after "hepatitis".
    """
    out: list[Part] = []
    run: list[querylang.Clause] = []

    def flush() -> None:
        if run:
            for unit in units(" ".join(c.node.text for c in run)):
                out.append(Part(unit.text, "term", run[0].node.field, run[0].occur, (unit,)))
            run.clear()

    for clause in parsed.clauses:
        node = clause.node
        if isinstance(node, querylang.Term) and not node.prefix:
            if run and (run[0].occur, run[0].node.field) != (clause.occur, node.field):
                flush()
            run.append(clause)
            continue
        flush()
        if isinstance(node, querylang.Term):
            out.append(Part(node.text, "prefix", node.field, clause.occur, ()))
        else:
            out.append(Part(node.text, "phrase", node.field, clause.occur, tuple(units(node.text))))
    flush()
    return out


def free_words(parsed: querylang.ParsedQuery) -> list[str]:
    """The analysed plain words searched in every field and not excluded, in order."""
    return [
        unit.forms[0][0]
        for part in parts(parsed)
        if part.kind == "term" and part.occur != "must_not" and part.field is None
        for unit in part.units
    ]


@functools.lru_cache(maxsize=1)
def _synonym_table() -> dict[tuple[str, ...], list[tuple[str, tuple[Unit, ...]]]]:
    """Analysed synonym groups: the terms of each name -> the other names of its group."""
    text = resources.files(__package__).joinpath("data/synonyms.tsv").read_text(encoding="utf-8")
    table: dict[tuple[str, ...], list[tuple[str, tuple[Unit, ...]]]] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        group = [(name, tuple(units(name))) for name in (n.strip() for n in line.split("\t")) if name]
        for name, name_units in group:
            key = tuple(unit.forms[0][0] for unit in name_units)
            if key:
                table.setdefault(key, []).extend((other, o) for other, o in group if other != name and o)
    return table


def synonym_expansions(words: Sequence[str]) -> list[tuple[str, tuple[Unit, ...]]]:
    """The synonyms of the longest names found in ``words`` (analysed query terms, in order)."""
    table = _synonym_table()
    found: list[tuple[str, tuple[Unit, ...]]] = []
    i = 0
    while i < len(words):
        for n in range(min(4, len(words) - i), 0, -1):
            alternatives = table.get(tuple(words[i : i + n]))
            if alternatives:
                found.extend(alternatives)
                i += n
                break
        else:
            i += 1
    return found
