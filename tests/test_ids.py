"""Article ids: canonical URLs normalised, paths named by their root folder, copies and collisions."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from helpers import page, page_id
from hypothesis import given
from hypothesis import strategies as st

import search
from search.ingest.ids import exact_id, page_ids, path_id, url_id


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.Example.org/a/index.html?utm_source=x#top", "example.org/a"),
        ("http://example.org/a/", "example.org/a"),
        ("https://example.org:443/a", "example.org/a"),
        ("http://example.org:80/a", "example.org/a"),
        ("https://example.org:8443/a", "example.org:8443/a"),
        ("https://user:pw@example.org/a", "example.org/a"),
        ("https://example.org/a/./b/../c//d", "example.org/a/c/d"),
        ("https://example.org/x.php?id=3", "example.org/x.php?id=3"),
        ("https://example.org/x.php?id=3&utm_medium=mail&fbclid=abc&gclid=1&PHPSESSID=9", "example.org/x.php?id=3"),
        ("https://example.org/x.php?page=2&id=3", "example.org/x.php?id=3&page=2"),  # order does not matter
        ("https://example.org/dir/default.aspx", "example.org/dir"),
        ("https://example.org/dir/index.php", "example.org/dir"),
        ("https://example.org/a;jsessionid=ABC123", "example.org/a"),
        ("https://example.org/flu%20jab", "example.org/flu%20jab"),
        ("https://example.org/flu jab", "example.org/flu%20jab"),
        ("https://example.org/", "example.org"),
        ("https://EXAMPLE.org./Case/Kept", "example.org/Case/Kept"),  # paths keep their case
        ("file:///tmp/page.html", None),
        ("javascript:alert(1)", None),
        ("/articles/relative", None),
        ("https://[bad", None),
    ],
)
def test_url_ids(url: str, expected: str | None) -> None:
    assert url_id(url) == expected


@pytest.mark.parametrize(
    ("rel", "expected"),
    [
        ("articles/anxiety/index.html", "site/articles/anxiety"),
        ("articles/anxiety.html", "site/articles/anxiety"),  # the same page as the one above
        ("articles/anxiety.html?utm_source=feed", "site/articles/anxiety"),
        ("articles/x.php", "site/articles/x.php"),
        ("articles/x.php?id=3", "site/articles/x.php?id=3"),
        ("articles/x.php?id=3.html", "site/articles/x.php?id=3"),  # wget -E
        ("articles/x.php.html", "site/articles/x.php"),  # wget -E
        ("index.html@p=3", "site?p=3"),  # wget --restrict-file-names=windows
        ("articles/x.aspx", "site/articles/x.aspx"),
        ("articles/x.shtml", "site/articles/x.shtml"),
        ("articles/noext", "site/articles/noext"),
        ("articles/eczema.html.gz", "site/articles/eczema"),
        ("exports/back-pain.txt", "site/exports/back-pain"),
        ("index.html", "site"),
    ],
)
def test_path_ids_carry_the_root_folders_name(tmp_path: Path, rel: str, expected: str) -> None:
    root = tmp_path / "site"
    assert path_id(root / rel, root) == expected
    assert exact_id(root / rel, root) == f"site/{rel}"


def test_the_root_folder_given_as_dot_uses_its_real_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "mirror").mkdir()
    monkeypatch.chdir(tmp_path / "mirror")
    assert path_id(Path("a/page.html"), Path(".")) == "mirror/a/page"


def test_page_ids_fall_back_from_the_url_to_paths(tmp_path: Path) -> None:
    root = tmp_path / "site"
    path = root / "a.htm"
    assert page_ids("https://example.org/a", path, root) == ["example.org/a", "site/a", "site/a.htm", str(path)]
    assert page_ids(path.as_uri(), path, root) == ["site/a", "site/a.htm", str(path)]
    assert page_ids("", path, None) == ["site/a", "site/a.htm", str(path)]  # the file's folder as root


_segment = st.text(st.sampled_from("abcXYZ019-_.~%! é"), min_size=1, max_size=8)
_key = st.sampled_from(["id", "page", "q", "lang", "p"])
_tracking = st.sampled_from(["utm_source", "utm_medium", "utm_campaign", "fbclid", "gclid", "sessionid", "PHPSESSID"])
_value = st.text(st.sampled_from("abc123"), max_size=5)


@st.composite
def _urls(draw: st.DrawFn) -> tuple[str, str]:
    """(a URL, the same URL with tracking parameters mixed into its query)."""
    scheme = draw(st.sampled_from(["http", "https"]))
    host = draw(st.sampled_from(["example.org", "www.example.org", "Health.Example.com", "x.example:8080"]))
    path = "/".join(draw(st.lists(_segment, max_size=4)))
    params = draw(st.lists(st.tuples(_key, _value), max_size=3))
    tracking = draw(st.lists(st.tuples(_tracking, _value), min_size=1, max_size=3))
    fragment = draw(st.sampled_from(["", "#top", "#section-2"]))
    mixed = draw(st.permutations(params + tracking))

    def url(pairs: list[tuple[str, str]]) -> str:
        query = "&".join(f"{k}={v}" for k, v in pairs)
        return f"{scheme}://{host}/{path}" + (f"?{query}" if query else "") + fragment

    return url(params), url(list(mixed))


@given(_urls())
def test_tracking_parameters_never_change_an_id(urls: tuple[str, str]) -> None:
    plain, tracked = urls
    assert url_id(plain) is not None
    assert url_id(tracked) == url_id(plain)


@given(_urls())
def test_normalising_is_idempotent(urls: tuple[str, str]) -> None:
    for url in urls:
        once = url_id(url)
        assert once is not None
        assert url_id("https://" + once) == once
        assert url_id("http://" + once) == once  # the scheme never matters


@given(st.text(max_size=60))
def test_url_ids_never_raise(text: str) -> None:
    result = url_id(text)
    assert result is None or (result and "#" not in result)


# -- ids in a run: roots, copies, wrong canonical tags -------------------------------------------


def _ids(index_dir: Path) -> dict[str, str]:
    """Every indexed article's id -> its source file (read from the article store)."""
    from search.storage import generations
    from search.storage.articles import ArticleStore

    live = generations.current(index_dir)
    assert live is not None
    return {doc_id: state.source for doc_id, state in ArticleStore.open(live).states().items()}


