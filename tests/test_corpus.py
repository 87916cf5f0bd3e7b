"""The bundled sample corpus end to end: the README's demo queries give the right first hit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import search
from search.cli import cli

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
#: The bundled pages' canonical URLs are https://wellnessnotes.example/articles/<slug>: their ids.
SITE = "wellnessnotes.example/articles/"


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("corpus") / "index"
    report = search.index([CORPUS], target)
    assert report.failed == 0, report.failures
    assert report.added == len(list(CORPUS.rglob("*.htm*"))) + len(list(CORPUS.rglob("*.txt")))
    return target


def test_back_pain_ranks_the_postpartum_article_first(index_dir: Path) -> None:
    """The issue's acceptance check, through the CLI's JSON output."""
    result = CliRunner().invoke(cli, ["query", "back pain", "--json", "--index", str(index_dir)])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    top = data["hits"][0]
    assert top["id"] == SITE + "postpartum-back-pain"
    assert top["title"] == "Back Pain After Pregnancy: Causes and Relief"
    assert "<mark>back</mark> <mark>pain</mark>" in top["snippet"].lower()
    # the HTML page and its plain-text export are one article in the results
    assert "corpus/exports/postpartum-back-pain" not in [hit["id"] for hit in data["hits"]]
    assert {link["kind"] for link in top["links"]} >= {"prev", "next", "related", "body"}


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("hepatitis a", "hepatitis-a"),
        ("hepatitis b", "hepatitis-b"),
        ("hepatitis c", "hepatitis-c"),
        ("vitamin d", "vitamin-d-deficiency"),
        ("type 1 diabetes", "type-1-diabetes"),
        ("type 2 diabetes", "type-2-diabetes"),
        ("anemia", "iron-deficiency-anaemia"),
        ("diarrhea", "diarrhoea-in-children"),
        ("esophagus", "gastro-oesophageal-reflux"),
        ("xray", "do-i-need-an-x-ray"),
        ("cesarean", "caesarean-section-recovery"),
        ("acetaminophen", "ibuprofen-vs-paracetamol"),
        ('"not stop" antibiotics', "do-not-stop-antibiotics-early"),
    ],
)
def test_demo_queries(index_dir: Path, query: str, first: str) -> None:
    assert search.search(query, index_dir).hits[0].id == SITE + first


def test_misspelled_query_gets_a_suggestion(index_dir: Path) -> None:
    results = search.search("bak pian", index_dir)
    assert results.corrected == "back pain"
    assert results.hits and results.hits[0].id == search.search("back pain", index_dir).hits[0].id


@pytest.mark.parametrize(
    ("typed", "corrected", "first"),
    [
        ("diabetis", "diabetes", "type-2-diabetes"),
        ("astma", "asthma", "asthma-in-adults"),
        ("ibuprofin", "ibuprofen", "ibuprofen-vs-paracetamol"),
        ("sciatika", "sciatica", "sciatica"),
    ],
)
def test_typos_find_their_articles_with_the_correction_shown(index_dir: Path, typed: str, corrected: str, first: str) -> None:
    results = search.search(typed, index_dir)
    assert (results.query, results.corrected) == (typed, corrected)
    assert results.hits[0].id == SITE + first


@pytest.mark.parametrize(
    ("typed", "corrected", "first"),
    [
        ("migrane", "migraine", "migraine"),  # as typed it finds Lyme disease first, for "migrans"
        ("diabetis type 2", "diabetes type 2", "type-2-diabetes"),
    ],
)
def test_typos_beside_hits_give_way_to_the_correction(index_dir: Path, typed: str, corrected: str, first: str) -> None:
    results = search.search(typed, index_dir)
    assert (results.query, results.corrected, results.suggestion) == (typed, corrected, None)
    assert results.hits[0].id == SITE + first
    assert search.search(typed, index_dir, correct=False).suggestion == corrected


def test_hart_attack_is_searched_as_heart_attack(index_dir: Path) -> None:
    results = search.search("hart attack", index_dir)
    assert results.corrected == "heart attack"
    assert [hit.id for hit in results.hits] == [hit.id for hit in search.search("heart attack", index_dir).hits]


def test_a_question_ranks_by_what_it_asks_about(index_dir: Path) -> None:
    # "what" is in the statins article's title; the question is about painkillers
    assert search.search("what's the best painkiller?", index_dir).hits[0].id == SITE + "ibuprofen-vs-paracetamol"


def test_a_word_two_edits_from_a_short_one_is_not_a_typo(index_dir: Path) -> None:
    results = search.search("covid", index_dir)
    assert results.suggestion is None and results.corrected is None  # not "cold"


def test_windows_1252_and_gzip_pages_are_read(index_dir: Path) -> None:
    ix = search.open_index(index_dir)
    anaemia = ix.get(SITE + "iron-deficiency-anaemia")
    assert "\ufffd" not in anaemia.body and "Ã" not in anaemia.body
    assert ix.get(SITE + "eczema").title.startswith("Eczema")


def test_text_export_links_resolve_by_title(index_dir: Path) -> None:
    ix = search.open_index(index_dir)
    export = ix.get("corpus/exports/postpartum-back-pain")  # no URL: the folder's name and the path
    assert [link.kind for link in export.links][:2] == ["prev", "next"]
    # its prev/next/related titles count as anchor text for the articles they name
    assert "Sciatica: Symptoms and Treatment" in ix.incoming_anchors(SITE + "sciatica")
