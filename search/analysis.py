"""Medical-aware text analysis (tokenize, normalize, stop, stem), independent of any search engine.

Documents and queries both go through :func:`analyze`, so whatever it does is symmetric: a query
matches a document exactly when their terms meet. The index module wraps :func:`analyze` in the
engine's tokenizer; nothing here imports the engine, so swapping engines does not touch analysis.

Pipeline
--------
1. **Tokenize** with one compiled regex over Unicode letters and digits. A raw token may contain
   inner hyphens (``x-ray``), apostrophes (``Crohn's``), a decimal point between digits (``2.5``),
   thousands separators (``1,000`` -> ``1000``), soft hyphens / zero-width joiners and combining
   accents. Dotted abbreviations of single letters are one token (``e.g.`` -> ``eg``,
   ``U.S.`` -> ``us``, ``i.v.`` -> ``iv``). ``/``, ``+``, ``%``, ``:`` and spaces separate tokens
   (``and/or`` -> ``and``, ``or``). Underscores separate too.
2. **Normalize** each word: lowercase; fold accents and ligatures (``Ménière`` -> ``meniere``,
   ``Sjögren`` -> ``sjogren``, ``æ`` -> ``ae``, ``ß`` -> ``ss``); Greek letters become their names
   (``β-carotene`` == ``beta-carotene``); possessive ``'s`` is dropped and other apostrophes removed
   (``Crohn's`` -> ``crohn``, ``don't`` -> ``dont``); UK spellings fold to US.
3. **UK -> US** (never over-folding): productive morphemes by rule -- ``haem``, ``-aemi-``
   (anaemia, leukaemia, ischaemia, septicaemia, hypoglycaemia), ``paed``, ``aesth``, ``caesar``,
   ``gynaec``, ``faec``, ``aetiol``, ``oesophag``, ``oestr``, ``oedem``, ``-rrhoe-`` (diarrhoea),
   ``-pnoe-`` (dyspnoea), ``foet``, ``coeli``, ``homoeo``, ``amoeb``, ``naev``, ``sulph``,
   ``leuco-``, ``manoeuvre``; the ``-our`` words by an explicit list (tumour, colour, behaviour,
   labour...; never hour/four/your/pour/tour/sour/our/course/source); ``-re`` -> ``-er`` for an
   explicit list (centre, fibre, litre, metre, theatre...; never acre, genre, ogre, mediocre);
   ``-ise``/``-isation``/``-iser`` only for the stems in ``data/ise_stems.txt`` (immunise,
   hospitalisation...; never exercise, advise, promise, expertise, franchise, paradise,
   enterprise, supervise, rise, noise); ``-yse`` verbs (analyse, paralyse, dialyse; not the plural
   ``analyses``); and whole-word irregulars in ``data/uk_us_words.tsv`` (ageing, grey, programme,
   yoghurt...).
4. **Stop words** (:data:`STOP_WORDS`) are dropped but their position is still consumed, so a
   phrase query never matches across a removed word. The list is deliberately small: articles,
   conjunctions, pronouns, forms of *be/have/do* and bare prepositions. Kept on purpose: negations
   (not, no, nor, without), ``with`` (with aura / with food vs without food), modal verbs (may, can,
   will, should, must, might, could, would -- "may cause" vs "can cause" is not our call, and
   *may*/*will*/*can* are also nouns), question words (``who`` is WHO), ``us`` (US/U.S. and
   ultrasound), quantifiers and comparatives (all, more, most, less, before, after, during, over,
   under, between, per, up, down, out, off).
5. **Letters that name types.** ``a`` and ``i`` are stop words (article, pronoun) *except* directly
   after a word that a letter or numeral qualifies: ``hepatitis A``, ``vitamin A``, ``type A``,
   ``group A strep``, ``influenza A``, ``hemophilia A``, ``Medicare part A``... keep ``a``; after
   ``type``, ``stage``, ``grade``, ``class``, ``phase``, ``level``, ``complex``, ``schedule``,
   ``category``, ``tier`` and ``part``, Roman numerals I-XII become digits (``type I diabetes`` ==
   ``type 1 diabetes``, ``stage IIIA`` == ``stage 3a``, ``phase II`` == ``phase 2``). A numeral
   context survives a list (``types I and II`` -> 1, 2; ``stages II to IV``); the letter context
   does not (``vitamin D a day``, ``hepatitis A and a flu shot``: article). A sentence end cuts
   both (``... vitamin. A study`` drops ``a``). Other single letters and all digits are
   always kept (hepatitis B/C, vitamin D, type 2, 2.5 mg). Out of context ``iv`` stays ``iv``
   (intravenous).
6. **Hyphenated compounds** emit their joined form *and* their parts: ``x-ray`` gives ``xray`` at
   the position of its first part, then ``x`` and ``ray`` at consecutive positions. So ``x-ray`` ==
   ``xray`` == ``X-rays`` (term ``xray``), ``C-section`` == ``csection``, ``post-partum`` ==
   ``postpartum``, ``covid-19`` == ``covid19``; and ``type-2 diabetes`` is the phrase
   ``type 2 diabetes``, ``long-term`` is found by ``term``. Parts go through the same rules as
   words (stop words dropped, ``type-II`` -> ``type``, ``2``; the joined form is ``type2``).
   A compound of numbers only (``2-3``, ``10-20``) or of Roman numerals (``II-IV``) is a range:
   parts only, no joined form. The joined form and the following word are one position apart
   *only through the parts*: a phrase written with the joined form (``xray machine``) does not
   match a document that hyphenates it (``x-ray machine``); term queries always do.
   *Query side:* tokens sharing a position are alternatives, not a sequence. Build a compound
   as ``Or(Term(joined), Phrase(parts))`` and phrases from positions (Whoosh's QueryParser
   flattens ``"x-ray machine"`` into the phrase xray x ray machine, which matches nothing, and
   ANDs the unquoted ``x-ray`` into xray AND x AND ray, which misses a document saying "xray").
7. **Light stemmer** (:func:`stem`), conservative and readable: plural and third-person ``-s``
   (``symptoms``, ``injuries`` -> ``injury``, ``babies`` -> ``baby``, ``stresses`` -> ``stress``,
   ``viruses`` -> ``virus``, ``diagnoses`` -> ``diagnosis``, ``knives`` -> ``knife``,
   ``calories``/``calorie`` -> ``calory``, ``vertebrae`` -> ``vertebra``,
   ``streptococci`` -> ``streptococcus``); words ending in -ss/-us/-is (-ous, -sis, -itis, -osis,
   -iasis) never lose their s; ``-s`` disease names and other singulars ending in s stay whole
   (``data/stem_exceptions.tsv``: diabetes, herpes, measles, rabies, shingles, news, species, lens,
   AIDS...). ``-ing``/``-ed`` fold only for the verbs in ``data/verbs.txt`` (bleeding/bled/bleeds ->
   bleed, smoking -> smoke, aging/ageing/aged -> age, infected -> infect); nouns such as
   ``swelling``, ``screening``, ``dressing``, ``hearing`` stay. No derivational stemming: hepatitis
   / hepatic / heparin, diabetes / diabetic, organ / organism / organic, gastritis / gastric,
   sinusitis / sinus, pancreas / pancreatitis, arthritis / arthritic all stay distinct. Words with
   digits or non-ASCII letters, and words of 3 letters or fewer (irregulars such as men -> man
   aside), are not stemmed.
8. Terms longer than :data:`MAX_TOKEN_LENGTH` characters are dropped (position consumed).

Offsets always slice the original text to the surface form (a UK word's offsets point at the UK
spelling; a compound's joined token spans the whole compound). Results per distinct surface word
are cached, so the per-token cost is a regex step, a dict lookup and a :class:`Token`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from importlib import resources
from collections.abc import Container
from typing import Callable, NamedTuple

__all__ = [
    "ANALYZER_VERSION",
    "MAX_TOKEN_LENGTH",
    "STOP_WORDS",
    "Token",
    "analyze",
    "matches",
    "normalize_word",
    "stem",
    "terms",
]

#: Bump whenever the output for any input changes; stored in the index, a change forces a rebuild.
ANALYZER_VERSION = "1"

#: Terms longer than this (in characters, after normalization) are dropped.
MAX_TOKEN_LENGTH = 60


@dataclass(frozen=True, slots=True)
class Token:
    """One indexed term with its position and the character span of its surface form."""

    text: str
    pos: int
    start: int
    end: int


# --------------------------------------------------------------------------------------------
# Word lists
# --------------------------------------------------------------------------------------------

#: Dropped words (position still consumed). "a" and "i" are kept in type/stage contexts.
STOP_WORDS: frozenset[str] = frozenset(
    """
    a an the
    and or but if than then so as
    of to in on at for by from into about
    is are was were be been being
    has have had having do does did
    it its this that these those there their theirs they them
    he him his she her hers we our ours you your yours i me my
    which such also
    eg ie etc
    """.split()
)

# A following letter "a" names a type after these (compared after stemming: vitamins, types).
_LETTER_CONTEXT = frozenset(
    """
    hepatitis hep vitamin vit provitamin type subtype serotype genotype group influenza flu
    strep class stage grade category part level hemophilia protein lipoprotein lp
    apolipoprotein hemoglobin immunoglobulin toxin cluster coxsackie coxsackievirus antigen
    """.split()
)
# A following Roman numeral is a number after these.
_ROMAN_CONTEXT = frozenset(
    "type subtype stage grade class phase level complex schedule category tier part".split()
)
_ROMAN_BASE = {
    "i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5", "vi": "6",
    "vii": "7", "viii": "8", "ix": "9", "x": "10", "xi": "11", "xii": "12",
}  # fmt: skip
_ROMAN: dict[str, str] = dict(_ROMAN_BASE)
for _numeral in ("i", "ii", "iii", "iv"):  # stage IIIA, class IB, type IA
    for _suffix in "abc":
        _ROMAN[_numeral + _suffix] = _ROMAN_BASE[_numeral] + _suffix
# Words that continue a list of letters/numerals ("types I and II", "stages II to IV").
_LIST_CONJUNCTIONS = frozenset({"and", "or", "to", "through", "nor"})

_PACKAGE = __name__.rpartition(".")[0] or "search"


def _data_lines(name: str) -> list[str]:
    """Non-empty, non-comment lines of a file in this package's ``data`` folder."""
    text = resources.files(_PACKAGE).joinpath("data").joinpath(name).read_text(encoding="utf-8")
    return [s for s in (line.strip() for line in text.splitlines()) if s and not s.startswith("#")]


