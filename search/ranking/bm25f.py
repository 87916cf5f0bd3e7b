"""BM25F as the ranking computes it: the formula, its constants, and what each part means.

Each leaf of a plan (a term or a phrase in one field) scores a matching document with BM25 on
that field, multiplied by the leaf's weight (the field's weight, times a synonym's or feedback
word's weight); a document's score is the sum over leaves. This is Whoosh's BM25F
(``whoosh.scoring.BM25F``) with per-field ``B``, summed over fields as Whoosh's ``Or`` query
sums its children; ``tests/test_bm25f.py`` checks the two agree:

* ``idf = ln(N / (df + 1)) + 1`` with N the live articles and df the rows holding the term.
  Rows of removed or replaced articles still count in df until their segment is merged, while
  N does not count them: after an incremental update idf is a little lower than a rebuild's
  (Whoosh counts such rows in both, or in neither after ``optimize``); the strict xfail in
  ``tests/test_bm25f.py`` records the difference;
* ``tf-part = tf * (k1 + 1) / (tf + k1 * ((1 - b) + b * length / average length))``, with
  k1 = K1, or LONG_QUERY_K1 for a long query (the plan says which).

A phrase scores the sum of its words' BM25 in the documents where they form the phrase (as
Whoosh's span queries do).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from ..schema import LENGTH_NORMS

#: Term-frequency saturation: the k1 of BM25.
K1 = 1.2
#: The k1 of long queries (search.query.plan.LONG_QUERY_WORDS words or more): each word of a long
#: query is asked once, and an article that repeats one is about it, so their counts saturate
#: later (NFCorpus train long queries nDCG@10: k1 1.2 -> 0.3355, 2 -> 0.3429, 3 -> 0.3470,
#: 6 -> 0.3450; dev 0.3306 -> 0.3381 at 2, 0.3349 at 3; title queries of four words or more
#: get it too: train titles 0.3400 -> 0.3401).
LONG_QUERY_K1 = 2.0
#: BM25's length normalisation per field (the b of BM25): short fields are normalised less.
B: Mapping[str, float] = LENGTH_NORMS


def idf(n_docs: int, df: int) -> float:
    """The inverse document frequency of a term held by ``df`` of ``n_docs`` documents."""
    return math.log(n_docs / (df + 1)) + 1.0


def length_norm(lengths: np.ndarray, average: float, b: float, k1: float = K1) -> np.ndarray:
    """The denominator's length part, ``k1 * ((1 - b) + b * length / average)``, per document."""
    norm: np.ndarray = k1 * ((1.0 - b) + b * lengths / average)
    return norm


def term_weight(weight: float, tf: np.ndarray, norm: np.ndarray, k1: float = K1) -> np.ndarray:
    """``weight`` (a leaf's boost times the term's idf) times BM25's saturated term frequency."""
    weights: np.ndarray = weight * tf * (k1 + 1.0) / (tf + norm)
    return weights
