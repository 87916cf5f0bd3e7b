"""Python API: build, open and search an index (what ``import search`` exposes)."""

from __future__ import annotations

import dataclasses
import difflib
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Self, TypeVar

from .errors import (
    ArticleNotFoundError,
    HealthSearchError,
    IndexCorruptError,
    IndexDamagedError,
    IndexNotFoundError,
)
from .models import (
    Article,
    Explanation,
    IndexCheck,
    IndexReport,
    IndexStats,
    SearchResults,
)
from .query import syntax
from .storage import generations
from .storage.live import Live

if TYPE_CHECKING:
    from .extraction.profiles import SiteProfile
    from .indexing.progress import ProgressFn
    from .query.filters import Filter
    from .ranking.ranker import Ranker, RankerFactory
    from .storage.articles import ArticleStore

T = TypeVar("T")

#: Environment variable naming the default index folder.
INDEX_ENV = "HEALTHSEARCH_INDEX"
DEFAULT_CORPUS = Path("corpus")


def default_index_dir() -> Path:
    """``$HEALTHSEARCH_INDEX`` when set, else ``./index``."""
    return Path(os.environ.get(INDEX_ENV) or "index")


class SearchIndex:
    """An open index. Every call reads the live generation as it is now: a run that publishes
    a new one is seen by the next call (through a new searcher, never ``refresh()``).

    Damage is an error, never a silent answer: a generation is checked when it is opened
    (its file listing, sizes and small files), and a read that fails unexpectedly has the
    generation verified in full, raising IndexDamagedError when it does not match.
    """

    def __init__(self, index_dir: Path | str | None = None, *, ranker: RankerFactory | None = None) -> None:
        """``ranker`` opens what ranks a generation (default: :func:`search.ranking.ranker.open_ranker`)."""
        if ranker is None:
            # numpy, no Whoosh: queries never load the article store
            from .ranking.ranker import open_ranker

            ranker = open_ranker
        self.path = Path(index_dir) if index_dir is not None else default_index_dir()
        self._ranker: Live[Ranker] = Live(self.path, ranker)
        self._ranker.get()  # raises IndexNotFoundError / IndexCorruptError now, not later
        self._articles: Live[ArticleStore] | None = None
        self.closed = False

    def close(self) -> None:
        """Let go of the open generation (its memory maps and article store); a closed index
        raises ValueError when used, as a closed file does. Closing twice is harmless."""
        self.closed = True
        self._ranker.close()
        if self._articles is not None:
            self._articles.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _store(self) -> ArticleStore:
        """The live generation's Whoosh article store (followed from first use: ``get``, ``stats``)."""
        self._check_open()
        if self._articles is None:
            from .storage.articles import ArticleStore

            self._articles = Live(self.path, ArticleStore.open)
        return self._articles.get()

    def search(
        self,
        text: str,
        *,
        limit: int = 10,
        page: int = 1,
        snippets: bool = True,
        expand: bool = True,
        filter: Filter | None = None,
        correct: bool = True,
    ) -> SearchResults:
        """Rank articles for ``text``; raises QuerySyntaxError when nothing is searchable.

        ``snippets=False`` skips highlighting (hits get an empty snippet): faster for scripts
        that only need ids and scores, like evaluation. ``expand=False`` turns off query
        expansion (synonyms, and words borrowed from the top hits; see :meth:`explain`).
        ``filter`` (:class:`~search.query.filters.Filter`) limits the hits, the total and the
        pages to the articles it allows. A word the index does not hold is corrected to the
        nearest indexed word (drug names only one edit away) and offered as
        ``results.suggestion``; when the text as typed finds nothing, or when each correction
        is one edit and explains more of the query (one of its first articles holds more of
        its words), the corrected query is searched instead and named in
        ``results.corrected`` (``correct=False`` never does).
        """
        if limit < 1 or page < 1:
            raise ValueError("limit and page must be at least 1")
        started = time.perf_counter()
        parsed = syntax.parse(text)
        results = self._reading(
            lambda: self._ranker.get().search(
                parsed, limit=limit, page=page, snippets=snippets, expand=expand, filter=filter, correct=correct
            )
        )
        return dataclasses.replace(results, took_ms=round((time.perf_counter() - started) * 1000, 2))

    def explain(
        self, text: str, *, limit: int = 5, expand: bool = True, filter: Filter | None = None, correct: bool = True
    ) -> Explanation:
        """How ``text`` is analysed and expanded, and what each term gives the top ``limit``
        hits (among those ``filter`` allows). When :meth:`search` would show the results of
        its spelling correction, the correction is explained, named in ``corrected``
        (``correct=False``: always the text as typed)."""
        parsed = syntax.parse(text)
        return self._reading(
            lambda: self._ranker.get().explain(parsed, limit=limit, expand=expand, filter=filter, correct=correct)
        )

    def resolve(self, key: str) -> str:
        """The id of the article ``key`` names: its id; else its URL (any form that normalises
        to its id: ``https://www.example.org/a/?utm_source=x`` for ``example.org/a``); else the
        path of the file it was read from (absolute, or relative to the working folder), when
        that file gave one article; else the one id that starts with ``key`` or ends with it
        as its last part (``Sciatica``, ``sciatica.html``). Raises ArticleNotFoundError, with
        a hint: the candidates, or the nearest ids."""
        return self._reading(lambda: self._resolve(key))

    def _resolve(self, key: str) -> str:
        from .ingest.ids import url_id
        from .ingest.sources import source_key

        store = self._store()
        if store.has(key):
            return key
        if "://" in key:
            as_url = url_id(key)
        else:  # an id written as a URL without its scheme: www.example.org/a/
            as_url = url_id("https://" + key) if key and not key.startswith(("/", ".")) else None
        if as_url is not None and store.has(as_url):
            return as_url
        ids = store.ids_from(source_key(Path(key))) if key else []
        if len(ids) == 1:
            return ids[0]
        if ids:
            listed = ", ".join(repr(i) for i in ids[:3]) + (", ..." if len(ids) > 3 else "")
            raise ArticleNotFoundError(
                f"{key!r} holds {len(ids):,} articles ({listed})", "name one of them by its id"
            )
        return self._resolve_loosely(key, list(store.states()))

    def _resolve_loosely(self, key: str, known: list[str]) -> str:
        """The one id that starts with ``key`` or whose last part is ``key`` (any case, a file
        extension aside: ``Sciatica``, ``sciatica.html``); else ArticleNotFoundError naming
        the candidates, or the nearest ids ("did you mean")."""
        wanted = key.strip().lower()
        stem = _last_part(wanted) if wanted else ""
        last_parts = {i: _last_part(i) for i in known}
        matches = sorted(
            i for i, last in last_parts.items() if (len(wanted) >= 3 and i.lower().startswith(wanted)) or (stem and last == stem)
        )
        if len(matches) == 1:
            return matches[0]
        if matches:
            listed = ", ".join(repr(i) for i in matches[:3]) + (", ..." if len(matches) > 3 else "")
            raise ArticleNotFoundError(f"{key!r} could be any of {len(matches):,} articles ({listed})", "give more of the id")
        by_part = {last: i for i, last in last_parts.items()}
        near = difflib.get_close_matches(stem, by_part, n=3, cutoff=0.75) if stem else []
        if near:
            raise ArticleNotFoundError(
                f"no article with id, URL or source file {key!r}",
                "did you mean " + " or ".join(repr(by_part[n]) for n in near),
            )
        raise ArticleNotFoundError(
            f"no article with id, URL or source file {key!r}",
            "ids are canonical URLs without the scheme (example.org/a) or folder/path; "
            "find them with 'healthsearch query WORDS'",
        )

    def _article(self, key: str) -> tuple[Article, str]:
        article_id = self.resolve(key)
        found = self._reading(lambda: self._store().get(article_id))
        if found is None:  # removed between the two reads (a run published meanwhile)
            raise ArticleNotFoundError(f"no article with id {article_id!r}")
        return found

    def get(self, key: str) -> Article:
        """The stored article ``key`` names: its id, its URL or its source file's path (see
        :meth:`resolve`); raises ArticleNotFoundError."""
        return self._article(key)[0]

    def incoming_anchors(self, key: str) -> list[str]:
        """The anchor texts other indexed articles use to link to this one (``key`` as in :meth:`get`)."""
        return [line for line in self._article(key)[1].splitlines() if line]

    def stats(self) -> IndexStats:
        """Counts and facts about the live generation, with its name and the one a rollback
        would make live."""

        def read() -> IndexStats:
            found = self._store().stats(self.path)
            gen = self._articles.generation if self._articles is not None else None
            if gen is None:
                return found
            before = generations.previous(self.path, gen)
            return dataclasses.replace(found, generation=gen.name, rollback_to=before.name if before else "")

        return self._reading(read)

    def _check_open(self) -> None:
        if self.closed:
            raise ValueError(f"the index at {self.path} is closed")

    def _reading(self, read: Callable[[], T]) -> T:
        """``read()``; when it fails unexpectedly, verify the live generation in full and
        raise IndexDamagedError if that finds damage (else the failure is a bug and is
        re-raised)."""
        self._check_open()
        try:
            return read()
        except HealthSearchError as exc:
            if not isinstance(exc, IndexCorruptError) or isinstance(exc, IndexDamagedError):
                raise
            failure: Exception = exc
        except Exception as exc:  # numpy, JSON, Whoosh: what damaged files make them raise
            failure = exc
        try:
            gen_dir = generations.current(self.path)
        except IndexCorruptError:
            gen_dir = None
        if gen_dir is not None:
            try:
                generations.verify(self.path, gen_dir, full=True)
            except IndexDamagedError as damage:
                raise damage from failure
        raise failure