def _plain(slug: str, title: str, text: str) -> str:
    return re.sub(r'<link rel="canonical"[^>]*>', "", page(slug, title, [text]))


def test_two_roots_never_collide(tmp_path: Path) -> None:
    for folder, word in (("a", "tendons"), ("b", "cartilage")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "page.html").write_text(_plain("page", f"About {word}", f"All about {word} here."))
    report = search.index([tmp_path / "a", tmp_path / "b"], tmp_path / "index")
    assert (report.added, report.failed, report.duplicates) == (2, 0, [])
    expected = {"a/page": str(tmp_path / "a" / "page.html"), "b/page": str(tmp_path / "b" / "page.html")}
    assert _ids(tmp_path / "index") == expected


def test_copies_of_one_page_are_one_article_with_a_notice(tmp_path: Path) -> None:
    corpus = tmp_path / "site"
    (corpus / "dir").mkdir(parents=True)
    text = _plain("x", "Knee Notes", "Knee pain after running usually settles.")
    for name in ("page.html", "page.html?utm_source=x", "dir/index.html", "dir.html"):
        (corpus / name).write_text(text if name.startswith("page") else text.replace("Knee", "Hip"))
    report = search.index([corpus], tmp_path / "index")
    assert (report.added, report.failed) == (2, 0)
    assert sorted(report.duplicates) == [
        (str(corpus / "dir.html"), str(corpus / "dir" / "index.html")),  # "dir" < "dir.html" in walk order
        (str(corpus / "page.html?utm_source=x"), str(corpus / "page.html")),
    ]
    assert sorted(_ids(tmp_path / "index")) == ["site/dir", "site/page"]
    assert "2 duplicates merged" in report.summary()
    # the next run finds them again, and still indexes one article each
    again = search.index([corpus], tmp_path / "index")
    assert (again.added, again.unchanged, again.removed, len(again.duplicates)) == (0, 2, 0, 2)


