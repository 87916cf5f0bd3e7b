"""Indexing: what goes in, what changes, what is kept, and that updates never show stale text."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import page_id, slug, small_corpus, write_page

import search
from search.errors import ExtractionError, IndexLockedError, IndexNotFoundError
from search.storage import generations as store


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    return small_corpus(tmp_path / "corpus")


@pytest.fixture()
def built(corpus: Path, tmp_path: Path) -> Path:
    index_dir = tmp_path / "index"
    report = search.index([corpus], index_dir)
    assert (report.added, report.failed) == (4, 0)
    return index_dir


def ids(results: search.SearchResults) -> list[str]:
    """The hits' slugs (their ids are their canonical URLs without the scheme)."""
    return [slug(hit.id) for hit in results.hits]


def test_first_build_adds_every_article(built: Path) -> None:
    stats = search.open_index(built).stats()
    assert stats.articles == 4
    assert stats.size_bytes > 0
    assert stats.last_build


def test_second_run_over_unchanged_corpus_changes_nothing(corpus: Path, built: Path) -> None:
    report = search.index([corpus], built)
    assert (report.added, report.updated, report.unchanged, report.removed, report.failed) == (0, 0, 4, 0, 0)


def test_changed_file_reindexes_that_article_only(corpus: Path, built: Path) -> None:
    write_page(corpus, "hepatitis-c", "Hepatitis C", ["Hepatitis C is now curable with twelve weeks of tablets."])
    report = search.index([corpus], built)
    assert (report.added, report.updated, report.unchanged) == (0, 1, 3)


def test_deleted_source_removes_its_article(corpus: Path, built: Path) -> None:
    (corpus / "hepatitis-c.html").unlink()
    report = search.index([corpus], built)
    assert report.removed == 1
    ix = search.open_index(built)
    assert "hepatitis-c" not in ids(ix.search("hepatitis"))
    with pytest.raises(search.ArticleNotFoundError):
        ix.get(page_id("hepatitis-c"))


def test_indexing_one_file_does_not_remove_the_others(corpus: Path, built: Path) -> None:
    report = search.index([corpus / "anaemia.html"], built)
    assert (report.removed, report.unchanged) == (0, 1)
    assert search.open_index(built).stats().articles == 4


def test_updated_article_never_shows_its_old_version(corpus: Path, built: Path) -> None:
    """Regression: whoosh-reloaded's Searcher.refresh() returned deleted documents after an update."""
    ix = search.open_index(built)
    assert ids(ix.search("lentils")) == ["anaemia"]
    write_page(corpus, "anaemia", "Iron Deficiency Anaemia", ["Anaemia is treated with iron and vitamin C rich oranges."])
    search.index([corpus], built)
    # the same SearchIndex object, opened before the update
    assert ix.search("lentils").hits == []
    after = ix.search("oranges")
    assert ids(after) == ["anaemia"]
    assert "lentils" not in ix.get(page_id("anaemia")).body
    assert ix.stats().articles == 4


def test_unreadable_file_keeps_what_was_indexed(corpus: Path, built: Path) -> None:
    (corpus / "hepatitis-c.html").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    report = search.index([corpus], built)
    assert report.failed == 1
    assert report.failures[0][0].endswith("hepatitis-c.html")
    assert report.removed == 0
    assert "hepatitis-c" in ids(search.open_index(built).search("antiviral"))


def test_incoming_anchor_text_finds_the_target(built: Path) -> None:
    ix = search.open_index(built)
    assert ix.incoming_anchors(page_id("hepatitis-b")) == ["jaundice explainer"]
    # the target's own text never says "jaundice": only the link pointing at it does
    assert "jaundice" not in ix.get(page_id("hepatitis-b")).body.lower()
    assert "hepatitis-b" in ids(ix.search("jaundice"))


def test_anchor_text_follows_changes_in_the_linking_article(corpus: Path, built: Path) -> None:
    write_page(corpus, "knee-pain", "Knee Pain in Runners", ["Runners feel knee pain."], body_links=[("hepatitis-b", "yellow skin")])
    report = search.index([corpus], built)
    assert report.updated == 2  # the linking article, and the target's anchor text
    assert search.open_index(built).incoming_anchors(page_id("hepatitis-b")) == ["yellow skin"]


