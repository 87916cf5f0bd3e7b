"""JSONL feeds: shapes, bad lines, limits on lines and feeds, and what ingest cleans in them."""

from __future__ import annotations

import gzip
import json
import resource
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search import limits
from search.errors import ExtractionError
from search.ingest.feeds import iter_jsonl
from search.ingest.files import iter_file
from search.models import Article, Link, Notice

FIXTURES = Path(__file__).parent / "fixtures"
SITE = "https://fixture-health.example"


def articles(path: Path) -> list[Article]:
    return [item for item in iter_file(path, path.parent) if isinstance(item, Article)]


def errors(path: Path) -> list[ExtractionError]:
    return [item for item in iter_file(path, path.parent) if isinstance(item, ExtractionError)]


def write_lines(path: Path, *records: object) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_jsonl_good_beir_and_bad_lines() -> None:
    path = FIXTURES / "feed.jsonl"
    items = list(iter_jsonl(path))
    found = [item for item in items if isinstance(item, tuple)]
    errs = [item for item in items if isinstance(item, ExtractionError)]
    assert [(number, a.id) for number, a in found] == [(1, "flu-basics"), (3, "MED-10"), (9, "42"), (11, "last")]
    first = found[0][1]
    assert first.links == [Link(f"{SITE}/articles/cold", "Common cold", "related")]
    assert (first.url, first.description, first.language, first.published, first.modified) == (
        f"{SITE}/articles/flu",
        "What flu is.",
        "en",
        "2024-01-02",
        "2024-01-05",
    )
    beir = found[1][1]
    assert (beir.title, beir.body) == (
        "Statin use and breast cancer survival",
        "Recent studies have suggested that statins may reduce mortality.",
    )
    assert [e.path for e in errs] == [f"{path}:{n}" for n in (4, 5, 6, 7, 8, 10)]
    reasons = [e.reason for e in errs]
    assert reasons[0].startswith("invalid JSON")
    assert reasons[1:5] == [
        "missing id",
        "missing body (or text)",
        "title must be a string, got list",
        "expected a JSON object, got list",
    ]
    assert "sideways" in reasons[5]
    assert str(errs[1]) == f"{path}:5: missing id"


