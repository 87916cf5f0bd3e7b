"""Word lists of the analyser: stop words, the words that give letters and numerals a meaning, data files."""

from __future__ import annotations

from importlib import resources

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

#: Words a question or a letter is made of, not what it asks about: interrogatives, modal verbs,
#: courtesy ("dear sir, please tell me ..., thank you"), and the function words general English
#: stop lists drop that the analyser keeps for phrases ("pain after surgery"), leaving out those
#: that are also medical names ("down" syndrome, "no" for nitric oxide, "all" the leukaemia). In
#: a query they count for a fifth of a word (see search.query.plan), so the medical words of a
#: long question steer its ranking.
QUESTION_WORDS: frozenset[str] = frozenset(
    """
    what whats how why when where who whom whose
    can could would should will shall may might must
    please kindly thank thanks dear sir madam hello hi regards wondering anyone anybody
    with not once many much more most very just only other others some any each every both
    either own same too again further here while during before after between because until
    against few nor now
    """.split()
)

# A following letter "a" names a type after these (compared after stemming: vitamins, types).
LETTER_CONTEXT = frozenset(
    """
    hepatitis hep vitamin vit provitamin type subtype serotype genotype group influenza flu
    strep class stage grade category part level hemophilia protein lipoprotein lp
    apolipoprotein hemoglobin immunoglobulin toxin cluster coxsackie coxsackievirus antigen
    """.split()
)
# A following Roman numeral is a number after these.
ROMAN_CONTEXT = frozenset(
    "type subtype stage grade class phase level complex schedule category tier part".split()
)
ROMAN_BASE = {
    "i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5", "vi": "6",
    "vii": "7", "viii": "8", "ix": "9", "x": "10", "xi": "11", "xii": "12",
}  # fmt: skip
ROMAN: dict[str, str] = dict(ROMAN_BASE)
for _numeral in ("i", "ii", "iii", "iv"):  # stage IIIA, class IB, type IA
    for _suffix in "abc":
        ROMAN[_numeral + _suffix] = ROMAN_BASE[_numeral] + _suffix
# Words that continue a list of letters/numerals ("types I and II", "stages II to IV").
LIST_CONJUNCTIONS = frozenset({"and", "or", "to", "through", "nor"})

_PACKAGE = __name__.rpartition(".")[0]  # search.text: the data files are in search/text/data


def data_text(name: str) -> str:
    """A file of this package's ``data`` folder, whole."""
    return resources.files(_PACKAGE).joinpath("data").joinpath(name).read_text(encoding="utf-8")


def data_lines(name: str) -> list[str]:
    """Non-empty, non-comment lines of a file in this package's ``data`` folder."""
    return [s for s in (line.strip() for line in data_text(name).splitlines()) if s and not s.startswith("#")]


def data_pairs(name: str) -> dict[str, str]:
    """``key<TAB>value`` lines (a bare key maps to itself)."""
    pairs: dict[str, str] = {}
    for line in data_lines(name):
        key, _, value = line.partition("\t")
        pairs[key.strip()] = value.strip() or key.strip()
    return pairs


UK_WORDS: dict[str, str] = data_pairs("uk_us_words.tsv")
STEM_EXCEPTIONS: dict[str, str] = data_pairs("stem_exceptions.tsv")
VERBS: dict[str, frozenset[str]] = {}
for _line in data_lines("verbs.txt"):
    _verb, *_only = _line.split()
    VERBS[_verb] = frozenset(_only or ("ing", "ed"))
