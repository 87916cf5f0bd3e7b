"""Indexing: turn source files into an up-to-date index, touching only what changed."""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import multiprocessing
import os
import re
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from . import ingest, integrity, sources, store
from .engine import EngineWriter, Generation, IndexedState
from .errors import ExtractionError, IndexCorruptError, IndexDamagedError, StorageError
from .anchors import LinkNode, incoming_anchors
from .extraction import EXTRACTOR_VERSION
from .models import Article, IndexReport, Link, Notice
from .extraction.profiles import SiteProfile, profiles_digest
from .sanitize import shown
from .sources import is_within, source_key

logger = logging.getLogger(__name__)

#: Called after each source file as ``progress(files_done, files_total)``.
ProgressFn = Callable[[int, int], None]
#: Parse HTML in worker processes when at least this many files changed (start-up ~0.5 s).
PARALLEL_MIN_FILES = 64
MAX_WORKERS = 4
_WORD_RE = re.compile(r"\w+")
_SHORT_WRITE = re.compile(r"\d+ requested and \d+ written")


@dataclass
class _Run:
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


def build_index(
    paths: Iterable[Path | str],
    index_dir: Path | str,
    *,
    rebuild: bool = False,
    progress: ProgressFn | None = None,
    profiles: Sequence[SiteProfile] = (),
    follow_symlinks: bool = False,
) -> IndexReport:
    """Bring the index at ``index_dir`` up to date with the articles under ``paths``.

    Files whose size and mtime match what was indexed are not read again; articles whose
    extracted content is unchanged are left alone; changed ones are replaced; articles whose
    source file is gone (under a folder that was walked) are removed. A file that fails to
    read is reported in ``IndexReport.failures`` and whatever was indexed from it before is
    kept. ``rebuild`` builds a fresh index instead (also done automatically when the index was
    built by an incompatible version). ``profiles`` are site profiles for extraction; when they
    change, every file is read again (only articles whose extraction changed are rewritten).
    Symbolic links leading outside ``paths`` are followed only with ``follow_symlinks`` (see
    :mod:`search.sources`); files left out are counted in ``IndexReport.skipped``.

    The work goes into a new generation, published atomically when complete: readers never
    see a half-done run, and a crash leaves the previous state live. Raises IndexLockedError
    at once when another process is writing to the same index.
    """
    started = time.monotonic()
    given = [Path(p) for p in paths]
    found = sources.walk(given, follow_symlinks=follow_symlinks)
    index_dir = Path(index_dir)
    try:
        with store.write_lock(index_dir):
            live, base, parent, notes = _base(index_dir, rebuild)
            fresh = base is None
            gen_dir = store.new_generation(index_dir, copy_from=base, parent=parent)
            try:
                gen, run = _run(gen_dir, fresh, profiles, notes, found, index_dir)
                dirty = _update(gen, run, found.files, given, progress)
                if run.recheck:
                    gen.set_extraction_key(run.extraction_key)
                    dirty = True
                if dirty or fresh or base != live:
                    store.publish(index_dir, gen_dir)
                else:
                    store.discard(gen_dir)
            except BaseException:
                _abandon(index_dir, gen_dir)
                raise
            try:
                store.clean(index_dir)
            except OSError as exc:
                logger.warning("could not remove old generations: %s", _storage_error(exc, index_dir))
    except OSError as exc:
        raise _storage_error(exc, index_dir) from exc
    run.report.seconds = time.monotonic() - started
    return run.report


def _run(
    gen_dir: Path, fresh: bool, profiles: Sequence[SiteProfile], notes: list[str], found: sources.Walk, index_dir: Path
) -> tuple[Generation, _Run]:
    """The new generation opened, and the state of a run over it with what the walk found."""
    gen = Generation.create(gen_dir) if fresh else Generation.open(gen_dir)
    run = _Run(IndexReport(), gen.states(), profiles=tuple(profiles))
    run.extraction_key = f"{EXTRACTOR_VERSION}:{profiles_digest(profiles)}"
    run.recheck = gen.extraction_key() != run.extraction_key
    for note in notes:
        run.warn(Notice(shown(index_dir), note))
    for error in found.failures:  # unreadable folders, broken links: keep what they held
        run.fail(error.path, error.reason)
    for failed in found.failed_paths:
        run.failed_sources.add(source_key(failed))
        run.failed_dirs.append(source_key(failed))
    for notice in found.skipped:
        run.skip(notice)
    return gen, run


def _abandon(index_dir: Path, gen_dir: Path) -> None:
    """Remove a generation a failed run was writing, unless it went live after all (a failure
    after the pointer was replaced)."""
    try:
        published = store.current(index_dir) == gen_dir
    except IndexCorruptError:
        published = False
    if not published:
        store.discard(gen_dir)