def test_an_unchanged_copy_is_not_read_again_until_its_original_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from search.indexing import workers

    corpus = tmp_path / "site"
    corpus.mkdir()
    text = _plain("x", "Knee Notes", "Knee pain after running usually settles.")
    (corpus / "page.html").write_text(text)
    (corpus / "page.html?utm_source=x").write_text(text)
    search.index([corpus], tmp_path / "index")
    read: list[str] = []
    real = workers.files.iter_file
    monkeypatch.setattr(workers.files, "iter_file", lambda path, *a: read.append(path.name) or real(path, *a))
    again = search.index([corpus], tmp_path / "index")
    assert read == [] and again.duplicates == [(str(corpus / "page.html?utm_source=x"), str(corpus / "page.html"))]
    (corpus / "page.html").write_text(text.replace("running", "cycling"))  # the original changes
    changed = search.index([corpus], tmp_path / "index")
    assert sorted(read) == ["page.html", "page.html?utm_source=x"]  # the copy is read again ...
    assert (changed.added, changed.updated, changed.duplicates) == (1, 1, [])  # ... and is a page now
    assert sorted(_ids(tmp_path / "index")) == ["site/page", "site/page.html?utm_source=x"]


def test_a_wrong_canonical_tag_never_merges_different_pages(tmp_path: Path) -> None:
    """Every page names the home page as its canonical URL (a broken CMS): the first in walk
    order keeps that id, the others take their path ids; no page is lost."""
    corpus = tmp_path / "site"
    corpus.mkdir()
    for slug in ("alpha", "beta", "gamma"):
        html = page(slug, f"{slug.title()} Notes", [f"The {slug} article about knee pain and {slug} care."])
        html = html.replace(f'href="https://clinic.example/articles/{slug}"', 'href="https://clinic.example/"')
        (corpus / f"{slug}.html").write_text(html)
    report = search.index([corpus], tmp_path / "index")
    assert (report.added, report.failed, report.duplicates) == (3, 0, [])
    assert _ids(tmp_path / "index") == {
        "clinic.example": str(corpus / "alpha.html"),
        "site/beta": str(corpus / "beta.html"),
        "site/gamma": str(corpus / "gamma.html"),
    }
    # a later run keeps the ids: the unchanged holder keeps the contested one
    (corpus / "aardvark.html").write_text(page("x", "Aardvark", ["An aardvark article."]).replace(
        'href="https://clinic.example/articles/x"', 'href="https://clinic.example/"'))
    later = search.index([corpus], tmp_path / "index")
    assert (later.added, later.unchanged) == (1, 3)
    assert _ids(tmp_path / "index")["site/aardvark"] == str(corpus / "aardvark.html")


def test_an_index_with_the_old_ids_is_rebuilt_without_them(tmp_path: Path) -> None:
    """An index written with the old id scheme (ids from file names, schema version 8) is
    rebuilt by the next run: no article keeps an old id beside its new-id copy."""
    from search.indexing.writer import GenerationWriter, create_generation
    from search.storage import generations

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "knee-pain.html").write_text(page("knee-pain", "Knee Pain", ["Knee pain after running."]))
    index_dir = tmp_path / "index"
    gen = generations.new_generation(index_dir)
    store = create_generation(gen)
    with GenerationWriter(store) as writer:  # what the old code stored: the id "knee-pain"
        old = search.Article(id="knee-pain", title="Knee Pain", body="Knee pain after running.",
                             source=str(corpus / "knee-pain.html"))
        writer.put(old, anchors="", content_hash="old", fingerprint="old")
    generations.write_meta(gen, {**generations.read_meta(gen), "schema_version": "8"})
    generations.publish(index_dir, gen)
    assert generations.other_version(gen)
    report = search.index([corpus], index_dir)
    assert any("built by another version; rebuilding it" in reason for _, reason in report.warnings)
    assert sorted(_ids(index_dir)) == [page_id("knee-pain")]
    # the old id is gone: "knee-pain" now only names the new one by its last part
    assert search.open_index(index_dir).get("knee-pain").id == page_id("knee-pain")


