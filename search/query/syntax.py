"""Query language: parse what a user types into a small, engine-independent query tree.

The grammar is forgiving on purpose, because people type queries, not programs::

    back pain                 words: documents matching more of them rank higher
    "back pain"               a phrase
    title:diabetes            a word (or title:"a phrase") searched in one field only
    -smoking  NOT smoking     exclude documents containing the word or phrase
    +insulin                  require the word
    insulin AND diet          both required
    migraine OR headache      either (the default)
    diabet*                   words starting with a prefix (at least 2 letters)

Malformed input is repaired where the intent is clear (an unclosed quote ends at the end of the
query; a stray ``AND``/``NOT``/``-`` with nothing to apply to is ignored); only a query with
nothing left to search for raises :class:`~search.errors.QuerySyntaxError`, as does a query over
MAX_QUERY_CHARS characters or MAX_QUERY_WORDS words (:mod:`search.limits`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from .. import limits
from ..errors import QuerySyntaxError
from ..schema import QUERY_FIELDS

Occur = Literal["should", "must", "must_not"]

#: Fields a user may name with ``field:``; anything else before a colon is ordinary text.
FIELDS: frozenset[str] = QUERY_FIELDS

_TOKEN_RE = re.compile(
    r"""
    (?P<prefix>[+-]?)                          # required / excluded marker
    (?:(?P<field>[A-Za-z]+):(?=\S))?           # optional field name
    (?:
        "(?P<phrase>[^"]*)(?:"|$)              # a phrase; an unclosed quote runs to the end
      | (?P<word>[^\s"]+)                      # a bare word
    )
    """,
    re.VERBOSE,
)
_WORDISH_RE = re.compile(r"\w", re.UNICODE)


@dataclass(frozen=True)
class Term:
    """A single word as typed (analysis happens later, in the engine)."""

    text: str
    field: str | None = None
    prefix: bool = False


@dataclass(frozen=True)
class Phrase:
    """Words that must appear together, in order."""

    text: str
    field: str | None = None


@dataclass(frozen=True)
class Clause:
    """A term or phrase with how it must occur in matching documents."""

    node: Term | Phrase
    occur: Occur = "should"


@dataclass(frozen=True)
class ParsedQuery:
    """The parsed form of one query string."""

    text: str
    clauses: tuple[Clause, ...]

    @property
    def positive(self) -> tuple[Clause, ...]:
        return tuple(c for c in self.clauses if c.occur != "must_not")

    def words(self, prefixes: bool = True) -> list[str]:
        """Every word the user asked for (not the excluded ones), in order; without the
        prefixes ("diabet*", meant as part of a word) when ``prefixes`` is False."""
        out: list[str] = []
        for clause in self.positive:
            if prefixes or not (isinstance(clause.node, Term) and clause.node.prefix):
                out.extend(clause.node.text.split())
        return out


def parse(text: str) -> ParsedQuery:
    """Parse ``text``; raise :class:`QuerySyntaxError` when nothing searchable is left."""
    if len(text) > limits.MAX_QUERY_CHARS:
        raise QuerySyntaxError(f"query is too long ({len(text)} characters; the limit is {limits.MAX_QUERY_CHARS})")
    words = len(text.split())
    if words > limits.MAX_QUERY_WORDS:
        raise QuerySyntaxError(f"query is too long ({words} words; the limit is {limits.MAX_QUERY_WORDS})")
    clauses: list[Clause] = []
    pending: Occur | None = None  # set by a preceding NOT
    and_next = False  # set by a preceding AND
    for match in _TOKEN_RE.finditer(text):
        word, phrase = match.group("word"), match.group("phrase")
        if word in ("AND", "OR", "NOT", "&&", "||") and not match.group("prefix") and not match.group("field"):
            if word in ("NOT",):
                pending = "must_not"
            elif word in ("AND", "&&") and clauses:
                and_next = True
            continue
        node = _make_node(match.group("field"), word, phrase)
        if node is None:
            continue
        occur: Occur = "should"
        if match.group("prefix") == "-" or pending == "must_not":
            occur = "must_not"
        elif match.group("prefix") == "+" or and_next:
            occur = "must"
        if and_next and occur == "must" and clauses and clauses[-1].occur == "should":
            clauses[-1] = Clause(clauses[-1].node, "must")
        clauses.append(Clause(node, occur))
        pending, and_next = None, False
    parsed = ParsedQuery(text=text, clauses=tuple(clauses))
    if not parsed.positive:
        if clauses:
            raise QuerySyntaxError("the query only excludes words; add a word to search for")
        raise QuerySyntaxError("the query has no words to search for")
    return parsed


def _make_node(field: str | None, word: str | None, phrase: str | None) -> Term | Phrase | None:
    """Build a node from one token, or None when it holds nothing searchable."""
    if field is not None and field.lower() not in FIELDS:
        # "ratio:1" or "http://..." are text, not field queries.
        word = f"{field}:{word}" if word is not None else None
        phrase = f"{field} {phrase}" if phrase is not None else None
        field = None
    elif field is not None:
        field = field.lower()
    if phrase is not None:
        phrase = " ".join(phrase.split())
        if not _WORDISH_RE.search(phrase):
            return None
        return Phrase(phrase, field) if " " in phrase else Term(phrase, field)
    assert word is not None
    prefix = word.endswith("*")
    stem = word.rstrip("*")
    if not _WORDISH_RE.search(stem):
        return None
    if prefix and len(stem) < 2:
        prefix = False  # "a*" would expand to half the dictionary: search the letter itself
    return Term(stem, field, prefix)