def _storage_error(exc: OSError, index_dir: Path) -> StorageError:
    """An OSError met while writing the index, as the one-line error a person can act on."""
    where = shown(exc.filename) if exc.filename else shown(index_dir)
    code, reason = exc.errno, exc.strerror or str(exc)
    if code is None and _SHORT_WRITE.search(str(exc)):  # numpy reports a short write like this
        code, reason = errno.ENOSPC, f"{os.strerror(errno.ENOSPC)} (a write was cut short)"
    return StorageError(f"cannot write the index: {where}: {reason}", where, code)


def _base(index_dir: Path, rebuild: bool) -> tuple[Path | None, Path | None, Path | None, list[str]]:
    """``(live, base, parent, notes)``: the live generation (None when CURRENT names none that
    can be read), the generation this run updates (None: build afresh), the one a rollback
    will return to, and warnings about the choice.

    An update verifies every byte of the generation it builds on. A damaged live generation
    is not built on: the previous one is, when it is intact (else IndexDamagedError); when
    CURRENT itself is unreadable, the newest intact generation is. ``rebuild`` reads nothing
    of the old generations, so it works from any state of the folder.
    """
    try:
        live = store.current(index_dir)
        pointer_problem = ""
    except IndexCorruptError as exc:
        live, pointer_problem = None, str(exc)
    if rebuild:
        intact = live is not None and not integrity.verify(live, full=False)
        return live, None, live if intact else None, []
    if pointer_problem:
        for gen in reversed(store.generations(index_dir)):
            if not store.other_version(gen) and not integrity.verify(gen, full=True):
                return None, gen, gen, [f"{pointer_problem}; updating {gen.name}, the newest intact generation"]
        if not store.generations(index_dir):
            return None, None, None, [f"{pointer_problem}; building a new index"]
        raise IndexCorruptError(f"{pointer_problem}, and no generation of the index is intact")
    if live is None:
        return None, None, None, []
    if store.other_version(live):
        return live, None, None, [f"the index at {shown(index_dir)} was built by another version; rebuilding it"]
    problems = integrity.verify(live, full=True)
    if not problems:
        return live, live, live, []
    prev = store.previous(index_dir, live)
    if prev is not None and not store.other_version(prev) and not integrity.verify(prev, full=True):
        note = f"{live.name} is damaged ({problems[0]}); updating {prev.name}, the previous generation, instead"
        return live, prev, prev, [note]
    raise IndexDamagedError(shown(index_dir), live.name, problems)


def _update(
    gen: Generation, run: _Run, sources: list[tuple[Path, Path]], paths: list[Path], progress: ProgressFn | None
) -> bool:
    """Apply the sources to ``gen``; True when anything was written."""
    writer = gen.writer()
    try:
        with tempfile.TemporaryFile("w+", encoding="utf-8") as spool, tempfile.TemporaryFile("w+", encoding="utf-8") as links:
            pending: list[tuple[Path, Path, tuple[int, int]]] = []
            for path, root in sources:
                stamp = _precheck(path, run)
                if stamp is not None:
                    pending.append((path, root, stamp))
            done = len(sources) - len(pending)
            if progress is not None and done:
                progress(done, len(sources))
            for (path, _root, stamp), items in _extract_all(pending, run.profiles):
                _take(path, items, stamp, run, spool, links)
                done += 1
                if progress is not None:
                    progress(done, len(sources))
            removed = _removed_ids(run.states, run.seen_ids, run.failed_sources, run.failed_dirs, paths)
            for doc_id in removed:
                writer.delete(doc_id)
            run.report.removed = len(removed)
            written = bool(run.changed or removed)
            if written:
                spool.seek(0)
                _write_changes(gen, writer, run, removed, spool, links)
    except BaseException:
        writer.cancel()
        raise
    if written:
        writer.commit()
    else:
        writer.cancel()
    return _update_stamps(gen, run, removed) or written


def _update_stamps(gen: Generation, run: _Run, removed: set[str]) -> bool:
    """Record new mtimes of touched-but-unchanged sources; True when the record changed."""
    old = gen.stamp_overrides()
    indexed = {s.source for doc_id, s in run.states.items() if doc_id not in removed}
    new = {src: stamp for src, stamp in old.items() if src in indexed and src not in run.rewritten_sources}
    new.update(run.restamped)
    if new == old:
        return False
    gen.write_stamp_overrides(new)
    return True


def _precheck(path: Path, run: _Run) -> tuple[int, int] | None:
    """The file's (mtime_ns, size) when it must be read; None when it is unchanged or unreadable."""
    source = source_key(path)
    try:
        info = path.stat()
    except OSError as exc:
        run.failed_sources.add(source)
        run.fail(shown(path), sources.read_failure(exc))
        return None
    stamp = (info.st_mtime_ns, info.st_size)
    known = run.by_source.get(source, [])
    if known and not run.recheck and all((s.mtime_ns, s.size) == stamp for s in known):
        run.seen_ids.update(s.id for s in known)
        run.report.unchanged += len(known)
        return None
    return stamp


