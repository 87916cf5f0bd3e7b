"""A generation's file listing: every file with its size and SHA-256, so damage is found, not served.

When a generation is published, :func:`seal` writes ``files.json`` into it: each file's path,
size and SHA-256 (files hard-linked from the previous generation reuse its digests, so a run
hashes only what it wrote), and a digest of the listing itself. Then:

* opening a generation (every query, ``show``, ``stats``) runs :func:`verify` quickly: the
  listing is intact, every file is there as a regular file of its listed size, and the small
  files (up to SMALL_FILE_BYTES: metadata, manifests) match their digests;
* an indexing run, a rollback and ``healthsearch check`` verify every byte (``full=True``);
* a read that fails in a way the code does not expect triggers a full verification, so that
  damage is reported as damage (and a real bug still as a bug).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import atomic

logger = logging.getLogger(__name__)

LISTING = "files.json"
FORMAT = 1
#: Files up to this size are checked against their digest every time a generation is opened.
SMALL_FILE_BYTES = 64 * 1024
_CHUNK = 1 << 20


def _unlisted(name: str) -> bool:
    """Files a generation may hold that are not part of it: lock files, temporary files."""
    return name == LISTING or name.endswith((".lock", "WRITELOCK")) or ".tmp" in name


@dataclass(frozen=True, slots=True)
class Entry:
    """One listed file: what it must be, and which inode was hashed (to reuse the digest)."""

    size: int
    sha256: str
    inode: int
    mtime_ns: int

    def same_file(self, info: os.stat_result) -> bool:
        return (info.st_ino, info.st_size, info.st_mtime_ns) == (self.inode, self.size, self.mtime_ns)


def file_digest(path: Path) -> str:
    """SHA-256 of a file's content, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _files(gen: Path) -> list[tuple[str, os.stat_result]]:
    """Every file of ``gen`` that belongs in its listing, as (relative path, lstat)."""
    out = []
    for folder, dirs, names in os.walk(gen):
        dirs.sort()
        for name in sorted(names):
            if _unlisted(name):
                continue
            path = os.path.join(folder, name)
            out.append((os.path.relpath(path, gen), os.lstat(path)))
    return out


def seal(gen: Path, reuse_from: Path | None = None) -> None:
    """Write ``gen``'s listing. Files that are the same inode as a file listed in
    ``reuse_from`` (a hard link from that generation) take its digest instead of a new one."""
    known: dict[int, Entry] = {}
    if reuse_from is not None:
        try:
            known = {entry.inode: entry for entry in read_listing(reuse_from).values()}
        except ValueError:
            known = {}
    files: dict[str, list[Any]] = {}
    hashed = 0
    for rel, info in _files(gen):
        if not stat.S_ISREG(info.st_mode):
            continue  # never listed, so verification reports nothing here but also trusts nothing
        old = known.get(info.st_ino)
        if old is not None and old.same_file(info):
            digest = old.sha256
        else:
            digest = file_digest(gen / rel)
            hashed += info.st_size
        files[rel] = [info.st_size, digest, info.st_ino, info.st_mtime_ns]
    body = {"format": FORMAT, "files": files}
    atomic.write_json(gen / LISTING, {**body, "digest": _listing_digest(body)})
    logger.debug("sealed %s: %d files, %d bytes hashed", gen, len(files), hashed)


def _listing_digest(body: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode("utf-8")).hexdigest()


def read_listing(gen: Path) -> dict[str, Entry]:
    """The listing of ``gen``; raises ValueError (with the reason) when it is missing or damaged."""
    try:
        data = json.loads((gen / LISTING).read_bytes())
    except FileNotFoundError:
        raise ValueError(f"{LISTING} is missing") from None
    except (OSError, ValueError) as exc:
        raise ValueError(f"{LISTING} cannot be read ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("files"), dict):
        raise ValueError(f"{LISTING} is not a file listing")
    if data.get("digest") != _listing_digest({"format": data["format"], "files": data["files"]}):
        raise ValueError(f"{LISTING} does not match its own digest")
    try:
        return {rel: Entry(int(e[0]), str(e[1]), int(e[2]), int(e[3])) for rel, e in data["files"].items()}
    except (TypeError, ValueError, IndexError):
        raise ValueError(f"{LISTING} has malformed entries") from None


def verify(gen: Path, *, full: bool) -> list[str]:
    """What is wrong with ``gen`` (an empty list when nothing is), path by path.

    Always: the listing is intact and every listed file is a regular file of its listed size,
    files up to SMALL_FILE_BYTES matching their digest. ``full``: every file's digest.
    """
    try:
        listing = read_listing(gen)
    except ValueError as exc:
        return [str(exc)]
    problems = []
    for rel, entry in listing.items():
        path = gen / rel
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            problems.append(f"{rel} is missing")
            continue
        except OSError as exc:
            problems.append(f"{rel} cannot be read ({exc.strerror or exc})")
            continue
        if not stat.S_ISREG(info.st_mode):
            problems.append(f"{rel} is not a regular file")
        elif info.st_size != entry.size:
            problems.append(f"{rel} is {info.st_size:,} bytes, not {entry.size:,}")
        elif full or entry.size <= SMALL_FILE_BYTES:
            try:
                if file_digest(path) != entry.sha256:
                    problems.append(f"{rel} does not match its checksum")
            except OSError as exc:
                problems.append(f"{rel} cannot be read ({exc.strerror or exc})")
    return problems
