"""The numpy term index: segments, merges, deletions, phrases, and ranking that matches a rebuild."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from helpers import page_id, slug, write_page

import search
from search.errors import IndexCorruptError
from search.models import Snippet
from search.ranking import snippets
from search.render import snippet_html
from search.storage import generations as store
from search.terms import format as terms_format
from search.terms import merge, writer

WORDS = (
    "pain back knee hip joint muscle nerve sleep diet iron vitamin anaemia asthma inhaler cough fever rash "
    "pregnancy baby exercise stretch posture blood pressure heart sugar insulin diabetes kidney liver skin"
).split()


def _corpus(folder: Path, n: int, seed: int = 1) -> None:
    rng = np.random.default_rng(seed)
    for i in range(n):
        title = " ".join(rng.choice(WORDS, 3))
        paragraphs = [" ".join(rng.choice(WORDS, 25)) + "." for _ in range(3)]
        write_page(folder, f"a{i:03d}", title.title(), paragraphs)


QUERIES = ["back pain", "knee", "vitamin iron", '"blood pressure"', "diab*", "sleep -baby", "+asthma cough", "title:heart"]


def _results(index_dir: Path) -> list[list[tuple[str, float]]]:
    ix = search.open_index(index_dir)
    return [[(h.id, h.score) for h in ix.search(q, limit=20, snippets=False).hits] for q in QUERIES]


@pytest.fixture()
def small_segments(monkeypatch: pytest.MonkeyPatch) -> None:
    """Force many segments and many merge chunks on a small corpus."""
    monkeypatch.setattr(writer, "SEGMENT_POSTINGS", 300)
    monkeypatch.setattr(merge, "MERGE_CHUNK_POSTINGS", 250)


def test_many_segments_merged_rank_exactly_as_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _corpus(tmp_path / "corpus", 60)
    search.index([tmp_path / "corpus"], tmp_path / "one")
    one = _results(tmp_path / "one")
    monkeypatch.setattr(writer, "SEGMENT_POSTINGS", 300)
    monkeypatch.setattr(merge, "MERGE_CHUNK_POSTINGS", 250)
    search.index([tmp_path / "corpus"], tmp_path / "many")
    live = store.current(tmp_path / "many")
    assert live is not None
    assert len(terms_format.read_manifest(live)["segments"]) == 1  # type: ignore[index]
    assert _results(tmp_path / "many") == one
    assert any(one), "the queries must find something for the comparison to mean anything"


def test_updates_deletions_and_merges_match_a_fresh_build(tmp_path: Path, small_segments: None) -> None:
    corpus = tmp_path / "corpus"
    _corpus(corpus, 40)
    index_dir = tmp_path / "index"
    search.index([corpus], index_dir)
    # Many small runs: each adds a segment and masks replaced rows; merges keep the count bounded.
    for round_ in range(writer.MAX_SEGMENTS + 3):
        write_page(corpus, f"a{round_:03d}", f"Changed {round_} knee", [f"knee pain round {round_} " + "sleep " * round_])
        (corpus / f"a{39 - round_:03d}.html").unlink()
        search.index([corpus], index_dir)
        live = store.current(index_dir)
        assert live is not None
        assert len(terms_format.read_manifest(live)["segments"]) <= writer.MAX_SEGMENTS  # type: ignore[index]
    search.index([corpus], tmp_path / "fresh", rebuild=True)
    ix = search.open_index(index_dir)
    assert ix.stats().articles == 40 - writer.MAX_SEGMENTS - 3
    # Same articles, same ranking; scores may differ slightly where document frequencies still
    # count masked rows, so compare ids, and scores only loosely.
    for got, want in zip(_results(index_dir), _results(tmp_path / "fresh")):
        assert {i for i, _ in got} == {i for i, _ in want}


def _one_article(tmp_path: Path) -> tuple[Path, Path]:
    """A corpus of one knee article, indexed; returns (corpus, index folder)."""
    corpus = tmp_path / "corpus"
    write_page(corpus, "a", "Knee Pain", ["Cold packs ease a swollen knee."])
    index_dir = tmp_path / "index"
    search.index([corpus], index_dir)
    return corpus, index_dir


def test_replaced_article_is_found_by_its_new_words_only(tmp_path: Path) -> None:
    """Regression guard for stale results after an update (whoosh-reloaded's refresh() bug)."""
    corpus, index_dir = _one_article(tmp_path)
    ix = search.open_index(index_dir)
    assert [h.id for h in ix.search("knee").hits] == [page_id("a")]
    write_page(corpus, "a", "Hip Pain", ["Warm baths ease a stiff hip."])
    search.index([corpus], index_dir)
    assert ix.search("knee").hits == []  # the same open SearchIndex sees the new generation
    assert [h.id for h in ix.search("hip").hits] == [page_id("a")]
    assert ix.search("pain").total == 1


def test_phrase_needs_the_words_in_order_and_near(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    write_page(corpus, "near", "One", ["High blood pressure runs in families."])
    write_page(corpus, "apart", "Two", ["Blood tests measure iron; pressure on the knee hurts."])
    write_page(corpus, "reversed", "Three", ["Pressure in the blood vessels."])
    search.index([corpus], tmp_path / "index")
    ix = search.open_index(tmp_path / "index")
    assert [h.id for h in ix.search('"blood pressure"').hits] == [page_id("near")]
    # Unquoted, all three match; the one with the words side by side ranks first (phrase boost).
    hits = ix.search("blood pressure").hits
    assert hits[0].id == page_id("near") and len(hits) == 3


def test_hash_keys_are_stable_and_field_specific() -> None:
    assert terms_format.term_key("body", "pain") == terms_format.term_key("body", "pain")
    assert terms_format.term_key("body", "pain") != terms_format.term_key("title", "pain")
    # fixed value: the key is part of the on-disk format, so it must not depend on the process
    assert terms_format.term_key("body", "pain") == int.from_bytes(
        __import__("hashlib").blake2b(b"body\x00pain", digest_size=8).digest(), "little"
    )


def test_an_index_of_another_format_means_rebuild(tmp_path: Path) -> None:
    """As an older healthsearch left it: another term-index format, and no file listing."""
    corpus_dir, index_dir = _one_article(tmp_path)
    live = store.current(index_dir)
    assert live is not None
    for path, key in ((live / terms_format.DIR / terms_format.MANIFEST, "format"), (live / store.META_FILE, "terms_format")):
        data = json.loads(path.read_text())
        data[key] = "0"
        path.unlink()
        path.write_text(json.dumps(data))
    (live / "files.json").unlink()
    with pytest.raises(IndexCorruptError, match="another version.*rebuild"):
        search.open_index(index_dir)
    assert search.index([corpus_dir], index_dir).added == 1  # a plain run rebuilds it
    assert search.open_index(index_dir).search("knee").total == 1


def test_snippet_marks_matches_and_falls_back_to_the_lead() -> None:
    body = "Iron helps. " + "Filler words here. " * 20 + "Anaemia is common in pregnancy and iron is the usual fix."
    marked = snippet_html(snippets.snippet(body, {"anemia", "iron"}))
    assert "<mark>Anaemia</mark>" in marked and "<mark>iron</mark>" in marked
    assert snippets.snippet("Nothing relevant at all.", {"knee"}) == Snippet("Nothing relevant at all.")
    assert snippets.snippet("", {"knee"}) == Snippet()


def test_result_snippets_come_from_the_index_positions(tmp_path: Path) -> None:
    """Passages are found from stored positions: far-apart matches give two marked passages,
    near ones one, and every marked stretch is a form of a query word."""
    corpus = tmp_path / "corpus"
    filler = " ".join(f"word{i}" for i in range(120))
    write_page(corpus, "far", "Far", [f"Anaemia starts it. {filler}. Iron ends it, and anaemia again."])
    write_page(corpus, "near", "Near", ["Iron for anaemia, iron for anaemia."])
    search.index([corpus], tmp_path / "index")
    ix = search.open_index(tmp_path / "index")
    hits = {slug(h.id): snippet_html(h.snippet) for h in ix.search("anemia iron").hits}
    assert hits["far"].count(" … ") == 1
    assert hits["far"].startswith("<mark>Anaemia</mark> starts it.")
    assert "<mark>Iron</mark> ends it, and <mark>anaemia</mark> again." in hits["far"]
    assert " … " not in hits["near"] and hits["near"].count("<mark>") == 4
    import re

    assert {m.lower() for m in re.findall(r"<mark>(.*?)</mark>", " ".join(hits.values()))} == {"anaemia", "iron"}
