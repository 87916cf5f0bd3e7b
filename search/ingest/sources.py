"""Source files: a walk of the given folders that links, loops and special files cannot lead astray.

Rules of the walk (the README's "Safety" section):

* Folders are walked recursively in sorted order; hidden names (``.git``, ``.cache``) are skipped.
* A file is read when it is a page, a text export or a feed (:mod:`search.ingest.sniff`): by
  name for feeds, text exports and ``.html`` pages, else by its first bytes, read through
  :func:`open_source`. Files inside a folder that are not (images, scripts, style sheets) are
  left out quietly and counted by category (``Walk.not_pages``); a file named explicitly that
  is not is refused with the reason ("binary file (PNG image)").
* A symbolic link is followed only when it leads outside the folders being indexed and the
  caller asks for it (``follow_symlinks``, the CLI's ``--follow-symlinks``); otherwise a link
  leading outside is skipped with a warning. A link to something inside the folders is left
  out silently: its target is indexed under its own name. Paths named explicitly are read
  wherever they lead.
* Loops, named pipes, sockets and devices are skipped with the reason; a broken link or a
  folder that cannot be read is a failure (what was indexed from there before is kept).
* File names may be in any encoding: paths stay :class:`~pathlib.Path` objects (undecodable
  bytes survive as surrogate escapes) and are shown with :func:`~search.text.sanitize.shown`.

:func:`open_source` is the one way source files are opened: without blocking, and only when
the path is a regular file.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from ..errors import ExtractionError
from ..models import Notice
from ..text.sanitize import shown
from .formats import kind_of
from .sniff import SNIFF_BYTES, Sniff, category_by_name, maybe_page, named_kind

logger = logging.getLogger(__name__)

_SPECIAL_KINDS = (
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def source_key(path: Path) -> str:
    """How the index names the file an article came from: its absolute path (symbolic links
    not resolved, so an article from a link is removed with the link), shown as text."""
    return shown(os.path.abspath(path))


def is_within(source: str, folder: str) -> bool:
    """True when the source key ``source`` lies inside the folder key ``folder``."""
    return source.startswith(folder.rstrip("/") + "/")


def _special_kind(mode: int) -> str | None:
    return next((name for test, name in _SPECIAL_KINDS if test(mode)), None)


def open_source(path: Path) -> BinaryIO:
    """Open a source file for reading; raises ExtractionError unless it is a regular file.

    Opened without blocking, so a named pipe put where a page was never hangs the run.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise ExtractionError(read_failure(exc)) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = "a directory" if stat.S_ISDIR(info.st_mode) else _special_kind(info.st_mode) or "a special file"
            raise ExtractionError(f"not a regular file ({kind})")
        fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~os.O_NONBLOCK)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def sniff_path(path: Path) -> Sniff:
    """What the file at ``path`` is, from its name and first SNIFF_BYTES (opened with
    :func:`open_source`); raises ExtractionError when it cannot be read."""
    with open_source(path) as handle:
        try:
            head = handle.read(SNIFF_BYTES)
        except OSError as exc:
            raise ExtractionError(read_failure(exc)) from None
    if not head:
        raise ExtractionError("empty file")
    return kind_of(head, path.name)


def read_failure(exc: OSError) -> str:
    """The reason shown for a file that cannot be read."""
    if exc.errno == errno.ELOOP:
        return "cannot read file: symbolic link loop"
    return f"cannot read file: {exc.strerror or exc}"


@dataclass
class Walk:
    """What a walk found: the files to read (with the folder each was found under), the
    failures (broken links, unreadable folders: ``failed_paths`` are where they are, so that
    what was indexed from there is kept) and what it skipped on purpose."""

    files: list[tuple[Path, Path]] = field(default_factory=list)
    failures: list[ExtractionError] = field(default_factory=list)
    failed_paths: list[Path] = field(default_factory=list)
    skipped: list[Notice] = field(default_factory=list)
    #: files inside the folders that are not sources, by category ("images", "scripts"...)
    not_pages: dict[str, int] = field(default_factory=dict)


