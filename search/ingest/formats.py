"""The supported source formats: which file names each reads, and the one place a format is added."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from ..models import Article

if TYPE_CHECKING:  # the walk and the feeds need no HTML parser: extraction loads with a page
    from ..extraction.profiles import SiteProfile

#: Reads one whole file's bytes into its article; raises ExtractionError.
PageReader: TypeAlias = "Callable[[bytes, Path, Sequence[SiteProfile]], Article]"


@dataclass(frozen=True)
class Format:
    """A source format: its kind, the file-name endings that select it (each optionally followed
    by ``.gz``), and for one-article formats the reader (None: a feed, streamed line by line by
    :mod:`search.ingest.feeds`)."""

    kind: str
    suffixes: tuple[str, ...]
    read: PageReader | None


def _read_html(data: bytes, path: Path, profiles: Sequence[SiteProfile]) -> Article:
    from .html import read_page  # BeautifulSoup and lxml load only when a page is read

    return read_page(data, path, profiles)


def _read_text(data: bytes, path: Path, profiles: Sequence[SiteProfile]) -> Article:
    from .text_export import read_export

    return read_export(data, path, profiles)


FORMATS: tuple[Format, ...] = (
    Format("html", (".html", ".htm", ".xhtml"), _read_html),
    Format("text", (".txt",), _read_text),
    Format("jsonl", (".jsonl",), None),
)
SUPPORTED_SUFFIXES: tuple[str, ...] = tuple(suffix for f in FORMATS for suffix in f.suffixes)
UNSUPPORTED_MESSAGE = "unsupported file type (expected .html, .htm, .txt, .jsonl, optionally .gz)"
_BY_KIND = {f.kind: f for f in FORMATS}


def source_kind(path: Path) -> str | None:
    """"html", "text" or "jsonl" from the file name (``.gz`` allowed), None when unsupported."""
    name = path.name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    return next((f.kind for f in FORMATS if name.endswith(f.suffixes)), None)


def read_article(data: bytes, kind: str, path: Path, profiles: Sequence[SiteProfile]) -> Article:
    """The article of one file's bytes in a one-article format ``kind``; raises ExtractionError."""
    reader = _BY_KIND[kind].read
    if reader is None:
        raise ValueError(f"{kind} files hold many articles: read them with iter_file")
    return reader(data, path, profiles)


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
