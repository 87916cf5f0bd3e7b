"""HTML pages: one page's bytes to a clean Article through the main-content extractor."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Sequence
from pathlib import Path

from .. import limits
from ..errors import ExtractionError
from ..extraction import extract_article
from ..extraction.profiles import SiteProfile
from ..models import Article
from ..text.sanitize import clean_article, shown
from .decode import decode_html
from .ids import url_id

logger = logging.getLogger(__name__)

_START_TAG = re.compile(rb"<[A-Za-z]")


def extract(html: str | bytes, url: str | None = None, profiles: Sequence[SiteProfile] = ()) -> Article:
    """Parse one HTML page into a clean Article (title, body, url, links, metadata).

    ``id`` is the id of the canonical URL (else ``url``; see :mod:`search.ingest.ids`), "" when
    neither is an http(s) URL; ``source`` is empty. :func:`iter_file` fills both for files. ``profiles`` are
    optional site profiles (:mod:`search.extraction.profiles`). What the limits cut is logged.
    """
    if isinstance(html, (bytes, bytearray)):
        html = decode_html(bytes(html))
    article = extract_article(html, url, profiles)
    article.id = url_id(article.url) or ""
    for note in clean_article(article):
        logger.info("%s: %s", shown(url or "page"), note)
    return article


def body_text(html: str, url: str | None = None) -> str:
    """Benchmark adapter for ``eval_extract.py``: the extracted body text only."""
    return extract(html, url).body


def _check_tags(data: bytes) -> None:
    """Refuse pages with more than MAX_HTML_TAGS start tags (parsing cost grows with them)."""
    limit = limits.MAX_HTML_TAGS
    if data.count(b"<") <= limit:
        return
    count = sum(1 for _ in _START_TAG.finditer(data))
    if count > limit:
        raise ExtractionError(f"too many HTML elements ({count:,}; the limit is {limit:,})")


def read_page(data: bytes, path: Path, profiles: Sequence[SiteProfile]) -> Article:
    """The article of one HTML file's bytes; ExtractionError when it has none or cannot be parsed."""
    _check_tags(data)
    try:
        article = extract_article(decode_html(data), url=Path(os.path.realpath(path)).as_uri(), profiles=profiles)
    except Exception as exc:  # a safety net: one odd page must not stop a batch
        logger.warning("%s: extraction failed", shown(path), exc_info=True)
        raise ExtractionError(shown(f"extraction failed ({type(exc).__name__}: {exc})"[:200])) from None
    if not article.title and not article.body:
        raise ExtractionError("no article text found")
    return article
