"""Ingestion: read scraped health pages, plain-text exports and JSONL feeds into Article records.

Entry points: :func:`iter_sources` finds the files, :func:`iter_file` reads one file of any
supported kind (HTML, text export, JSONL, each optionally gzipped) and yields articles or
:class:`~search.errors.ExtractionError` values (never raising), :func:`extract` parses one
HTML page (see :mod:`search.extraction` for the main-content extractor).
"""

from __future__ import annotations

import codecs
import gzip
import io
import json
import logging
import os
import re
import zlib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any, cast

from charset_normalizer import from_bytes

from .errors import ExtractionError
from .extraction import collapse, extract_article
from .profiles import SiteProfile
from .models import LINK_KINDS, Article, Link, LinkKind

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = 50 * 1024 * 1024
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
TEXT_SUFFIXES = (".txt",)
JSONL_SUFFIXES = (".jsonl",)
SUPPORTED_SUFFIXES = HTML_SUFFIXES + TEXT_SUFFIXES + JSONL_SUFFIXES
UNSUPPORTED_MESSAGE = "unsupported file type (expected .html, .htm, .txt, .jsonl, optionally .gz)"

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
    """Parse one HTML page into an Article (title, body, url, links, metadata).

    ``id`` is a slug of the canonical URL's last path segment ("" without any URL) and
    ``source`` is empty; :func:`iter_file` fills both from the file path. ``profiles`` are
    optional site profiles (:mod:`search.profiles`).
    """
    if isinstance(html, (bytes, bytearray)):
        html = decode_html(bytes(html))
    return extract_article(html, url, profiles)


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
# JSONL feeds


def iter_jsonl(path: Path) -> Iterator[Article | ExtractionError]:
    """Stream one article per line; a bad line yields an ExtractionError and reading goes on.

    Accepts the project shape (``id``, ``title``, ``body``, optional ``url``, ``links``,
    ``description``, ``language``, ``published``, ``modified``) and BEIR corpus lines
    (``_id``, ``title``, ``text``).  ``path`` may be gzipped (``.gz``).
    """
    try:
        with _open_text_stream(path) as stream:
            for number, line in enumerate(stream, start=1):
                if not line.strip():
                    continue
                try:
                    yield _article_from_json(line)
                except ValueError as exc:
                    yield ExtractionError(str(exc), path=f"{path}:{number}")
    except OSError as exc:
        yield ExtractionError(_read_failure(exc), path=str(path))
    except (EOFError, zlib.error) as exc:
        yield ExtractionError(_gzip_failure(exc), path=str(path))


def _open_text_stream(path: Path) -> IO[str]:
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8-sig", errors="replace")
    return open(path, encoding="utf-8-sig", errors="replace")


def _article_from_json(line: str) -> Article:
    try:
        data = json.loads(line)
    except (ValueError, RecursionError) as exc:
        raise ValueError(f"invalid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise ValueError(f"expected a JSON object, got {type(data).__name__}")
    ident = data.get("id", data.get("_id"))
    if ident is None or ident == "":
        raise ValueError("missing id")
    if isinstance(ident, bool) or not isinstance(ident, (str, int)):
        raise ValueError("id must be a string")
    body = data.get("body", data.get("text"))
    if body is None:
        raise ValueError("missing body (or text)")
    fields = {"body": body}
    for key in ("title", "url", "description", "language", "published", "modified"):
        value = data.get(key)
        fields[key] = "" if value is None else value
    for key, value in fields.items():
        if not isinstance(value, str):
            raise ValueError(f"{key} must be a string, got {type(value).__name__}")
    return Article(
        id=str(ident),
        title=collapse(fields["title"]),
        body=fields["body"].strip(),
        url=fields["url"],
        links=_json_links(data.get("links")),
        description=fields["description"],
        language=fields["language"],
        published=fields["published"],
        modified=fields["modified"],
    )


def _json_links(value: Any) -> list[Link]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError("links must be a list")
    links = []
    for item in value:
        if not isinstance(item, dict):
            raise ValueError("each link must be an object")
        url, text, kind = item.get("url", ""), item.get("text", ""), item.get("kind", "body")
        if not all(isinstance(v, str) for v in (url, text, kind)):
            raise ValueError("link url, text and kind must be strings")
        if kind not in LINK_KINDS:
            raise ValueError(f"unknown link kind {kind!r}")
        links.append(Link(url=url, text=text, kind=cast(LinkKind, kind)))
    return links


# --------------------------------------------------------------------------------------------
# files


def source_kind(path: Path) -> str | None:
    """"html", "text" or "jsonl" from the file name (``.gz`` allowed), None when unsupported."""
    name = path.name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    for suffixes, kind in ((HTML_SUFFIXES, "html"), (TEXT_SUFFIXES, "text"), (JSONL_SUFFIXES, "jsonl")):
        if name.endswith(suffixes):
            return kind
    return None


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
) -> Iterator[Article | ExtractionError]:
    """Read one source file into articles; every failure is yielded as an ExtractionError."""
    kind = source_kind(path)
    if kind is None:
        yield ExtractionError(UNSUPPORTED_MESSAGE, path=str(path))
        return
    if kind == "jsonl":  # streamed line by line, so no whole-file size limit
        if _is_empty(path):
            yield ExtractionError("empty file", path=str(path))
            return
        for item in iter_jsonl(path):
            if isinstance(item, Article):
                item.source = str(path)
            yield item
        return
    try:
        data = _read_limited(path)
        _check_text(data)
        article = _article_from_bytes(data, kind, path, profiles)
    except ExtractionError as exc:
        yield ExtractionError(exc.reason, path=str(path))
        return
    article.id = article_id(path, root)
    article.source = str(path)
    yield article