def _data_pairs(name: str) -> dict[str, str]:
    """``key<TAB>value`` lines (a bare key maps to itself)."""
    pairs: dict[str, str] = {}
    for line in _data_lines(name):
        key, _, value = line.partition("\t")
        pairs[key.strip()] = value.strip() or key.strip()
    return pairs


_UK_WORDS: dict[str, str] = _data_pairs("uk_us_words.tsv")
_STEM_EXCEPTIONS: dict[str, str] = _data_pairs("stem_exceptions.tsv")
_VERBS: dict[str, frozenset[str]] = {}
for _line in _data_lines("verbs.txt"):
    _verb, *_only = _line.split()
    _VERBS[_verb] = frozenset(_only or ("ing", "ed"))

# --------------------------------------------------------------------------------------------
# Tokenizer
# --------------------------------------------------------------------------------------------

_HYPHENS = "\\-\u2010\u2011"  # hyphen-minus, hyphen, non-breaking hyphen (not dashes: ranges)
_APOSTROPHES = "'\u2019\u02bc"
_INVISIBLE = "\u00ad\u200c\u200d\u2060\u0300-\u036f"  # soft hyphen, ZWNJ, ZWJ, WJ, accents

_TOKEN_RE = re.compile(
    rf"""
      [^\W\d_](?:\.[^\W\d_](?![^\W_]))+\.?        # dotted abbreviation: e.g. i.e. U.S. a.m.
    | [^\W_]+
      (?:
          [{_INVISIBLE}]+[^\W_]*                   # decomposed accent, soft hyphen inside a word
        | [{_HYPHENS}{_APOSTROPHES}][^\W_]+        # x-ray, Crohn's
        | (?<=\d)\.(?=\d)[^\W_]+                   # decimal 2.5
        | (?<=\d),(?=\d{{3}}(?!\d))[^\W_]+         # thousands 1,000
      )*
    """,
    re.VERBOSE,
)
_HYPHEN_RE = re.compile(f"[{_HYPHENS}]")
_PART_RE = re.compile(f"[^{_HYPHENS}]+")
_SENTENCE_END_RE = re.compile(r"[.!?;]")
_NUMBER_RE = re.compile(r"[\d.,]+")

