"""The indexing run: lock, choose the base generation, apply the sources' changes, publish atomically."""

from __future__ import annotations

import errno
import json
import logging
import os
import re
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO

from ..errors import IndexCorruptError, IndexDamagedError, StorageError
from ..extraction import EXTRACTOR_VERSION
from ..extraction.profiles import SiteProfile, profiles_digest
from ..ingest import sources
from ..ingest.sources import is_within, source_key
from ..models import Article, IndexReport, Notice
from ..storage import generations, integrity
from ..storage.articles import ArticleStore
from ..text.sanitize import shown
from .anchors import LinkNode, incoming_anchors
from .changes import Run, compare_and_spool, hold_outside, precheck, removed_ids, still_a_copy
from .progress import Meter, ProgressFn
from .workers import Pending, extract_all
from .writer import GenerationWriter, create_generation

logger = logging.getLogger(__name__)


_SHORT_WRITE = re.compile(r"\d+ requested and \d+ written")


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
    :mod:`search.ingest.sources`); files left out are counted in ``IndexReport.skipped``.

    The work goes into a new generation, published atomically when complete: readers never
    see a half-done run, and a crash leaves the previous state live. Raises IndexLockedError
    at once when another process is writing to the same index.
    """
    started = time.monotonic()
    given = [Path(p) for p in paths]
    found = sources.walk(given, follow_symlinks=follow_symlinks)
    index_dir = Path(index_dir)
    try:
        with generations.write_lock(index_dir):
            live, base, parent, notes = _base(index_dir, rebuild)
            fresh = base is None
            gen_dir = generations.new_generation(index_dir, copy_from=base, parent=parent)
            try:
                store, run = _open_run(gen_dir, fresh, profiles, notes, found, index_dir)
                hold_outside(run, given)
                dirty = _update(store, run, found.files, given, progress)
                if run.recheck:
                    store.set_extraction_key(run.extraction_key)
                    dirty = True
                if dirty or fresh or base != live:
                    generations.publish(index_dir, gen_dir)
                else:
                    generations.discard(gen_dir)
            except BaseException:
                _abandon(index_dir, gen_dir)
                raise
            try:
                generations.clean(index_dir)
            except OSError as exc:
                logger.warning("could not remove old generations: %s", _storage_error(exc, index_dir))
    except OSError as exc:
        raise _storage_error(exc, index_dir) from exc
    run.report.seconds = time.monotonic() - started
    return run.report


def _open_run(
    gen_dir: Path, fresh: bool, profiles: Sequence[SiteProfile], notes: list[str], found: sources.Walk, index_dir: Path
) -> tuple[ArticleStore, Run]:
    """The new generation opened, and the state of a run over it with what the walk found."""
    store = create_generation(gen_dir) if fresh else ArticleStore.open(gen_dir)
    run = Run(IndexReport(), store.states(), copies=store.copies(), profiles=tuple(profiles))
    run.extraction_key = f"{EXTRACTOR_VERSION}:{profiles_digest(profiles)}"
    run.recheck = store.extraction_key() != run.extraction_key
    for note in notes:
        run.warn(Notice(shown(index_dir), note))
    for error in found.failures:  # unreadable folders, broken links: keep what they held
        run.fail(error.path, error.reason)
    for failed in found.failed_paths:
        run.failed_sources.add(source_key(failed))
        run.failed_dirs.append(source_key(failed))
    for notice in found.skipped:
        run.skip(notice)
    run.report.not_pages = dict(found.not_pages)
    return store, run


def _abandon(index_dir: Path, gen_dir: Path) -> None:
    """Remove a generation a failed run was writing, unless it went live after all (a failure
    after the pointer was replaced)."""
    try:
        published = generations.current(index_dir) == gen_dir
    except IndexCorruptError:
        published = False
    if not published:
        generations.discard(gen_dir)


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
        live = generations.current(index_dir)
        pointer_problem = ""
    except IndexCorruptError as exc:
        live, pointer_problem = None, str(exc)
    if rebuild:
        intact = live is not None and not integrity.verify(live, full=False)
        return live, None, live if intact else None, []
    if pointer_problem:
        for gen in reversed(generations.generations(index_dir)):
            if not generations.other_version(gen) and not integrity.verify(gen, full=True):
                return None, gen, gen, [f"{pointer_problem}; updating {gen.name}, the newest intact generation"]
        if not generations.generations(index_dir):
            return None, None, None, [f"{pointer_problem}; building a new index"]
        raise IndexCorruptError(f"{pointer_problem}, and no generation of the index is intact")
    if live is None:
        return None, None, None, []
    if generations.other_version(live):
        return live, None, None, [f"the index at {shown(index_dir)} was built by another version; rebuilding it"]
    problems = integrity.verify(live, full=True)
    if not problems:
        return live, live, live, []
    prev = generations.previous(index_dir, live)
    if prev is not None and not generations.other_version(prev) and not integrity.verify(prev, full=True):
        note = f"{live.name} is damaged ({problems[0]}); updating {prev.name}, the previous generation, instead"
        return live, prev, prev, [note]
    raise IndexDamagedError(shown(index_dir), live.name, problems)


def _update(
    store: ArticleStore, run: Run, sources: list[tuple[Path, Path]], paths: list[Path], progress: ProgressFn | None
) -> bool:
    """Apply the sources to ``store``'s generation; True when anything was written."""
    writer = GenerationWriter(store)
    try:
        with tempfile.TemporaryFile("w+", encoding="utf-8") as spool, tempfile.TemporaryFile("w+", encoding="utf-8") as links:
            pending: list[Pending] = []
            for path, root in sources:
                stamp = precheck(path, run)
                if stamp is not None:
                    pending.append((path, root, stamp))
            pending = [item for item in pending if not still_a_copy(item[0], item[2], run)]
            meter = Meter(
                progress,
                len(sources),
                sum(stamp[1] for _path, _root, stamp in pending),
                lambda: len(run.seen_ids),
                files_done=len(sources) - len(pending),
            )
            if meter.files_done:
                meter.emit()
            for (path, root, stamp), items in extract_all(pending, run.profiles, meter.read_to):
                meter.start(stamp[1])
                compare_and_spool(path, root, items, stamp, run, spool, links)
                meter.file_done()
            removed = removed_ids(run.states, run.seen_ids, run.failed_sources, run.failed_dirs, paths)
            for doc_id in removed:
                writer.delete(doc_id)
            run.report.removed = len(removed)
            written = bool(run.changed or removed)
            if written:
                spool.seek(0)
                _write_changes(store, writer, run, removed, spool, links)
    except BaseException:
        writer.cancel()
        raise
    if written:
        writer.commit()
    else:
        writer.cancel()
    return _update_copies(store, run, paths) | _update_stamps(store, run, removed) or written


