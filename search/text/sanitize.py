"""Untrusted text made safe to keep and to show: control characters, broken Unicode, URLs, file names.

Three promises rest on this module (the README's "Safety" section):

* :func:`clean_text`: article text holds no control characters (C0 but tab and newline, DEL,
  C1), no terminal escape sequences and no lone surrogates. Ingest applies it to every field
  of every article, whatever the input kind, so stored text is clean by construction.
* :func:`safe_url`: a URL kept for an article or a link never has a script-bearing scheme
  (``javascript:``, ``data:``, ``vbscript:``...): only the schemes in :data:`URL_SCHEMES`, or
  none (a relative URL).
* :func:`clean_article` applies both, and the size limits of :mod:`search.limits`, to one
  article: what ingest does to every article before it is indexed.
* :func:`shown`: a file name, or any string, as a message or a terminal may show it: bytes that
  are not UTF-8 and control characters become ``\\xNN`` escapes, so a name can neither break
  an encoder nor drive the terminal.
"""

from __future__ import annotations

import os
import re

from .. import limits
from ..models import Article, Link
from .mojibake import repair_mojibake

#: Schemes a kept URL may have (``file:`` is how local pages are addressed).
URL_SCHEMES = frozenset({"http", "https", "ftp", "file"})

# Terminal escape sequences are removed whole, so no "[2J" or "]0;title" is left behind.
# CSI (ESC [ or 8-bit CSI), OSC and the other string controls up to their terminator (within
# 4,096 characters: an unterminated one loses only its introducer), then two-character escapes.
# An 8-bit string control takes its payload along only when that has no spaces: UTF-8 quotes
# read as Latin-1 ("\u201d" is "\xe2\x80\x9d") open and close one around a sentence, which must
# stay (the C1 controls themselves always go, so what is left is inert text).
_ESCAPE_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|\x1b[\]PX^_][^\x07\x1b\x9c]{0,4096}(?:\x07|\x1b\\|\x9c)"
    r"|[\x90\x98\x9d\x9e\x9f][^\x07\x1b\x9c\s]{0,4096}(?:\x07|\x1b\\|\x9c)"
    r"|\x1b[ -/]*[0-~]"
)
#: Characters text must not keep: C0 controls but tab and newline, DEL, C1 controls, surrogates.
_UNWANTED = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
_BLANK_LINE = re.compile(r"\n\s*\n")
_URL_DROPPED = re.compile(r"[\t\n\r]")  # as browsers do (WHATWG URL parsing)
# What `shown` escapes: controls (tab and newline too: a name is one line) and the surrogates
# that stand for undecodable bytes of a file name (os.fsdecode's surrogateescape).
_NOT_SHOWN = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def clean_text(text: str) -> str:
    """``text`` without control characters, escape sequences or lone surrogates.

    Line breaks become ``\\n`` (``\\r\\n`` and ``\\r`` included), vertical tab and form feed
    become spaces, a lone surrogate becomes U+FFFD, and a surrogate pair the character it
    encodes. Text with none of these is returned as it is (the common, fast case).
    """
    if not _UNWANTED.search(text):
        return text
    if _SURROGATE.search(text):
        # UTF-16 round trip: pairs join into their character, lone halves become U+FFFD.
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\x0b", " ").replace("\x0c", " ")
    return _CONTROL.sub("", _ESCAPE_SEQUENCE.sub("", text))


def safe_url(url: str) -> str:
    """``url`` cleaned as browsers read it, or ``""`` when it must not be kept.

    Dropped: URLs whose scheme is not in :data:`URL_SCHEMES` (``javascript:``, ``data:``,
    ``vbscript:``, ``mailto:``...), and URLs over MAX_URL_CHARS. Kept: http(s), ftp and file
    URLs and relative ones. Tabs and line breaks inside are removed and the ends stripped of
    spaces and controls first, as a browser does, so ``java\\nscript:`` is seen for what it is.
    """
    url = _URL_DROPPED.sub("", clean_text(url)).strip(" ")
    if len(url) > limits.MAX_URL_CHARS:
        return ""
    scheme = _SCHEME.match(url)
    if scheme and scheme.group(1).lower() not in URL_SCHEMES:
        return ""
    return url


def url_scheme(url: str) -> str:
    """The scheme of ``url`` in lower case ("" for none): to say why a URL was dropped."""
    found = _SCHEME.match(_URL_DROPPED.sub("", url).strip())
    return found.group(1).lower() if found else ""


