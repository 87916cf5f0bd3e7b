"""Ingestion: read scraped health pages, plain-text exports and JSONL feeds into clean Article records.

Entry points: :func:`iter_file` reads one file of any supported kind (HTML, text export, JSONL,
each optionally gzipped) and yields clean articles, :class:`~search.errors.ExtractionError`
values for what failed and :class:`~search.models.Notice` values for what a limit cut (never
raising); :func:`extract` parses one HTML page. Finding the files is :mod:`search.sources`,
feeds are :mod:`search.feeds`, the main-content extractor is :mod:`search.extraction`. Every
article leaves this module through :func:`search.sanitize.clean_article`.
"""

from __future__ import annotations

import codecs
import gzip
import io
import logging
import os
import re
import zlib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from charset_normalizer import from_bytes

from . import limits
from .errors import ExtractionError
from .extraction import collapse, extract_article
from .feeds import iter_jsonl
from .limits import size_text
from .models import Article, Link, LinkKind, Notice
from .extraction.profiles import SiteProfile
from .sanitize import clean_article, shown
from .sources import SUPPORTED_SUFFIXES, UNSUPPORTED_MESSAGE, open_source, read_failure, source_key, source_kind

logger = logging.getLogger(__name__)

_SNIFF_BYTES = 8192
_BINARY_MAGIC = (  # PNG, PDF, ZIP (and docx/xlsx), GIF, JPEG, gzip, xz, 7z, ELF
    b"\x89PNG", b"%PDF", b"PK\x03\x04", b"GIF87a", b"GIF89a", b"\xff\xd8\xff", b"\x1f\x8b",
    b"\xfd7zXZ", b"7z\xbc\xaf", b"\x7fELF",
)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_DECLARED_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:\-]+)"""
    rb"""|<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9._:\-]+)""",
    re.I,
)
# Valid UTF-8 multi-byte sequences: their presence next to invalid bytes means "mostly UTF-8".
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
_LATIN_SINGLE_BYTE = frozenset(
    "cp1250 cp1252 cp1254 cp1257 latin_1 iso8859_2 iso8859_3 iso8859_4 iso8859_9 iso8859_10 "
    "iso8859_13 iso8859_14 iso8859_15 iso8859_16 cp775 cp850 cp852 cp858 cp437 mac_latin2 "
    "mac_roman mac_iceland mac_turkish ascii".split()
)
_WESTERN_LANGUAGES = frozenset(
    "English French German Spanish Portuguese Italian Dutch Danish Swedish Norwegian Finnish "
    "Unknown".split()
) | {""}
_PREFERRED_CODECS = ("cp1251", "cp1250", "cp1253", "cp1254", "cp1255", "cp1256", "cp1257")
_LINK_LINE = re.compile(r"^(<<|>>):\s*(.*\S)\s*$")
_START_TAG = re.compile(rb"<[A-Za-z]")
_SNIPPET_END = ("...", "…")


def _cp1252_fallback(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: decode the offending bytes as cp1252 (mixed UTF-8/cp1252 pages)."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start:error.end]
    return bad.decode("cp1252", errors="replace"), error.end


codecs.register_error("healthsearch-cp1252", _cp1252_fallback)


# --------------------------------------------------------------------------------------------
# decoding


def decode_html(data: bytes) -> str:
    """Decode page bytes: BOM, then a declared charset that decodes cleanly, else detection.

    Bytes that are valid UTF-8 with multi-byte characters are read as UTF-8 even when the
    page declares a legacy charset (a common server mistake). Mostly-UTF-8 bytes with a few
    stray cp1252 bytes keep both readable. Never raises; the last resort is UTF-8 with
    replacement characters.
    """
    return _decode(data, declared=True)


def _decode(data: bytes, declared: bool) -> str:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(codec, errors="replace")
    try:
        utf8: str | None = data.decode("utf-8")
    except UnicodeDecodeError:
        utf8 = None
    declared_codec = _declared_codec(data[:16384]) if declared else None
    if declared_codec and not (utf8 is not None and _UTF8_MULTIBYTE.search(data)):
        # (valid UTF-8 with multi-byte characters is UTF-8, whatever the page claims)
        try:
            return data.decode(declared_codec)
        except UnicodeDecodeError:
            logger.debug("declared charset %s does not fit the bytes; detecting", declared_codec)
    if utf8 is not None:
        return utf8
    if _UTF8_MULTIBYTE.search(data):  # mostly UTF-8 with a few stray legacy bytes
        return data.decode("utf-8", errors="healthsearch-cp1252")
    guessed = _detect_codec(data)
    try:
        return data.decode(guessed or "utf-8", errors="replace")
    except LookupError:
        return data.decode("utf-8", errors="replace")


def _declared_codec(head: bytes) -> str | None:
    """The charset a page declares, as a Python codec name, or None when absent or unknown."""
    match = _DECLARED_CHARSET.search(head)
    if not match:
        return None
    label = (match.group(1) or match.group(2)).decode("ascii", "ignore").strip().lower()
    if label in ("iso-8859-1", "latin1", "latin-1", "us-ascii", "ascii", "iso8859-1"):
        label = "cp1252"  # as browsers do (WHATWG encoding standard)
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    if name.startswith(("utf-16", "utf-32")):
        return "utf-8"  # an ASCII-readable declaration cannot be UTF-16; browsers use UTF-8
    return name


def _detect_codec(data: bytes) -> str | None:
    """Guess a legacy encoding with charset-normalizer, preferring the common Windows code pages.

    Short Western texts often come back as cp1250 or a DOS/Mac code page scoring the same as
    cp1252; cp1252 (the web's most common legacy encoding) wins those ties, and cp1251 beats
    the Mac Cyrillic page likewise.
    """
    results = from_bytes(data[:200_000])
    best = results.best()
    if best is None:
        return None
    close = {match.encoding for match in results if match.chaos <= best.chaos + 0.05}
    if "cp1252" in close:
        return "cp1252"
    if best.encoding in _LATIN_SINGLE_BYTE and best.language in _WESTERN_LANGUAGES:
        return "cp1252"
    for codec in _PREFERRED_CODECS:
        if codec in close:
            return codec
    return best.encoding


# --------------------------------------------------------------------------------------------
# HTML pages


def extract(html: str | bytes, url: str | None = None, profiles: Sequence[SiteProfile] = ()) -> Article:
    """Parse one HTML page into a clean Article (title, body, url, links, metadata).

    ``id`` is a slug of the canonical URL's last path segment ("" without any URL) and
    ``source`` is empty; :func:`iter_file` fills both from the file path. ``profiles`` are
    optional site profiles (:mod:`search.profiles`). What the limits cut is logged.
    """
    if isinstance(html, (bytes, bytearray)):
        html = decode_html(bytes(html))
    article = extract_article(html, url, profiles)
    for note in clean_article(article):
        logger.info("%s: %s", shown(url or "page"), note)
    return article


def body_text(html: str, url: str | None = None) -> str:
    """Benchmark adapter for ``eval_extract.py``: the extracted body text only."""
    return extract(html, url).body


# --------------------------------------------------------------------------------------------
# plain-text exports


def parse_text_export(text: str) -> Article:
    """Parse the plain-text export shape: title line, paragraphs, prev/next lines, Recommend box.

    Text exports carry no URLs, so every link has ``url=""`` and the linked title as text.
    The truncated snippets of the "Recommend" section never enter the body.
    """
    lines = [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    title = ""
    paragraphs: list[str] = []
    links: list[Link] = []
    current: list[str] = []

    def end_paragraph() -> None:
        if current:
            paragraphs.append(collapse(" ".join(current)))
            current.clear()

    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        link = _LINK_LINE.match(line)
        if link:
            end_paragraph()
            links.append(_pager_link(link))
        elif not line:
            end_paragraph()
        elif line == "Recommend":
            end_paragraph()
            i = _read_recommend(lines, i, links)
        elif not title:
            title = collapse(line)
        else:
            current.append(line)
    end_paragraph()
    return Article(id="", title=title, body="\n\n".join(paragraphs), links=_dedupe(links))


def _read_recommend(lines: list[str], i: int, links: list[Link]) -> int:
    """Read "title / snippet..." pairs after a Recommend line; return where body text resumes."""
    while i < len(lines):
        line = lines[i]
        if not line:
            i += 1
            continue
        link = _LINK_LINE.match(line)
        if link:
            links.append(_pager_link(link))
            i += 1
            continue
        following = next((j for j in range(i + 1, len(lines)) if lines[j]), None)
        if following is not None and lines[following].endswith(_SNIPPET_END):
            links.append(Link(url="", text=collapse(line), kind="related"))
            i = following + 1
        elif line.endswith(_SNIPPET_END):
            i += 1  # an orphan snippet
        else:
            break
    return i


def _pager_link(match: re.Match[str]) -> Link:
    kind: LinkKind = "prev" if match.group(1) == "<<" else "next"
    return Link(url="", text=collapse(match.group(2)), kind=kind)


def _dedupe(links: Iterable[Link]) -> list[Link]:
    seen: set[tuple[str, str, str]] = set()
    out = []
    for link in links:
        key = (link.url, link.text if not link.url else "", link.kind)
        if key not in seen:
            seen.add(key)
            out.append(link)
    return out


# --------------------------------------------------------------------------------------------
# files


def article_id(path: Path, root: Path | None = None) -> str:
    """``path`` relative to ``root`` (POSIX separators) without ``.gz`` and the kind extension."""
    rel = path.name
    if root is not None:
        try:
            rel = path.relative_to(root).as_posix()
        except ValueError:
            rel = path.name
    lower = rel.lower()
    if lower.endswith(".gz"):
        rel, lower = rel[:-3], lower[:-3]
    for suffix in SUPPORTED_SUFFIXES:
        if lower.endswith(suffix):
            return rel[: -len(suffix)]
    return rel


def iter_file(
    path: Path, root: Path | None = None, profiles: Sequence[SiteProfile] = ()
) -> Iterator[Article | ExtractionError | Notice]:
    """Read one source file into clean articles, the failures (ExtractionError) and what the
    limits cut (Notice), in order; never raises. ``source`` is :func:`~search.sources.source_key`."""
    name = shown(path)
    kind = source_kind(path)
    if kind is None:
        yield ExtractionError(UNSUPPORTED_MESSAGE, path=name)
        return
    source = source_key(path)
    if kind == "jsonl":
        if _is_empty(path):
            yield ExtractionError("empty file", path=name)
            return
        for item in iter_jsonl(path):
            if isinstance(item, ExtractionError):
                yield item
                continue
            number, article = item
            article.source = source
            yield from _cleaned(article, f"{name}:{number}")
        return
    try:
        data = _read_limited(path)
        _check_text(data)
        article = _article_from_bytes(data, kind, path, profiles)
    except ExtractionError as exc:
        yield ExtractionError(exc.reason, path=name)
        return
    article.id = article_id(path, root)
    article.source = source
    yield from _cleaned(article, name)


def _cleaned(article: Article, where: str) -> Iterator[Article | Notice]:
    for note in clean_article(article):
        yield Notice(where, note)
    yield article


def _article_from_bytes(data: bytes, kind: str, path: Path, profiles: Sequence[SiteProfile]) -> Article:
    if kind == "html":
        _check_tags(data)
        try:
            article = extract_article(decode_html(data), url=Path(os.path.realpath(path)).as_uri(), profiles=profiles)
        except Exception as exc:  # a safety net: one odd page must not stop a batch
            logger.warning("%s: extraction failed", shown(path), exc_info=True)
            raise ExtractionError(shown(f"extraction failed ({type(exc).__name__}: {exc})"[:200])) from None
        if not article.title and not article.body:
            raise ExtractionError("no article text found")
        return article
    article = parse_text_export(_decode(data, declared=False))
    if not article.title:
        raise ExtractionError("no article text found")
    return article


def _check_tags(data: bytes) -> None:
    """Refuse pages with more than MAX_HTML_TAGS start tags (parsing cost grows with them)."""
    limit = limits.MAX_HTML_TAGS
    if data.count(b"<") <= limit:
        return
    count = sum(1 for _ in _START_TAG.finditer(data))
    if count > limit:
        raise ExtractionError(f"too many HTML elements ({count:,}; the limit is {limit:,})")


def _is_empty(path: Path) -> bool:
    try:
        return path.stat().st_size == 0
    except OSError:
        return False  # iter_jsonl reports why it cannot be read


def _read_limited(path: Path) -> bytes:
    """File bytes (decompressed when ``.gz``), refusing empty and oversized files unread."""
    limit = limits.MAX_FILE_BYTES
    with open_source(path) as handle:
        try:
            size = os.fstat(handle.fileno()).st_size
            if size > limit:
                raise ExtractionError(f"file too large ({size_text(size)} > {size_text(limit)} limit)")
            if size == 0:
                raise ExtractionError("empty file")
            data = handle.read(limit + 1)
        except OSError as exc:
            raise ExtractionError(read_failure(exc)) from None
    if path.name.lower().endswith(".gz"):
        data = _gunzip_limited(data)
    if not data:
        raise ExtractionError("empty file")
    return data


def _gunzip_limited(data: bytes) -> bytes:
    """Decompress gzip data (all members) without ever holding more than the size limit."""
    limit = limits.MAX_FILE_BYTES
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            out = stream.read(limit + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise ExtractionError("truncated gzip data" if isinstance(exc, EOFError) else "corrupt gzip data") from None
    if len(out) > limit:
        raise ExtractionError(f"file too large (decompressed size > {size_text(limit)} limit)")
    return out


def _check_text(data: bytes) -> None:
    head = data[:_SNIFF_BYTES]
    if head.startswith(_BINARY_MAGIC):
        raise ExtractionError("binary file, not text")
    if b"\x00" in head and not head.startswith(tuple(bom for bom, _ in _BOMS)):
        raise ExtractionError("binary file, not text")
