"""Spelling corrections: the nearest indexed words to those the index does not hold, or holds far more rarely."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .. import limits
from ..query.syntax import ParsedQuery
from ..schema import SPELL_FIELDS
from ..terms.format import term_key
from ..terms.reader import TermIndex
from ..text.analyzer import terms
from ..text.normalize import normalize_word

#: Words of this many letters or fewer are corrected by one edit only ("covid" is not "cold").
SHORT_WORD = 5
#: A word the index holds is a likely typo when a word one edit away is in this many times as
#: many articles: scraped pages have typos too ("diabetis" in 2 pages, "diabetes" in 800).
FAR_RARER = 100
#: ... looked up only for words in this many articles or fewer (a limit by share of the index
#: would look up nearly every word of a large one).
RARE_WORD_DOCS = 3


@dataclass(frozen=True)
class Correction:
    """A corrected query: its text, the most edits any one word took (1 or 2), and whether a
    word it corrects is in the index (far rarer than its correction): such a correction is
    only ever offered, never searched instead, so one drug is never swapped for another."""

    text: str
    edits: int
    replaces_known: bool = False


def suggest(ti: TermIndex, parsed: ParsedQuery, budget: int = limits.MAX_SUGGESTED_WORDS) -> Correction | None:
    """The query with each word the index does not hold replaced by its nearest indexed
    word, and each word it holds FAR_RARER times less often than a word one edit away by that
    word (not short words, nor drug-like ones), or None when no word needs (or has) a
    correction. The rest of the query (phrases, fields, exclusions, operators) is kept as
    typed, so the correction parses like it.

    At most ``budget`` words are looked up (each scans the vocabulary).
    """
    fixes: dict[str, str] = {}
    edits = 0
    known = False
    for word in parsed.words(prefixes=False):
        normal = normalize_word(word)
        analysed = terms(word)  # a stop word is never indexed, so never missing
        if budget <= 0 or not normal.isalpha() or not analysed:
            continue
        df = int(ti.doc_frequencies([term_key(f, t) for f in SPELL_FIELDS for t in analysed]).max())
        if df == 0:
            found = _closest_term(ti, normal)
        elif df <= RARE_WORD_DOCS and df * FAR_RARER <= ti.n_docs and len(normal) > SHORT_WORD and not _looks_like_drug(normal):
            found = _commoner_neighbour(ti, normal, frozenset(analysed), df * FAR_RARER)
        else:
            continue
        budget -= 1
        if found is not None:
            fixes[word] = found[1]
            edits = max(edits, found[0])
            known = known or df > 0
    if not fixes:
        return None
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, sorted(fixes, key=len, reverse=True))) + r")(?!\w)")
    return Correction(pattern.sub(lambda match: fixes[match.group(0)], parsed.text), edits, known)


def _closest_term(ti: TermIndex, word: str) -> tuple[int, str] | None:
    """The indexed word nearest to ``word`` (fewest edits, then most documents) and its
    number of edits, or None.

    Drug names often differ from other drug names by two letters (Losec/Lasix), so a word
    that looks like a drug name is only corrected by one edit; short words likewise.
    """
    allowed = 1 if len(word) <= SHORT_WORD or _looks_like_drug(word) else 2
    candidates = []
    letters = set(word)
    for candidate in ti.words_near(word[:1], len(word) - allowed, len(word) + allowed):
        if not candidate.isalpha() or len(letters.symmetric_difference(candidate)) > 2 * allowed:
            continue  # an edit changes at most two letters of the set: too far, and no DP to prove it
        distance = _edit_distance(word, candidate, allowed)
        if distance > allowed or (distance == 2 and _looks_like_drug(candidate)):
            continue
        candidates.append((distance, candidate))
    if not candidates:
        return None
    df = ti.word_frequencies([c for _d, c in candidates], SPELL_FIELDS)
    ranked = sorted((d, -int(n), c) for (d, c), n in zip(candidates, df.tolist()) if n > 0)
    return (ranked[0][0], ranked[0][2]) if ranked else None


def _commoner_neighbour(ti: TermIndex, word: str, exclude: frozenset[str], fewest_docs: int) -> tuple[int, str] | None:
    """The indexed word one edit from ``word`` in the most articles, if in ``fewest_docs`` or
    more (and not one of ``exclude``), as (1, word). The edits are spelled out and looked up
    (about 55 per letter) instead of scanning the vocabulary, so the cost does not grow with it."""
    candidates = sorted(v for v in one_edit(word) - exclude - {word} if v.isalpha())
    df = ti.word_frequencies(candidates, SPELL_FIELDS)
    ranked = sorted((-int(n), c) for c, n in zip(candidates, df.tolist()) if n >= max(fewest_docs, 1))
    return (1, ranked[0][1]) if ranked else None


def one_edit(word: str) -> set[str]:
    """Every word one deletion, transposition, substitution or insertion from ``word`` (its
    letters and a to z), and ``word`` itself."""
    letters = sorted(set("abcdefghijklmnopqrstuvwxyz") | set(word))
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    variants = {a + b[1:] for a, b in splits if b}
    variants |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    variants |= {a + c + b[1:] for a, b in splits if b for c in letters}
    variants |= {a + c + b for a, b in splits for c in letters}
    return variants | {word}


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