def test_links_are_stored_typed(built: Path) -> None:
    article = search.open_index(built).get(page_id("hepatitis-b"))
    related = [link for link in article.links if link.kind == "related"]
    assert [(link.url, link.text) for link in related] == [("https://clinic.example/articles/knee-pain", "Knee Pain in Runners")]
    assert "Opening words of that article" not in article.body


def test_same_article_twice_is_shown_once(corpus: Path, tmp_path: Path) -> None:
    copy = corpus / "exports" / "hepatitis-c.txt"
    copy.parent.mkdir()
    copy.write_text(
        "Hepatitis C\n\nHepatitis C spreads mostly through shared needles; there is no vaccine.\n\n"
        "Modern antiviral tablets cure most people with hepatitis C.\n",
        encoding="utf-8",
    )
    index_dir = tmp_path / "index2"
    assert search.index([corpus], index_dir).added == 5
    results = search.open_index(index_dir).search("antiviral")
    assert results.total == 1
    assert len(results.hits) == 1


def test_missing_path_is_a_typed_error(tmp_path: Path) -> None:
    with pytest.raises(ExtractionError, match="no such file"):
        search.index([tmp_path / "nope"], tmp_path / "index")


def test_missing_index_is_a_typed_error(tmp_path: Path) -> None:
    with pytest.raises(IndexNotFoundError):
        search.open_index(tmp_path / "nowhere")


def test_second_writer_is_refused(built: Path, corpus: Path) -> None:
    with store.write_lock(built):
        with pytest.raises(IndexLockedError):
            search.index([corpus], built)


def test_index_from_another_version_is_rebuilt(corpus: Path, built: Path) -> None:
    live = store.current(built)
    assert live is not None
    meta = live / "healthsearch.json"
    meta.write_text(meta.read_text().replace('"analyzer_version": "', '"analyzer_version": "old-'))
    with pytest.raises(search.IndexCorruptError):
        search.open_index(built)
    report = search.index([corpus], built)
    assert report.added == 4
    assert search.open_index(built).stats().articles == 4


def test_no_op_run_publishes_no_new_generation(corpus: Path, built: Path) -> None:
    live = store.current(built)
    search.index([corpus], built)
    assert store.current(built) == live
    assert store.generations(built) == [live]


