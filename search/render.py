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
import textwrap
from collections.abc import Callable

from .models import Snippet

#: ANSI SGR codes around a highlighted word in a terminal (bold yellow), and the reset.
TERMINAL_MARK = ("\x1b[1;33m", "\x1b[0m")

_JSON_UNSAFE = re.compile(r"[\x7f-\x9f\u2028\u2029]")  # json.dumps escapes C0, not these
_TERMINAL_UNSAFE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029]")
# Two noncharacters stand for the marks while text is wrapped (removed from the text first).
_OPEN, _CLOSE = "\ufdd0", "\ufdd1"


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
    (``color``) or left plain; safe to print."""
    clean = Snippet(terminal_text(snippet.text.replace(_OPEN, "").replace(_CLOSE, "")), ())
    if len(clean.text) == len(snippet.text):
        clean = Snippet(clean.text, snippet.highlights)  # same offsets: keep the highlights
    wrapped = textwrap.fill(
        marked(clean, _OPEN, _CLOSE), width=width, initial_indent=indent, subsequent_indent=indent,
        break_on_hyphens=False,
    )
    on, off = TERMINAL_MARK if color else ("", "")
    return wrapped.replace(_OPEN, on).replace(_CLOSE, off)
