"""Query and ranking behaviour, through the public API on small collections built here.

Covered: must / must-not / should semantics (``+word``, ``-word``, ``AND``, ``NOT``, fields,
phrases, prefixes), phrase slop and the phrase boost, title matches above body matches, copies of
one article counted and shown once, pagination, deterministic ties, synonym expansion on and off,
spelling suggestions (edits allowed by word kind), pseudo-relevance feedback only from
FEEDBACK_MIN_DOCS articles, and properties (random collections; the edit distance).
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest
from helpers import slug as slug_of
from hypothesis import given, settings
from hypothesis import strategies as st

import search
from search.models import ExplainedHit

# -- internal names this module depends on (the one place to edit when modules move) ----------
from search.query.expansion import (
    FEEDBACK_MAX_DF,
    FEEDBACK_MAX_QUERY_WORDS,
    FEEDBACK_MIN_DOCS,
    FEEDBACK_ORIGINAL,
    FEEDBACK_TERMS,
)
from search.ranking.bm25f import K1, LONG_QUERY_K1
from search.ranking.spelling import FAR_RARER, _edit_distance, one_edit


def build(root: Path, docs: Mapping[str, tuple[str, str]]) -> search.SearchIndex:
    """Index ``docs`` (slug -> (title, body)) written as plain-text exports under root/corpus;
    a slug may hold folders ("a/flu"); the article's id is "corpus/<slug>" (see :func:`doc`)."""
    corpus = root / "corpus"
    for slug, (title, body) in docs.items():
        path = corpus / f"{slug}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"{title}\n\n{body}\n", encoding="utf-8")
    report = search.index([corpus], root / "index")
    assert report.ok and report.added == len(docs), report.summary()
    return search.open_index(root / "index")


def doc(hit: search.Hit | ExplainedHit) -> str:
    """A hit's slug: its id is ``corpus/<slug>`` (the root folder's name and the path below it)."""
    return slug_of(hit.id, "corpus/")


def ids(ix: search.SearchIndex, text: str, limit: int = 100) -> list[str]:
    """The ids of the hits, best first (expansion off)."""
    return [doc(hit) for hit in ix.search(text, limit=limit, expand=False, snippets=False).hits]


def scores(ix: search.SearchIndex, text: str) -> dict[str, float]:
    return {doc(hit): hit.score for hit in ix.search(text, limit=100, expand=False, snippets=False).hits}


# -- query semantics ----------------------------------------------------------------------------

#: Every body is 5 terms long and every title 2, so scores differ only by what the query matches.
WORDS: dict[str, tuple[str, str]] = {
    "adjacent": ("Runner Notes", "knee pain after a long run"),  # knee@0 pain@1
    "gap": ("Walker Notes", "knee and pain after a long walk"),  # knee@0 pain@2 ("and" is a stop word)
    "far": ("Cyclist Notes", "knee swelling long after pain"),  # knee@0 pain@4
    "reversed": ("Climber Notes", "pain knee after a long climb"),
    "knee-only": ("Swimmer Notes", "knee swelling after a long swim"),
    "pain-only": ("Rower Notes", "pain after a very long row"),
    "kneecap": ("Skater Notes", "kneecap fracture after a long fall"),
    "title-knee": ("Knee Care", "rest ice and elevation help often"),
    "gout-title": ("Gout Care", "rest ice and elevation help again"),
    "gout-body": ("Diet Notes", "gout rest ice help again"),
}
KNEE_BODY = {"adjacent", "gap", "far", "reversed", "knee-only"}
PAIN = {"adjacent", "gap", "far", "reversed", "pain-only"}


@pytest.fixture(scope="module")
def words(tmp_path_factory: pytest.TempPathFactory) -> search.SearchIndex:
    return build(tmp_path_factory.mktemp("words"), WORDS)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("knee", KNEE_BODY | {"title-knee"}),
        ("knee pain", KNEE_BODY | PAIN | {"title-knee"}),  # should: any of the words
        ("swelling fracture", {"far", "knee-only", "kneecap"}),
        ("+knee pain", KNEE_BODY | {"title-knee"}),  # must: every hit has knee; pain only scores
        ("knee AND pain", KNEE_BODY & PAIN),
        ("+knee +pain", KNEE_BODY & PAIN),
        ("knee -pain", {"knee-only", "title-knee"}),
        ("knee NOT pain", {"knee-only", "title-knee"}),
        ("pain -knee", {"pain-only"}),
        ('knee -"knee pain"', (KNEE_BODY | {"title-knee"}) - {"adjacent"}),  # only the phrase is excluded
        ("title:knee", {"title-knee"}),
        ("body:knee", KNEE_BODY),
        ("knee -title:knee", KNEE_BODY),
        ("knee*", KNEE_BODY | {"title-knee", "kneecap"}),
        ("kneec*", {"kneecap"}),
        ("title:gou*", {"gout-title"}),
        ('+"knee pain" swelling', {"adjacent"}),  # must phrase; should word adds none by itself
        ("nosuchword", set()),
    ],
)
def test_which_articles_match(words: search.SearchIndex, text: str, expected: set[str]) -> None:
    results = words.search(text, limit=100, expand=False, snippets=False)
    assert {doc(hit) for hit in results.hits} == expected
    assert results.total == len(results.hits)


