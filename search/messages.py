"""The library's errors as messages a person can act on: one line, a hint, and a kind for the front end."""

from __future__ import annotations

import errno
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from .errors import (
    ArticleNotFoundError,
    ExtractionError,
    HealthSearchError,
    IndexCorruptError,
    IndexDamagedError,
    IndexLockedError,
    IndexNotFoundError,
    NothingToRollBackError,
    ProfileError,
    QuerySyntaxError,
    StorageError,
)

#: What went wrong, for a front end to choose an exit code or an HTTP status:
#: ``usage`` (the request itself is wrong: a malformed query or site profile),
#: ``missing`` (no index, no such article), ``busy`` (another writer holds the index),
#: ``damaged`` (the index must be checked or rebuilt), ``failed`` (anything else).
ErrorKind = Literal["usage", "missing", "busy", "damaged", "failed"]


@dataclass(frozen=True)
class ErrorMessage:
    """One error as shown: the message, a hint for the next step ("" when none), its kind."""

    message: str
    hint: str
    kind: ErrorKind

    def line(self) -> str:
        """The message and its hint on one line."""
        return one_line(self.message, self.hint)


def one_line(message: str, hint: str = "") -> str:
    """A message and its hint ("" for none) as the one line every front end shows."""
    return f"{message}. Hint: {hint}." if hint else message


def index_flag(index_dir: Path) -> str:
    """The ``--index`` option a hint repeats (none for the default folder)."""
    return "" if index_dir == Path("index") else f" --index {index_dir}"


def describe(exc: HealthSearchError, index_dir: Path = Path("index")) -> ErrorMessage:
    """``exc`` as a message with a hint; ``index_dir`` is the index folder the request named."""
    flag = index_flag(index_dir)
    text = str(exc)
    if isinstance(exc, IndexNotFoundError):
        return ErrorMessage(text, f"build it with 'healthsearch index [PATHS...]{flag}'", "missing")
    if isinstance(exc, IndexDamagedError):
        return ErrorMessage(
            text,
            f"'healthsearch check{flag}' says more and what to do;"
            f" 'healthsearch index --rebuild PATHS...{flag}' rebuilds it",
            "damaged",
        )
    if isinstance(exc, StorageError):
        return ErrorMessage(text, _storage_hint(exc), "failed")
    if isinstance(exc, IndexCorruptError):
        return ErrorMessage(text, "rebuild it with 'healthsearch index --rebuild [PATHS...]'", "damaged")
    if isinstance(exc, NothingToRollBackError):
        return ErrorMessage(
            text, f"a run keeps the generation before it: roll back after the next 'healthsearch index{flag}'", "missing"
        )
    if isinstance(exc, IndexLockedError):
        return ErrorMessage(text, "wait for the other run to finish, then try again", "busy")
    if isinstance(exc, QuerySyntaxError):
        return ErrorMessage(
            f"bad query: {text}", 'use plain words, "a phrase" in quotes, title:word, or -word to exclude', "usage"
        )
    if isinstance(exc, ArticleNotFoundError):
        return ErrorMessage(text, exc.hint or "find article ids with 'healthsearch query WORDS'", "missing")
    if isinstance(exc, ExtractionError):
        return ErrorMessage(text, "check the path and try again", "failed")
    if isinstance(exc, ProfileError):
        return ErrorMessage(text, "see 'Site profiles' in the README for the format", "usage")
    return ErrorMessage(text, "", "failed")


def _storage_hint(exc: StorageError) -> str:
    """What to do about a file-system refusal, by its cause; the live index is unchanged."""
    unchanged = "the index is as it was before this run"
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"free some space on the disk holding {exc.path} and run it again ({unchanged})"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"check who may write to {exc.path} ({unchanged})"
    if exc.errno == errno.EROFS:
        return f"{exc.path} is on a read-only file system: choose another --index folder"
    if exc.errno == errno.ELOOP:
        return f"remove the symbolic link {exc.path}; healthsearch never writes through one"
    if exc.errno == errno.ENOENT:
        return f"{exc.path} disappeared while healthsearch was using it: run it again ({unchanged})"
    return f"check {exc.path} and run it again ({unchanged})"