def _last_part(article_id: str) -> str:
    """An id's last path part, lower-cased, without a file extension (``sciatica``)."""
    return article_id.rstrip("/").rsplit("/", 1)[-1].rsplit(".", 1)[0].lower()


def open_index(index_dir: Path | str | None = None) -> SearchIndex:
    """Open the index at ``index_dir`` (default: :func:`default_index_dir`)."""
    return SearchIndex(index_dir)


def index(
    paths: Path | str | Sequence[Path | str] = (DEFAULT_CORPUS,),
    index_dir: Path | str | None = None,
    *,
    rebuild: bool = False,
    progress: ProgressFn | None = None,
    profiles: Sequence[SiteProfile] = (),
    follow_symlinks: bool = False,
) -> IndexReport:
    """Build or update the index at ``index_dir`` from the files and folders in ``paths``.

    ``paths`` is one path (a string or a Path: ``index("corpus", "idx")``) or a list of them.
    Only changed articles are re-indexed unless ``rebuild`` is true. ``profiles`` are optional
    site profiles (:func:`search.extraction.profiles.load_profiles`). Symbolic links leading outside
    ``paths`` are read only with ``follow_symlinks``. Raises IndexLockedError when another
    process is writing to the same index.
    """
    # Ingestion (BeautifulSoup, lxml) loads only when indexing.
    from .indexing.pipeline import build_index

    target = Path(index_dir) if index_dir is not None else default_index_dir()
    given = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    return build_index(
        given, target, rebuild=rebuild, progress=progress, profiles=profiles, follow_symlinks=follow_symlinks
    )


def rollback(index_dir: Path | str | None = None) -> Path:
    """Make the previous generation of the index live again; returns its folder."""
    target = Path(index_dir) if index_dir is not None else default_index_dir()
    with generations.write_lock(target):
        if generations.current(target) is None:
            raise IndexNotFoundError(f"no index at {target}")
        return generations.rollback(target)


def check(index_dir: Path | str | None = None) -> IndexCheck:
    """Verify every byte of every generation of the index against its file listing."""
    return generations.check(Path(index_dir) if index_dir is not None else default_index_dir())


def search(
    text: str,
    index_dir: Path | str | None = None,
    *,
    limit: int = 10,
    page: int = 1,
    filter: Filter | None = None,
    correct: bool = True,
) -> SearchResults:
    """One-shot search: open the index, run the query, return the results."""
    return open_index(index_dir).search(text, limit=limit, page=page, filter=filter, correct=correct)
