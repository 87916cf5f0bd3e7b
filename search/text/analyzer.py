"""Medical-aware text analysis (tokenize, normalize, stop, stem), independent of any search engine.

Documents and queries both go through :func:`analyze`, so whatever it does is symmetric: a query
matches a document exactly when their terms meet. Nothing here imports a search engine, so
swapping engines does not touch analysis. The steps below live in :mod:`search.text.normalize`
(2, 3), :mod:`search.text.words` (the lists of 4 and 5, the data files) and
:mod:`search.text.stemmer` (7); this module tokenizes and applies the context rules.

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
from collections.abc import Callable, Container
from dataclasses import dataclass
from typing import NamedTuple

from .normalize import APOSTROPHES, HYPHEN_RE, HYPHENS, INVISIBLE, PART_RE, normalize
from .stemmer import CACHE_LIMIT, stem
from .words import (
    LETTER_CONTEXT,
    LIST_CONJUNCTIONS,
    ROMAN,
    ROMAN_BASE,
    ROMAN_CONTEXT,
    STOP_WORDS,
)

__all__ = ["ANALYZER_VERSION", "MAX_TOKEN_LENGTH", "Token", "analyze", "matches", "terms"]

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


_TOKEN_RE = re.compile(
    rf"""
      [^\W\d_](?:\.[^\W\d_](?![^\W_]))+\.?        # dotted abbreviation: e.g. i.e. U.S. a.m.
    | [^\W_]+
      (?:
          [{INVISIBLE}]+[^\W_]*                   # decomposed accent, soft hyphen inside a word
        | [{HYPHENS}{APOSTROPHES}][^\W_]+        # x-ray, Crohn's
        | (?<=\d)\.(?=\d)[^\W_]+                   # decimal 2.5
        | (?<=\d),(?=\d{{3}}(?!\d))[^\W_]+         # thousands 1,000
      )*
    """,
    re.VERBOSE,
)
_SENTENCE_END_RE = re.compile(r"[.!?;]")
_NUMBER_RE = re.compile(r"[\d.,]+")


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
    letter_ctx = stemmed in LETTER_CONTEXT
    roman_ctx = stemmed in ROMAN_CONTEXT
    roman = ROMAN.get(norm)
    letter = "a" if norm == "a" else None
    list_item = roman is not None or len(norm) == 1 or _NUMBER_RE.fullmatch(norm) is not None
    conj = norm in LIST_CONJUNCTIONS
    if letter_ctx or roman_ctx or list_item or conj:
        return _Word(term, letter, roman, letter_ctx, roman_ctx, list_item, conj)
    return term


def _compound_record(raw: str, do_stem: bool) -> _Compound:
    spans = [(m.start(), m.end()) for m in PART_RE.finditer(raw)]
    norms = [normalize(raw[s:e]) for s, e in spans]
    parts = tuple((s, e, _word_record(n, do_stem)) for (s, e), n in zip(spans, norms))
    joined: str | None = None
    is_range = all(_NUMBER_RE.fullmatch(n) for n in norms) or (
        all(n in ROMAN_BASE for n in norms) and any(len(n) > 1 for n in norms)
    )
    if not is_range:
        pieces = []
        previous = ""
        for n in norms:  # type-II -> type2
            pieces.append(ROMAN[n] if n in ROMAN and stem(previous) in ROMAN_CONTEXT else n)
            previous = n
        joined_norm = "".join(pieces)
        if joined_norm and len(joined_norm) <= MAX_TOKEN_LENGTH and joined_norm not in STOP_WORDS:
            joined = stem(joined_norm) if do_stem else joined_norm
    return _Compound(joined, len(raw), parts)


def _record(raw: str, do_stem: bool) -> _Record:
    if HYPHEN_RE.search(raw):
        return _compound_record(raw, do_stem)
    return _word_record(normalize(raw), do_stem)


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
        return pos, _emit_word(rec, text, start, end, pos, ctx, append)
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
            append(Token(part, pos, start + s, start + e))
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
    if len(cache) >= CACHE_LIMIT:
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
                out.append(Token(rec, pos, m.start(), m.end()))
        elif rec is not None:
            pos, ctx = _emit_special(rec, text, m.start(), m.end(), pos, ctx, append)  # type: ignore[arg-type]
    return out


def terms(text: str, *, stem: bool = True) -> list[str]:
    """Just the term texts of :func:`analyze`."""
    return [t.text for t in analyze(text, stem=stem)]
