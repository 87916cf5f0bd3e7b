"""URL helpers: resolving links against a base URL, and readable article ids from URL paths."""

from __future__ import annotations

import re
from urllib.parse import unquote, urljoin, urlsplit

_GENERIC_SLUGS = frozenset({"index", "default", "article", "story", "post", "page", "content"})


def url_slug(url: str) -> str:
    """A readable id from a URL: its last meaningful path segment, without extension."""
    try:
        path = urlsplit(url).path
    except ValueError:
        return ""
    segments = [s for s in unquote(path).split("/") if s]
    while segments:
        segment = segments.pop()
        stem = segment.rsplit(".", 1)[0] if "." in segment[1:] else segment
        slug = re.sub(r"[^\w]+", "-", stem.lower()).strip("-_")
        if slug and (slug not in _GENERIC_SLUGS or not segments):
            return slug
    return ""


def safe_join(base: str, href: str) -> str:
    try:
        return urljoin(base, href) if base else href
    except ValueError:
        return href
