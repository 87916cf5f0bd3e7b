"""Text hygiene: control characters, escape sequences, surrogates, URL schemes, names shown."""

from __future__ import annotations

import os
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search import limits
from search.models import Article, Link
from search.text.sanitize import (
    URL_SCHEMES,
    clean_article,
    clean_text,
    paragraphs,
    safe_url,
    shown,
)

UNWANTED = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("plain text", "plain text"),
        ("clear \x1b[2J screen", "clear  screen"),
        ("title \x1b]0;pwned\x07 here", "title  here"),
        ("link \x1b]8;;https://evil.example\x1b\\text\x1b]8;;\x1b\\", "link text"),
        ("8-bit \x9b31mred\x9b0m", "8-bit red"),
        ("osc 8-bit \x9d0;t\x9c end", "osc 8-bit  end"),
        # UTF-8 quotes read as Latin-1: the C1 bytes go, the sentence between them stays
        ("said \xe2\x80\x9dthe rest of a sentence \xe2\x80\x9cquoted", "said \xe2the rest of a sentence \xe2quoted"),
        ("keypad \x1b= mode", "keypad  mode"),
        ("bell\x07 nul\x00 del\x7f", "bell nul del"),
        ("vt\x0bff\x0c", "vt ff "),
        ("crlf\r\nand cr\r", "crlf\nand cr\n"),
        ("tab\tand newline\n", "tab\tand newline\n"),
        ("lone \ud800 half", "lone \ufffd half"),
        ("pair \ud83d\ude00", "pair \U0001f600"),
        ("unterminated \x1b]0;title", "unterminated 0;title"),
    ],
)
def test_clean_text(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(), max_size=80))
def test_clean_text_leaves_nothing_unwanted_and_is_idempotent(text: str) -> None:
    cleaned = clean_text(text)
    assert not UNWANTED.search(cleaned)
    cleaned.encode("utf-8")
    assert clean_text(cleaned) == cleaned


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "JAVASCRIPT:alert(1)", " javascript:x", "java\nscript:x", "java\tscript:x",
     "\x00javascript:x", "data:text/html,<script>alert(1)</script>", "vbscript:msgbox", "mailto:a@b.example",
     "blob:https://a.example/x", "x" * (limits.MAX_URL_CHARS + 1)],
)
def test_unsafe_urls_are_dropped(url: str) -> None:
    assert safe_url(url) == ""


@pytest.mark.parametrize(
    ("url", "kept"),
    [("https://a.example/x?y=1#z", "https://a.example/x?y=1#z"), ("HTTP://A.example", "HTTP://A.example"),
     ("/relative/path", "/relative/path"), ("page.html", "page.html"), ("file:///tmp/a.html", "file:///tmp/a.html"),
     ("  https://a.example/\n", "https://a.example/"), ("https://a.example/a\x1b[2Jb", "https://a.example/ab")],
)
def test_safe_urls_are_kept(url: str, kept: str) -> None:
    assert safe_url(url) == kept


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=40))
def test_safe_url_keeps_only_allowed_schemes(url: str) -> None:
    kept = safe_url(url)
    assert not UNWANTED.search(kept)
    scheme = re.match(r"([A-Za-z][A-Za-z0-9+.\-]*):", kept)
    assert scheme is None or scheme.group(1).lower() in URL_SCHEMES
    assert safe_url(kept) == kept


def test_shown_escapes_controls_and_undecodable_bytes() -> None:
    assert shown("plain/name.html") == "plain/name.html"
    assert shown(os.fsdecode(b"caf\xe9.html")) == "caf\\xe9.html"
    assert shown(b"caf\xe9.html".decode("utf-8", "surrogateescape")) == "caf\\xe9.html"
    assert shown("esc\x1b[2J\ttab\nline") == "esc\\x1b[2J\\x09tab\\x0aline"
    assert shown("\x9b") == "\\x9b"
    assert shown("lone\ud800") == "lone\\ud800"


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=30))
def test_shown_file_names_are_one_clean_line(name: bytes) -> None:
    text = shown(os.fsdecode(name))
    text.encode("utf-8")
    assert not re.search(r"[\x00-\x1f\x7f-\x9f]", text)


def test_paragraphs() -> None:
    assert paragraphs("  one\n two  \n\n\n three ") == "one two\n\nthree"
    assert paragraphs("single line") == "single line"
    assert paragraphs("") == ""


def test_clean_article_cleans_every_field() -> None:
    article = Article(
        id="id\x1b[2J",
        title="Title\x1b]0;x\x07\nmore",
        body="Body \x00text\r\n\r\nsecond\x9b1m",
        url="javascript:alert(1)",
        links=[Link("data:x", "d", "body"), Link("https://a.example/", "a\x07b", "next"), Link("", "By title", "prev")],
        description="desc\x1b[1m",
        language="en\x00",
        published="2024\x1b[0m-01-01",
    )
    notes = clean_article(article)
    assert (article.id, article.title, article.body, article.url) == ("id\\x1b[2J", "Title more", "Body text\n\nsecond", "")
    assert (article.description, article.language, article.published) == ("desc", "en", "2024-01-01")
    assert article.links == [Link("https://a.example/", "ab", "next"), Link("", "By title", "prev")]
    assert notes == ["dropped the article's URL with a javascript: URL", "dropped 1 link(s) with a data: URL"]


def test_long_fields_are_cut_at_boundaries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_BODY_CHARS", 30)
    monkeypatch.setattr(limits, "MAX_TITLE_CHARS", 5)
    article = Article(id="a", title="A long title", body="word " * 20)
    notes = clean_article(article)
    assert article.body == "word word word word word word"
    assert article.title == "A lon"
    assert notes == ["title cut to 5 characters (it had 12)", "body cut to 30 characters (it had 99)"]
