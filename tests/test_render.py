"""Renderers: snippets as HTML and for terminals, JSON, and every string printed, for any input."""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from search.models import Snippet
from search.render import (
    TERMINAL_MARK,
    marked,
    snippet_html,
    snippet_terminal,
    terminal_lines,
    terminal_text,
    to_json,
)

CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")


@st.composite
def snippets(draw: st.DrawFn) -> Snippet:
    """Any text (control characters, markup, entities and all) with valid sorted spans."""
    text = draw(st.text(alphabet=st.one_of(st.characters(blacklist_categories=("Cs",)),
                                           st.sampled_from(list("<>&\"'\x1b\x9b\n"))), max_size=60))
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=8, unique=True)))
    spans = tuple((a, b) for a, b in zip(cuts[::2], cuts[1::2]) if a < b)
    return Snippet(text, spans)


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.text: list[str] = []
        self.marked: list[str] = []
        self._open = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self._open = True
        self.marked.append("")

    def handle_endtag(self, tag: str) -> None:
        self.tags.append("/" + tag)
        self._open = False

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._open:
            self.marked[-1] += data

    def handle_comment(self, data: str) -> None:
        self.tags.append("comment")

    def handle_decl(self, decl: str) -> None:
        self.tags.append("decl")

    def handle_pi(self, data: str) -> None:
        self.tags.append("pi")


@settings(max_examples=500, deadline=None)
@given(snippets())
def test_snippet_html_holds_only_mark_elements_around_the_spans(snippet: Snippet) -> None:
    out = snippet_html(snippet)
    parser = _Elements()
    parser.feed(out)
    parser.close()
    assert parser.tags == ["mark", "/mark"] * len(snippet.highlights)
    assert "".join(parser.text) == snippet.text
    assert parser.marked == [snippet.text[a:b] for a, b in snippet.highlights]
    assert html.unescape(re.sub("</?mark>", "", out)) == snippet.text
    assert "<script" not in out.lower() and '"' not in re.sub("</?mark>", "", out)


def test_escaped_markup_in_page_text_stays_text() -> None:
    """Issue 10 row 1: page text reading <script>alert(1)</script> (escaped in the page)."""
    text = "Flu <script>alert(1)</script> and a & b < c influenza"
    start = text.index("influenza")
    out = snippet_html(Snippet(text, ((0, 3), (start, start + 9))))
    assert out == "<mark>Flu</mark> &lt;script&gt;alert(1)&lt;/script&gt; and a &amp; b &lt; c <mark>influenza</mark>"


@settings(max_examples=500, deadline=None)
@given(snippets(), st.integers(20, 120), st.booleans())
def test_terminal_snippets_carry_no_control_characters_but_the_marks(snippet: Snippet, width: int, color: bool) -> None:
    out = snippet_terminal(snippet, width=width, indent="   ", color=color)
    plain = out.replace(TERMINAL_MARK[0], "").replace(TERMINAL_MARK[1], "")
    assert not CONTROL.search(plain.replace("\n", ""))
    if not color:
        assert plain == out
    if snippet.highlights and color and not CONTROL.search(snippet.text):
        assert out.count(TERMINAL_MARK[0]) == len(snippet.highlights)


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_terminal_text_is_one_safe_line(text: str) -> None:
    out = terminal_text(text)
    assert not CONTROL.search(out)
    assert "\n" not in terminal_text(text) and all(not CONTROL.search(line) for line in terminal_lines(text).split("\n"))


def test_terminal_text_shows_escapes() -> None:
    assert terminal_text("title \x1b]0;pwned\x07 x") == "title \\x1b]0;pwned\\x07 x"
    assert terminal_text("a\nb\tc\x9b") == "a\\x0ab\tc\\x9b"
    assert terminal_lines("a\nb\x1b") == "a\nb\\x1b"


@settings(max_examples=300, deadline=None)
@given(st.recursive(st.one_of(st.text(), st.integers(), st.none()),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)))
def test_json_output_is_valid_and_has_no_raw_controls(data: object) -> None:
    out = to_json(data)
    assert json.loads(out) == data
    assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]", out)


def test_marked_with_other_markers() -> None:
    assert marked(Snippet("a b c", ((2, 3),)), "[", "]") == "a [b] c"
    assert marked(Snippet("<x>", ((0, 3),)), "*", "*", html.escape) == "*&lt;x&gt;*"