def test_must_words_rank_articles_with_the_should_words_higher(words: search.SearchIndex) -> None:
    ranked = ids(words, "+knee pain")
    with_pain = [i for i in ranked if i in PAIN]
    without = [i for i in ranked if i not in PAIN and i != "title-knee"]  # title-knee: title weight
    assert max(ranked.index(i) for i in with_pain) < min(ranked.index(i) for i in without)


@pytest.mark.parametrize("text", ["-knee", "NOT knee", '-"knee pain"', "the of and"])
def test_nothing_to_search_for_is_a_query_syntax_error(words: search.SearchIndex, text: str) -> None:
    with pytest.raises(search.QuerySyntaxError):
        words.search(text)


@pytest.mark.parametrize(
    "text, expected",
    [
        ('"knee pain"', {"adjacent"}),  # next to each other, in order
        ('"pain knee"', {"reversed"}),
        ('"knee and pain"', {"adjacent", "gap"}),  # a stop word in the query allows one position between
        ('"knee swelling"', {"far", "knee-only"}),
        ('body:"knee pain"', {"adjacent"}),
        ('title:"knee pain"', set()),
        ('"knee swelling pain"', set()),
    ],
)
def test_phrases_and_their_slop(words: search.SearchIndex, text: str, expected: set[str]) -> None:
    assert set(ids(words, text)) == expected


def test_phrase_boost_ranks_words_near_each_other_higher(words: search.SearchIndex) -> None:
    """Unquoted words score extra where they stand in order within PHRASE_BOOST_SLOP positions
    (adjacent, or one stop word between): same lengths and frequencies otherwise."""
    got = scores(words, "knee pain")
    assert got["adjacent"] == got["gap"] > got["far"] == got["reversed"]
    explanation = words.explain("knee pain", limit=20, expand=False)
    phrase = {doc(hit): [c for c in hit.contributions if c.term == "knee pain"] for hit in explanation.hits}
    assert [c.field for c in phrase["adjacent"]] == ["body"] and phrase["adjacent"][0].score > 0
    assert phrase["far"] == [] and phrase["reversed"] == [] and phrase["knee-only"] == []
    boost = phrase["adjacent"][0].score
    assert got["adjacent"] - got["far"] == pytest.approx(boost, abs=2e-4)


def test_title_match_outranks_body_match(words: search.SearchIndex) -> None:
    got = scores(words, "gout")
    assert set(got) == {"gout-title", "gout-body"}
    assert got["gout-title"] > got["gout-body"]
    assert ids(words, "knee")[0] == "title-knee"
    (hit,) = [h for h in words.explain("gout", expand=False).hits if doc(h) == "gout-title"]
    assert [c.field for c in hit.contributions] == ["title"]


def test_explain_names_every_clause_and_the_engine_query(words: search.SearchIndex) -> None:
    explanation = words.explain('+knee "knee pain" -swelling title:care kneec*', expand=False)
    assert [(c.kind, c.occur) for c in explanation.clauses] == [
        ("term", "must"), ("phrase", "should"), ("term", "must_not"), ("term", "should"), ("prefix", "should")
    ]
    assert explanation.clauses[3].fields == "title" and explanation.clauses[4].terms == ["kneec*"]
    assert "+(" in explanation.engine_query and "-(" in explanation.engine_query
    for hit in explanation.hits:
        assert hit.score == pytest.approx(sum(c.score for c in hit.contributions), abs=1e-3)
        assert [c.score for c in hit.contributions] == sorted((c.score for c in hit.contributions), reverse=True)


# -- copies, pagination, ties -------------------------------------------------------------------


