"""Index folder layout: numbered generations, an atomically replaced CURRENT pointer, the writer lock.

::

    index/
      CURRENT          names the live generation ("gen-000012"), replaced with os.replace()
      write.lock       held (flock) by the one process writing; the OS drops it if that process dies
      gen-000011/      the previous generation, kept for rollback
      gen-000012/      the live generation (an engine's files plus healthsearch.json)

Every run that changes something writes a *new* generation (a hard-linked copy of the live one
plus the changes, or a fresh build) and publishes it by replacing CURRENT. Readers resolve
CURRENT when they open, so a query never sees a half-written generation, and a crash at any
moment leaves CURRENT naming the last complete one. Unpublished generations left by a crash
are removed by the next writer.
"""

from __future__ import annotations

import errno
import fcntl
import json
import logging
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .errors import IndexCorruptError, IndexLockedError

logger = logging.getLogger(__name__)

CURRENT = "CURRENT"
PARENT = "PARENT"  # inside a generation: the generation that was live when it was built
LOCK_FILE = "write.lock"
_GEN_RE = re.compile(r"^gen-(\d{6,})$")
#: Files never shared between generations (engine lock files).
_NOT_LINKED = re.compile(r"WRITELOCK|\.lock$|^PARENT$")
#: Inside a generation: what built it (versions below), when, and from what.
META_FILE = "healthsearch.json"
#: Bump when the article store's schema or the folder's layout changes: an index built with
#: another version is rebuilt by the next run.
SCHEMA_VERSION = "7"


def versions() -> dict[str, str]:
    """The versions of everything that decides what a generation holds, as this code writes it."""
    from . import analysis, termindex

    return {
        "schema_version": SCHEMA_VERSION,
        "analyzer_version": analysis.ANALYZER_VERSION,
        "terms_format": termindex.FORMAT_VERSION,
    }


def read_meta(gen: Path) -> dict[str, Any]:
    """A generation's metadata ({} when it has none)."""
    try:
        data = json.loads((gen / META_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise IndexCorruptError(f"cannot read {gen / META_FILE}: {exc}") from exc
    return data if isinstance(data, dict) else {}


def write_meta(gen: Path, meta: dict[str, Any]) -> None:
    tmp = gen / (META_FILE + ".tmp")
    tmp.write_text(json.dumps(meta, indent=2, sort_keys=True), encoding="utf-8")
    os.replace(tmp, gen / META_FILE)


def is_compatible(gen: Path) -> bool:
    """True when the generation was built by this code's schema, analyzer and term index."""
    meta = read_meta(gen)
    return all(meta.get(key) == value for key, value in versions().items())


def _gen_number(path: Path) -> int:
    match = _GEN_RE.match(path.name)
    return int(match.group(1)) if match else -1


def generations(index_dir: Path) -> list[Path]:
    """Every generation folder under ``index_dir``, oldest first."""
    if not index_dir.is_dir():
        return []
    found = [p for p in index_dir.iterdir() if p.is_dir() and _GEN_RE.match(p.name)]
    return sorted(found, key=_gen_number)


def current(index_dir: Path) -> Path | None:
    """The live generation, or None when nothing was ever published here."""
    try:
        name = (index_dir / CURRENT).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise IndexCorruptError(f"cannot read {index_dir / CURRENT}: {exc.strerror or exc}") from exc
    if not _GEN_RE.match(name):
        raise IndexCorruptError(f"{index_dir / CURRENT} does not name a generation: {name[:40]!r}")
    gen = index_dir / name
    if not gen.is_dir():
        raise IndexCorruptError(f"{index_dir / CURRENT} names {name}, which is missing")
    return gen


def new_generation(index_dir: Path, copy_from: Path | None = None, parent: Path | None = None) -> Path:
    """Create the next generation folder, as a hard-linked copy of ``copy_from`` when given.

    Engine files are immutable once written (new data goes into new files), so sharing them
    between generations by hard links is safe and costs no space. ``parent`` (the generation
    live now) is recorded as the one a rollback returns to.
    """
    index_dir.mkdir(parents=True, exist_ok=True)
    existing = generations(index_dir)
    number = _gen_number(existing[-1]) + 1 if existing else 1
    gen = index_dir / f"gen-{number:06d}"
    gen.mkdir()
    if parent is not None:
        (gen / PARENT).write_text(parent.name + "\n", encoding="utf-8")
    if copy_from is not None:
        _link_tree(copy_from, gen)
    return gen


def _link_tree(src: Path, dst: Path) -> None:
    """Hard-link every file of ``src`` (and its sub-folders) into ``dst``."""
    for item in src.iterdir():
        if item.is_dir():
            (dst / item.name).mkdir()
            _link_tree(item, dst / item.name)
        elif item.is_file() and not _NOT_LINKED.search(item.name):
            _link_or_copy(item, dst / item.name)


def _link_or_copy(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def publish(index_dir: Path, gen: Path) -> None:
    """Make ``gen`` the live generation, atomically."""
    _fsync_tree(gen)
    tmp = index_dir / (CURRENT + ".tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(gen.name + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, index_dir / CURRENT)
    _fsync_dir(index_dir)
    logger.info("published %s", gen)


def discard(gen: Path) -> None:
    """Remove an unpublished generation."""
    shutil.rmtree(gen, ignore_errors=True)


def previous(index_dir: Path, gen: Path) -> Path | None:
    """The generation a rollback from ``gen`` returns to: its recorded parent if still there,
    else (for generations without a record) the newest older one."""
    try:
        name = (gen / PARENT).read_text(encoding="utf-8").strip()
    except OSError:
        older = [g for g in generations(index_dir) if _gen_number(g) < _gen_number(gen)]
        return older[-1] if older else None
    parent = index_dir / name
    return parent if _GEN_RE.match(name) and parent.is_dir() else None


def clean(index_dir: Path) -> None:
    """Remove every generation but the live one and the one a rollback would return to.

    Call only while holding the write lock: any generation newer than the live one is then
    an abandoned run's leftover.
    """
    live = current(index_dir)
    if live is None:
        return
    keepers = {live, previous(index_dir, live)}
    for gen in generations(index_dir):
        if gen not in keepers:
            logger.debug("removing old generation %s", gen)
            discard(gen)


def rollback(index_dir: Path) -> Path:
    """Make the generation that was live before the current one live again; returns it."""
    live = current(index_dir)
    target = previous(index_dir, live) if live is not None else None
    if target is None:
        raise IndexCorruptError(f"no earlier generation to roll back to in {index_dir}")
    publish(index_dir, target)
    return target


@contextmanager
def write_lock(index_dir: Path) -> Iterator[None]:
    """Hold the index's writer lock; raise IndexLockedError at once if another process has it.

    ``flock`` locks belong to the open file and vanish when the process dies (even by
    ``kill -9``), so a crashed run never blocks the next one.
    """
    index_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(index_dir / LOCK_FILE, os.O_CREAT | os.O_RDWR, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EAGAIN, errno.EACCES):
                raise IndexLockedError(f"the index at {index_dir} is being written by another process") from exc
            raise
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        os.close(fd)  # releases the lock


def size_bytes(gen: Path) -> int:
    return sum(p.stat().st_size for p in gen.rglob("*") if p.is_file())


def _fsync_tree(folder: Path) -> None:
    for item in folder.iterdir():
        if item.is_dir():
            _fsync_tree(item)
        elif item.is_file():
            fd = os.open(item, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
