"""Rendering for people: snippets as safe HTML or for a terminal, from their text and highlight spans.

The library returns plain text everywhere (titles, URLs, snippet text) plus the spans of the
matched words; markup is added only here, at the moment of rendering, and the text around it
is escaped first. So a page whose text reads ``<script>`` can never become markup, whatever
front end shows it, and nothing printed to a terminal can carry control characters.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from collections.abc import Callable

from .models import Snippet

#: ANSI SGR codes around a highlighted word in a terminal (bold yellow), and the reset.
TERMINAL_MARK = ("\x1b[1;33m", "\x1b[0m")

_JSON_UNSAFE = re.compile(r"[\x7f-\x9f\u2028\u2029]")  # json.dumps escapes C0, not these
_TERMINAL_UNSAFE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029]")
_SPACES = str.maketrans("\t\n\x0b\x0c\r", "     ")
_WORD = re.compile(r"[^\t\n\x0b\x0c\r ]+")  # what wrapping keeps together (it breaks at ASCII white space)


def snippet_html(snippet: Snippet, tag: str = "mark") -> str:
    """The snippet as HTML: its text escaped, each highlight inside ``<tag>...</tag>``.

    Safe to insert as element content (and in a quoted attribute value): the only markup in
    the result is the highlight tags.
    """
    return marked(snippet, f"<{tag}>", f"</{tag}>", escape_html)


def escape_html(text: str) -> str:
    """``text`` escaped for HTML element content and quoted attribute values."""
    return html.escape(text, quote=True)


def marked(snippet: Snippet, start: str, end: str, escape: Callable[[str], str] = str) -> str:
    """The snippet's text with ``start``/``end`` around each highlight; every stretch of the
    text goes through ``escape`` first."""
    fn = escape
    out: list[str] = []
    cursor = 0
    text = snippet.text
    for a, b in snippet.highlights:
        out.append(fn(text[cursor:a]))
        out.append(start + fn(text[a:b]) + end)
        cursor = b
    out.append(fn(text[cursor:]))
    return "".join(out)


def to_json(data: object, indent: int | None = 2) -> str:
    """``data`` as JSON text that is safe to print: non-ASCII letters kept readable, every
    control character (C0, DEL, C1) and line separator escaped as ``\\uXXXX``."""
    text = json.dumps(data, ensure_ascii=False, indent=indent)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def terminal_text(text: str) -> str:
    """``text`` as a terminal may show it: control characters (and line separators) become
    visible ``\\xNN`` escapes; tab stays. Text from the index is clean already: this is the
    last guard, applied to everything printed."""
    if not _TERMINAL_UNSAFE.search(text):
        return text
    return _TERMINAL_UNSAFE.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else
                                f"\\u{ord(m.group()):04x}", text)


def terminal_lines(text: str) -> str:
    """Like :func:`terminal_text`, but line breaks are kept (for multi-line output)."""
    return "\n".join(terminal_text(line) for line in text.split("\n"))


def snippet_terminal(snippet: Snippet, *, width: int, indent: str = "", color: bool = True) -> str:
    """The snippet wrapped to ``width`` columns for a terminal, highlights in bold yellow
    (``color``) or left plain; safe to print. Lines are measured on the text as it shows
    (:func:`display_width`), never on the marks."""
    return wrap_marked(snippet, width=width, indent=indent, marks=TERMINAL_MARK if color else ("", ""))


def wrap_marked(
    snippet: Snippet, *, width: int, marks: tuple[str, str], indent: str = "", subsequent_indent: str | None = None,
    split_long: bool = True,
) -> str:
    """The snippet wrapped to ``width`` columns as it shows, each line escaped for a terminal
    and its highlights between ``marks`` (terminal styles, closed on every line they cross);
    the first line starts with ``indent``, the others with ``subsequent_indent`` (default ``indent``)."""
    rest = indent if subsequent_indent is None else subsequent_indent
    on, off = marks
    lines: list[str] = []
    for a, b in wrap_ranges(snippet.text, width - max(display_width(indent), display_width(rest)), split_long=split_long):
        spans = tuple((max(x, a) - a, min(y, b) - a) for x, y in snippet.highlights if x < b and y > a)
        line = snippet.text[a:b].translate(_SPACES)  # same length: the spans still hold
        lines.append((rest if lines else indent) + marked(Snippet(line, spans), on, off, terminal_text))
    return "\n".join(lines)


def fill_terminal(
    text: str, *, width: int, indent: str = "", subsequent_indent: str | None = None, split_long: bool = True
) -> str:
    """Plain ``text`` wrapped to ``width`` columns as it shows, each line escaped for a terminal
    (indents and ``split_long`` as in :func:`wrap_marked` and :func:`wrap_ranges`)."""
    return wrap_marked(
        Snippet(text), width=width, marks=("", ""), indent=indent, subsequent_indent=subsequent_indent, split_long=split_long
    )


def char_width(char: str) -> int:
    """The columns ``char`` takes as :func:`terminal_text` shows it: 0 for combining marks and
    format characters, 2 for East Asian wide ones, the length of its escape for a control."""
    if _TERMINAL_UNSAFE.match(char):
        return len(terminal_text(char))
    if unicodedata.combining(char) or unicodedata.category(char) in ("Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def display_width(text: str) -> int:
    """The columns ``text`` takes in a terminal (see :func:`char_width`)."""
    if text.isascii() and text.isprintable():
        return len(text)
    return sum(char_width(c) for c in text)


def wrap_ranges(text: str, width: int, *, split_long: bool = True) -> list[tuple[int, int]]:
    """``(start, end)`` offsets of ``text``'s lines when wrapped to ``width`` columns (white space
    inside a line counted as spaces): breaks at white space (which is dropped there); a word wider than a line is split where it must, or
    (not ``split_long``: ids and URLs, which must copy whole) kept whole on a line of its own.
    An empty text is one empty line."""
    width = max(width, 1)
    lines: list[tuple[int, int]] = []
    start = end = used = 0  # the open line: text[start:end], ``used`` columns
    for match in _WORD.finditer(text):
        a, b = match.span()
        word = display_width(text[a:b])
        gap = a - end  # white space inside a line shows as that many spaces
        if end > start and used + gap + word <= width:
            end, used = b, used + gap + word
            continue
        if end > start:
            lines.append((start, end))
        start, end, used = a, a, 0
        if not split_long:
            end, used = b, word
            continue
        for i in range(a, b):  # the word opens a line; split it when it is wider than one
            w = char_width(text[i])
            if used + w > width and end > start:
                lines.append((start, end))
                start, used = end, 0
            end, used = i + 1, used + w
    lines.append((start, end))
    return lines
