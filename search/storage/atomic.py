"""Atomic file replacement, the one way the index folder's small files are written.

A file is written to ``NAME.tmp`` and then renamed over ``NAME``: a reader sees the old
content or the new, never a part. The temporary file is always created new (``O_EXCL``,
``O_NOFOLLOW``) after removing whatever had its name, so nothing is ever written through a
symbolic link planted there, nor into a file that another generation shares by a hard link.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def write_bytes(path: Path, data: bytes, *, sync: bool = False) -> None:
    """Replace ``path`` with ``data`` atomically (``sync``: on disk before the rename)."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        os.unlink(tmp)
    except FileNotFoundError:
        pass
    fd = os.open(tmp, _FLAGS, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        if sync:
            os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


def write_text(path: Path, text: str, *, sync: bool = False) -> None:
    write_bytes(path, text.encode("utf-8"), sync=sync)


def write_json(path: Path, data: Any, *, indent: int | None = None) -> None:
    """Replace ``path`` with ``data`` as JSON (sorted keys, so equal data gives equal bytes)."""
    write_text(path, json.dumps(data, indent=indent, sort_keys=True, ensure_ascii=False))
