"""URL helpers: resolving links against a base URL (article ids are made in search.ingest.ids)."""

from __future__ import annotations

from urllib.parse import urljoin


def safe_join(base: str, href: str) -> str:
    """``href`` resolved against ``base`` (as it is when it cannot be)."""
    try:
        return urljoin(base, href) if base else href
    except ValueError:
        return href
