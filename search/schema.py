"""The field table: every indexed field, how it is analysed, weighted and normalised, in one place."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    """One field of the term index.

    ``weight`` multiplies the field's BM25 score at query time (a title match outranks a body
    match); ``b`` is BM25's length normalisation (short fields are normalised less);
    ``positions``: phrases can be searched in it; ``queryable``: ``field:word`` may name it;
    ``spelling``: a word found in it is not misspelt; ``porter``: its terms are the analyser's,
    Porter-stemmed on top (for recall; prefixes are not expanded in it). Every field's terms go
    into a segment's vocabulary, which prefixes, spelling suggestions and feedback read.
    """

    name: str
    weight: float
    b: float
    positions: bool
    queryable: bool
    spelling: bool
    porter: bool = False


#: In the order of the rows of a term-index segment's ``lens`` array (on disk: never reorder).
FIELD_TABLE: tuple[Field, ...] = (
    Field("title", weight=3.0, b=0.5, positions=True, queryable=True, spelling=True),
    Field("body", weight=1.0, b=0.75, positions=True, queryable=True, spelling=True),
    # Incoming anchor text of links from other articles.
    Field("anchors", weight=1.5, b=0.5, positions=True, queryable=False, spelling=False),
    # The body again, Porter-stemmed: recall for morphological variants, single words only.
    Field("broad", weight=1.0, b=0.75, positions=False, queryable=False, spelling=False, porter=True),
)

FIELDS: tuple[str, ...] = tuple(f.name for f in FIELD_TABLE)
FIELD_INDEX: Mapping[str, int] = {f.name: i for i, f in enumerate(FIELD_TABLE)}
FIELD_WEIGHTS: Mapping[str, float] = {f.name: f.weight for f in FIELD_TABLE}
LENGTH_NORMS: Mapping[str, float] = {f.name: f.b for f in FIELD_TABLE}
POSITIONAL: frozenset[str] = frozenset(f.name for f in FIELD_TABLE if f.positions)
QUERY_FIELDS: frozenset[str] = frozenset(f.name for f in FIELD_TABLE if f.queryable)
SPELL_FIELDS: tuple[str, ...] = tuple(f.name for f in FIELD_TABLE if f.spelling)
PORTER_FIELDS: frozenset[str] = frozenset(f.name for f in FIELD_TABLE if f.porter)
#: The fields synonyms and the phrase boost search (precise text, with positions).
TEXT_FIELDS: tuple[str, ...] = ("title", "body")
#: What a result page shows of an article (kept in the term index's store).
RESULT_FIELDS: tuple[str, ...] = ("id", "title", "url", "body", "links")