Pending = tuple[Path, Path, tuple[int, int]]


def _extract_all(
    pending: list[Pending], profiles: tuple[SiteProfile, ...]
) -> Iterator[tuple[Pending, Iterable[Article | ExtractionError | Notice]]]:
    """Extract the pending files, in order; HTML parsing runs on every core for large batches.

    Workers are spawned (not forked), so they inherit neither the writer lock nor open index
    files: a killed run leaves nothing holding the lock. JSONL feeds stream in this process.
    """
    pages = [item for item in pending if sources.source_kind(item[0]) != "jsonl"]
    feeds = [item for item in pending if sources.source_kind(item[0]) == "jsonl"]
    workers = min(os.cpu_count() or 1, MAX_WORKERS)
    if workers > 1 and len(pages) >= PARALLEL_MIN_FILES:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(
            max_workers=workers, mp_context=context, initializer=_exit_with_parent, initargs=(os.getpid(),)
        ) as pool:
            jobs = [(path, root, profiles) for path, root, _stamp in pages]
            yield from zip(pages, pool.map(_extract_file, jobs, chunksize=8))
    else:
        for item in pages:
            yield item, ingest.iter_file(item[0], item[1], profiles)
    for item in feeds:
        yield item, ingest.iter_file(item[0], item[1], profiles)


def _exit_with_parent(parent_pid: int) -> None:
    """Worker initializer: exit as soon as the indexing process is gone (say, killed by cron's
    timeout or ``kill -9``), instead of waiting forever for work that will never come."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _extract_file(job: tuple[Path, Path, tuple[SiteProfile, ...]]) -> list[Article | ExtractionError | Notice]:
    """Worker-process entry point: every article (or error, or notice) of one file."""
    path, root, profiles = job
    return list(ingest.iter_file(path, root, profiles))


def _take(
    path: Path,
    items: Iterable[Article | ExtractionError | Notice],
    stamp: tuple[int, int],
    run: _Run,
    spool: IO[str],
    links: IO[str],
) -> None:
    """Compare a file's extracted articles with the index; spool the ones that changed (and,
    apart, their links: the link graph of a large run is read back, not held in memory)."""
    source = source_key(path)
    for item in items:
        if isinstance(item, Notice):
            run.warn(item)
            continue
        if isinstance(item, ExtractionError):
            run.failed_sources.add(source)
            run.fail(item.path or shown(path), item.reason)
            continue
        if item.id in run.seen_ids:
            run.fail(shown(path), f"duplicate article id {item.id!r}")
            continue
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


def _write_changes(
    gen: Generation, writer: EngineWriter, run: _Run, removed: set[str], spool: IO[str], links: IO[str]
) -> None:
    """Write changed articles with fresh anchor text, and refresh anchors of the others."""
    graph = gen.graph()
    nodes = {doc_id: LinkNode(g.url, g.title) for doc_id, g in graph.items() if doc_id not in removed}
    nodes.update(run.changed)

    def edges() -> Iterator[tuple[str, list[tuple[str, str]]]]:
        for doc_id, g in graph.items():
            if doc_id not in removed and doc_id not in run.changed:
                yield doc_id, [(link.url, link.text) for link in g.links]
        links.seek(0)
        for line in links:
            doc_id, pairs = json.loads(line)
            yield doc_id, pairs

    anchors = incoming_anchors(nodes, edges())
    for line in spool:
        record = json.loads(line)
        article = _article_from_dict(record["article"])
        mtime_ns, size = record["stamp"]
        writer.put(
            article,
            anchors=anchors.get(article.id, ""),
            content_hash=record["hash"],
            fingerprint=record["fingerprint"],
            mtime_ns=mtime_ns,
            size=size,
        )
        if article.id in run.states:
            run.report.updated += 1
        else:
            run.report.added += 1
    for doc_id, node in graph.items():
        if doc_id in run.changed or doc_id in removed:
            continue
        new_anchors = anchors.get(doc_id, "")
        if new_anchors != node.anchors:
            writer.put_stored(doc_id, anchors=new_anchors)
            run.report.updated += 1
            if doc_id in run.seen_ids:
                run.report.unchanged -= 1


def _article_from_dict(data: dict[str, object]) -> Article:
    links = [Link(**link) for link in data.pop("links")]  # type: ignore[union-attr]
    return Article(links=links, **data)  # type: ignore[arg-type]


def _removed_ids(
    states: dict[str, IndexedState],
    seen_ids: set[str],
    failed_sources: set[str],
    failed_dirs: list[str],
    paths: list[Path],
) -> set[str]:
    """Indexed articles from sources inside this run's scope that this run did not produce.

    Nothing indexed from a source that failed (wholly or in part) this time, or from under a
    directory that could not be read, is removed. Sources are compared as source keys
    (:func:`~search.sources.source_key`): an article read through a symbolic link that is gone,
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
