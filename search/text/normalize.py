"""Word normalisation: case, accents and ligatures, Greek letters, apostrophes, UK to US spelling."""

from __future__ import annotations

import re
import unicodedata

from .words import UK_WORDS, data_lines

HYPHENS = "\\-\u2010\u2011"  # hyphen-minus, hyphen, non-breaking hyphen (not dashes: ranges)
APOSTROPHES = "'\u2019\u02bc"
INVISIBLE = "\u00ad\u200c\u200d\u2060\u0300-\u036f"  # soft hyphen, ZWNJ, ZWJ, WJ, accents
HYPHEN_RE = re.compile(f"[{HYPHENS}]")
PART_RE = re.compile(f"[^{HYPHENS}]+")

_APOSTROPHE_FOLD = str.maketrans({"\u2019": "'", "\u02bc": "'"})
_CHAR_FOLD = str.maketrans(
    {
        "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ð": "d", "þ": "th", "ł": "l",
        "ı": "i", "ħ": "h", "ŀ": "l",
        "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ζ": "zeta",
        "η": "eta", "θ": "theta", "κ": "kappa", "λ": "lambda", "μ": "mu", "ν": "nu", "ξ": "xi",
        "π": "pi", "ρ": "rho", "σ": "sigma", "ς": "sigma", "τ": "tau", "φ": "phi", "χ": "chi",
        "ψ": "psi", "ω": "omega",
    }
)  # fmt: skip
_NOT_WORD_RE = re.compile(r"[^\w.,']|_")  # what NFKD leaves that is not part of a word
_MICRO_UNIT_RE = re.compile(r"μ([a-z]{1,3})")  # μg, μl, μmol (µ folds to μ under NFKD)

_UK_FRAGMENTS: dict[str, str] = {
    # Greek/Latin ae, oe
    "haem": "hem", "aemi": "emi", "paed": "ped", "aesth": "esth", "caesar": "cesar",
    "gynaec": "gynec", "faec": "fec", "aetiol": "etiol", "naev": "nev",
    "oesophag": "esophag", "oestr": "estr", "oedem": "edem", "rrhoe": "rrhe", "pnoe": "pne",
    "foet": "fet", "coeli": "celi", "homoeo": "homeo", "amoeb": "ameb",
    "manoeuvre": "maneuver", "manoeuvred": "maneuvered", "manoeuvring": "maneuvering",
    "manoeuvrab": "maneuverab",
    "sulph": "sulf", "leucocyt": "leukocyt", "leucopen": "leukopen", "leucorrh": "leukorrh",
    "tranquill": "tranquil",
    # -re -> -er
    "centre": "center", "centred": "centered", "centring": "centering",
    "fibre": "fiber", "litre": "liter", "metre": "meter", "metred": "metered",
    "theatre": "theater", "calibre": "caliber", "lustre": "luster", "meagre": "meager",
    "sombre": "somber", "sabre": "saber", "spectre": "specter",
}  # fmt: skip
for _root in (
    "tum col behavi lab fav flav hum od vap hon rum vig harb neighb sav savi clam arm endeav "
    "rig parl ferv val splend cand ard"
).split():
    _UK_FRAGMENTS[_root + "our"] = _root + "or"
# o-digraph words fold only where the "o" cannot belong to a previous morpheme: at the start or
# after another "o" (gastrooesophageal); so US phytoestrogen, gastroesophageal stay. "oedem" folds
# except after "i" (angioedema is US too; lymphoedema, lipoedema are UK).
_UK_CONTEXT = {"oesophag": "(?:^|(?<=o))", "oestr": "(?:^|(?<=o))", "oedem": "(?<!i)"}
_UK_FRAGMENT_RE = re.compile(
    "|".join(_UK_CONTEXT.get(f, "") + f for f in sorted(_UK_FRAGMENTS, key=len, reverse=True))
)
_PREFIXES = (
    "re|de|un|non|over|under|dis|hyper|hypo|im|in|anti|micro|pre|post|self|mis|co|inter|trans"
    "|counter|auto|semi"
)
_ISE_RE = re.compile(
    rf"(?:{_PREFIXES})?(?:{'|'.join(sorted(data_lines('ise_stems.txt'), key=len, reverse=True))})"
    r"is(?=(?:e|es|ed|ing|er|ers|ation|ations|ational|able)$)"
)
_YSE_RE = re.compile(
    rf"(?:{_PREFIXES})?(?:anal|paral|catal|dial|hemodial|hydrol|electrol|autol|hemol)ys"
    r"(?=(?:e|ed|ing|er|ers)$)"
)


def _fold_uk(word: str) -> str:
    """US spelling of a lowercase ASCII word (unchanged when it is not a known UK form)."""
    us = UK_WORDS.get(word)
    if us is not None:
        return us
    if _UK_FRAGMENT_RE.search(word):
        for _ in range(3):  # overlapping fragments (leucorrhoea): repeat until stable
            folded = _UK_FRAGMENT_RE.sub(lambda m: _UK_FRAGMENTS[m.group()], word)
            if folded == word:
                break
            word = folded
        word = UK_WORDS.get(word, word)
    if "is" in word:
        m = _ISE_RE.match(word)
        if m:
            word = word[: m.end() - 1] + "z" + word[m.end() :]
    if "ys" in word:
        m = _YSE_RE.match(word)
        if m:
            word = word[: m.end() - 1] + "z" + word[m.end() :]
    return word


def _fold_unicode(word: str) -> str:
    """Fold a lowercased non-ASCII word: accents, ligatures, Greek letters, odd apostrophes."""
    word = unicodedata.normalize("NFKD", word.translate(_APOSTROPHE_FOLD))
    word = _NOT_WORD_RE.sub("", word)  # combining marks, soft hyphens, joiners, fraction slash
    if "μ" in word:
        word = _MICRO_UNIT_RE.sub(lambda m: "mcg" if m.group(1) == "g" else "u" + m.group(1), word)
    return word.translate(_CHAR_FOLD).lower()


def normalize(raw: str) -> str:
    """Normalized form of one raw word without hyphens (may be empty)."""
    word = raw.lower()
    if not word.isascii():
        word = _fold_unicode(word)
    if "'" in word:
        if word.endswith("'s"):
            word = word[:-2]
        word = word.replace("'", "")
    if "," in word:
        word = word.replace(",", "")
    if "." in word and not any(c.isdigit() for c in word):
        word = word.replace(".", "")  # dotted abbreviation
    if word.isascii():
        word = _fold_uk(word)
    return word


def normalize_word(word: str) -> str:
    """Lowercase, fold accents/apostrophes/UK spelling of one word, without stemming.

    Hyphenated words are joined (``X-ray`` -> ``xray``); used to build the spelling dictionary.
    """
    word = word.strip()
    if HYPHEN_RE.search(word):
        return normalize("".join(PART_RE.findall(word)))
    return normalize(word)
