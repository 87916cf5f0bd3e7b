"""Whoosh document store: the only module that uses a Whoosh index (schema, reading, writing).

Whoosh keeps every article (stored fields) and what an update needs (id, source file, content
hash, mtime and size as columns). Ranking does not use Whoosh's matchers: its pure-Python
scoring costs half a second per query at 100,000 articles. Every write goes to both this store
and the generation's numpy term index (:mod:`search.terms`), which queries read
(:mod:`search.ranking`). Swapping Whoosh for another store touches this file only (plus the
Porter stemmer :mod:`search.plan` borrows from ``whoosh.lang``). Rules kept:

* Never call ``Searcher.refresh()``: open a new reader for every read (whoosh-reloaded's
  ``refresh()`` returns deleted documents after ``update_document``).
* A :class:`Generation` is one Whoosh index plus one term index in one generation folder (see
  :mod:`search.store`); :class:`Engine` follows the folder's CURRENT pointer.
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

from . import analysis, atomic, store
from .errors import IndexCorruptError, IndexLockedError
from .models import Article, IndexStats, Link
from .plan import broad_term
from .terms import format as terms_format
from .terms import writer as terms_writer

logger = logging.getLogger(__name__)

#: Newer (mtime_ns, size) of sources whose files were touched but whose articles did not
#: change: recorded beside the index instead of rewriting every such article.
STAMPS_FILE = "stamps.json"
INDEX_NAME = "articles"


def _schema() -> fields.Schema:
    # Text is stored, not indexed: the term index (search/terms/) indexes it.
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
        fingerprint=fields.STORED(),
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


@dataclass(frozen=True)
class GraphNode:
    """An indexed article's place in the link graph."""

    url: str
    title: str
    links: tuple[Link, ...]
    anchors: str


class Generation:
    """One generation folder of the index: read its articles, or write to it."""

    def __init__(self, path: Path, ix: index.Index) -> None:
        self.path = path
        self._ix = ix

    @classmethod
    def open(cls, path: Path) -> Generation:
        """Open an existing generation; raise IndexCorruptError if it cannot be used (readers
        check it first: :class:`search.store.Live`; the indexer verifies it in full)."""
        if not store.is_compatible(path):
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
    def create(cls, path: Path) -> Generation:
        """Create a new, empty index in the (empty) folder ``path``."""
        ix = FileStorage(str(path)).create_index(_schema(), indexname=INDEX_NAME)
        (path / terms_format.DIR).mkdir()
        terms_writer.write_manifest(path, [])
        store.write_meta(path, {**store.versions(), "created_at": _now()})
        return cls(path, ix)

    def close(self) -> None:
        """Nothing to release: every read opens (and closes) its own Whoosh reader."""

    # -- reading -----------------------------------------------------------------------------

    def doc_count(self) -> int:
        with self._ix.searcher() as searcher:
            return searcher.doc_count()

    def states(self) -> dict[str, IndexedState]:
        """Every indexed article's change-detection state, by id (read from columns: fast)."""
        out: dict[str, IndexedState] = {}
        names = ("id", "source", "content_hash", "mtime_ns", "size")
        with self._ix.reader() as reader:
            if reader.doc_count_all() == 0:
                return out  # an empty index has no columns yet
            columns = [reader.column_reader(name) for name in names]
            overrides = self.stamp_overrides()
            for docnum in reader.all_doc_ids():
                doc_id, source, digest, mtime_ns, size = (column[docnum] for column in columns)
                mtime_ns, size = overrides.get(source, (mtime_ns, size))
                out[doc_id] = IndexedState(doc_id, source, digest, mtime_ns, size)
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

    def extraction_key(self) -> str:
        """What extracted this generation's articles (extractor version and site profiles)."""
        return str(store.read_meta(self.path).get("extraction", ""))

    def set_extraction_key(self, key: str) -> None:
        store.write_meta(self.path, {**store.read_meta(self.path), "extraction": key})

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

    def get(self, article_id: str) -> tuple[Article, str] | None:
        """The stored article with ``article_id`` and its incoming anchor text, or None."""
        with self._ix.searcher() as searcher:
            stored = searcher.document(id=article_id)
        if stored is None:
            return None
        return _article_from_stored(stored), stored.get("anchors", "")

    def stats(self, index_dir: Path) -> IndexStats:
        meta = store.read_meta(self.path)
        return IndexStats(
            path=str(index_dir),
            articles=self.doc_count(),
            size_bytes=store.size_bytes(self.path),
            last_build=meta.get("updated_at", meta.get("created_at", "")),
            schema_version=meta.get("schema_version", ""),
            analyzer_version=meta.get("analyzer_version", ""),
        )

    # -- writing -----------------------------------------------------------------------------

    def writer(self) -> EngineWriter:
        """A writer that commits on success and cancels on error (use it as a context manager)."""
        try:
            w = self._ix.writer(limitmb=32)  # only ID terms are indexed now: a small pool suffices
        except index.LockError as exc:
            raise IndexLockedError(f"the index at {self.path.parent} is being written by another process") from exc
        return EngineWriter(self, w, terms_writer.Writer(self.path))

