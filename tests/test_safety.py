"""The twelve reproductions of issue 10 (hostile pages, odd names, a damaged index), end to end.

Each test builds what the issue describes and runs the CLI or the library on it, as an
attacker or a careless operator would. Rows 5, 10 and 11 (a damaged index, environment
faults) live in test_damage.py.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from helpers import page, page_id, small_corpus, write_page

import search
from search import limits
from search.cli import cli

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
CONTROL = [chr(c) for c in [*range(0, 9), *range(11, 32), *range(0x7F, 0xA0)]]


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def index(corpus: Path, index_dir: Path, *extra: str) -> Result:
    result = run("index", corpus, "--index", index_dir, *extra)
    assert "Traceback" not in result.output
    return result


def query_json(index_dir: Path, text: str, *extra: str) -> dict:  # type: ignore[type-arg]
    result = run("query", text, "--index", index_dir, "--json", *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_row1_escaped_script_text_never_becomes_markup(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "xss.html").write_text(
        "<html><head><title>Flu</title></head><body><article><h1>Flu</h1><p>Influenza &lt;script&gt;alert(1)"
        "&lt;/script&gt; text, a bare &amp; and a &lt; sign, and more about influenza here.</p></article></body></html>",
        encoding="utf-8",
    )
    (corpus / "feed.jsonl").write_text(json.dumps({"id": "j", "title": "<img src=x onerror=alert(1)>",
                                                  "body": "influenza <b onmouseover=alert(1)>bold</b> & co"}) + "\n")
    assert index(corpus, tmp_path / "index").exit_code == 0
    data = query_json(tmp_path / "index", "influenza")
    for hit in data["hits"]:
        html = hit["snippet"]
        assert "<script" not in html and "<b " not in html and "<img" not in html
        assert html.replace("<mark>", "").replace("</mark>", "").count("<") == 0
        assert "&lt;" in html
    hit = next(h for h in data["hits"] if h["id"] == "corpus/xss")  # no canonical URL: folder and path
    assert "<script>alert(1)</script>" in hit["snippet_text"]  # the plain form keeps the text
    assert [hit["snippet_text"][a:b] for a, b in hit["highlights"]] == ["Influenza", "influenza"]
    assert next(h for h in data["hits"] if h["id"] == "j")["title"] == "<img src=x onerror=alert(1)>"  # plain text


def test_row2_a_lone_surrogate_in_a_feed_is_repaired(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "feed.jsonl").write_text('{"id": "s", "title": "Zebra \\ud800", "body": "zebra \\udfff text"}\n')
    assert index(corpus, tmp_path / "index").exit_code == 0
    for args in (("query", "zebra"), ("query", "zebra", "--json"), ("show", "s")):
        result = run(*args, "--index", tmp_path / "index")
        assert result.exit_code == 0 and "\ufffd" in result.stdout, result.output


def test_row3_odd_file_names_and_link_loops_never_stop_the_run(tmp_path: Path) -> None:
    corpus = small_corpus(tmp_path / "corpus")
    folder = os.fsencode(corpus)
    # copies without their canonical URL: their ids come from their odd names
    without_canonical = re.compile(rb'<link rel="canonical"[^>]*>')
    for source, name in (("anaemia.html", b"/caf\xe9.html"), ("knee-pain.html", b"/\x1b[2Jtitle\x07.html")):
        Path(os.fsdecode(folder + name)).write_bytes(without_canonical.sub(b"", (corpus / source).read_bytes()))
    os.symlink("loop.html", corpus / "loop.html")
    os.symlink(corpus / "a", corpus / "b")
    os.symlink(corpus / "b", corpus / "a")
    result = index(corpus, tmp_path / "index")
    assert result.exit_code == 0, result.output
    assert "6 added" in result.stdout and "skipped" in result.stdout
    assert not any(c in result.output for c in CONTROL if c != "\n")
    ix = search.open_index(tmp_path / "index")
    ids = {hit.id for hit in ix.search("anaemia knee", limit=20).hits} | {ix.get("corpus/caf\\xe9").id}
    assert {"corpus/caf\\xe9", "corpus/\\x1b[2Jtitle\\x07"} <= ids | {ix.get("corpus/\\x1b[2Jtitle\\x07").id}
    shown = run("show", "corpus/\\x1b[2Jtitle\\x07", "--index", tmp_path / "index")
    assert shown.exit_code == 0 and "\x1b[2J" not in shown.stdout


def test_row4_a_one_line_gzip_bomb_is_refused_with_its_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import gzip

    monkeypatch.setattr(limits, "MAX_FEED_LINE_BYTES", 1 << 20)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    with gzip.open(corpus / "bomb.jsonl.gz", "wb") as out:
        out.write(b'{"id": "bomb", "body": "' + b"a" * (32 << 20) + b'"}\n{"id": "ok", "body": "fine feed"}\n')
    result = index(corpus, tmp_path / "index")
    assert result.exit_code == 1
    assert f"{corpus / 'bomb.jsonl.gz'}:1: line too long (32.0 MB; the limit is 1 MB)" in result.stderr
    assert "1 added" in result.stdout


def test_row6_links_outside_the_corpus_are_not_followed_and_their_articles_go(tmp_path: Path) -> None:
    corpus = small_corpus(tmp_path / "corpus")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "passwd.txt").write_text("root:x:0:0:root:/root:/bin/bash\n\nsecret line\n")
    os.symlink(outside / "passwd.txt", corpus / "passwd.txt")
    index(corpus, tmp_path / "index", "--follow-symlinks")  # asked for: read through the link
    assert search.open_index(tmp_path / "index").get("corpus/passwd").title.startswith("root:x")
    os.symlink("/", corpus / "root")
    result = index(corpus, tmp_path / "index")  # not asked: both links skipped, the article removed
    assert result.exit_code == 0
    assert "1 removed" in result.stdout and "2 skipped" in result.stdout
    assert "outside the folders being indexed" in result.stderr
    with pytest.raises(search.ArticleNotFoundError):
        search.open_index(tmp_path / "index").get("corpus/passwd")
    assert search.open_index(tmp_path / "index").search("secret").total == 0


def test_row7_escape_sequences_never_reach_the_terminal(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "feed.jsonl").write_text(json.dumps({"id": "e\x1b[31m", "title": "Yak \x1b]0;pwned\x07 title",
                                                  "body": "yak \x1b[2J text \x9b2J more", "url": "https://a.example/\x1b[1m"}) + "\n")
    (corpus / "export.txt").write_text("Yak notes \x1b]52;c;ZXZpbA==\x07\n\nThe yak \x1b[5m blinks.\n")
    assert index(corpus, tmp_path / "index").exit_code == 0
    for args in (("query", "yak"), ("query", "yak", "--json"), ("query", "yak", "--explain"), ("show", "e\\x1b[31m"),
                 ("show", "corpus/export"), ("stats",)):
        result = run(*args, "--index", tmp_path / "index")
        assert result.exit_code == 0, (args, result.output)
        assert not any(c in result.stdout for c in CONTROL if c not in "\n\x1b"), args
        plain = result.stdout.replace("\x1b[1m", "").replace("\x1b[0m", "").replace("\x1b[1;33m", "")
        assert "\x1b" not in plain, (args, plain)


def test_row8_script_urls_are_never_a_hits_url(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for n, href in enumerate(["javascript:alert(1)", " JaVaScRiPt:alert(1)", "data:text/html,<script>", "vbscript:x"]):
        html = page(f"p{n}", "Canonical Trick", ["A page about measles and its canonical link trick."])
        html = html.replace(f'href="https://clinic.example/articles/p{n}"', f'href="{href}"')
        html = html.replace("<base", "<base").replace("</p>", f' <a href="{href}">click</a></p>', 1)
        (corpus / f"p{n}.html").write_text(html)
    assert index(corpus, tmp_path / "index").exit_code == 0
    data = query_json(tmp_path / "index", "measles", "--limit", "20")
    for hit in data["hits"]:
        assert hit["url"].startswith("file://"), hit["url"]
        assert all(link["url"].startswith(("http", "file")) or not link["url"] for link in hit["links"])


def test_row9_total_is_exact_for_every_limit_and_page(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    for copy in range(6):
        small_corpus(corpus / f"copy{copy}")
    assert index(corpus, tmp_path / "index").exit_code == 0
    ix = search.open_index(tmp_path / "index")
    for text in ("knee", "hepatitis", "iron knee hepatitis", "vaccine -knee"):
        totals = {ix.search(text, limit=limit).total for limit in (1, 2, 3, 5, 10, 100)}
        assert len(totals) == 1, (text, totals)
        (total,) = totals
        for limit in (1, 2, 3):
            pages = [ix.search(text, limit=limit, page=p).hits for p in range(1, -(-total // limit) + 2)]
            assert all(pages[:-1]) and not pages[-1], (text, limit)
            ids = [hit.id.split("/", 1)[1] for hits in pages for hit in hits]
            assert len(ids) == total == len(set(ids)), (text, ids)


def test_row12_many_prefixes_a_huge_token_and_many_links_stay_bounded(tmp_path: Path) -> None:
    corpus = small_corpus(tmp_path / "corpus")
    write_page(corpus, "token", "One Token Page", ["x" * 5_000_000, "knee"])
    links = [(f"l{n}", f"link {n}") for n in range(5_000)]
    write_page(corpus, "links", "Many Links", ["Knee pain and a long list of links."], body_links=links)
    result = index(corpus, tmp_path / "index")
    assert result.exit_code == 0, result.output
    assert f"kept the first {limits.MAX_LINKS:,} of 5,000 links (limit)" in result.stderr
    ix = search.open_index(tmp_path / "index")
    prefixes = " ".join(f"{a}{b}*" for a in "abcdefghijklmnopqrst" for b in "aeiou")  # 100 prefixes
    plan = ix.explain(prefixes).engine_query
    assert 0 < plan.count("title:") <= limits.MAX_PREFIX_EXPANSIONS  # the budget, not 100 x 64 words
    assert ix.search("knee").total >= 1
    data = query_json(tmp_path / "index", "knee", "--limit", "20")
    linked = next(h for h in data["hits"] if h["id"] == page_id("links"))
    assert len(linked["links"]) == limits.MAX_HIT_LINKS and linked["more_links"] == limits.MAX_LINKS - limits.MAX_HIT_LINKS
    with pytest.raises(search.QuerySyntaxError, match="101 words; the limit is 100"):
        ix.search(" ".join(["knee"] * 101))