def test_copies_of_one_article_are_counted_and_shown_once(tmp_path: Path) -> None:
    flu = ("Flu Season", "influenza spreads fast in winter")
    ix = build(tmp_path, {"a/flu": flu, "b/flu": flu, "c/flu": flu, "other": ("Winter Notes", "influenza and colds")})
    results = ix.search("influenza", expand=False)
    assert results.total == 2
    shown = [doc(hit) for hit in results.hits]
    assert len(shown) == 2 and "other" in shown and sum(i.endswith("/flu") for i in shown) == 1
    pages = [ix.search("influenza", limit=1, page=p, expand=False) for p in (1, 2, 3)]
    assert [p.total for p in pages] == [2, 2, 2]
    assert sorted(doc(h) for p in pages for h in p.hits) == sorted(shown) and pages[2].hits == []
    assert ix.search("winter", expand=False).total == 2  # one copy group + "other"


TIES: dict[str, tuple[str, str]] = {
    **{f"tie{i:02d}": (f"Case {i:02d}", "fever cough rest") for i in range(14)},
    **{f"len{n:02d}": (f"Long {n:02d}", "fever " + " ".join(["note"] * n)) for n in (1, 4, 9, 16, 25, 36)},
}


@pytest.fixture(scope="module")
def ties(tmp_path_factory: pytest.TempPathFactory) -> search.SearchIndex:
    return build(tmp_path_factory.mktemp("ties"), TIES)