class Engine:
    """The live index in an index folder; every call reads the generation CURRENT names now."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = Path(index_dir)
        self._live = store.Live(self.index_dir, Generation.open)

    @classmethod
    def open(cls, index_dir: Path) -> Engine:
        """Open the live index; raise IndexNotFoundError / IndexCorruptError."""
        engine = cls(index_dir)
        engine.live()
        return engine

    def live(self) -> Generation:
        """The live generation, reopened when a writer has published a new one."""
        return self._live.get()

    def get(self, article_id: str) -> tuple[Article, str] | None:
        return self.live().get(article_id)

    def stats(self) -> IndexStats:
        return self.live().stats(self.index_dir)


class EngineWriter:
    """Adds, replaces and deletes articles in one generation; commit on success, cancel on error."""

    def __init__(self, gen: Generation, writer: Any, terms: terms_writer.Writer) -> None:
        self._gen = gen
        self._w = writer
        self._terms = terms

    def put(
        self,
        article: Article,
        *,
        anchors: str,
        content_hash: str,
        fingerprint: str,
        mtime_ns: int = 0,
        size: int = 0,
    ) -> None:
        """Add the article, replacing any indexed article with the same id."""
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
            indexed_at=_now(),
        )
        self._terms.add(term_document(article, anchors, fingerprint))

    def put_stored(self, article_id: str, **changes: Any) -> None:
        """Re-add an indexed article with some stored fields changed (e.g. new anchor text)."""
        with self._w.searcher() as searcher:
            docnum = searcher.document_number(id=article_id)
            if docnum is None:
                return
            stored = searcher.stored_fields(docnum)
            reader = searcher.reader()
            for name in ("mtime_ns", "size"):  # columns, not stored fields
                stored[name] = reader.column_reader(name)[docnum]
        stored.update(changes)
        self._w.update_document(**stored)
        self._terms.add(term_document(_article_from_stored(stored), stored.get("anchors", ""), stored.get("fingerprint", "")))

    def delete(self, article_id: str) -> None:
        self._w.delete_by_term("id", article_id)
        self._terms.delete(article_id)

    def commit(self) -> None:
        """Commit the term index, then Whoosh (the order does not matter: nothing is visible
        until the generation is published, and a failed run's generation is discarded)."""
        self._terms.commit(self._gen.path)
        self._w.commit()
        meta = store.read_meta(self._gen.path)
        store.write_meta(self._gen.path, {**meta, **store.versions(), "updated_at": _now()})

    def cancel(self) -> None:
        self._w.cancel()
        self._terms.cancel()

    def __enter__(self) -> EngineWriter:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.cancel()


def term_document(article: Article, anchors: str, fingerprint: str) -> terms_format.Document:
    """An article analysed for the term index: every field's terms with their positions."""
    title = [(t.text, t.pos) for t in analysis.analyze(article.title)]
    body_tokens = analysis.analyze(article.body)
    body = [(t.text, t.pos) for t in body_tokens]
    checkpoints: list[int] = []
    for token in body_tokens:
        while token.pos >= len(checkpoints) * terms_format.CHECKPOINT_STRIDE:
            checkpoints.append(token.start)
    anchor_terms = [(t.text, t.pos) for t in analysis.analyze(anchors)] if anchors else []
    return terms_format.Document(
        id=article.id,
        fingerprint=fingerprint,
        fields={
            "title": title,
            "body": body,
            "anchors": anchor_terms,
            # The body again, stemmed aggressively: recall for morphological variants,
            # weighted below the precise fields.
            "broad": [(broad_term(term), pos) for term, pos in body],
        },
        vector=[term for term, _pos in title] + [term for term, _pos in body],
        stored=terms_format.stored_fields(article),
        checkpoints=checkpoints,
    )


def _article_from_stored(stored: dict[str, Any]) -> Article:
    return Article(
        id=stored["id"],
        title=stored.get("title", ""),
        body=stored.get("body", ""),
        url=stored.get("url", ""),
        links=[Link(**link) for link in stored.get("links", [])],
        description=stored.get("description", ""),
        language=stored.get("language", ""),
        published=stored.get("published", ""),
        modified=stored.get("modified", ""),
        source=stored.get("source", ""),
    )


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
