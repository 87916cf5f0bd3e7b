"""Content sniffing: pages known by their bytes whatever their name, binaries by magic, gzip by magic."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from search.errors import ExtractionError
from search.ingest.sniff import SNIFF_BYTES, sniff
from search.ingest.sources import sniff_path, walk

PAGE = b"<!DOCTYPE html><html><head><title>T</title></head><body><p>Text.</p></body></html>"


@pytest.mark.parametrize(
    "head",
    [
        PAGE,
        b"\xef\xbb\xbf" + PAGE,  # UTF-8 byte-order mark
        b"\n\n   \t" + PAGE,
        b"<!-- saved by wget -->\n<!-- another -->" + PAGE,
        b'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN">',
        b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml">',
        b"<html>",
        b"<HEAD><TITLE>Old page</TITLE></HEAD>",
        b"<body bgcolor=white>",
        b'<meta charset="windows-1252"><title>x</title>',
        b"<div class=article><p>A fragment saved as a page.</p></div>",
        b"Warning: mysql_connect() failed in /var/www/x.php on line 3\n" + PAGE,  # printed before the doctype
        "<!DOCTYPE html><p>caf\u00e9</p>".encode("utf-16"),  # UTF-16 with its byte-order mark
    ],
)
@pytest.mark.parametrize("name", ["index.html", "x.php", "x.aspx", "x.shtml", "page", "x.php?id=3", "index.html@p=3"])
def test_pages_are_known_by_their_bytes_whatever_their_name(head: bytes, name: str) -> None:
    found = sniff(head, name)
    assert (found.kind, found.reason) == ("html", "")


@pytest.mark.parametrize(
    ("head", "name", "reason", "category"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "logo.png", "binary file (PNG image)", "images"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "page.html", "binary file (PNG image)", "images"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "photo", "binary file (JPEG image)", "images"),
        (b"GIF89a\x01\x00", "x.php", "binary file (GIF image)", "images"),
        (b"%PDF-1.7\n", "guide.pdf", "binary file (PDF document)", "documents"),
        (b"PK\x03\x04\x14\x00", "a.zip", "binary file (ZIP archive)", "archives"),
        (b"PK\x03\x04\x14\x00", "a.docx", "binary file (ZIP archive)", "documents"),  # counted by its name
        (b"wOF2\x00\x01", "f.woff2", "binary file (WOFF2 font)", "fonts"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "i.webp", "binary file (WebP image)", "images"),
        (b"<html>\x00\x01\x02 binary</html>", "x.html", "binary file (NUL bytes, not text)", "other files"),
        (bytes(range(1, 9)) * 40, "blob", "binary file (not text)", "other files"),
    ],
)
def test_binaries_are_refused_with_their_type(head: bytes, name: str, reason: str, category: str) -> None:
    found = sniff(head, name)
    assert (found.kind, found.reason, found.category, found.binary) == (None, reason, category, True)


@pytest.mark.parametrize(
    ("head", "name", "category"),
    [
        (b"body { color: red }", "site.css", "styles"),
        (b"body { color: red }", "site.css?v=3", "styles"),
        (b"var s = '<html><body>';", "app.js", "scripts"),  # markup inside a script is not a page
        (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', "icon.svg", "images"),
        (b'<?xml version="1.0"?><rss version="2.0"></rss>', "feed", "other files"),
        (b'{"id": 1}', "data.json", "data"),
        (b"User-agent: *\nDisallow: /", "robots.txt", "site files"),
        (b"Just some words, no markup.", "notes", "other files"),
    ],
)
def test_text_that_is_not_a_page_is_left_out_with_its_category(head: bytes, name: str, category: str) -> None:
    found = sniff(head, name)
    assert (found.kind, found.category, found.binary) == (None, category, False)
    assert found.reason.startswith("not a page")


def test_feeds_and_exports_keep_their_recognisers_by_name() -> None:
    assert sniff(b'{"id": "a", "body": "b"}\n', "feed.jsonl").kind == "jsonl"
    assert sniff(gzip.compress(b'{"id": "a"}\n'), "feed.jsonl.gz") == sniff(gzip.compress(b"{}"), "feed.jsonl.gz")
    assert sniff(b"Back Pain\n\nFirst paragraph.", "export.txt").kind == "text"
    # a .txt whose bytes open with markup is a saved page (read by the HTML reader)
    assert sniff(PAGE, "saved.txt").kind == "html"
    # ... but markup later on in a text export does not make it one
    assert sniff(b"Title\n\nUse <html> tags like this.", "export.txt").kind == "text"


def test_gzip_is_known_by_its_magic_number_and_its_content_sniffed() -> None:
    packed = gzip.compress(PAGE)
    for name in ("page.html.gz", "page", "page.php"):
        found = sniff(packed, name)
        assert (found.kind, found.gzip) == ("html", True)
    css = sniff(gzip.compress(b"body{}"), "site.css.gz")
    assert (css.kind, css.gzip, css.category) == (None, True, "styles")
    truncated = sniff(packed[: len(packed) // 2], "page")  # the head of a long file is cut anywhere
    assert truncated.kind == "html"


@given(st.binary(max_size=SNIFF_BYTES + 100), st.text(max_size=40))
def test_sniffing_never_raises_on_arbitrary_bytes(head: bytes, name: str) -> None:
    found = sniff(head, name)
    assert found.kind in (None, "html", "text", "jsonl")
    assert (found.kind is None) == bool(found.reason)


@given(st.binary(max_size=2000))
def test_sniffing_gzipped_bytes_never_raises(data: bytes) -> None:
    packed = gzip.compress(data)
    assert sniff(packed, "x").gzip
    assert sniff(packed[:7], "x").gzip


def test_an_explicit_binary_is_refused_with_its_reason(tmp_path: Path) -> None:
    (tmp_path / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    (tmp_path / "page").write_bytes(b"\xff\xd8\xff\xe0" + bytes(100))
    for name, reason in (("logo.png", "binary file (PNG image)"), ("page", "binary file (JPEG image)")):
        with pytest.raises(ExtractionError) as info:
            walk([tmp_path / name])
        assert (info.value.path, info.value.reason) == (str(tmp_path / name), reason)


def test_a_walk_reads_pages_by_their_bytes_and_counts_what_it_leaves_out(tmp_path: Path) -> None:
    files = {
        "a/index.html": PAGE,
        "a/x.php": PAGE,
        "a/x.php?id=3": PAGE,
        "a/noext": PAGE,
        "a/packed": gzip.compress(PAGE),
        "a/feed.jsonl": b'{"id": "1", "body": "b"}\n',
        "a/export.txt": b"Title\n\nBody.",
        "a/logo.png": b"\x89PNG\r\n\x1a\n" + bytes(10),
        "a/site.css": b"body{}",
        "a/app.js": b"var x;",
        "a/robots.txt": b"User-agent: *",
        "a/empty": b"",
    }
    for rel, data in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(data)
    found = walk([tmp_path / "a"])
    assert sorted(p.name for p, _ in found.files) == sorted(
        ["index.html", "x.php", "x.php?id=3", "noext", "packed", "feed.jsonl", "export.txt"]
    )
    assert found.not_pages == {"images": 1, "styles": 1, "scripts": 1, "site files": 1, "other files": 1}
    assert (found.failures, found.skipped) == ([], [])


def test_sniff_path_reads_a_bounded_head_and_never_blocks_on_a_fifo(tmp_path: Path) -> None:
    big = tmp_path / "big"
    big.write_bytes(PAGE + b" " * (10 * SNIFF_BYTES))
    assert sniff_path(big).kind == "html"
    fifo = tmp_path / "pipe"
    import os

    os.mkfifo(fifo)
    with pytest.raises(ExtractionError, match="named pipe"):
        sniff_path(fifo)