@pytest.mark.parametrize("limit", [1, 3, 4, 7])
def test_pages_continue_without_overlap_and_share_the_total(ties: search.SearchIndex, limit: int) -> None:
    everything = ties.search("fever", limit=100, expand=False, snippets=False)
    assert everything.total == len(TIES)
    pages = []
    page = 1
    while True:
        results = ties.search("fever", limit=limit, page=page, expand=False, snippets=False)
        assert results.total == everything.total and results.page == page
        if not results.hits:
            break
        assert len(results.hits) <= limit
        pages.append(results.hits)
        page += 1
    assert page == -(-len(TIES) // limit) + 1
    flat = [doc(hit) for hits in pages for hit in hits]
    assert flat == [doc(hit) for hit in everything.hits]
    assert len(set(flat)) == len(flat)


def test_ties_are_ordered_deterministically(ties: search.SearchIndex, tmp_path: Path) -> None:
    full = ties.search("fever", limit=100, expand=False, snippets=False).hits
    tied = [hit for hit in full if doc(hit).startswith("tie")]
    assert len({hit.score for hit in tied}) == 1 and len(tied) == 14
    order = [doc(hit) for hit in full]
    assert ids(ties, "fever") == order  # the same again
    for k in range(1, len(order) + 1):  # a shorter list is a prefix of the longer one
        assert ids(ties, "fever", limit=k) == order[:k]
    assert ids(build(tmp_path, TIES), "fever") == order  # and a second index of the same files agrees
    # Ties keep index order (the order the files were read in: by path).
    assert [i for i in order if i.startswith("tie")] == sorted(i for i in order if i.startswith("tie"))


def test_scores_fall_with_body_length(ties: search.SearchIndex) -> None:
    got = scores(ties, "fever")
    lengths = [f"len{n:02d}" for n in (1, 4, 9, 16, 25, 36)]
    assert [got[i] for i in lengths] == sorted((got[i] for i in lengths), reverse=True)
    assert len({got[i] for i in lengths}) == len(lengths)


# -- expansion ----------------------------------------------------------------------------------

SYNONYMS: dict[str, tuple[str, str]] = {
    "mi": ("Myocardial Infarction", "a myocardial infarction is when blood flow to part of the cardiac muscle stops"),
    "asthma": ("Asthma Attacks", "an asthma attack narrows the airways"),
    "exercise": ("Heart Health", "exercise keeps the heart strong"),
    "flu": ("Seasonal Influenza", "influenza vaccines are updated every year"),
}


@pytest.fixture(scope="module")
def synonyms(tmp_path_factory: pytest.TempPathFactory) -> search.SearchIndex:
    return build(tmp_path_factory.mktemp("synonyms"), SYNONYMS)


def test_synonyms_are_added_with_expansion_and_only_then(synonyms: search.SearchIndex) -> None:
    on = synonyms.explain("heart attack", limit=10, expand=True)
    assert [(e.term, e.source) for e in on.expansions] == [("myocardial infarction", "synonym")]
    assert 0 < on.expansions[0].weight < 1
    assert "myocardial" in on.engine_query
    assert "mi" in [doc(hit) for hit in synonyms.search("heart attack", expand=True).hits]
    off = synonyms.explain("heart attack", limit=10, expand=False)
    assert off.expansions == [] and "myocardial" not in off.engine_query
    assert "mi" not in ids(synonyms, "heart attack")
    assert synonyms.search("heart attack", expand=False).total == 2


def test_a_synonym_counts_its_weight_times_the_words_typed(synonyms: search.SearchIndex) -> None:
    expanded = synonyms.explain("heart attack", limit=10, expand=True)
    weight = expanded.expansions[0].weight
    (via_synonym,) = [h for h in expanded.hits if doc(h) == "mi"]
    (typed,) = [h for h in synonyms.explain('"myocardial infarction"', limit=10, expand=False).hits if doc(h) == "mi"]
    got = {(c.field, c.term): c.score for c in via_synonym.contributions}
    want = {(c.field, c.term): c.score for c in typed.contributions if c.field in ("title", "body")}
    assert set(got) == set(want) and want
    for leaf, score in want.items():
        assert got[leaf] == pytest.approx(weight * score, abs=2e-4), leaf
    assert via_synonym.score < typed.score


@pytest.mark.parametrize(
    "text, expanded",
    [
        ("flu", ["influenza"]),
        ("myocardial infarction", ["heart attack"]),
        ("title:flu", []),  # words searched in one field are not expanded
        ('asthma -"heart attack"', []),  # nor excluded ones
    ],
)
def test_which_words_get_synonyms(synonyms: search.SearchIndex, text: str, expanded: list[str]) -> None:
    explanation = synonyms.explain(text, expand=True)
    assert [e.term for e in explanation.expansions if e.source == "synonym"] == expanded
    assert [e for e in explanation.expansions if e.source == "feedback"] == []  # a small collection


def _feed(path: Path, articles: Iterable[tuple[str, str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for article_id, title, body in articles:
            out.write(json.dumps({"id": article_id, "title": title, "body": body}) + "\n")


def _nonsense_words(count: int) -> list[str]:
    """Distinct pronounceable non-words (consonant-vowel syllables), deterministic."""
    consonants, vowels = "bdfgklmnprstvz", "aeiou"
    syllables = [c + v for c in consonants for v in vowels]
    return [syllables[i % 70] + syllables[(i // 70 + 3 * i) % 70] + syllables[(i * 7 + 1) % 70] for i in range(count)]


def test_feedback_expansion_only_from_feedback_min_docs_articles(tmp_path: Path) -> None:
    """Pseudo-relevance feedback borrows words of the top hits, and only once the collection
    has FEEDBACK_MIN_DOCS articles: one fewer, and the same query gets none."""
    filler = _nonsense_words(400)
    assert len(set(filler)) == 400
    rows = []
    for i in range(FEEDBACK_MIN_DOCS - 1):
        words = [filler[(i * 5 + k) % len(filler)] for k in range(5)]
        if i < 12:
            words += ["knee", "cartilage"]
        rows.append((f"g{i:04d}", " ".join(words[:2]), " ".join(words)))
    corpus = tmp_path / "corpus"
    _feed(corpus / "feed.jsonl", rows)
    assert search.index([corpus], tmp_path / "index").added == FEEDBACK_MIN_DOCS - 1
    ix = search.open_index(tmp_path / "index")
    assert ix.explain("knee").expansions == []
    assert ix.search("knee").total == 12

    _feed(corpus / "more.jsonl", [("extra", "Joint Notes", "cartilage wears thin with age")])
    assert search.index([corpus], tmp_path / "index").added == 1
    ix = search.open_index(tmp_path / "index")
    assert ix.stats().articles == FEEDBACK_MIN_DOCS
    expansions = ix.explain("knee").expansions
    feedback = {e.term: e.weight for e in expansions if e.source == "feedback"}
    assert "cartilage" in feedback and max(feedback, key=feedback.__getitem__) == "cartilage"
    assert 0 < len(feedback) <= FEEDBACK_TERMS and "knee" not in feedback
    assert all(len(word) >= 3 and word.isalpha() for word in feedback)
    # Together the borrowed words weigh (1 - FEEDBACK_ORIGINAL) of the query (one word here),
    # of FEEDBACK_MAX_QUERY_WORDS words at most (a long query says what it is about)
    assert sum(feedback.values()) == pytest.approx((1 - FEEDBACK_ORIGINAL) / FEEDBACK_ORIGINAL, abs=1e-3)
    long = ix.explain(" ".join(["knee", *filler[: FEEDBACK_MAX_QUERY_WORDS + 3]])).expansions
    borrowed = [e.weight for e in long if e.source == "feedback"]
    assert sum(borrowed) == pytest.approx((1 - FEEDBACK_ORIGINAL) / FEEDBACK_ORIGINAL * FEEDBACK_MAX_QUERY_WORDS, abs=1e-3)
    for word in feedback:  # rare words only
        assert ix.search(word, expand=False, snippets=False).total <= FEEDBACK_MAX_DF * FEEDBACK_MIN_DOCS
    # The expansion brings in an article without the word typed; expand=False does not.
    assert "extra" in [hit.id for hit in ix.search("knee", limit=50).hits]
    assert ix.search("knee", expand=False).total == 12
    assert ix.explain("knee", expand=False).expansions == []


def test_feedback_prefers_words_many_hits_share_to_words_one_hit_repeats(tmp_path: Path) -> None:
    # ten knee articles: one repeats "zobaku" eight times, four say "meniscus" once; at equal
    # weights the repeated, rarer word would be borrowed first
    filler = _nonsense_words(FEEDBACK_MIN_DOCS)
    rows = [(f"g{i:04d}", "Notes", " ".join(filler[(i * 5 + k) % len(filler)] for k in range(5))) for i in range(FEEDBACK_MIN_DOCS)]
    for i in range(10):
        extra = ["zobaku"] * 8 if i == 0 else ["meniscus"] if i <= 4 else []
        rows[i] = (rows[i][0], "Knee Notes", " ".join(["knee", "joint", *extra, "rest", "ice"]))
    _feed(tmp_path / "corpus" / "feed.jsonl", rows)
    assert search.index([tmp_path / "corpus"], tmp_path / "index").ok
    feedback = {e.term: e.weight for e in search.open_index(tmp_path / "index").explain("knee").expansions}
    assert feedback["meniscus"] > feedback.get("zobaku", 0.0)


# -- spelling suggestions -------------------------------------------------------------------------

SPELLING: dict[str, tuple[str, str]] = {
    "knee": ("Knee Notes", "knee pain when climbing stairs"),
    "headache": ("Headache Notes", "a tension headache feels like a tight band"),
    "bp": ("Pressure Notes", "lisinopril lowers blood pressure"),
    "ulcer": ("Ulcer Notes", "omeprazole reduces stomach acid"),
    "heart1": ("Heart Notes", "the heart pumps blood"),
    "heart2": ("Heart Care", "a healthy heart needs exercise"),
    "heart3": ("Heart Rhythm", "an irregular heart beat"),
    "hurt": ("Sport Notes", "a hurt ankle needs rest"),
    "insects": ("Insect Notes", "an ant bite can itch"),  # "ant" is one edit from the stop word "and"
}


@pytest.fixture(scope="module")
def spelling(tmp_path_factory: pytest.TempPathFactory) -> search.SearchIndex:
    return build(tmp_path_factory.mktemp("spelling"), SPELLING)


@pytest.mark.parametrize(
    "text, suggestion",
    [
        ("kne", "knee"),  # a short word: one edit
        ("kxxe", None),  # a short word two edits away: no
        ("hedache", "headache"),
        ("haedache", "headache"),  # a transposition is one edit
        ("hedacke", "headache"),  # two edits: fine for an ordinary word
        ("lisinoprel", "lisinopril"),  # one edit from a drug name
        ("lysinoprel", None),  # two edits from a drug name: another drug, perhaps
        ("omeprazone", "omeprazole"),  # a drug-like word (-one), one edit
        ("omeprazine", None),  # a drug-like word (-ine), two edits
        ("hert", "heart"),  # heart and hurt are one edit away: the more frequent wins
        ("kne stairs", "knee stairs"),  # the other words stay as typed
        ("kne 42", "knee 42"),  # numbers are never corrected
        ("knee", None),  # a known word
        ("zzxqv", None),  # nothing near
    ],
)
def test_spelling_suggestions(spelling: search.SearchIndex, text: str, suggestion: str | None) -> None:
    results = spelling.search(text, expand=False, correct=False)
    assert results.suggestion == suggestion
    assert results.query == text and results.corrected is None
    # by default a query that finds nothing as typed (or a likelier correction: "kne stairs")
    # is searched as corrected, and says so
    default = spelling.search(text, expand=False)
    assert default.query == text
    if default.corrected is not None:
        assert default.corrected == suggestion and default.suggestion is None
        assert default.hits == spelling.search(suggestion, expand=False).hits
    else:
        assert default.hits == results.hits
    if suggestion is not None and results.total == 0:
        assert default.corrected == suggestion


def test_a_suggestion_whatever_the_hit_count_but_hits_as_typed(spelling: search.SearchIndex) -> None:
    results = spelling.search("kne heart", expand=False)
    assert results.total >= 3 and results.suggestion == "knee heart"
    assert results.corrected is None  # the query as typed found articles: they are not replaced
    assert {hit.id for hit in results.hits} == {hit.id for hit in spelling.search("heart", expand=False).hits}


def test_hits_give_way_to_a_correction_only_when_it_is_likelier(spelling: search.SearchIndex) -> None:
    # as typed, the best articles hold "tension" alone; corrected, one holds both words
    results = spelling.search("tension hedache", expand=False)
    assert (results.corrected, results.suggestion) == ("tension headache", None)
    assert doc(results.hits[0]) == "headache"
    assert spelling.search("tension hedache", expand=False, correct=False).corrected is None
    # two edits are not sure enough to replace hits: a suggestion beside them
    twice = spelling.search("tension hedacke", expand=False)
    assert (twice.corrected, twice.suggestion) == (None, "tension headache")
    # "knee" and "heart" are in no article together: the correction explains no more
    assert spelling.search("kne heart", expand=False).corrected is None


def test_a_word_far_rarer_than_its_neighbour_gets_a_suggestion(tmp_path: Path) -> None:
    # FAR_RARER: a page with a typo among many with the word; short and drug-like words aside
    docs = {f"d{n}": ("Diabetes Notes", f"diabetes care note {n}, with omeprazole and a tablet") for n in range(FAR_RARER)}
    docs["typo"] = ("Sugar Notes", "diabetis cere, omeprazone")
    ix = build(tmp_path, docs)
    results = ix.search("diabetis", expand=False)
    assert (results.suggestion, results.corrected) == ("diabetes", None)  # offered, never searched instead
    assert [doc(hit) for hit in results.hits] == ["typo"]
    assert ix.search("omeprazone", expand=False).suggestion is None  # another drug, perhaps
    assert ix.search("cere", expand=False).suggestion is None  # a short word: too many real neighbours
    assert ix.search("diabetes", expand=False).suggestion is None


def test_stop_words_are_never_corrected(spelling: search.SearchIndex) -> None:
    # a stop word is never indexed, so it is never missing ("and" is not a typo of "ant")
    assert spelling.search("knee and stairs", expand=False).suggestion is None
    assert spelling.search("knee and stairs", expand=False).corrected is None


def test_beside_hits_only_short_queries_are_looked_up(spelling: search.SearchIndex) -> None:
    # each unknown word costs a scan of the vocabulary: a long question that found articles is
    # not scanned (limits.SUGGEST_WITH_HITS_MAX_QUERY_WORDS); one that found nothing is
    long = "kne heart when climbing the stairs"
    assert spelling.search(long, expand=False).total > 0
    assert spelling.search(long, expand=False).suggestion is None
    nothing = "kne zzq zzr zzs zzt zzu"
    assert spelling.search(nothing, expand=False, correct=False).suggestion == "knee zzq zzr zzs zzt zzu"


def test_a_correction_keeps_the_query_syntax(spelling: search.SearchIndex) -> None:
    results = spelling.search('"hedache" -knee title:kne', expand=False, correct=False)
    assert results.suggestion == '"headache" -knee title:knee'
    assert spelling.search("hedach*", expand=False, correct=False).suggestion is None  # a prefix is not a typo


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(['kne', 'hedache', 'heart', '"', ' ', '-', 'title:', '*', 'OR', '42', 'kne*', '(']), max_size=12))
def test_a_correction_changes_only_words(spelling: search.SearchIndex, pieces: list[str]) -> None:
    text = " ".join(pieces)
    try:
        results = spelling.search(text, expand=False, correct=False)
    except search.QuerySyntaxError:
        return
    if results.suggestion is not None:
        assert re.sub(r"\w+", "", results.suggestion) == re.sub(r"\w+", "", text)  # syntax kept as typed
        spelling.search(results.suggestion, expand=False)  # and it parses


def test_short_words_are_corrected_by_one_edit_only(spelling: search.SearchIndex) -> None:
    # "hxrtz" (five letters) is two edits from "hurt": a different word, not a typo ("covid", "cold")
    assert spelling.search("hxrtz", expand=False, correct=False).suggestion is None
    assert spelling.search("hxrt", expand=False, correct=False).suggestion == "hurt"


# -- properties -----------------------------------------------------------------------------------

VOCAB = ("knee", "pain", "fever", "cough", "rash", "liver")
_doc = st.tuples(st.lists(st.sampled_from(VOCAB), min_size=1, max_size=3), st.lists(st.sampled_from(VOCAB), min_size=1, max_size=10))


@settings(max_examples=12, deadline=None)
@given(st.lists(_doc, min_size=1, max_size=8), st.sampled_from(VOCAB), st.sampled_from(VOCAB), st.sampled_from(VOCAB))
def test_random_collections_match_exactly_the_articles_holding_the_words(
    docs: list[tuple[list[str], list[str]]], must: str, should: str, must_not: str
) -> None:
    """For any small collection: a one-word query finds exactly the articles holding the word
    (title or body), best first, total = their number; ``+a b -c`` finds those with a and
    without c; a shorter page is a prefix of a longer one."""
    articles = {f"d{i}": (" ".join(title).title(), " ".join(body) + f" doc{i}") for i, (title, body) in enumerate(docs)}
    terms = {i: set(title) | set(body) for i, (title, body) in zip(articles, docs)}
    with tempfile.TemporaryDirectory() as tmp:
        ix = build(Path(tmp), articles)
        for word in VOCAB:
            results = ix.search(word, limit=20, expand=False, snippets=False)
            found = [doc(hit) for hit in results.hits]
            expected = {i for i, held in terms.items() if word in held}
            assert set(found) == expected and len(found) == len(set(found))
            assert results.total == len(expected) >= len(results.hits)
            got = [hit.score for hit in results.hits]
            assert got == sorted(got, reverse=True) and all(s > 0 for s in got)
            assert ids(ix, word, limit=2) == found[:2]
        if must != must_not:
            found_set = set(ids(ix, f"+{must} {should} -{must_not}"))
            assert found_set == {i for i, held in terms.items() if must in held and must_not not in held}


def reference_osa(a: str, b: str) -> int:
    """Optimal string alignment distance, the textbook full-table version."""
    d = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        d[i][0] = i
    for j in range(len(b) + 1):
        d[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


def levenshtein(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


_short = st.text(alphabet="abcde", max_size=8)


@settings(max_examples=300, deadline=None)
@given(_short, _short, _short)
def test_edit_distance_properties(a: str, b: str, c: str) -> None:
    d = _edit_distance(a, b)
    assert d == reference_osa(a, b)
    assert d == _edit_distance(b, a)  # symmetric
    assert (d == 0) == (a == b)  # zero iff equal
    assert abs(len(a) - len(b)) <= d <= max(len(a), len(b))  # bounded by the lengths
    # Each transposition is one edit here, two for Levenshtein: between half of it and all of it.
    assert levenshtein(a, b) / 2 <= d <= levenshtein(a, b)
    # So the triangle inequality holds up to that factor (see the test below for why not exactly).
    assert _edit_distance(a, c) <= 2 * (_edit_distance(a, b) + _edit_distance(b, c))
    for limit in range(4):  # with a limit: exact up to it; beyond, any value over it (at most d)
        bounded = _edit_distance(a, b, limit)
        assert bounded == d if d <= limit else limit < bounded <= d


@settings(max_examples=200, deadline=None)
@given(st.text("abcdez", min_size=1, max_size=8), st.text("abcdez", max_size=8), st.data())
def test_one_edit_spells_out_exactly_the_words_one_edit_away(word: str, other: str, data: st.DataObject) -> None:
    variants = one_edit(word)
    assert all(_edit_distance(word, v) <= 1 for v in variants)
    assert (other in variants) == (_edit_distance(word, other) <= 1)
    # one random edit of the word is always among them
    i = data.draw(st.integers(0, len(word)))
    c = data.draw(st.sampled_from("abcdefghijklmnopqrstuvwxyz"))
    edited = data.draw(st.sampled_from([word[:i] + c + word[i:], word[:i] + c + word[i + 1 :], word[:i] + word[i + 1 :], word[:i] + word[i + 1 : i + 2] + word[i : i + 1] + word[i + 2 :]]))
    assert edited in variants


def test_edit_distance_is_optimal_string_alignment_not_a_metric() -> None:
    """A substring is never edited twice, so the triangle inequality fails: ca -> ac is one
    transposition, ac -> abc one insertion, but ca -> abc costs 3 (2 for unrestricted
    Damerau-Levenshtein). Harmless for suggestions; the reason no exact triangle property is
    asserted above."""
    assert (_edit_distance("ca", "ac"), _edit_distance("ac", "abc"), _edit_distance("ca", "abc")) == (1, 1, 3)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="abcde", max_size=8), st.text(alphabet="abcde", max_size=8), st.integers(0, 2))
def test_the_letter_set_filter_never_skips_a_word_within_reach(a: str, b: str, k: int) -> None:
    # the scan skips a word when more than 2k letters are in one word's set and not the other's:
    # one edit (insert, delete, substitute, transpose) changes at most two letters of the set
    if len(set(a) ^ set(b)) > 2 * k:
        assert _edit_distance(a, b) > k


# -- question and courtesy words ---------------------------------------------------------------

QUESTIONS: dict[str, tuple[str, str]] = {
    "statins": ("What Statins Do", "statins lower cholesterol; what they do and when to take them"),
    "painkillers": ("Choosing a Painkiller", "ibuprofen and paracetamol are painkillers for a headache"),
    "sleep": ("Sleep Notes", "how much sleep adults need"),
    "asthma": ("Living With Asthma", "inhalers calm the airways"),
}


@pytest.fixture(scope="module")
def questions(tmp_path_factory: pytest.TempPathFactory) -> search.SearchIndex:
    return build(tmp_path_factory.mktemp("questions"), QUESTIONS)


def test_question_words_do_not_steer_the_ranking(questions: search.SearchIndex) -> None:
    # "what" is rare here and in a title, but it is not what the question asks about
    assert ids(questions, "what is the best painkiller?")[0] == "painkillers"
    assert ids(questions, "dear sir, please tell me what helps a headache, thank you")[0] == "painkillers"


def test_filler_words_do_not_steer_the_ranking(questions: search.SearchIndex) -> None:
    # "with" is in one title here: at a full word's weight it would put asthma first
    assert ids(questions, "cholesterol with age")[0] == "statins"
    assert ids(questions, "adults with a cold")[0] == "sleep"


def test_question_words_count_for_less_not_nothing(questions: search.SearchIndex) -> None:
    explained = questions.explain("what painkillers", expand=False)
    weights = {part.text: part for part in explained.clauses}
    assert set(weights) == {"what", "painkillers"}
    hit = next(h for h in explained.hits if doc(h) == "statins")
    assert any(t.term == "what" for t in hit.contributions)  # still matched, so a tie is broken by it
    assert ids(questions, "what", limit=5)[0] == "statins"  # alone, a question word is the query


# -- rarity in long queries --------------------------------------------------------------------

#: "worried", "car", "accident" and "risk" are each in 10 of 31 articles; "hiv" and "blood" in one.
RARITY: dict[str, tuple[str, str]] = {
    "hiv": ("Exposure Notes", "hiv spreads through blood; testing after an exposure is advised"),
    **{
        f"roads-{n}": ("Road Notes", "worried drivers: car accident risk and insurance claims")
        for n in range(10)
    },
    **{f"other-{n}": ("Garden Notes", f"tomatoes, beans and crop {n} in raised beds") for n in range(20)},
}
LONG_QUESTION = "very worried, had a car accident, other person's blood splashed on me, am I at risk of hiv?"


@pytest.fixture(scope="module")
def rarity(tmp_path_factory: pytest.TempPathFactory) -> search.SearchIndex:
    return build(tmp_path_factory.mktemp("rarity"), RARITY)


def test_the_rare_words_of_a_long_question_decide(rarity: search.SearchIndex) -> None:
    # four common words outweigh the two rare ones, "hiv" and "blood", at equal weights
    assert ids(rarity, LONG_QUESTION)[0] == "hiv"


def test_a_long_query_saturates_term_counts_later(tmp_path: Path) -> None:
    # equal lengths everywhere, so BM25's tf part is tf * (k1 + 1) / (tf + k1): four "knee"
    # against one score 4 (k1 + 1) / (4 + k1) times as much, whatever the query's weights
    ix = build(tmp_path, {
        "four": ("Notes", "knee knee knee knee rest"),
        "one": ("Notes", "knee rest ice calm walk"),
        "other": ("Notes", "swim bike yoga run jump"),
    })  # fmt: skip

    def ratio(text: str) -> float:
        body = {doc(h): next(t.score for t in h.contributions if (t.field, t.term) == ("body", "knee")) for h in ix.explain(text, expand=False).hits}
        return body["four"] / body["one"]

    assert ratio("knee rest") == pytest.approx(4 * (K1 + 1) / (4 + K1), rel=1e-3)
    assert ratio("knee rest ice calm") == pytest.approx(4 * (LONG_QUERY_K1 + 1) / (4 + LONG_QUERY_K1), rel=1e-3)
    assert ratio("knee rest ice calm") > 1.1 * ratio("knee rest")  # the repeats count for more


def test_rarity_weighs_only_long_queries(rarity: search.SearchIndex) -> None:
    def weights(text: str) -> dict[str, float]:
        plan = rarity.explain(text, expand=False).engine_query
        return {m[0]: float(m[1]) for m in re.findall(r"\bbody:(\w+)\^([\d.]+)", plan)}

    assert weights("car accident hiv") == {"car": 1.0, "accident": 1.0, "hiv": 1.0}
    long = weights("car accident risk hiv")
    assert long["hiv"] == 1.0  # in one article: as rare as a word can be here
    assert 0 < long["car"] == long["accident"] == long["risk"] < long["hiv"]