def test_unchanged_files_are_not_read_again(corpus: Path, built: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from search.ingest import files as ingest

    read: list[Path] = []
    real = ingest.iter_file

    def counting(path: Path, root: Path | None = None, profiles=()):  # type: ignore[no-untyped-def]
        read.append(path)
        return real(path, root, profiles)

    monkeypatch.setattr(ingest, "iter_file", counting)
    search.index([corpus], built)
    assert read == []
    write_page(corpus, "hepatitis-c", "Hepatitis C", ["Hepatitis C is now curable."])
    search.index([corpus], built)
    assert [p.name for p in read] == ["hepatitis-c.html"]


def test_touched_but_identical_file_is_unchanged_and_restamped(corpus: Path, built: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from search.ingest import files as ingest

    page_file = corpus / "anaemia.html"
    os.utime(page_file, ns=(10**18, 10**18))
    report = search.index([corpus], built)
    assert (report.updated, report.unchanged) == (0, 4)
    # the new mtime was recorded: the next run does not read the file again
    monkeypatch.setattr(ingest, "iter_file", lambda *a: pytest.fail("file re-read"))
    assert search.index([corpus], built).unchanged == 4


def test_changes_publish_a_new_generation_and_keep_one_previous(corpus: Path, built: Path) -> None:
    first = store.current(built)
    for n in range(3):
        write_page(corpus, "hepatitis-c", "Hepatitis C", [f"Hepatitis C, revision {n}, is curable."])
        search.index([corpus], built)
    live = store.current(built)
    assert live != first
    assert len(store.generations(built)) == 2
    assert store.generations(built)[-1] == live


def test_previous_generation_is_untouched_by_an_update(corpus: Path, built: Path) -> None:
    first = store.current(built)
    assert first is not None
    before = {p.name: p.read_bytes() for p in first.iterdir() if p.is_file()}
    write_page(corpus, "hepatitis-c", "Hepatitis C", ["Hepatitis C is curable with tablets."])
    search.index([corpus], built)
    assert store.current(built) != first
    after = {p.name: p.read_bytes() for p in first.iterdir() if p.is_file()}
    assert after == before
    store.rollback(built)
    assert "antiviral" in search.open_index(built).get(page_id("hepatitis-c")).body


def test_rebuild_builds_a_fresh_generation(corpus: Path, built: Path) -> None:
    report = search.index([corpus], built, rebuild=True)
    assert (report.added, report.updated, report.unchanged) == (4, 0, 0)
    assert store.current(built) is not None and store.current(built).name == "gen-000002"


def test_broken_current_pointer_is_repaired_by_the_next_run(corpus: Path, built: Path) -> None:
    (built / "CURRENT").write_text("gen-999999\n")
    with pytest.raises(search.IndexCorruptError):
        search.open_index(built)
    report = search.index([corpus], built)  # continues from the newest intact generation
    assert (report.added, report.unchanged) == (0, 4)
    assert "updating gen-000001, the newest intact generation" in report.warnings[0][1]
    assert search.open_index(built).stats().articles == 4
    (built / "CURRENT").write_bytes(b"\xff\xfe garbage")
    assert search.index([corpus], built, rebuild=True).added == 4
    assert search.open_index(built).stats().articles == 4


def test_unreadable_directory_keeps_its_articles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    corpus = tmp_path / "corpus"
    write_page(corpus / "a", "one", "First Article", ["The first article talks about tendons."])
    write_page(corpus / "b", "two", "Second Article", ["The second article talks about cartilage."])
    index_dir = tmp_path / "index"
    assert search.index([corpus], index_dir).added == 2
    real_scandir = os.scandir

    def scandir(path):  # type: ignore[no-untyped-def]
        if isinstance(path, (str, os.PathLike)) and Path(path).name == "b":
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    report = search.index([corpus], index_dir)
    assert report.failed == 1 and report.removed == 0
    assert report.failures[0] == (str(corpus / "b"), "cannot read directory: Permission denied")
    assert [h.id for h in search.open_index(index_dir).search("cartilage").hits] == [page_id("two")]


def test_symlink_loop_does_not_hang(corpus: Path, tmp_path: Path) -> None:
    (corpus / "loop").symlink_to(corpus, target_is_directory=True)
    report = search.index([corpus], tmp_path / "index3")
    assert (report.added, report.failed) == (4, 0)


def test_touching_files_rewrites_no_article(corpus: Path, built: Path) -> None:
    import os

    first = store.current(built)
    assert first is not None
    for page_file in corpus.glob("*.html"):
        os.utime(page_file, ns=(10**18, 10**18))
    report = search.index([corpus], built)
    assert (report.updated, report.unchanged) == (0, 4)
    live = store.current(built)
    assert live is not None and live != first
    # the engine's files are the parent's, shared by hard links: nothing was re-indexed
    tocs = sorted(p.name for p in live.glob("_articles_*.toc"))
    assert tocs == sorted(p.name for p in first.glob("_articles_*.toc"))
    assert all((live / name).stat().st_ino == (first / name).stat().st_ino for name in tocs)


def test_rollback_returns_to_the_generation_a_run_was_built_from(corpus: Path, built: Path) -> None:
    good = store.current(built)
    (corpus / "anaemia.html").unlink()
    search.index([corpus], built)  # gen 2: anaemia removed (say, by mistake)
    assert store.rollback(built) == good
    write_page(corpus, "anaemia", "Iron Deficiency Anaemia", ["Anaemia is low haemoglobin; eat lentils."])
    search.index([corpus], built)  # gen 3, built from gen 1
    assert store.generations(built) == [good, store.current(built)]
    assert store.rollback(built) == good


def test_broken_symlink_is_a_failure_that_keeps_the_old_article(corpus: Path, built: Path, tmp_path: Path) -> None:
    (corpus / "hepatitis-c.html").rename(tmp_path / "moved.html")
    (corpus / "hepatitis-c.html").symlink_to(tmp_path / "gone.html")
    report = search.index([corpus], built)
    assert report.failures == [(str(corpus / "hepatitis-c.html"), "broken symbolic link")]
    assert report.removed == 0
    assert search.open_index(built).get(page_id("hepatitis-c")).title == "Hepatitis C"