# --------------------------------------------------------------------------------------------
# Normalization: case, accents, apostrophes, UK spelling
# --------------------------------------------------------------------------------------------

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
    rf"(?:{_PREFIXES})?(?:{'|'.join(sorted(_data_lines('ise_stems.txt'), key=len, reverse=True))})"
    r"is(?=(?:e|es|ed|ing|er|ers|ation|ations|ational|able)$)"
)
_YSE_RE = re.compile(
    rf"(?:{_PREFIXES})?(?:anal|paral|catal|dial|hemodial|hydrol|electrol|autol|hemol)ys"
    r"(?=(?:e|ed|ing|er|ers)$)"
)


def _fold_uk(word: str) -> str:
    """US spelling of a lowercase ASCII word (unchanged when it is not a known UK form)."""
    us = _UK_WORDS.get(word)
    if us is not None:
        return us
    if _UK_FRAGMENT_RE.search(word):
        for _ in range(3):  # overlapping fragments (leucorrhoea): repeat until stable
            folded = _UK_FRAGMENT_RE.sub(lambda m: _UK_FRAGMENTS[m.group()], word)
            if folded == word:
                break
            word = folded
        word = _UK_WORDS.get(word, word)
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


def _normalize(raw: str) -> str:
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
    if _HYPHEN_RE.search(word):
        return _normalize("".join(_PART_RE.findall(word)))
    return _normalize(word)


