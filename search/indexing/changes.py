"""What a run changes: unchanged files skipped, changed articles spooled, vanished sources' articles found."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from ..errors import ExtractionError
from ..extraction.profiles import SiteProfile
from ..ingest.formats import is_feed
from ..ingest.ids import page_ids
from ..ingest.sources import is_within, read_failure, source_key
from ..models import Article, IndexReport, Notice
from ..storage.articles import IndexedState
from ..text.sanitize import shown
from .anchors import LinkNode
from .fingerprints import content_hash, fingerprint

logger = logging.getLogger(__name__)


@dataclass
class Run:
    """State of one indexing run over one generation."""

    report: IndexReport
    states: dict[str, IndexedState]
    by_source: dict[str, list[IndexedState]] = field(default_factory=dict)
    seen_ids: set[str] = field(default_factory=set)
    failed_sources: set[str] = field(default_factory=set)  # source keys whose articles are kept
    failed_dirs: list[str] = field(default_factory=list)  # folder keys likewise
    changed: dict[str, LinkNode] = field(default_factory=dict)  # re-extracted articles that differ
    restamped: dict[str, tuple[int, int]] = field(default_factory=dict)  # source -> new stamp, same content
    rewritten_sources: set[str] = field(default_factory=set)
    #: id -> (where the article that holds it came from, its fingerprint), for this run's
    #: articles and the unchanged ones it kept: how a copy is told from another page
    claims: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: articles from sources outside this run's paths: id -> (source, fingerprint); they keep
    #: their ids while their files are there (see :func:`hold_outside`)
    outside: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: files recorded as copies of an indexed article: source -> (mtime_ns, size, its id)
    copies: dict[str, tuple[int, int, str]] = field(default_factory=dict)
    #: the copies this run found (read, or recorded and unchanged), to record for the next run
    found_copies: dict[str, tuple[int, int, str]] = field(default_factory=dict)
    profiles: tuple[SiteProfile, ...] = ()
    recheck: bool = False  # extraction changed since the last run: read every file again
    extraction_key: str = ""  # what extracts articles now (extractor version, site profiles)

    def __post_init__(self) -> None:
        for state in self.states.values():
            self.by_source.setdefault(state.source, []).append(state)

    def fail(self, path: str, reason: str) -> None:
        self.report.failed += 1
        self.report.failures.append((path, reason))
        logger.warning("%s: %s", path, reason)

    def skip(self, notice: Notice) -> None:
        self.report.skipped += 1
        self.warn(notice)

    def warn(self, notice: Notice) -> None:
        self.report.warnings.append((notice.path, notice.reason))
        logger.warning("%s: %s", notice.path, notice.reason)


def hold_outside(run: Run, paths: list[Path]) -> None:
    """Note the indexed articles whose sources lie outside this run's ``paths``: a page of
    this run never takes the id of one of them while its file is there (``index a`` then
    ``index b`` never overwrites a page of ``a``); one whose file is gone (moved) gives its id up."""
    dirs = [source_key(p) for p in paths if p.is_dir()]
    files = {source_key(p) for p in paths if not p.is_dir()}
    for state in run.states.values():
        if state.source not in files and not any(is_within(state.source, d) for d in dirs):
            run.outside[state.id] = (state.source, state.fingerprint)


def _holder(run: Run, candidate: str) -> tuple[str, str] | None:
    """Where the article holding the id ``candidate`` came from and its fingerprint, or None."""
    holder = run.claims.get(candidate)
    if holder is None:
        holder = run.outside.get(candidate)
        if holder is not None and not os.path.lexists(holder[0]):
            return None  # its file is gone: the id is free
    if holder is None:  # an article kept because its file failed this time keeps its id too
        state = run.states.get(candidate)
        if state is not None and (
            state.source in run.failed_sources or any(is_within(state.source, d) for d in run.failed_dirs)
        ):
            return state.source, state.fingerprint
    return holder


def precheck(path: Path, run: Run) -> tuple[int, int] | None:
    """The file's (mtime_ns, size) when it must be read; None when it is unchanged or unreadable."""
    source = source_key(path)
    try:
        info = path.stat()
    except OSError as exc:
        run.failed_sources.add(source)
        run.fail(shown(path), read_failure(exc))
        return None
    stamp = (info.st_mtime_ns, info.st_size)
    known = run.by_source.get(source, [])
    if known and not run.recheck and all((s.mtime_ns, s.size) == stamp for s in known):
        run.seen_ids.update(s.id for s in known)
        run.claims.update((s.id, (s.source, s.fingerprint)) for s in known)
        run.report.unchanged += len(known)
        return None
    return stamp


