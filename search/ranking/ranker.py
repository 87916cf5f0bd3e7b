"""The Ranker seam: what the API asks of whatever ranks a generation (numpy today, tantivy next)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from ..models import Explanation, SearchResults
from ..query.filters import Filter
from ..query.syntax import ParsedQuery


class Ranker(Protocol):
    """Ranks the articles of one published generation (which never changes while it is open)."""

    def search(
        self,
        parsed: ParsedQuery,
        *,
        limit: int = 10,
        page: int = 1,
        snippets: bool = True,
        expand: bool = True,
        filter: Filter | None = None,
        correct: bool = True,
    ) -> SearchResults:
        """One page of the best articles for ``parsed`` (among those ``filter`` allows); with
        ``correct``, for its spelling correction when ``parsed`` itself finds nothing."""
        ...

    def explain(
        self,
        parsed: ParsedQuery,
        *,
        limit: int = 5,
        expand: bool = True,
        filter: Filter | None = None,
        correct: bool = True,
    ) -> Explanation:
        """How ``parsed`` (or, with ``correct``, the correction search would show instead) was
        analysed and expanded, and what each part gave the top hits."""
        ...


#: Opens a ranker on one generation folder (raises IndexCorruptError when it cannot).
RankerFactory = Callable[[Path], Ranker]


def open_ranker(gen_dir: Path) -> Ranker:
    """The default ranker: exhaustive BM25F on the generation's numpy term index."""
    from .searcher import open_searcher  # numpy: loaded when an index is opened, not imported

    return open_searcher(gen_dir)
