"""Query expansion: lay and clinical synonyms, and words borrowed from the top hits (feedback)."""

from __future__ import annotations

import functools
import heapq
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..terms.format import term_key
from ..terms.reader import TermIndex
from ..text.words import data_text
from .plan import Unit, units

#: Pseudo-relevance feedback (RM3-style): words typical of the top FEEDBACK_DOCS hits, rare in
#: the index (in at most FEEDBACK_MAX_DF of its documents), are added to the query, together
#: weighing (1 - FEEDBACK_ORIGINAL) of it. Tuned on NFCorpus dev (see the README).
FEEDBACK_DOCS = 10
FEEDBACK_TERMS = 20
FEEDBACK_ORIGINAL = 0.5
FEEDBACK_MAX_DF = 0.1
FEEDBACK_CANDIDATES = 150
#: Together the borrowed words weigh as much as the words typed, but never more than this many
#: of them: a long query already says what it is about, and words borrowed beside forty typed
#: ones would each outweigh a typed word (NFCorpus train long queries, nDCG@10: no cap 0.324,
#: 15 -> 0.325, 8 -> 0.329, 5 -> 0.331, 3 -> 0.331; words only 0.325).
FEEDBACK_MAX_QUERY_WORDS = 5
#: Below this many articles the top hits say too little about "what else is relevant": a
#: small collection gets only the words typed and their synonyms.
FEEDBACK_MIN_DOCS = 500
#: Weight of lay <-> clinical synonyms (search/text/data/synonyms.tsv) relative to the words typed,
#: times the synonym's confidence (a near name, confidence 0.5, weighs 0.3).
SYNONYM_WEIGHT = 0.6


@dataclass(frozen=True)
class Synonym:
    """Another name for words of the query: its text, analysed, and how sure the table is that
    it names the same thing (1: the same; lower: a near name that also covers other things)."""

    name: str
    units: tuple[Unit, ...]
    confidence: float = 1.0


@functools.lru_cache(maxsize=1)
def _synonym_table() -> dict[tuple[str, ...], list[Synonym]]:
    """Analysed synonym groups: the terms of each name -> the other names of its group."""
    text = data_text("synonyms.tsv")
    table: dict[tuple[str, ...], list[Synonym]] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        fields = [n.strip() for n in line.split("\t")]
        confidence = 1.0
        if fields and _is_number(fields[0]):
            confidence = min(1.0, max(0.0, float(fields.pop(0))))
        group = [(name, tuple(units(name))) for name in fields if name]
        for name, name_units in group:
            key = tuple(unit.forms[0][0] for unit in name_units)
            if key:
                table.setdefault(key, []).extend(Synonym(other, o, confidence) for other, o in group if other != name and o)
    return table


def _is_number(text: str) -> bool:
    """A confidence as synonyms.tsv writes it: 0, 1, 0.5 (never a name like "nan")."""
    return re.fullmatch(r"[01](?:\.\d+)?", text) is not None


def synonym_expansions(words: Sequence[str]) -> list[Synonym]:
    """The synonyms of the longest names found in ``words`` (analysed query terms, in order)."""
    table = _synonym_table()
    found: list[Synonym] = []
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


def feedback_terms(ti: TermIndex, top: Sequence[tuple[float, int, int]], asked: set[str]) -> list[tuple[str, float]]:
    """Expansion words and weights from ``top``, the first pass's best hits as (score, segment
    number, row), best first (RM3-style).

    Each word of the top FEEDBACK_DOCS hits (title and body) is weighted by its share of each
    hit's words times the hit's share of their scores, then by the share of the hits that hold
    it (how related it is to the query rather than to one hit) and by its rarity (idf); words of the
    query itself, very common words, numbers and short words are left out. The weights are
    scaled so that together the expansion counts for (1 - FEEDBACK_ORIGINAL) of the query, or
    of FEEDBACK_MAX_QUERY_WORDS of its words when it has more.
    """
    total = sum(max(score, 0.0) for score, _s, _r in top)
    if total <= 0:
        return []
    model: dict[str, float] = {}
    by_segment: dict[int, tuple[list[np.ndarray], list[np.ndarray]]] = {}
    for score, s, row in top:
        seg = ti.segments[s]
        a, b = int(seg.vector_offsets[row]), int(seg.vector_offsets[row + 1])
        counts = seg.vector_tfs[a:b].astype(np.float64)
        words = counts.sum()
        if words > 0:
            tids, weights = by_segment.setdefault(s, ([], []))
            tids.append(seg.vector_terms[a:b])
            weights.append((max(score, 0.0) / total / words) * counts)
    holding: dict[str, int] = {}  # how many of the top hits hold each word
    for s, (tids_l, weights_l) in by_segment.items():
        seg = ti.segments[s]
        unique, inverse = np.unique(np.concatenate(tids_l), return_inverse=True)
        summed = np.bincount(inverse, weights=np.concatenate(weights_l))
        docs = np.bincount(inverse)  # a document's vector holds each of its words once
        for word, weight, n in zip(seg.words(unique), summed.tolist(), docs.tolist()):
            model[word] = model.get(word, 0.0) + weight
            holding[word] = holding.get(word, 0) + n
    # A word many of the hits share says more about the query than one a single hit repeats.
    for word in model:
        model[word] *= holding[word] / len(top)
    likely = heapq.nlargest(FEEDBACK_CANDIDATES, model.items(), key=lambda item: (item[1], item[0]))
    candidates = [(w, p) for w, p in likely if w not in asked and len(w) >= 3 and w.isalpha()]
    if not candidates:
        return []
    n_docs = ti.n_docs
    df = ti.doc_frequencies([term_key("body", w) for w, _p in candidates]).tolist()
    scored = [(p * math.log(n_docs / d), w) for (w, p), d in zip(candidates, df) if 0 < d <= FEEDBACK_MAX_DF * n_docs]
    scored.sort(reverse=True)
    chosen = scored[:FEEDBACK_TERMS]
    norm = sum(p for p, _ in chosen)
    if norm <= 0:
        return []
    scale = (1 - FEEDBACK_ORIGINAL) / FEEDBACK_ORIGINAL * min(max(len(asked), 1), FEEDBACK_MAX_QUERY_WORDS)
    return [(word, scale * p / norm) for p, word in chosen]