def _update_copies(store: ArticleStore, run: Run, paths: list[Path]) -> bool:
    """Record the copies this run found (those outside its paths as they were); True when the
    record changed."""
    dirs = [source_key(p) for p in paths if p.is_dir()]
    files = {source_key(p) for p in paths if not p.is_dir()}
    new = {
        src: rec for src, rec in run.copies.items() if src not in files and not any(is_within(src, d) for d in dirs)
    }
    new.update(run.found_copies)
    if new == run.copies:
        return False
    store.write_copies(new)
    return True


def _update_stamps(store: ArticleStore, run: Run, removed: set[str]) -> bool:
    """Record new mtimes of touched-but-unchanged sources; True when the record changed."""
    old = store.stamp_overrides()
    indexed = {s.source for doc_id, s in run.states.items() if doc_id not in removed}
    new = {src: stamp for src, stamp in old.items() if src in indexed and src not in run.rewritten_sources}
    new.update(run.restamped)
    if new == old:
        return False
    store.write_stamp_overrides(new)
    return True


def _write_changes(
    store: ArticleStore, writer: GenerationWriter, run: Run, removed: set[str], spool: IO[str], links: IO[str]
) -> None:
    """Write changed articles with fresh anchor text, and refresh anchors of the others."""
    graph = store.graph()
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
        article = Article.from_dict(record["article"])
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
