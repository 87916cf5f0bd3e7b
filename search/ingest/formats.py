"""Source formats: the reader of each kind, and what decides a file's kind; the one place a format is added."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from ..models import Article
from .sniff import Sniff, named_kind, sniff

if TYPE_CHECKING:  # the walk and the feeds need no HTML parser: extraction loads with a page
    from ..extraction.profiles import SiteProfile

#: Reads one whole file's bytes into its article; raises ExtractionError.
PageReader: TypeAlias = "Callable[[bytes, Path, Sequence[SiteProfile]], Article]"


@dataclass(frozen=True)
class Format:
    """A source format: its kind, and for one-article formats the reader (None: a feed, streamed
    line by line by :mod:`search.ingest.feeds`). Which kind a file is, :func:`kind_of` says."""

    kind: str
    read: PageReader | None


def _read_html(data: bytes, path: Path, profiles: Sequence[SiteProfile]) -> Article:
    from .html import read_page  # BeautifulSoup and lxml load only when a page is read

    return read_page(data, path, profiles)


def _read_text(data: bytes, path: Path, profiles: Sequence[SiteProfile]) -> Article:
    from .text_export import read_export

    return read_export(data, path, profiles)


FORMATS: tuple[Format, ...] = (
    Format("html", _read_html),
    Format("text", _read_text),
    Format("jsonl", None),
)
_BY_KIND = {f.kind: f for f in FORMATS}


def kind_of(head: bytes, name: str) -> Sniff:
    """What a file is from its first bytes (at least :data:`~search.ingest.sniff.SNIFF_BYTES`
    of them, or all) and its name: see :mod:`search.ingest.sniff`."""
    return sniff(head, name)


def is_feed(path: Path) -> bool:
    """True for a JSONL feed (known by name: ``.jsonl``, optionally ``.gz``): streamed, not read whole."""
    return named_kind(path.name) == "jsonl"


def read_article(data: bytes, kind: str, path: Path, profiles: Sequence[SiteProfile]) -> Article:
    """The article of one file's bytes in a one-article format ``kind``; raises ExtractionError."""
    reader = _BY_KIND[kind].read
    if reader is None:
        raise ValueError(f"{kind} files hold many articles: read them with iter_file")
    return reader(data, path, profiles)