def walk(paths: Iterable[Path | str], *, follow_symlinks: bool = False) -> Walk:
    """Find every page, text export and feed under ``paths`` (files and folders).

    Raises ExtractionError for a path that does not exist, or an explicit file that is not a
    regular file or not a source (binary, not a page), before any article is read.
    """
    given = [Path(p) for p in paths]
    for path in given:
        if not os.path.lexists(path) or not os.path.exists(path):
            reason = "broken symbolic link" if os.path.lexists(path) else "no such file or directory"
            raise ExtractionError(reason, path=shown(path))
    result = Walk()
    walker = _Walker(result, [Path(os.path.realpath(p)) for p in given if p.is_dir()], follow_symlinks)
    for path in given:
        if path.is_dir():
            walker.directory(path, path)
            continue
        special = _special_kind(path.stat().st_mode)
        if special is not None:
            raise ExtractionError(f"not a regular file ({special})", path=shown(path))
        if named_kind(path.name) is None:
            try:
                found = sniff_path(path)
            except ExtractionError as exc:
                raise ExtractionError(exc.reason, path=shown(path)) from None
            if found.kind is None:
                raise ExtractionError(found.reason, path=shown(path))
        result.files.append((path, path.parent))
    return result


class _Walker:
    def __init__(self, result: Walk, roots: list[Path], follow_symlinks: bool) -> None:
        self.result = result
        self.roots = roots
        self.follow = follow_symlinks
        self.seen: set[tuple[int, int]] = set()

    def inside(self, real: Path) -> bool:
        return any(real == root or root in real.parents for root in self.roots)

    def fail(self, path: Path, reason: str) -> None:
        self.result.failures.append(ExtractionError(reason, path=shown(path)))
        self.result.failed_paths.append(path)

    def skip(self, path: Path, reason: str) -> None:
        self.result.skipped.append(Notice(shown(path), reason))

    def directory(self, folder: Path, root: Path) -> None:
        try:
            info = folder.stat()
            key = (info.st_dev, info.st_ino)
            if key in self.seen:
                self.skip(folder, "folder already walked (a symbolic link loop)")
                return
            self.seen.add(key)
            with os.scandir(folder) as scan:
                entries = sorted(scan, key=lambda e: e.name)
        except OSError as exc:
            self.fail(folder, f"cannot read directory: {exc.strerror or exc}")
            return
        for entry in entries:
            if not entry.name.startswith("."):
                self.entry(entry, root)

    def entry(self, entry: os.DirEntry[str], root: Path) -> None:
        path = Path(entry.path)
        try:
            link = entry.is_symlink()
            info = os.stat(entry.path) if link else entry.stat(follow_symlinks=False)
        except OSError as exc:
            if link and exc.errno == errno.ENOENT:
                if maybe_page(path.name):
                    self.fail(path, "broken symbolic link")
            elif link and exc.errno == errno.ELOOP:
                self.skip(path, "symbolic link loop")
            else:
                self.fail(path, f"cannot read: {exc.strerror or exc}")
            return
        if link:
            real = Path(os.path.realpath(entry.path))
            if self.inside(real):
                logger.debug("%s: link inside the folders being indexed, left out", shown(path))
                return
            if not self.follow:
                if stat.S_ISDIR(info.st_mode) or maybe_page(path.name):
                    self.skip(path, f"symbolic link to {shown(real)}, outside the folders being indexed"
                                    " (--follow-symlinks reads it)")
                return
        if stat.S_ISDIR(info.st_mode):
            self.directory(path, root)
        elif not stat.S_ISREG(info.st_mode):
            if named_kind(path.name) is not None:
                self.skip(path, f"not a regular file ({_special_kind(info.st_mode) or 'a special file'})")
        elif named_kind(path.name) is not None or self.sniffed_source(path, info.st_size):
            self.result.files.append((path, root))

    def sniffed_source(self, path: Path, size: int) -> bool:
        """True when a file without a source's name is one by its bytes; else it is counted
        among the files that are not pages (or, unreadable, a failure unless its name says
        it is no page)."""
        if size == 0:
            self.left_out(path, "other files", "empty file")
            return False
        category = category_by_name(path.name)
        if category is not None:  # logo.png, site.css: no page, whatever it holds; not opened
            self.left_out(path, category, "not a page (by its name)")
            return False
        try:
            found = sniff_path(path)
        except ExtractionError as exc:
            if maybe_page(path.name):
                self.fail(path, exc.reason)
            return False
        if found.kind is None:
            self.left_out(path, found.category, found.reason)
        return found.kind is not None

    def left_out(self, path: Path, category: str, reason: str) -> None:
        self.result.not_pages[category] = self.result.not_pages.get(category, 0) + 1
        logger.debug("%s: left out: %s", shown(path), reason)
