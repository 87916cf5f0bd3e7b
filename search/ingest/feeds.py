"""JSONL feeds: one article per line, streamed with bounded memory whatever the file holds.

Accepted lines: the project shape (``id``, ``title``, ``body``, optional ``url``, ``links``,
``description``, ``language``, ``published``, ``modified``) and BEIR corpus lines (``_id``,
``title``, ``text``). Files may be gzipped (known by their bytes). Lines are read as bytes, at most
MAX_FEED_LINE_BYTES at a time, and the whole feed at most MAX_FEED_BYTES after decompression
(:mod:`search.limits`), so a line of a gigabyte, or a gzip bomb, costs no more memory than a
normal line.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, cast

from .. import limits
from ..errors import ExtractionError
from ..limits import size_text
from ..models import LINK_KINDS, Article, Link, LinkKind
from ..text.sanitize import shown
from .sources import open_source, read_failure

_SKIP_CHUNK = 1 << 20
#: How often (in decompressed bytes) a feed reports how far it has read.
READ_REPORT_BYTES = 64 * 1024


def iter_jsonl(path: Path, on_read: Callable[[int], None] | None = None) -> Iterator[tuple[int, Article] | ExtractionError]:
    """Stream ``(line number, article)`` per line; a bad line yields an ExtractionError and
    reading goes on. ``on_read`` is called with the bytes of the file (compressed, if it
    is) read so far, about every READ_REPORT_BYTES of decompressed text.

    Errors name the file and line (``feed.jsonl:12``). After MAX_BAD_LINES_REPORTED bad lines,
    the rest are counted in one last error. Articles are not yet cleaned (ingest does that:
    :func:`search.text.sanitize.clean_article`); their ``source`` is left empty.
    """
    name = shown(path)
    bad = 0
    try:
        with open_source(path) as raw, _decompressed(raw) as stream:
            for number, line in _lines(stream, name, _position_reporter(raw, on_read)):
                if isinstance(line, str):
                    if not line.strip():
                        continue
                    try:
                        yield number, _article_from_json(line)
                        continue
                    except ValueError as exc:
                        line = ExtractionError(str(exc), path=f"{name}:{number}")
                bad += 1
                if bad <= limits.MAX_BAD_LINES_REPORTED:
                    yield line
    except ExtractionError as exc:
        yield ExtractionError(exc.reason, path=name)
        return
    except OSError as exc:
        yield ExtractionError(read_failure(exc), path=name)
        return
    except (EOFError, zlib.error) as exc:
        yield ExtractionError("truncated gzip data" if isinstance(exc, EOFError) else "corrupt gzip data", path=name)
        return
    if bad > limits.MAX_BAD_LINES_REPORTED:
        more = bad - limits.MAX_BAD_LINES_REPORTED
        yield ExtractionError(f"{more:,} more bad line(s) not listed", path=name)


def _decompressed(raw: IO[bytes]) -> IO[bytes]:
    """The feed's bytes, decompressed when they are gzipped (known by their magic number)."""
    gzipped = raw.read(2) == b"\x1f\x8b"
    raw.seek(0)
    if gzipped:
        return cast(IO[bytes], gzip.GzipFile(fileobj=raw, mode="rb"))
    return raw


def _position_reporter(raw: IO[bytes], on_read: Callable[[int], None] | None) -> Callable[[], None] | None:
    if on_read is None:
        return None
    return lambda: on_read(raw.tell())


def _lines(
    stream: IO[bytes], name: str, report: Callable[[], None] | None = None
) -> Iterator[tuple[int, str | ExtractionError]]:
    """``(line number, text)`` for each line; a line over the limit is skipped (never held in
    memory) and given as an ExtractionError. Raises ExtractionError where the feed exceeds its
    size limit. ``report()`` is called about every READ_REPORT_BYTES."""
    line_limit, feed_limit = limits.MAX_FEED_LINE_BYTES, limits.MAX_FEED_BYTES
    total = number = reported = 0
    while True:
        if report is not None and total - reported >= READ_REPORT_BYTES:
            report()
            reported = total
        data = stream.readline(line_limit + 1)
        if not data:
            return
        number += 1
        size = len(data)
        if size > line_limit:  # read past the rest of the line without keeping it
            while not data.endswith(b"\n") and total + size <= feed_limit:
                data = stream.readline(_SKIP_CHUNK)
                if not data:
                    break
                size += len(data)
        total += size
        if total > feed_limit:
            raise ExtractionError(f"feed larger than the {size_text(feed_limit)} limit after decompression;"
                                  f" stopped reading at line {number:,}")
        if size > line_limit:
            reason = f"line too long ({size_text(size)}; the limit is {size_text(line_limit)})"
            yield number, ExtractionError(reason, path=f"{name}:{number}")
            continue
        text = data.decode("utf-8", errors="replace")
        yield number, text[1:] if number == 1 and text.startswith("\ufeff") else text


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
        title=fields["title"],
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