def still_a_copy(path: Path, stamp: tuple[int, int], run: Run) -> bool:
    """True when ``path`` was recorded as a copy, is unchanged since, and the article it
    repeats comes from a file this run leaves unchanged: then it is not read again (and is
    reported as a duplicate again). Call after every file was prechecked."""
    source = source_key(path)
    record = run.copies.get(source)
    if record is None or run.recheck or (record[0], record[1]) != stamp:
        return False
    original = _holder(run, record[2])  # (before any file is read: unchanged or outside articles)
    if original is None:
        return False  # the original is read again (or gone): so is the copy
    run.report.duplicates.append((shown(path), original[0]))
    run.found_copies[source] = record
    return True


def claim(path: Path, root: Path, item: Article, run: Run, stamp: tuple[int, int] = (0, 0)) -> bool:
    """Give a page (or text export) the first of its ids (:func:`~search.ingest.ids.page_ids`)
    no other page of this run holds; False when it is a copy of the page holding one of them
    (same fingerprint: ``page.html`` and ``page.html?utm_source=x``, ``dir/`` and
    ``dir/index.html``), which is left out with a notice naming that page's file.

    An id held by an article with other content (say, a site whose canonical tags all name
    its home page) is not shared: the page takes its next id. The first page in walk order
    (or an unchanged one indexed before) keeps a contested id.
    """
    print_ = fingerprint(item)
    for candidate in page_ids(item.url, path, root):
        holder = _holder(run, candidate)
        if holder is None:
            item.id = candidate
            run.claims[candidate] = (item.source, print_)
            return True
        if holder[1] == print_:
            run.report.duplicates.append((shown(path), holder[0]))
            run.found_copies[source_key(path)] = (stamp[0], stamp[1], candidate)
            logger.info("%s: the same page as %s; left out", shown(path), holder[0])
            return False
        logger.debug("%s: id %r is held by %s, with other content", shown(path), candidate, holder[0])
    # (only when a feed record took this file's absolute path as its id, or ids were cut short)
    run.failed_sources.add(source_key(path))
    run.fail(shown(path), "every id this page could take is held by another article")
    return False


def compare_and_spool(
    path: Path,
    root: Path,
    items: Iterable[Article | ExtractionError | Notice],
    stamp: tuple[int, int],
    run: Run,
    spool: IO[str],
    links: IO[str],
) -> None:
    """Compare a file's extracted articles with the index; spool the ones that changed (and,
    apart, their links: the link graph of a large run is read back, not held in memory).
    A page's id is settled here (:func:`claim`); a feed's records keep their own."""
    source = source_key(path)
    feed = is_feed(path)
    for item in items:
        if isinstance(item, Notice):
            run.warn(item)
            continue
        if isinstance(item, ExtractionError):
            run.failed_sources.add(source)
            run.fail(item.path or shown(path), item.reason)
            continue
        if not feed:
            if not claim(path, root, item, run, stamp):
                continue
        elif item.id in run.seen_ids:
            run.fail(shown(path), f"duplicate article id {item.id!r}")
            continue
        else:
            run.claims[item.id] = (item.source, fingerprint(item))
        run.seen_ids.add(item.id)
        digest = content_hash(item)
        old = run.states.get(item.id)
        if old is not None and old.content_hash == digest and old.source == source:
            run.report.unchanged += 1
            if (old.mtime_ns, old.size) != stamp:
                run.restamped[source] = stamp
            continue
        run.changed[item.id] = LinkNode(item.url, item.title)
        links.write(json.dumps([item.id, [[link.url, link.text] for link in item.links]]) + "\n")
        run.rewritten_sources.add(source)
        record = {"article": item.to_dict(), "hash": digest, "fingerprint": fingerprint(item), "stamp": stamp}
        spool.write(json.dumps(record) + "\n")


def removed_ids(
    states: dict[str, IndexedState],
    seen_ids: set[str],
    failed_sources: set[str],
    failed_dirs: list[str],
    paths: list[Path],
) -> set[str]:
    """Indexed articles from sources inside this run's scope that this run did not produce.

    Nothing indexed from a source that failed (wholly or in part) this time, or from under a
    directory that could not be read, is removed. Sources are compared as source keys
    (:func:`~search.ingest.sources.source_key`): an article read through a symbolic link that is gone,
    or no longer followed, is removed with it.
    """
    dirs = [source_key(p) for p in paths if p.is_dir()]
    files = {source_key(p) for p in paths if not p.is_dir()}
    gone: set[str] = set()
    for doc_id, state in states.items():
        if doc_id in seen_ids:
            continue
        source = state.source
        if source in failed_sources or any(is_within(source, d) for d in failed_dirs):
            continue
        in_scope = source in files or any(is_within(source, d) for d in dirs)
        if in_scope:
            gone.add(doc_id)
    return gone