def test_lookup_by_id_url_or_source_file(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "knee-pain.html").write_text(page("knee-pain", "Knee Pain", ["Knee pain after running."]))
    (corpus / "feed.jsonl").write_text('{"id": "f1", "body": "one"}\n{"id": "f2", "body": "two"}\n')
    search.index([corpus], tmp_path / "index")
    ix = search.open_index(tmp_path / "index")
    want = page_id("knee-pain")
    for key in (want, "https://clinic.example/articles/knee-pain", "www.clinic.example/articles/knee-pain/",
                str(corpus / "knee-pain.html"), os.path.relpath(corpus / "knee-pain.html")):
        assert ix.resolve(key) == want, key
    assert ix.get("https://clinic.example/articles/knee-pain?utm_source=x").title == "Knee Pain"
    with pytest.raises(search.ArticleNotFoundError) as info:
        ix.get(str(corpus / "feed.jsonl"))  # two articles: which one?
    assert "holds 2 articles ('f1', 'f2')" in str(info.value) and info.value.hint
    with pytest.raises(search.ArticleNotFoundError) as missing:
        ix.get("no-such-page")
    assert "no article with id, URL or source file 'no-such-page'" in str(missing.value) and missing.value.hint


def test_ids_are_cut_to_the_limit_and_a_page_with_no_free_id_is_a_failure(tmp_path: Path) -> None:
    from search import limits

    corpus = tmp_path / "site"
    corpus.mkdir()
    long = "https://example.org/" + "a" * 2000
    (corpus / "long.html").write_text(page("long", "Long URL", ["A page with a very long canonical URL."])
                                      .replace("https://clinic.example/articles/long", long))
    report = search.index([corpus], tmp_path / "index")
    assert report.failed == 0
    assert [len(i) for i in _ids(tmp_path / "index")] == [limits.MAX_ID_CHARS]
    # a feed indexed before holds every id a page could take: the page fails, named, nothing is merged
    (corpus / "p.html").write_text(_plain("p", "Page", "The page's own text."))
    taken = ["site/p", "site/p.html", str(corpus / "p.html")]
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(f'{{"id": "{i}", "body": "feed text {n}"}}\n' for n, i in enumerate(taken)))
    search.index([feed], tmp_path / "index")
    later = search.index([corpus], tmp_path / "index")
    assert later.failures == [(str(corpus / "p.html"), "every id this page could take is held by another article")]
    assert set(taken) <= set(_ids(tmp_path / "index"))


def test_a_later_run_over_another_folder_never_overwrites_a_page_with_the_same_id(tmp_path: Path) -> None:
    for folder, word in (("a", "tendons"), ("b", "cartilage")):  # the same canonical URL, other content
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "page.html").write_text(page("x", f"About {word}", [f"All about {word} here."]))
    search.index([tmp_path / "a"], tmp_path / "index")
    report = search.index([tmp_path / "b"], tmp_path / "index")
    assert (report.added, report.updated, report.removed) == (1, 0, 0)
    assert _ids(tmp_path / "index") == {page_id("x"): str(tmp_path / "a" / "page.html"),
                                        "b/page": str(tmp_path / "b" / "page.html")}
    # a folder moved: its page takes the id back from the article whose file is gone
    (tmp_path / "a").rename(tmp_path / "c")
    moved = search.index([tmp_path / "c"], tmp_path / "index")
    assert (moved.added, moved.updated, moved.failed) == (0, 1, 0)
    assert _ids(tmp_path / "index")[page_id("x")] == str(tmp_path / "c" / "page.html")


def test_a_page_kept_because_its_file_failed_keeps_its_id(tmp_path: Path) -> None:
    corpus = tmp_path / "site"
    corpus.mkdir()
    (corpus / "a.html").write_text(page("x", "About tendons", ["All about tendons here."]))
    search.index([corpus], tmp_path / "index")
    (corpus / "a.html").unlink()
    (corpus / "a.html").symlink_to(corpus / "gone.html")  # a broken link: a failure, its article kept
    (corpus / "b.html").write_text(page("x", "About cartilage", ["All about cartilage here."]))  # same canonical
    report = search.index([corpus], tmp_path / "index")
    assert (report.failed, report.added, report.updated, report.removed) == (1, 1, 0, 0)
    assert _ids(tmp_path / "index") == {page_id("x"): str(corpus / "a.html"), "site/b": str(corpus / "b.html")}
