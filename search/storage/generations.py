"""Index folder layout: numbered generations, an atomically replaced CURRENT pointer, the writer lock.

::

    index/
      CURRENT          names the live generation ("gen-000012"), replaced with os.replace()
      write.lock       held (flock) by the one process writing; the OS drops it if that process dies
      gen-000011/      the previous generation, kept for rollback
      gen-000012/      the live generation (the article store and term index, healthsearch.json, and
                       files.json: every file's size and checksum, see search.storage.integrity)

Every run that changes something writes a *new* generation (a hard-linked copy of the live one
plus the changes, or a fresh build) and publishes it by replacing CURRENT. Readers resolve
CURRENT when they open, so a query never sees a half-written generation, and a crash at any
moment leaves CURRENT naming the last complete one. Unpublished generations left by a crash
are removed by the next writer. Nothing is written through a symbolic link in the folder: the
lock is opened with ``O_NOFOLLOW``, small files are replaced atomically (:mod:`search.storage.atomic`),
and symbolic links are never copied into a new generation nor taken for one.
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

from ..errors import (
    IndexCorruptError,
    IndexDamagedError,
    IndexLockedError,
    IndexNotFoundError,
    NothingToRollBackError,
    StorageError,
)
from ..models import GenerationCheck, IndexCheck
from ..text.sanitize import shown
from . import atomic, integrity

logger = logging.getLogger(__name__)

CURRENT = "CURRENT"
PARENT = "PARENT"  # inside a generation: the generation that was live when it was built
LOCK_FILE = "write.lock"
_GEN_RE = re.compile(r"^gen-(\d{6,})$")
#: Files never shared between generations (Whoosh's lock files, the listing, PARENT).
_NOT_LINKED = re.compile(r"WRITELOCK|\.lock$|^PARENT$|^files\.json$")
#: Inside a generation: what built it (versions below), when, and from what.
META_FILE = "healthsearch.json"
#: Bump when the article store's schema or the folder's layout changes: an index built with
#: another version is rebuilt by the next run.
#: 9: ids from canonical URLs and named root folders (search.ingest.ids), fingerprints as a column.
SCHEMA_VERSION = "9"


def versions() -> dict[str, str]:
    """The versions of everything that decides what a generation holds, as this code writes it."""
    from ..terms.format import FORMAT_VERSION as TERMS_FORMAT
    from ..text import analyzer

    return {
        "schema_version": SCHEMA_VERSION,
        "analyzer_version": analyzer.ANALYZER_VERSION,
        "terms_format": TERMS_FORMAT,
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
    atomic.write_json(gen / META_FILE, meta, indent=2)


def is_compatible(gen: Path) -> bool:
    """True when the generation was built by this code's schema, analyzer and term index."""
    meta = read_meta(gen)
    return all(meta.get(key) == value for key, value in versions().items())


def other_version(gen: Path) -> bool:
    """True when the generation's metadata says another version of healthsearch built it
    (missing or unreadable metadata is damage, not another version)."""
    try:
        meta = read_meta(gen)
    except IndexCorruptError:
        return False
    return bool(meta) and any(meta.get(key) != value for key, value in versions().items())


def _gen_number(path: Path) -> int:
    match = _GEN_RE.match(path.name)
    return int(match.group(1)) if match else -1


def generations(index_dir: Path) -> list[Path]:
    """Every generation folder under ``index_dir``, oldest first."""
    if not index_dir.is_dir():
        return []
    found = [p for p in index_dir.iterdir() if _GEN_RE.match(p.name) and p.is_dir() and not p.is_symlink()]
    return sorted(found, key=_gen_number)


def current(index_dir: Path) -> Path | None:
    """The live generation, or None when nothing was ever published here."""
    pointer = index_dir / CURRENT
    try:
        raw = pointer.read_bytes()[:256]
    except FileNotFoundError:
        if any((gen / integrity.LISTING).exists() for gen in generations(index_dir)):
            # A generation was published (sealed) here, so CURRENT was lost, not not yet written.
            raise IndexCorruptError(f"{shown(pointer)} is missing") from None
        return None
    except OSError as exc:
        raise IndexCorruptError(f"cannot read {shown(pointer)}: {exc.strerror or exc}") from exc
    name = raw.decode("ascii", "replace").strip()
    if not _GEN_RE.match(name):
        raise IndexCorruptError(f"{shown(pointer)} is damaged: it does not name a generation ({shown(name[:40])!r})")
    gen = index_dir / name
    if gen.is_symlink() or not gen.is_dir():
        raise IndexCorruptError(f"{shown(pointer)} names {name}, which is missing")
    return gen