def test_jsonl_gzip_through_iter_file(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl.gz"
    path.write_bytes(gzip.compress((FIXTURES / "feed.jsonl").read_bytes()))
    items = list(iter_file(path, tmp_path))
    found = [i for i in items if isinstance(i, Article)]
    assert [a.id for a in found] == ["flu-basics", "MED-10", "42", "last"]  # JSONL keeps its own ids
    assert {a.source for a in found} == {str(path)}
    assert sum(isinstance(i, ExtractionError) for i in items) == 6


def test_jsonl_is_streamed(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "feed.jsonl", {"id": "a", "body": "first"})
    stream = iter_jsonl(path)
    assert next(stream) == (1, Article(id="a", title="", body="first"))
    with path.open("a", encoding="utf-8") as handle:  # lines written later are still read
        handle.write(json.dumps({"id": "b", "body": "second"}) + "\n")
    assert [item[1].id for item in stream if isinstance(item, tuple)] == ["b"]


def test_truncated_gzip_jsonl_reports_an_error(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl.gz"
    path.write_bytes(gzip.compress((FIXTURES / "feed.jsonl").read_bytes())[:-30])
    errs = [i for i in iter_jsonl(path) if isinstance(i, ExtractionError)]
    assert errs[-1].reason in ("truncated gzip data", "corrupt gzip data")


def test_a_byte_order_mark_and_bad_utf8_do_not_stop_the_feed(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + b'{"id": "a", "body": "caf\xe9 au lait"}\n{"id": "b", "body": "ok"}\n')
    assert [(a.id, a.body) for a in articles(path)] == [("a", "caf\ufffd au lait"), ("b", "ok")]


def test_a_line_over_the_limit_is_skipped_and_reading_goes_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_FEED_LINE_BYTES", 1000)
    path = write_lines(tmp_path / "feed.jsonl", {"id": "a", "body": "x" * 5000}, {"id": "b", "body": "short"})
    assert [a.id for a in articles(path)] == ["b"]
    (error,) = errors(path)
    assert error.path == f"{path}:1"
    assert error.reason == "line too long (4.9 KB; the limit is 1000 bytes)"


def test_a_gzip_bomb_of_one_line_is_refused_with_bounded_memory(tmp_path: Path) -> None:
    """Issue 10 row 4: one line of 256 MB (the issue's had 1 GB) in a small .jsonl.gz. The
    reader holds at most one line-limit's worth of it (16 MB), never the line."""
    path = tmp_path / "bomb.jsonl.gz"
    with gzip.open(path, "wb", compresslevel=1) as out:
        out.write(b'{"id": "bomb", "body": "')
        chunk = b"a" * (1 << 20)
        for _ in range(256):
            out.write(chunk)
        out.write(b'"}\n{"id": "after", "body": "still read"}\n')
    assert path.stat().st_size < 8 * 1024 * 1024
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    items = list(iter_file(path, tmp_path))
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert [i.id for i in items if isinstance(i, Article)] == ["after"]
    (error,) = [i for i in items if isinstance(i, ExtractionError)]
    assert error.path == f"{path}:1" and error.reason.startswith("line too long (256.0 MB;")
    assert grown_mb < 200, grown_mb


def test_the_feed_size_limit_stops_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_FEED_BYTES", 100)
    path = write_lines(tmp_path / "feed.jsonl", *({"id": str(n), "body": "a line of text"} for n in range(10)))
    assert [a.id for a in articles(path)] == ["0", "1"]  # 37 bytes a line
    (error,) = errors(path)
    assert error.path == str(path)
    assert error.reason == "feed larger than the 100 bytes limit after decompression; stopped reading at line 3"


def test_bad_lines_beyond_the_reporting_limit_are_counted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_BAD_LINES_REPORTED", 3)
    path = tmp_path / "feed.jsonl"
    path.write_text("not json\n" * 10 + json.dumps({"id": "ok", "body": "fine"}) + "\n", encoding="utf-8")
    errs = errors(path)
    assert [e.path for e in errs] == [f"{path}:1", f"{path}:2", f"{path}:3", str(path)]
    assert errs[-1].reason == "7 more bad line(s) not listed"
    assert [a.id for a in articles(path)] == ["ok"]


def test_lone_surrogates_are_repaired(tmp_path: Path) -> None:
    """Issue 10 row 2: valid JSON that is not valid Unicode text."""
    path = tmp_path / "feed.jsonl"
    path.write_text('{"id": "s\\udc80", "title": "T\\ud800", "body": "bad \\ud800 and \\ud83d\\ude00"}\n', encoding="ascii")
    (article,) = articles(path)
    assert article.body == "bad \ufffd and \U0001f600"
    assert article.title == "T\ufffd"
    assert article.id == "s\\x80"  # shown as the undecodable byte it stands for
    article.body.encode("utf-8")  # would raise on a surrogate


def test_control_characters_and_escape_sequences_are_removed(tmp_path: Path) -> None:
    """Issue 10 row 7: ESC/OSC sequences in feed text."""
    path = write_lines(
        tmp_path / "feed.jsonl",
        {"id": "e", "title": "Esc \x1b]0;pwned\x07title", "body": "clear \x1b[2J screen\x00 \x9b31mred", "links": [
            {"url": "https://a.example/x\x1b[1m", "text": "next\x1b]8;;evil\x1b\\", "kind": "next"}]},
    )
    (article,) = articles(path)
    assert article.title == "Esc title"
    assert article.body == "clear screen red"
    assert article.links == [Link("https://a.example/x", "next", "next")]


def test_script_urls_are_not_kept(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "feed.jsonl", {"id": "j", "body": "text", "url": "javascript:alert(1)", "links": [
        {"url": "JaVa\tScRiPt:alert(1)", "text": "x"}, {"url": "data:text/html,<script>", "text": "y"},
        {"url": "https://ok.example/", "text": "z"}, {"url": "", "text": "Title Only", "kind": "related"}]})
    items = list(iter_file(path, tmp_path))
    (article,) = [i for i in items if isinstance(i, Article)]
    assert article.url == ""
    assert article.links == [Link("https://ok.example/", "z", "body"), Link("", "Title Only", "related")]
    notices = [i.reason for i in items if isinstance(i, Notice)]
    assert notices == ["dropped the article's URL with a javascript: URL", "dropped 2 link(s) with a javascript: URL"]
    assert all(isinstance(i, Notice) and i.path == f"{path}:1" for i in items[:2])


def test_field_limits_cut_with_a_notice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_BODY_CHARS", 40)
    monkeypatch.setattr(limits, "MAX_LINKS", 2)
    body = "First paragraph of words.\n\nSecond paragraph that goes over the limit."
    links = [{"url": f"https://a.example/{n}", "text": str(n)} for n in range(5)]
    path = write_lines(tmp_path / "feed.jsonl", {"id": "big", "body": body, "links": links})
    items = list(iter_file(path, tmp_path))
    (article,) = [i for i in items if isinstance(i, Article)]
    assert article.body == "First paragraph of words."
    assert [link.text for link in article.links] == ["0", "1"]
    assert [i.reason for i in items if isinstance(i, Notice)] == [
        f"body cut to 40 characters (it had {len(body)})",
        "kept the first 2 of 5 links (limit)",
    ]


values = st.one_of(st.text(), st.integers(), st.none(), st.booleans(), st.lists(st.text(), max_size=3))
link = st.dictionaries(st.sampled_from(["url", "text", "kind"]), st.one_of(st.text(), st.sampled_from(["next", "body"])))
record = st.dictionaries(
    st.sampled_from(["id", "_id", "title", "body", "text", "url", "description", "language", "links"]),
    st.one_of(values, st.lists(link, max_size=3)),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(record.map(json.dumps), st.text(max_size=40)), max_size=6))
def test_any_feed_gives_clean_articles_or_errors(tmp_path_factory: pytest.TempPathFactory, lines: list[str]) -> None:
    path = tmp_path_factory.mktemp("feed") / "feed.jsonl"
    path.write_bytes("\n".join(lines).encode("utf-8", "surrogatepass"))
    for item in iter_file(path, path.parent):
        assert isinstance(item, (Article, ExtractionError, Notice))
        if isinstance(item, Article):
            for text in (item.id, item.title, item.body, item.url, item.description, *(l.text for l in item.links)):
                text.encode("utf-8")  # valid Unicode
                assert not any(ord(c) < 32 and c not in "\t\n" or 0x7F <= ord(c) <= 0x9F for c in text), text
            assert not any(l.url.lower().lstrip().startswith(("javascript", "data", "vbscript")) for l in item.links)
