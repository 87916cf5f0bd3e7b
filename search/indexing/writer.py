"""Writing one generation: every change goes to the article store and the term index together."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..models import Article
from ..storage import generations
from ..storage.articles import ArticleStore, ArticleWriter, now
from ..terms import format as terms_format
from ..terms import writer as terms_writer
from .documents import term_document


def create_generation(path: Path) -> ArticleStore:
    """Fill the new, empty generation folder ``path`` with an empty article store and term
    index and its metadata; returns the store."""
    store = ArticleStore.create(path)
    (path / terms_format.DIR).mkdir()
    terms_writer.write_manifest(path, [])
    generations.write_meta(path, {**generations.versions(), "created_at": now()})
    return store


class GenerationWriter:
    """Adds, replaces and deletes articles in one generation's two stores; commits on success
    and cancels on error when used as a context manager."""

    def __init__(self, store: ArticleStore) -> None:
        self._gen_dir = store.path
        self._articles: ArticleWriter = store.writer()
        self._terms = terms_writer.Writer(store.path)

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
        self._articles.put(
            article, anchors=anchors, content_hash=content_hash, fingerprint=fingerprint, mtime_ns=mtime_ns, size=size
        )
        self._terms.add(term_document(article, anchors, fingerprint))

    def put_stored(self, article_id: str, **changes: Any) -> None:
        """Re-add an indexed article with some stored fields changed (e.g. new anchor text)."""
        stored = self._articles.stored(article_id)
        if stored is None:
            return
        stored.update(changes)
        self._articles.put_stored(stored)
        self._terms.add(term_document(Article.from_dict(stored), stored.get("anchors", ""), stored.get("fingerprint", "")))

    def delete(self, article_id: str) -> None:
        self._articles.delete(article_id)
        self._terms.delete(article_id)

    def commit(self) -> None:
        """Commit the term index, then the articles (the order does not matter: nothing is
        visible until the generation is published, and a failed run's generation is discarded)."""
        self._terms.commit(self._gen_dir)
        self._articles.commit()
        meta = generations.read_meta(self._gen_dir)
        generations.write_meta(self._gen_dir, {**meta, **generations.versions(), "updated_at": now()})

    def cancel(self) -> None:
        self._articles.cancel()
        self._terms.cancel()

    def __enter__(self) -> GenerationWriter:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.cancel()