def shown(value: str | os.PathLike[str]) -> str:
    """``value`` as a message, a log or a terminal may show it: one line of valid text.

    Control characters (tab and newline included) and the bytes of a file name that are not
    UTF-8 become ``\\xNN``. Distinct names stay distinct except in the unlikely case of a name
    that already spells such an escape.
    """
    text = os.fsdecode(value) if not isinstance(value, str) else value
    if not _NOT_SHOWN.search(text):
        return text
    return _NOT_SHOWN.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    if code > 0xFF:  # any other lone surrogate
        return f"\\u{code:04x}"
    return f"\\x{code:02x}"


def clean_article(article: Article) -> list[str]:
    """Make ``article`` safe to index, in place; returns a note for everything cut or dropped.

    Every text field is cleaned (:func:`clean_text`), title, body, description and link texts
    after their mojibake is repaired (:mod:`search.text.mojibake`); title and link texts are
    one line, the body is :func:`paragraphs`; URLs go through :func:`safe_url` (a link whose URL
    is dropped is dropped too, unless it names its target by title only); fields longer than
    their limit are cut, and links beyond MAX_LINKS are dropped. Ids keep every character but
    show controls as escapes.
    """
    notes: list[str] = []
    article.id = _cut(shown(article.id), limits.MAX_ID_CHARS, "id", notes)
    article.title = _cut(_one_line(repair_mojibake(article.title)), limits.MAX_TITLE_CHARS, "title", notes)
    article.body = _cut_body(paragraphs(clean_text(repair_mojibake(article.body))), notes)
    description = clean_text(repair_mojibake(article.description))
    article.description = _cut(description, limits.MAX_DESCRIPTION_CHARS, "description", notes)
    article.language = _cut(_one_line(article.language), limits.MAX_META_CHARS, "language", notes)
    article.published = _cut(_one_line(article.published), limits.MAX_META_CHARS, "published", notes)
    article.modified = _cut(_one_line(article.modified), limits.MAX_META_CHARS, "modified", notes)
    if article.url:
        url = safe_url(article.url)
        if not url:
            notes.append(_dropped_url("the article's URL", article.url))
        article.url = url
    if article.links:
        article.links = _clean_links(article, notes)
    return notes


def _clean_links(article: Article, notes: list[str]) -> list[Link]:
    kept: list[Link] = []
    unsafe: list[str] = []
    for link in article.links:
        url = safe_url(link.url) if link.url else ""
        if link.url and not url:
            unsafe.append(link.url)
            continue
        text = _one_line(repair_mojibake(link.text))[: limits.MAX_LINK_TEXT_CHARS]
        kept.append(link if (url, text) == (link.url, link.text) else Link(url=url, text=text, kind=link.kind))
    if unsafe:
        notes.append(_dropped_url(f"{len(unsafe)} link(s)", unsafe[0]))
    if len(kept) > limits.MAX_LINKS:
        notes.append(f"kept the first {limits.MAX_LINKS:,} of {len(kept):,} links (limit)")
        del kept[limits.MAX_LINKS :]
    return kept


def paragraphs(text: str) -> str:
    """``text`` in the shape of an article body: paragraphs (split at blank lines) of single
    spaces, one blank line between them."""
    if "\n" not in text and "  " not in text and text == text.strip() and text.isprintable():
        return text
    return "\n\n".join(p for p in (" ".join(part.split()) for part in _BLANK_LINE.split(text)) if p)


def _one_line(text: str) -> str:
    return " ".join(clean_text(text).split())


def _cut(text: str, limit: int, name: str, notes: list[str]) -> str:
    if len(text) <= limit:
        return text
    notes.append(f"{name} cut to {limit:,} characters (it had {len(text):,})")
    return text[:limit]


def _cut_body(body: str, notes: list[str]) -> str:
    """The body within MAX_BODY_CHARS, cut after the last whole paragraph (else word) that fits."""
    limit = limits.MAX_BODY_CHARS
    if len(body) <= limit:
        return body
    notes.append(f"body cut to {limit:,} characters (it had {len(body):,})")
    head = body[:limit]
    for boundary in ("\n\n", " "):
        at = head.rfind(boundary)
        if at > limit // 2:
            return head[:at].rstrip()
    return head


def _dropped_url(what: str, url: str) -> str:
    scheme = url_scheme(url)
    why = f"a {scheme}: URL" if scheme and scheme not in URL_SCHEMES else "a URL that is too long or empty"
    return f"dropped {what} with {why}"
