"""One source file of any supported format to clean articles, failures and notices (never raising)."""

from __future__ import annotations

import gzip
import io
import os
import zlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .. import limits
from ..errors import ExtractionError
from ..limits import size_text
from ..models import Article, Notice
from ..text.sanitize import clean_article, shown
from .feeds import iter_jsonl
from .formats import is_feed, kind_of, read_article
from .ids import page_ids
from .sniff import SNIFF_BYTES
from .sources import open_source, read_failure, source_key

if TYPE_CHECKING:
    from ..extraction.profiles import SiteProfile


def iter_file(
    path: Path,
    root: Path | None = None,
    profiles: Sequence[SiteProfile] = (),
    on_read: Callable[[int], None] | None = None,
) -> Iterator[Article | ExtractionError | Notice]:
    """Read one source file into clean articles, the failures (ExtractionError) and what the
    limits cut (Notice), in order; never raises. ``source`` is :func:`~search.ingest.sources.source_key`;
    a page's or text export's ``id`` is the first of :func:`~search.ingest.ids.page_ids` (its
    canonical URL's id, else its path under ``root``, by default the file's folder). A feed
    calls ``on_read(bytes of the file read so far)`` now and then while it is read."""
    name = shown(path)
    source = source_key(path)
    if is_feed(path):
        if _is_empty(path):
            yield ExtractionError("empty file", path=name)
            return
        for item in iter_jsonl(path, on_read):
            if isinstance(item, ExtractionError):
                yield item
                continue
            number, article = item
            article.source = source
            yield from _cleaned(article, f"{name}:{number}")
        return
    try:
        data = _read_limited(path)
        found = kind_of(data[:SNIFF_BYTES], path.name)
        if found.kind is None:
            raise ExtractionError(found.reason)
        if found.gzip:
            data = _gunzip_limited(data)
            if not data:
                raise ExtractionError("empty file")
        article = read_article(data, found.kind, path, profiles)
    except ExtractionError as exc:
        yield ExtractionError(exc.reason, path=name)
        return
    article.id = page_ids(article.url, path, root)[0]
    article.source = source
    yield from _cleaned(article, name)


def _cleaned(article: Article, where: str) -> Iterator[Article | Notice]:
    for note in clean_article(article):
        yield Notice(where, note)
    yield article


def _is_empty(path: Path) -> bool:
    try:
        return path.stat().st_size == 0
    except OSError:
        return False  # iter_jsonl reports why it cannot be read


def _read_limited(path: Path) -> bytes:
    """File bytes (still compressed when gzipped), refusing empty and oversized files unread."""
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
