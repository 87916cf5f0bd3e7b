"""Sniffing: what a file is (page, text export, feed, or not a source) from its first bytes and its name.

Rules (the README's "What it reads"):

* Binary files are known by their magic number (PNG, JPEG, PDF, ZIP, fonts...), by NUL bytes
  (without a UTF-16/32 byte-order mark) or by a head that is mostly control bytes; their
  reason names the type: "binary file (PNG image)".
* Gzip is known by its magic number, whatever the name; the decompressed head is sniffed. A
  ``.gz`` name without the magic number is corrupt gzip data.
* Feeds (``.jsonl``) and text exports (``.txt``) are known by name, as before; a ``.txt``
  whose bytes open with HTML markup is read as a page (a saved page renamed by a tool).
  Well-known site files (``robots.txt``, ``ads.txt``...) are not articles.
* Everything else is a page when its bytes say so: after a byte-order mark, white space,
  comments and an XML declaration, it opens with a doctype or an HTML element (``<html``,
  ``<head``, ``<body``, ``<meta``, ``<div``...), or its head holds ``<!doctype html``,
  ``<html``, ``<head`` or ``<body`` somewhere (a server warning printed before the doctype).
  Names with ``.html``/``.htm``/``.xhtml`` are pages unless their bytes are binary; names of
  assets (``.png``, ``.css``, ``.js``, ``.pdf``, fonts...) never are, whatever they hold (an
  HTML error page saved under an image's name is no article).

:func:`sniff` never raises, whatever the bytes; :func:`search.ingest.sources.sniff_path` reads
at most :data:`SNIFF_BYTES` through :func:`~search.ingest.sources.open_source` (never blocking).
"""

from __future__ import annotations

import codecs
import re
import zlib
from dataclasses import dataclass

#: Bytes of a file's head read to sniff it (decompressed bytes too, for gzip).
SNIFF_BYTES = 8192