def _article_from_bytes(data: bytes, kind: str, path: Path, profiles: Sequence[SiteProfile]) -> Article:
    if kind == "html":
        try:
            article = extract(decode_html(data), url=path.resolve().as_uri(), profiles=profiles)
        except Exception as exc:  # a safety net: one odd page must not stop a batch
            logger.warning("%s: extraction failed", path, exc_info=True)
            raise ExtractionError(f"extraction failed ({type(exc).__name__}: {exc})"[:200]) from None
        if not article.title and not article.body:
            raise ExtractionError("no article text found")
        return article
    article = parse_text_export(_decode(data, declared=False))
    if not article.title:
        raise ExtractionError("no article text found")
    return article


def _is_empty(path: Path) -> bool:
    try:
        return path.stat().st_size == 0
    except OSError:
        return False  # iter_jsonl reports why it cannot be read


def _read_limited(path: Path) -> bytes:
    """File bytes (decompressed when ``.gz``), refusing empty and oversized files."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ExtractionError(f"file too large ({_size(size)} > {_size(MAX_FILE_BYTES)} limit)")
        if size == 0:
            raise ExtractionError("empty file")
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ExtractionError(_read_failure(exc)) from None
    if path.name.lower().endswith(".gz"):
        data = _gunzip_limited(data)
    if not data:
        raise ExtractionError("empty file")
    return data


def _gunzip_limited(data: bytes) -> bytes:
    """Decompress gzip data (all members) without ever holding more than the size limit."""
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            out = stream.read(MAX_FILE_BYTES + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise ExtractionError(_gzip_failure(exc)) from None
    if len(out) > MAX_FILE_BYTES:
        raise ExtractionError(f"file too large (decompressed size > {_size(MAX_FILE_BYTES)} limit)")
    return out


def _check_text(data: bytes) -> None:
    head = data[:_SNIFF_BYTES]
    if head.startswith(_BINARY_MAGIC):
        raise ExtractionError("binary file, not text")
    if b"\x00" in head and not head.startswith(tuple(bom for bom, _ in _BOMS)):
        raise ExtractionError("binary file, not text")


def _read_failure(exc: OSError) -> str:
    return f"cannot read file: {exc.strerror or exc}"


def _gzip_failure(exc: BaseException) -> str:
    if isinstance(exc, EOFError):
        return "truncated gzip data"
    return "corrupt gzip data"


def _size(n: int) -> str:
    for unit, factor in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if n >= factor:
            value = n / factor
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{n} bytes"


# --------------------------------------------------------------------------------------------
# walking


def iter_sources(
    paths: Iterable[Path], errors: list[ExtractionError] | None = None
) -> Iterator[tuple[Path, Path]]:
    """Yield ``(file, root)`` for every supported file under the given files and directories.

    Directories are walked recursively in sorted order, skipping hidden names and symlinked
    directories already seen.  A missing path or an explicit file of an unsupported type
    raises :class:`ExtractionError` (before anything is yielded for that path).  A directory
    that cannot be read is skipped: appended to ``errors`` when given, else logged.
    """
    for path in paths:
        path = Path(path)
        if not path.exists():
            raise ExtractionError("no such file or directory", path=str(path))
        if path.is_dir():
            yield from _walk_dir(path, path, set(), errors)
        elif source_kind(path) is None:
            raise ExtractionError(UNSUPPORTED_MESSAGE, path=str(path))
        else:
            yield path, path.parent


def _walk_dir(
    directory: Path, root: Path, seen: set[tuple[int, int]], errors: list[ExtractionError] | None
) -> Iterator[tuple[Path, Path]]:
    try:
        info = directory.stat()
        key = (info.st_dev, info.st_ino)
        if key in seen:
            logger.debug("skipping already visited directory %s", directory)
            return
        seen.add(key)
        with os.scandir(directory) as scan:
            entries = sorted(scan, key=lambda e: e.name)
    except OSError as exc:
        reason = f"cannot read directory: {exc.strerror or exc}"
        if errors is None:
            logger.warning("%s: %s", directory, reason)
        else:
            errors.append(ExtractionError(reason, path=str(directory)))
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        child = Path(entry.path)
        try:
            is_dir = entry.is_dir()
            is_file = not is_dir and entry.is_file()
        except OSError:
            is_dir = is_file = False
        if is_dir:
            yield from _walk_dir(child, root, seen, errors)
        elif is_file and source_kind(child) is not None:
            yield child, root
        elif entry.is_symlink() and not os.path.exists(entry.path):
            if errors is None:
                logger.warning("%s: broken symbolic link", child)
            else:
                errors.append(ExtractionError("broken symbolic link", path=str(child)))
