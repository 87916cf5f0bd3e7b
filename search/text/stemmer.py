"""Stemmers: the analyser's light medical stemmer, and the Porter stem of the broad field."""

from __future__ import annotations

import functools

# A plain function: loads no Whoosh index code.
from whoosh.lang.porter import stem as porter_stem

from .words import STEM_EXCEPTIONS, VERBS

#: Entries each of the analyser's caches keeps for repeated words before it is emptied
#: (stems here; per-word records, ~150 bytes each, in the analyzer).
CACHE_LIMIT = 200_000

_PLURAL_US_BEFORE = frozenset("rtnlsmpgix")  # viruses, fetuses, sinuses, calluses, thymuses...
# Compounds of singular -s words keep their s: prediabetes, interspecies, miniseries.
_PROTECTED_ENDINGS = ("species", "series", "diabetes", "herpes", "measles", "rabies", "caries")


def _strip_plural(w: str) -> str:
    """Singular of a word ending in s (len > 3, lowercase ASCII letters)."""
    if w.endswith(("ss", "us", "is")) or w.endswith(_PROTECTED_ENDINGS):
        return w
    if w.endswith("ies"):
        return w[:-1] if len(w) == 4 else w[:-3] + "y"  # ties -> tie; injuries -> injury
    if not w.endswith("es"):
        return w[:-1]
    c = w[-3]
    if c == "s":
        if w[-4] == "s":
            return w[:-2]  # abscesses -> abscess
        if w.endswith("uses") and len(w) > 5 and w[-5] in _PLURAL_US_BEFORE:
            return w[:-2]  # viruses -> virus (but causes -> cause, houses -> house)
        return w[:-1]  # diseases -> disease
    if c == "x" or (c == "z" and w[-4] == "z") or (c == "a" and len(w) > 4):
        return w[:-2]  # boxes -> box, buzzes -> buzz, vertebraes -> vertebra
    if c == "h":
        d = w[-4]
        if d == "s":
            return w[:-2]  # rashes -> rash
        if d == "c" and len(w) > 5:
            e = w[-5]
            if e in "tnrlui" or (e == "a" and len(w) > 6 and w[-6] in "eo"):
                return w[:-2]  # stitches, inches, pouches, sandwiches, beaches, coaches
    return w[:-1]  # headaches -> headache, toes -> toe, nerves -> nerve


def _verb_base(w: str, suffix: str) -> str:
    """Base verb of an -ing/-ed form of a listed verb, else the word itself."""
    base = w[: -len(suffix)]
    if len(base) < 2:
        return w
    candidates = [base, base + "e"]
    if len(base) > 2 and base[-1] == base[-2]:
        candidates.append(base[:-1])  # running -> run, stopped -> stop
    if suffix == "ed":
        candidates.append(w[:-1])  # caused -> cause
        if base.endswith("i"):
            candidates.append(base[:-1] + "y")  # studied -> study
    elif base.endswith("y"):
        candidates.append(base[:-1] + "ie")  # dying -> die
    for candidate in candidates:
        allowed = VERBS.get(candidate)
        if allowed is not None and suffix in allowed:
            return candidate
    return w


def _stem_once(w: str) -> str:
    exception = STEM_EXCEPTIONS.get(w)
    if exception is not None:
        return exception
    if len(w) <= 3 or not (w.isascii() and w.isalpha()):
        return w
    last = w[-1]
    if last == "s":
        w = _strip_plural(w)
        last = w[-1]
    if last == "g" and w.endswith("ing"):
        return _verb_base(w, "ing")
    if last == "d" and w.endswith("ed"):
        return _verb_base(w, "ed")
    if last == "e" and len(w) >= 5:
        if w[-2] == "a":
            return w[:-1]  # vertebrae -> vertebra, larvae -> larva
        if w[-2] == "i" and w[-3] != "l":
            return w[:-2] + "y"  # calorie -> calory (meets calories); not underlie -> underly
    if last == "i" and w.endswith(("cocci", "bacilli")):
        return w[:-1] + "us"  # streptococci -> streptococcus
    return w


_STEM_CACHE: dict[str, str] = {}


def stem(word: str) -> str:
    """The light stemmer alone, on an already-normalized (lowercase, folded) word. Cached."""
    cached = _STEM_CACHE.get(word)
    if cached is not None:
        return cached
    result = word
    for _ in range(4):  # rules are applied until stable, so stem(stem(w)) == stem(w)
        nxt = _stem_once(result)
        if nxt == result:
            break
        result = nxt
    if len(_STEM_CACHE) >= CACHE_LIMIT:
        _STEM_CACHE.clear()
    _STEM_CACHE[word] = result
    return result


@functools.lru_cache(maxsize=CACHE_LIMIT)
def broad_term(term: str) -> str:
    """Porter stem of an analysed term (digits and one-letter terms stay as they are): the
    ``broad`` field's terms, for recall on morphological variants."""
    if len(term) < 4 or not term.isalpha():
        return term
    return str(porter_stem(term))