# --------------------------------------------------------------------------------------------
# Light stemmer
# --------------------------------------------------------------------------------------------

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
        allowed = _VERBS.get(candidate)
        if allowed is not None and suffix in allowed:
            return candidate
    return w


def _stem_once(w: str) -> str:
    exception = _STEM_EXCEPTIONS.get(w)
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
    if len(_STEM_CACHE) >= _CACHE_LIMIT:
        _STEM_CACHE.clear()
    _STEM_CACHE[word] = result
    return result


# --------------------------------------------------------------------------------------------
# Per-surface-word records (cached) and the analysis loop
# --------------------------------------------------------------------------------------------


class _Word(NamedTuple):
    """A word whose output depends on its neighbours (letters, numerals, type words, 'and')."""

    term: str | None  # output out of context (None: dropped)
    letter: str | None  # output right after a letter-context word ("a" after hepatitis)
    roman: str | None  # output right after a roman-context word ("2" for "ii" after type)
    letter_ctx: bool  # this word makes a following "a" meaningful
    roman_ctx: bool  # this word makes a following Roman numeral a number
    list_item: bool  # letter / numeral / number: continues a context list
    conj: bool  # "and", "or", "to": continues a context list after a list item


class _Compound(NamedTuple):
    """A hyphenated raw token: optional joined term plus (start, end, record) per part."""

    joined: str | None
    length: int
    parts: tuple[tuple[int, int, str | _Word | None], ...]


_Record = str | _Word | _Compound | None
_CACHE_LIMIT = 200_000  # records (~150 bytes each) kept for repeated words
_MISS = object()
_CACHES: dict[bool, dict[str, _Record]] = {True: {}, False: {}}
_NO_CONTEXT = (-2, False, False, False, 0)


def _word_record(norm: str, do_stem: bool) -> str | _Word | None:
    """Record of one normalized word."""
    if not norm or len(norm) > MAX_TOKEN_LENGTH:
        return None
    stemmed = stem(norm)
    term: str | None = stemmed if do_stem else norm
    if norm in STOP_WORDS:
        term = None
    letter_ctx = stemmed in _LETTER_CONTEXT
    roman_ctx = stemmed in _ROMAN_CONTEXT
    roman = _ROMAN.get(norm)
    letter = "a" if norm == "a" else None
    list_item = roman is not None or len(norm) == 1 or _NUMBER_RE.fullmatch(norm) is not None
    conj = norm in _LIST_CONJUNCTIONS
    if letter_ctx or roman_ctx or list_item or conj:
        return _Word(term, letter, roman, letter_ctx, roman_ctx, list_item, conj)
    return term


def _compound_record(raw: str, do_stem: bool) -> _Compound:
    spans = [(m.start(), m.end()) for m in _PART_RE.finditer(raw)]
    norms = [_normalize(raw[s:e]) for s, e in spans]
    parts = tuple((s, e, _word_record(n, do_stem)) for (s, e), n in zip(spans, norms))
    joined: str | None = None
    is_range = all(_NUMBER_RE.fullmatch(n) for n in norms) or (
        all(n in _ROMAN_BASE for n in norms) and any(len(n) > 1 for n in norms)
    )
    if not is_range:
        pieces = []
        previous = ""
        for n in norms:  # type-II -> type2
            pieces.append(_ROMAN[n] if n in _ROMAN and stem(previous) in _ROMAN_CONTEXT else n)
            previous = n
        joined_norm = "".join(pieces)
        if joined_norm and len(joined_norm) <= MAX_TOKEN_LENGTH and joined_norm not in STOP_WORDS:
            joined = stem(joined_norm) if do_stem else joined_norm
    return _Compound(joined, len(raw), parts)