#: (magic bytes at offset 0, what it is, the category it is counted under when left out).
_MAGIC: tuple[tuple[bytes, str, str], ...] = (
    (b"\x89PNG", "PNG image", "images"),
    (b"\xff\xd8\xff", "JPEG image", "images"),
    (b"GIF87a", "GIF image", "images"),
    (b"GIF89a", "GIF image", "images"),
    (b"II*\x00", "TIFF image", "images"),
    (b"MM\x00*", "TIFF image", "images"),
    (b"\x00\x00\x01\x00", "icon", "images"),
    (b"%PDF", "PDF document", "documents"),
    (b"\xd0\xcf\x11\xe0", "MS Office document", "documents"),
    (b"PK\x03\x04", "ZIP archive", "archives"),
    (b"PK\x05\x06", "ZIP archive", "archives"),
    (b"\xfd7zXZ", "xz archive", "archives"),
    (b"7z\xbc\xaf", "7-Zip archive", "archives"),
    (b"Rar!\x1a\x07", "RAR archive", "archives"),
    (b"\x28\xb5\x2f\xfd", "zstd archive", "archives"),
    (b"wOFF", "WOFF font", "fonts"),
    (b"wOF2", "WOFF2 font", "fonts"),
    (b"OTTO\x00", "OpenType font", "fonts"),
    (b"\x00\x01\x00\x00\x00", "TrueType font", "fonts"),
    (b"OggS\x00", "Ogg media", "media"),
    (b"fLaC", "FLAC audio", "media"),
    (b"\x1a\x45\xdf\xa3", "WebM video", "media"),
    (b"\x7fELF", "executable", "programs"),
    (b"\x00asm", "WebAssembly module", "programs"),
    (b"\xca\xfe\xba\xbe", "Java class", "programs"),
    (b"SQLite format 3\x00", "SQLite database", "data"),
)
#: Short magic numbers, with the bytes after them that make them certain.
_WEAK_MAGIC = re.compile(rb"BZh[1-9]1AY&SY|ID3[\x02-\x04]\x00", re.DOTALL)
_GZIP_MAGIC = b"\x1f\x8b"
#: Byte-order marks and their codecs (UTF-32 before UTF-16: its LE mark starts with UTF-16's).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
#: Control bytes other than tab, newline, vertical tab, form feed, carriage return and escape.
_CONTROL = bytes(range(0x09)) + bytes(range(0x0E, 0x1B)) + bytes(range(0x1C, 0x20)) + b"\x7f"
#: Elements a page (or a page fragment saved as a file) may open with.
_HTML_TAGS = frozenset(
    [
        "html",
        "head",
        "body",
        "meta",
        "title",
        "link",
        "base",
        "style",
        "script",
        "noscript",
        "div",
        "p",
        "span",
        "a",
        "table",
        "tr",
        "td",
        "ul",
        "ol",
        "li",
        "dl",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "footer",
        "nav",
        "main",
        "article",
        "section",
        "aside",
        "form",
        "input",
        "img",
        "br",
        "hr",
        "center",
        "font",
        "b",
        "i",
        "u",
        "em",
        "strong",
        "iframe",
        "frameset",
        "frame",
        "pre",
        "blockquote",
        "figure",
        "template",
        "button",
        "label",
        "select",
        "textarea",
        "small",
        "big",
        "tt",
        "sup",
        "sub",
        "abbr",
        "address",
    ]
)
_LEADING = re.compile(rb"\s*(?:<!--.*?-->\s*|<\?xml[^>]*\?>\s*|<\?[^>]*\?>\s*)*", re.DOTALL)
_OPENING = re.compile(rb"<(!doctype\s+html|[a-z][a-z0-9]*)(?=[\s/>]|$)", re.IGNORECASE)
_ANYWHERE = re.compile(rb"<(?:!doctype\s+html|html|head|body)(?=[\s/>])", re.IGNORECASE)
#: Names that say a file is not a page, whatever it holds (a server's HTML error page saved as
#: ``logo.png`` is no article), and the category a file left out is counted under.
_NOT_PAGE_SUFFIXES: dict[str, str] = {
    **dict.fromkeys((".js", ".mjs", ".cjs", ".ts", ".map"), "scripts"),
    **dict.fromkeys((".css", ".scss", ".less"), "styles"),
    **dict.fromkeys((".json", ".xml", ".rss", ".atom", ".csv", ".tsv", ".yaml", ".yml", ".webmanifest"), "data"),
    **dict.fromkeys((".svg", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".ico", ".bmp", ".avif"), "images"),
    **dict.fromkeys((".woff", ".woff2", ".ttf", ".otf", ".eot"), "fonts"),
    **dict.fromkeys((".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".odt", ".rtf", ".epub"), "documents"),
    **dict.fromkeys((".zip", ".tar", ".tgz", ".7z", ".rar", ".xz", ".bz2"), "archives"),
    **dict.fromkeys((".mp3", ".mp4", ".m4a", ".webm", ".ogg", ".wav", ".avi", ".mov"), "media"),
}
_PAGE_SUFFIXES = (".html", ".htm", ".xhtml")
_FEED_SUFFIXES = (".jsonl",)
_TEXT_SUFFIXES = (".txt",)
#: Plain-text files sites publish for robots and tools: never articles.
_SITE_FILES = frozenset({"robots.txt", "humans.txt", "ads.txt", "app-ads.txt", "security.txt", "llms.txt"})


@dataclass(frozen=True)
class Sniff:
    """What a file is. ``kind`` is "html", "text" or "jsonl" for a source, None otherwise; then
    ``reason`` says why ("binary file (PNG image)") and ``category`` what it is counted as when
    a walk leaves it out ("images", "scripts", "styles"...). ``gzip``: the bytes are gzipped."""

    kind: str | None
    gzip: bool = False
    reason: str = ""
    category: str = ""
    binary: bool = False


def _base_name(name: str) -> str:
    """The lower-cased file name without ``.gz`` and without a query part (``x.css?v=3``)."""
    lower = name.lower()
    lower = lower.removesuffix(".gz")
    return lower.split("?", 1)[0]


def named_kind(name: str) -> str | None:
    """The kind a file's name alone gives: "jsonl", "text" or "html" (``.gz`` allowed), else None."""
    base = _base_name(name)
    if base.endswith(_FEED_SUFFIXES):
        return "jsonl"
    if base.endswith(_TEXT_SUFFIXES):
        return None if base.rsplit("/", 1)[-1] in _SITE_FILES else "text"
    if base.endswith(_PAGE_SUFFIXES):
        return "html"
    return None


def category_by_name(name: str) -> str | None:
    """The category a file is left out under when its name alone says it is no page
    (``.png``: "images", ``robots.txt``: "site files"), else None."""
    base = _base_name(name)
    leaf = base.rsplit("/", 1)[-1]
    if leaf in _SITE_FILES:
        return "site files"
    return _NOT_PAGE_SUFFIXES.get("." + leaf.rsplit(".", 1)[-1]) if "." in leaf else None


def maybe_page(name: str) -> bool:
    """False when the name alone says the file is no source (``.png``, ``.css``, ``robots.txt``)."""
    base = _base_name(name)
    leaf = base.rsplit("/", 1)[-1]
    suffix = "." + leaf.rsplit(".", 1)[-1] if "." in leaf else ""
    return leaf not in _SITE_FILES and suffix not in _NOT_PAGE_SUFFIXES


def binary_reason(head: bytes) -> tuple[str, str] | None:
    """``(reason, category)`` when ``head`` is the start of a binary file, else None."""
    head = head[:SNIFF_BYTES]
    for magic, what, category in _MAGIC:
        if head.startswith(magic):
            return f"binary file ({what})", category
    if head[:4] == b"RIFF" and head[8:12] in (b"WEBP", b"WAVE", b"AVI "):
        what = {b"WEBP": "WebP image", b"WAVE": "WAV audio", b"AVI ": "AVI video"}[head[8:12]]
        return f"binary file ({what})", "images" if what.endswith("image") else "media"
    if _WEAK_MAGIC.match(head):
        return (
            ("binary file (bzip2 archive)", "archives")
            if head.startswith(b"BZ")
            else ("binary file (MP3 audio)", "media")
        )
    if head[4:8] == b"ftyp":
        return "binary file (MP4 media)", "media"
    if byte_order_mark(head) is not None:
        return None
    if b"\x00" in head:
        return "binary file (NUL bytes, not text)", "other files"
    if head and (len(head) - len(head.translate(None, _CONTROL))) * 10 > len(head):  # (counted in C)
        return "binary file (not text)", "other files"
    return None


def _text_head(head: bytes) -> bytes:
    """The head as ASCII-compatible bytes (UTF-16/32 decoded by their byte-order mark)."""
    mark = byte_order_mark(head)
    if mark is None:
        return head
    codec, length = mark
    if codec == "utf-8":
        return head[length:]
    return head[length:].decode(codec, errors="replace").encode("utf-8", errors="replace")


def byte_order_mark(data: bytes) -> tuple[str, int] | None:
    """The codec ``data``'s byte-order mark names and the mark's length, or None without one
    (the one reader of byte-order marks: sniffing and decoding both ask it)."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return codec, len(bom)
    return None


def looks_like_html(head: bytes, *, anywhere: bool = True) -> bool:
    """True when the bytes open with HTML markup (after white space, comments and an XML
    declaration), or, with ``anywhere``, hold ``<html``, ``<head`` or ``<body`` in the head."""
    text = _text_head(head[:SNIFF_BYTES])
    start = _LEADING.match(text)
    rest = text[start.end() :] if start else text
    opening = _OPENING.match(rest)
    if opening is not None:
        tag = opening.group(1).lower()
        if tag.startswith(b"!doctype") or tag.decode("ascii", "replace") in _HTML_TAGS:
            return True
    return anywhere and _ANYWHERE.search(text) is not None


def gunzip_head(data: bytes) -> bytes | None:
    """Up to SNIFF_BYTES of what gzipped ``data`` holds (a truncated stream gives what it has),
    None when it is not gzip data at all."""
    try:
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data, SNIFF_BYTES)
    except zlib.error:
        return None


def sniff(head: bytes, name: str) -> Sniff:
    """What a file whose first bytes are ``head`` and whose name is ``name`` is; never raises."""
    gz = head.startswith(_GZIP_MAGIC)
    if not gz and name.lower().endswith(".gz"):
        return Sniff(None, False, "corrupt gzip data", "archives", binary=True)
    if gz:
        inner = gunzip_head(head)
        if inner is None:
            return Sniff(None, True, "corrupt gzip data", "archives", binary=True)
        head = inner
    base = _base_name(name)
    suffix = "." + base.rsplit(".", 1)[-1] if "." in base.rsplit("/", 1)[-1] else ""
    binary = binary_reason(head)
    if binary is not None:
        reason, category = binary
        return Sniff(None, gz, reason, _NOT_PAGE_SUFFIXES.get(suffix, category), binary=True)
    kind = named_kind(name)
    if kind == "jsonl":
        return Sniff("jsonl", gz)
    if kind == "text":
        return Sniff("html" if looks_like_html(head, anywhere=False) else "text", gz)
    if base.rsplit("/", 1)[-1] in _SITE_FILES:
        return Sniff(None, gz, "not a page (a file for robots and tools)", "site files")
    if kind is None and suffix in _NOT_PAGE_SUFFIXES:  # an error page saved as logo.png is no article
        return Sniff(None, gz, f"not a page (a {suffix} file)", _NOT_PAGE_SUFFIXES[suffix])
    if kind == "html" or looks_like_html(head):
        return Sniff("html", gz)
    if not head.strip():
        return Sniff(None, gz, "empty file", "other files")
    category = _NOT_PAGE_SUFFIXES.get(suffix, "other files")
    return Sniff(None, gz, "not a page (no HTML markup; text exports are read from .txt, feeds from .jsonl)", category)
