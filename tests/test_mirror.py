"""A wget-style mirror of the bundled corpus, every naming style at once: no page lost, copies merged."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import search
from search.cli import cli
from search.errors import ExtractionError
from search.ingest.sources import walk
from search.storage import generations
from search.storage.articles import ArticleStore

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import mirror_gen  # the one mirror generator, shared with benchmarks/bench_mirror.py


def _sources(index_dir: Path) -> dict[str, str]:
    """Every indexed article's id -> the file it was read from."""
    live = generations.current(index_dir)
    assert live is not None
    return {doc_id: state.source for doc_id, state in ArticleStore.open(live).states().items()}


@pytest.fixture(scope="module")
def mirrored(tmp_path_factory: pytest.TempPathFactory) -> tuple[mirror_gen.Mirror, search.IndexReport, Path]:
    root = tmp_path_factory.mktemp("mirror")
    mirror = mirror_gen.write_mirror(root / "wellnessnotes.example")
    report = search.index([mirror.root], root / "index")
    return mirror, report, root / "index"


def test_the_mirror_has_every_naming_style(mirrored: tuple[mirror_gen.Mirror, search.IndexReport, Path]) -> None:
    mirror, _, _ = mirrored
    names = set(mirror.pages) | set(mirror.copies)
    for needle in ("/index.html", ".php", ".aspx", ".shtml", ".html.gz", ".php.html", "show.php?id=", "@page=",
                   "?utm_source=feed", "?fbclid=", "exports/"):
        assert any(needle in name for name in names), needle
    assert any("." not in name.rsplit("/", 1)[-1] for name in mirror.pages)  # no extension
    assert mirror.wrong_canonical and len(mirror.copies) >= 10


def test_no_page_is_lost_and_no_page_is_indexed_twice(
    mirrored: tuple[mirror_gen.Mirror, search.IndexReport, Path],
) -> None:
    mirror, report, index_dir = mirrored
    assert (report.failed, report.failures) == (0, [])
    sources = _sources(index_dir)
    keys = [mirror.key_of(Path(source)) for source in sources.values()]
    assert None not in keys
    assert sorted(keys) == sorted(set(mirror.pages.values()))  # every page once, none twice
    assert report.added == mirror.distinct_pages == len(sources)


def test_query_string_copies_are_merged_with_a_notice_naming_the_original(
    mirrored: tuple[mirror_gen.Mirror, search.IndexReport, Path],
) -> None:
    mirror, report, _ = mirrored
    root = mirror.root
    assert sorted(report.duplicates) == sorted((str(root / copy), str(root / original))
                                               for copy, original in mirror.copies.items())
    assert f"{len(mirror.copies)} duplicates merged" in report.summary()


def test_non_pages_are_left_out_quietly_and_counted(mirrored: tuple[mirror_gen.Mirror, search.IndexReport, Path]) -> None:
    mirror, report, _ = mirrored
    assert report.not_pages == mirror.not_pages
    assert report.warnings == [] and report.skipped == 0
    total = sum(mirror.not_pages.values())
    assert f"{total} files left out: not pages (images, " in report.summary()


def test_wrong_canonical_tags_do_not_merge_pages(mirrored: tuple[mirror_gen.Mirror, search.IndexReport, Path]) -> None:
    mirror, _, index_dir = mirrored
    sources = _sources(index_dir)
    claimed = {mirror.key_of(Path(source)) for source in sources.values()}
    assert set(mirror.wrong_canonical) <= claimed
    assert "wellnessnotes.example" in sources  # the home page's id is held once, by the first of them


def test_ids_name_pages_by_their_url_or_their_path(mirrored: tuple[mirror_gen.Mirror, search.IndexReport, Path]) -> None:
    _, _, index_dir = mirrored
    ids = set(_sources(index_dir))
    assert "wellnessnotes.example/articles/anxiety" in ids  # articles/anxiety/index.html, canonical kept
    assert "wellnessnotes.example/show.php?id=5" in ids  # no canonical: the path, its query kept
    assert "wellnessnotes.example/show.php?page=26" in ids  # show.php@page=26 read as a query
    assert "wellnessnotes.example/exports/postpartum-back-pain" in ids
    assert not any("utm_" in i or "fbclid" in i for i in ids)


def test_two_mirrors_without_canonical_tags_never_collide(tmp_path: Path) -> None:
    one = mirror_gen.write_mirror(tmp_path / "mirror-a", canonical=False)
    two = mirror_gen.write_mirror(tmp_path / "mirror-b", canonical=False)
    report = search.index([one.root, two.root], tmp_path / "index")
    assert report.failed == 0
    ids = _sources(tmp_path / "index")
    assert report.added == len(ids) == one.distinct_pages + two.distinct_pages
    assert {i.split("/", 1)[0] for i in ids} == {"mirror-a", "mirror-b"}
    assert "mirror-a/articles/anxiety" in ids and "mirror-b/articles/anxiety" in ids


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("static/logo.png", "binary file (PNG image)"),
        ("static/photo.jpg", "binary file (JPEG image)"),
        ("static/hero.gif", "binary file (GIF image)"),
        ("static/font.woff2", "binary file (WOFF2 font)"),
        ("static/guide.pdf", "binary file (PDF document)"),
        ("favicon.ico", "binary file (icon)"),
    ],
)
def test_binaries_named_explicitly_are_refused_with_their_reason(tmp_path: Path, name: str, reason: str) -> None:
    mirror = mirror_gen.write_mirror(tmp_path / "site")
    with pytest.raises(ExtractionError) as info:
        walk([mirror.root / name])
    assert (info.value.path, info.value.reason) == (str(mirror.root / name), reason)
    result = CliRunner().invoke(cli, ["index", str(mirror.root / name), "--index", str(tmp_path / "index")])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {mirror.root / name}: {reason}.")
    assert "Traceback" not in result.output
