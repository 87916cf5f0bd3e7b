"""The Whoosh article store: each generation's articles (stored fields) and what updates need.

Whoosh keeps every article (stored fields) and what an update needs (id, source file, content
hash, mtime and size as columns). Ranking does not use Whoosh's matchers: its pure-Python
scoring costs half a second per query at 100,000 articles; queries read the generation's term
index (:mod:`search.terms`) instead. This is the only module that opens a Whoosh index:
swapping the store touches this file only (the broad field's Porter stemmer, a plain function
of ``whoosh.lang``, is :mod:`search.text.stemmer`'s). Rules kept:

* Never call ``Searcher.refresh()``: open a new reader for every read (whoosh-reloaded's
  ``refresh()`` returns deleted documents after ``update_document``).
* One store per generation folder (:mod:`search.storage.generations`); readers follow the live
  one with :class:`search.storage.live.Live`.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from whoosh import columns, fields, index
from whoosh.filedb.filestore import FileStorage

from ..errors import IndexCorruptError, IndexLockedError
from ..models import Article, IndexStats, Link
from . import atomic, generations

logger = logging.getLogger(__name__)

#: Newer (mtime_ns, size) of sources whose files were touched but whose articles did not
#: change: recorded beside the index instead of rewriting every such article.
STAMPS_FILE = "stamps.json"
#: Files found to be copies of an indexed article (``page.html?utm_source=x``): source ->
#: (mtime_ns, size, the id of the article it repeats), so an unchanged copy is not read again.
COPIES_FILE = "copies.json"
INDEX_NAME = "articles"


def _schema() -> fields.Schema:
    # Text is stored, not indexed: the term index (search.terms) indexes it.
    return fields.Schema(
        id=fields.ID(stored=True, unique=True, sortable=True),
        url=fields.STORED(),
        title=fields.STORED(),
        body=fields.STORED(),
        anchors=fields.STORED(),
        links=fields.STORED(),
        description=fields.STORED(),
        language=fields.STORED(),
        published=fields.STORED(),
        modified=fields.STORED(),
        # Change detection, read as columns (without loading whole documents).
        source=fields.ID(stored=True, sortable=True),
        content_hash=fields.ID(stored=True, sortable=True),
        # Columns only: an indexed NUMERIC writes 16 terms per value (a third of the store's
        # indexing time), and nothing searches these.
        mtime_ns=fields.COLUMN(columns.NumericColumn("q")),
        size=fields.COLUMN(columns.NumericColumn("q")),
        # A column too: a run compares it to tell a copy of an indexed page from another page.
        fingerprint=fields.ID(stored=True, sortable=True),
        indexed_at=fields.STORED(),
    )


@dataclass(frozen=True, slots=True)
class IndexedState:
    """What the indexer needs to know about one indexed article to decide whether to touch it."""

    id: str
    source: str
    content_hash: str
    mtime_ns: int
    size: int
    fingerprint: str = ""


@dataclass(frozen=True)
class GraphNode:
    """An indexed article's place in the link graph."""

    url: str
    title: str
    links: tuple[Link, ...]
    anchors: str


