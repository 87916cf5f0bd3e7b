"""Article digests: the content hash that detects a change, the fingerprint that finds copies."""

from __future__ import annotations

import hashlib
import json
import re

from ..models import Article

_WORD_RE = re.compile(r"\w+")


def content_hash(article: Article) -> str:
    """A digest of everything extracted from the source (not where it came from)."""
    data = article.to_dict()
    data.pop("source", None)
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode("utf-8")).hexdigest()


def fingerprint(article: Article) -> str:
    """Same for two copies of one article (say its HTML page and its text export)."""
    words = _WORD_RE.findall((article.title + " " + article.body).lower())
    if not words:
        return "id:" + article.id
    return hashlib.sha1(" ".join(words).encode("utf-8")).hexdigest()[:20]
