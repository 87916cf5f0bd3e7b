"""Extraction workers: pending source files read in order, HTML parsed on every core for large batches."""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from ..errors import ExtractionError
from ..extraction.profiles import SiteProfile
from ..ingest import files
from ..ingest.formats import is_feed
from ..models import Article, Notice

#: Parse HTML in worker processes when at least this many files changed (start-up ~0.5 s).
PARALLEL_MIN_FILES = 64
MAX_WORKERS = 4
Pending = tuple[Path, Path, tuple[int, int]]


def extract_all(
    pending: list[Pending], profiles: tuple[SiteProfile, ...], on_read: Callable[[int], None] | None = None
) -> Iterator[tuple[Pending, Iterable[Article | ExtractionError | Notice]]]:
    """Extract the pending files, in order; HTML parsing runs on every core for large batches.

    Workers are spawned (not forked), so they inherit neither the writer lock nor open index
    files: a killed run leaves nothing holding the lock. JSONL feeds stream in this process,
    calling ``on_read(bytes of the file read so far)`` as they go.
    """
    pages = [item for item in pending if not is_feed(item[0])]
    feeds = [item for item in pending if is_feed(item[0])]
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
            yield item, files.iter_file(item[0], item[1], profiles)
    for item in feeds:
        yield item, files.iter_file(item[0], item[1], profiles, on_read)


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
    return list(files.iter_file(path, root, profiles))
