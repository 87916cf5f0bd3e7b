"""healthsearch: full-text search over scraped health articles.

    >>> import search
    >>> report = search.index(["corpus"], "index")          # build or update
    >>> results = search.search("back pain", "index")        # SearchResults
    >>> results.hits[0].title, results.hits[0].snippet
    >>> article = search.extract(html, url="https://...")    # parse one page, no index

Heavy modules (Whoosh, BeautifulSoup) load on first use, so the query path stays quick.
"""

from __future__ import annotations

import importlib
from typing import Any

from .errors import (
    ArticleNotFoundError,
    ExtractionError,
    HealthSearchError,
    IndexCorruptError,
    IndexDamagedError,
    IndexLockedError,
    IndexNotFoundError,
    NothingToRollBackError,
    ProfileError,
    QuerySyntaxError,
    StorageError,
)
from .models import (
    Article,
    Hit,
    IndexReport,
    IndexStats,
    Link,
    Notice,
    Progress,
    SearchResults,
    Snippet,
)

__version__ = "0.1.0"

_LAZY = {
    "extract": "ingest.html",
    "index": "api",
    "open_index": "api",
    "search": "api",
    "check": "api",
    "rollback": "api",
    "SearchIndex": "api",
    "default_index_dir": "api",
    "load_profiles": "extraction.profiles",
    "Filter": "query.filters",
}

__all__ = [
    "Article",
    "ArticleNotFoundError",
    "ExtractionError",
    "HealthSearchError",
    "Hit",
    "IndexCorruptError",
    "IndexDamagedError",
    "IndexLockedError",
    "NothingToRollBackError",
    "IndexNotFoundError",
    "IndexReport",
    "IndexStats",
    "Link",
    "Notice",
    "ProfileError",
    "Progress",
    "QuerySyntaxError",
    "StorageError",
    "SearchResults",
    "Snippet",
    *_LAZY,
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'search' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{module}", __name__), name)


def __dir__() -> list[str]:
    return sorted(__all__)