def _record(raw: str, do_stem: bool) -> _Record:
    if _HYPHEN_RE.search(raw):
        return _compound_record(raw, do_stem)
    return _word_record(_normalize(raw), do_stem)


_Context = tuple[int, bool, bool, bool, int]  # (active at pos, letter, roman, after list item, end)


def _emit_word(
    w: _Word,
    text: str,
    start: int,
    end: int,
    pos: int,
    ctx: _Context,
    append: Callable[[Token], None],
) -> _Context:
    at, letter_on, roman_on, after_item, ctx_end = ctx
    active = at == pos and _SENTENCE_END_RE.search(text, ctx_end, start) is None
    term = w.term
    if active:
        if roman_on and w.roman is not None:
            term = w.roman
        elif letter_on and w.letter is not None:
            term = w.letter
    if term is not None:
        append(Token(term, pos, start, end))
    if w.letter_ctx or w.roman_ctx:
        return (pos + 1, w.letter_ctx, w.roman_ctx, False, end)
    if active and roman_on and (w.list_item or (w.conj and after_item)):
        # Only numerals continue a list: "types I and II"; but "vitamin D a day", "hepatitis A
        # and a flu shot" keep "a" an article.
        return (pos + 1, False, True, w.list_item, end)
    return ctx


def _emit_special(
    rec: _Word | _Compound,
    text: str,
    start: int,
    end: int,
    pos: int,
    ctx: _Context,
    append: Callable[[Token], None],
) -> tuple[int, _Context]:
    if rec.__class__ is _Word:
        return pos, _emit_word(rec, text, start, end, pos, ctx, append)  # type: ignore[arg-type]
    assert isinstance(rec, _Compound)
    if rec.joined is not None:
        append(Token(rec.joined, pos, start, start + rec.length))
    first = True
    for s, e, part in rec.parts:
        if first:
            first = False
        else:
            pos += 1
        if part.__class__ is str:
            append(Token(part, pos, start + s, start + e))  # type: ignore[arg-type]
        elif part is not None:
            ctx = _emit_word(
                part, text, start + s, start + e, pos, ctx, append  # type: ignore[arg-type]
            )
    return pos, ctx


def analyze(text: str, *, stem: bool = True) -> list[Token]:
    """Analyze ``text`` into terms with positions and offsets (see the module docstring).

    ``stem=False`` runs the same pipeline without the stemmer (spelling suggestions,
    highlighting); positions are identical in both modes.
    """
    return _scan(text, bool(stem), None)


def matches(text: str, wanted: Container[str]) -> list[Token]:
    """The tokens of :func:`analyze` (stemmed) whose term is in ``wanted``.

    Same results as filtering ``analyze(text)``, faster: plain words are checked before a
    Token is built (snippets look for a handful of terms in long stretches of text).
    """
    return _scan(text, True, wanted)


def _scan(text: str, stem: bool, wanted: Container[str] | None) -> list[Token]:
    cache = _CACHES[stem]
    if len(cache) >= _CACHE_LIMIT:
        cache.clear()
    get = cache.get
    out: list[Token] = []
    if wanted is None:
        append = out.append
    else:

        def append(token: Token) -> None:
            if token.text in wanted:
                out.append(token)

    pos = -1
    ctx: _Context = _NO_CONTEXT
    for m in _TOKEN_RE.finditer(text):
        raw = m.group()
        rec = get(raw, _MISS)
        if rec is _MISS:
            rec = cache[raw] = _record(raw, stem)
        pos += 1
        if rec.__class__ is str:
            if wanted is None or rec in wanted:
                out.append(Token(rec, pos, m.start(), m.end()))  # type: ignore[arg-type]
        elif rec is not None:
            pos, ctx = _emit_special(rec, text, m.start(), m.end(), pos, ctx, append)  # type: ignore[arg-type]
    return out


def terms(text: str, *, stem: bool = True) -> list[str]:
    """Just the term texts of :func:`analyze`."""
    return [t.text for t in analyze(text, stem=stem)]