class ArticleStore:
    """One generation's Whoosh article store: read its articles, or write to it."""

    def __init__(self, path: Path, ix: index.Index) -> None:
        self.path = path
        self._ix = ix

    @classmethod
    def open(cls, path: Path) -> ArticleStore:
        """Open an existing generation; raise IndexCorruptError if it cannot be used (readers
        check it first: :class:`search.storage.live.Live`; the indexer verifies it in full)."""
        if not generations.is_compatible(path):
            raise IndexCorruptError(f"the index at {path.parent} was built by another version of healthsearch")
        try:
            if not index.exists_in(str(path), indexname=INDEX_NAME):
                raise IndexCorruptError(f"{path} holds no index")
            ix = index.open_dir(str(path), indexname=INDEX_NAME)
        except IndexCorruptError:
            raise
        except Exception as exc:  # Whoosh raises many kinds here (pickle, EOF, OS errors)
            raise IndexCorruptError(f"cannot open the index at {path.parent}: {exc}") from exc
        return cls(path, ix)

    @classmethod
    def create(cls, path: Path) -> ArticleStore:
        """Create a new, empty store in the generation folder ``path``."""
        return cls(path, FileStorage(str(path)).create_index(_schema(), indexname=INDEX_NAME))

    # -- reading -----------------------------------------------------------------------------

    def doc_count(self) -> int:
        with self._ix.searcher() as searcher:
            return int(searcher.doc_count())

    def states(self) -> dict[str, IndexedState]:
        """Every indexed article's change-detection state, by id (read from columns: fast)."""
        out: dict[str, IndexedState] = {}
        names = ("id", "source", "content_hash", "mtime_ns", "size", "fingerprint")
        with self._ix.reader() as reader:
            if reader.doc_count_all() == 0:
                return out  # an empty index has no columns yet
            columns = [reader.column_reader(name) for name in names]
            overrides = self.stamp_overrides()
            for docnum in reader.all_doc_ids():
                doc_id, source, digest, mtime_ns, size, print_ = (column[docnum] for column in columns)
                mtime_ns, size = overrides.get(source, (mtime_ns, size))
                out[doc_id] = IndexedState(doc_id, source, digest, mtime_ns, size, print_)
        return out

    def stamp_overrides(self) -> dict[str, tuple[int, int]]:
        """Source file -> (mtime_ns, size) recorded after the article was indexed."""
        try:
            data = json.loads((self.path / STAMPS_FILE).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            logger.warning("ignoring unreadable %s: %s", self.path / STAMPS_FILE, exc)
            return {}
        return {source: (int(stamp[0]), int(stamp[1])) for source, stamp in data.items()}

    def copies(self) -> dict[str, tuple[int, int, str]]:
        """Source file -> (mtime_ns, size, id of the article it is a copy of), as last recorded."""
        try:
            data = json.loads((self.path / COPIES_FILE).read_text(encoding="utf-8"))
            return {source: (int(rec[0]), int(rec[1]), str(rec[2])) for source, rec in data.items()}
        except FileNotFoundError:
            return {}
        except (OSError, ValueError, TypeError, IndexError, AttributeError) as exc:
            logger.warning("ignoring unreadable %s: %s", self.path / COPIES_FILE, exc)
            return {}

    def write_copies(self, copies: dict[str, tuple[int, int, str]]) -> None:
        atomic.write_json(self.path / COPIES_FILE, copies)

    def extraction_key(self) -> str:
        """What extracted this generation's articles (extractor version and site profiles)."""
        return str(generations.read_meta(self.path).get("extraction", ""))

    def set_extraction_key(self, key: str) -> None:
        generations.write_meta(self.path, {**generations.read_meta(self.path), "extraction": key})

    def write_stamp_overrides(self, overrides: dict[str, tuple[int, int]]) -> None:
        atomic.write_json(self.path / STAMPS_FILE, overrides)

    def graph(self) -> dict[str, GraphNode]:
        """Every indexed article's URL, title, outgoing links and incoming anchor text."""
        out: dict[str, GraphNode] = {}
        with self._ix.reader() as reader:
            for _docnum, stored in reader.iter_docs():
                out[stored["id"]] = GraphNode(
                    url=stored.get("url", ""),
                    title=stored.get("title", ""),
                    links=tuple(Link(**link) for link in stored.get("links", [])),
                    anchors=stored.get("anchors", ""),
                )
        return out

    def ids_from(self, source: str) -> list[str]:
        """The ids of the articles read from the source file ``source`` (a source key), sorted."""
        with self._ix.searcher() as searcher:
            return sorted(str(stored["id"]) for stored in searcher.documents(source=source))

    def has(self, article_id: str) -> bool:
        with self._ix.searcher() as searcher:
            return searcher.document_number(id=article_id) is not None

    def get(self, article_id: str) -> tuple[Article, str] | None:
        """The stored article with ``article_id`` and its incoming anchor text, or None."""
        with self._ix.searcher() as searcher:
            stored = searcher.document(id=article_id)
        if stored is None:
            return None
        return Article.from_dict(stored), stored.get("anchors", "")

    def stats(self, index_dir: Path) -> IndexStats:
        meta = generations.read_meta(self.path)
        return IndexStats(
            path=str(index_dir),
            articles=self.doc_count(),
            size_bytes=generations.size_bytes(self.path),
            last_build=meta.get("updated_at", meta.get("created_at", "")),
            schema_version=meta.get("schema_version", ""),
            analyzer_version=meta.get("analyzer_version", ""),
        )

    # -- writing -----------------------------------------------------------------------------

    def writer(self) -> ArticleWriter:
        """A writer of this store (see :class:`ArticleWriter`)."""
        try:
            w = self._ix.writer(limitmb=32)  # only ID terms are indexed now: a small pool suffices
        except index.LockError as exc:
            raise IndexLockedError(f"the index at {self.path.parent} is being written by another process") from exc
        return ArticleWriter(w)


class ArticleWriter:
    """Adds, replaces and deletes articles in one store; nothing is visible before :meth:`commit`."""

    def __init__(self, writer: Any) -> None:
        self._w = writer

    def put(self, article: Article, *, anchors: str, content_hash: str, fingerprint: str, mtime_ns: int, size: int) -> None:
        """Add the article, replacing any stored article with the same id."""
        self._w.update_document(
            id=article.id,
            url=article.url,
            title=article.title,
            body=article.body,
            anchors=anchors,
            links=[link.to_dict() for link in article.links],
            description=article.description,
            language=article.language,
            published=article.published,
            modified=article.modified,
            source=article.source,
            content_hash=content_hash,
            fingerprint=fingerprint,
            mtime_ns=mtime_ns,
            size=size,
            indexed_at=now(),
        )

    def stored(self, article_id: str) -> dict[str, Any] | None:
        """Everything stored for one article (columns included), or None when it is not here."""
        with self._w.searcher() as searcher:
            docnum = searcher.document_number(id=article_id)
            if docnum is None:
                return None
            stored: dict[str, Any] = searcher.stored_fields(docnum)
            reader = searcher.reader()
            for name in ("mtime_ns", "size"):  # columns, not stored fields
                stored[name] = reader.column_reader(name)[docnum]
        return stored

    def put_stored(self, stored: dict[str, Any]) -> None:
        """Re-add an article from what :meth:`stored` gave (with some fields changed)."""
        self._w.update_document(**stored)

    def delete(self, article_id: str) -> None:
        self._w.delete_by_term("id", article_id)

    def commit(self) -> None:
        self._w.commit()

    def cancel(self) -> None:
        self._w.cancel()


def now() -> str:
    """The time now as an ISO 8601 UTC timestamp (what the store and the metadata record)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