def new_generation(index_dir: Path, copy_from: Path | None = None, parent: Path | None = None) -> Path:
    """Create the next generation folder, as a hard-linked copy of ``copy_from`` when given.

    Store files are immutable once written (new data goes into new files), so sharing them
    between generations by hard links is safe and costs no space. ``parent`` (the generation
    live now) is recorded as the one a rollback returns to.
    """
    index_dir.mkdir(parents=True, exist_ok=True)
    # Numbered past every name that looks like a generation (a stray file or link included).
    number = max([0, *(_gen_number(p) for p in index_dir.iterdir())]) + 1
    gen = index_dir / f"gen-{number:06d}"
    gen.mkdir()
    # Always written: an empty PARENT means "none" (the generation was built afresh).
    (gen / PARENT).write_text(f"{parent.name}\n" if parent is not None else "", encoding="utf-8")
    if copy_from is not None:
        _link_tree(copy_from, gen)
    return gen


def _link_tree(src: Path, dst: Path) -> None:
    """Hard-link every file of ``src`` (and its sub-folders) into ``dst``."""
    for item in src.iterdir():
        if item.is_symlink():
            logger.warning("not copying the symbolic link %s into the new generation", shown(item))
        elif item.is_dir():
            (dst / item.name).mkdir()
            _link_tree(item, dst / item.name)
        elif item.is_file() and not _NOT_LINKED.search(item.name):
            _link_or_copy(item, dst / item.name)


def _link_or_copy(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def publish(index_dir: Path, gen: Path, *, seal: bool = True) -> None:
    """Make ``gen`` the live generation, atomically. A new generation is sealed with its file
    listing first (``seal``; a rollback republishes a sealed one as it is)."""
    if seal:
        integrity.seal(gen, reuse_from=previous(index_dir, gen))
    _fsync_tree(gen)
    atomic.write_text(index_dir / CURRENT, gen.name + "\n", sync=True)
    _fsync_dir(index_dir)
    logger.info("published %s", gen)


def verify(index_dir: Path, gen: Path, *, full: bool) -> None:
    """Raise IndexDamagedError when ``gen`` does not match its file listing (see
    :func:`search.storage.integrity.verify`; ``full`` checks every byte)."""
    problems = integrity.verify(gen, full=full)
    if problems:
        raise IndexDamagedError(shown(index_dir), gen.name, problems)


def discard(gen: Path) -> None:
    """Remove an unpublished generation."""
    shutil.rmtree(gen, ignore_errors=True)


def previous(index_dir: Path, gen: Path) -> Path | None:
    """The generation a rollback from ``gen`` returns to: its recorded parent if still there,
    else (for generations without a record) the newest older one."""
    try:
        name = (gen / PARENT).read_bytes()[:256].decode("ascii", "replace").strip()
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
        raise NothingToRollBackError(f"no earlier generation to roll back to in {shown(index_dir)}")
    verify(index_dir, target, full=True)
    publish(index_dir, target, seal=False)
    return target


def check(index_dir: Path) -> IndexCheck:
    """Verify every generation in ``index_dir`` in full (see :func:`search.storage.integrity.verify`).

    Raises IndexNotFoundError when the folder holds no generation at all.
    """
    gens = generations(index_dir)
    try:
        live = current(index_dir)
        pointer_problem = ""
    except IndexCorruptError as exc:
        live, pointer_problem = None, str(exc)
    if not gens and live is None:
        raise IndexNotFoundError(f"no index at {shown(index_dir)}")
    parent = previous(index_dir, live) if live is not None else None
    found = []
    for gen in reversed(gens):
        role = "live" if gen == live else "previous" if gen == parent else "other"
        problems = integrity.verify(gen, full=True)
        if other_version(gen):
            problems.insert(0, "built by another version of healthsearch")
        found.append(GenerationCheck(gen.name, role, problems))
    return IndexCheck(shown(index_dir), pointer_problem, found)


@contextmanager
def write_lock(index_dir: Path) -> Iterator[None]:
    """Hold the index's writer lock; raise IndexLockedError at once if another process has it.

    ``flock`` locks belong to the open file and vanish when the process dies (even by
    ``kill -9``), so a crashed run never blocks the next one. The lock file is never followed
    if it is a symbolic link; a lock file that cannot be written (read-only) still locks.
    Raises StorageError when the folder or the lock file cannot be created or opened.
    """
    lock = index_dir / LOCK_FILE
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        fd = _open_lock(lock)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise StorageError(f"{shown(lock)} is a symbolic link (not followed)", shown(lock), exc.errno) from exc
        where = shown(exc.filename) if exc.filename else shown(lock)
        raise StorageError(f"cannot lock the index: {where}: {exc.strerror or exc}", where, exc.errno) from exc
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EAGAIN, errno.EACCES):
                raise IndexLockedError(f"the index at {shown(index_dir)} is being written by another process") from exc
            raise StorageError(f"cannot lock {shown(lock)}: {exc.strerror or exc}", shown(lock), exc.errno) from exc
        try:  # who holds it, for people looking: best effort
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
        except OSError:
            pass
        yield
    finally:
        os.close(fd)  # releases the lock


def _open_lock(lock: Path) -> int:
    flags = os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        return os.open(lock, flags | os.O_RDWR, 0o644)
    except OSError as exc:
        if exc.errno not in (errno.EACCES, errno.EPERM, errno.EROFS) or not lock.exists():
            raise
        return os.open(lock, flags | os.O_RDONLY, 0o644)  # flock works on a read-only file


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
