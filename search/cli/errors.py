"""The CLI's errors: the library's typed errors as one-line messages with a hint, and exit codes."""

from __future__ import annotations

import errno
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from ..errors import (
    ArticleNotFoundError,
    ExtractionError,
    HealthSearchError,
    IndexCorruptError,
    IndexDamagedError,
    IndexLockedError,
    IndexNotFoundError,
    ProfileError,
    QuerySyntaxError,
    StorageError,
)
from ..render import terminal_text

#: Exit codes (also in the README): 0 success; 1 failure (or some files failed to index);
#: 2 bad usage or malformed query; 75 the index is locked by another writer (EX_TEMPFAIL).
EXIT_FAILED, EXIT_USAGE, EXIT_LOCKED = 1, 2, 75

F = TypeVar("F", bound=Callable[..., Any])


class CliError(click.ClickException):
    """A one-line error with a hint for the next step and a chosen exit code (control
    characters in the message, say from a file name, are shown escaped)."""

    def __init__(self, message: str, hint: str = "", exit_code: int = EXIT_FAILED) -> None:
        super().__init__(terminal_text(f"{message}. Hint: {hint}." if hint else message))
        self.exit_code = exit_code


def index_flag(index_dir: Path) -> str:
    return "" if index_dir == Path("index") else f" --index {index_dir}"


def _index_hint(index_dir: Path) -> str:
    return f"build it with 'healthsearch index [PATHS...]{index_flag(index_dir)}'"


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


def library_errors(func: F) -> F:
    """Turn the library's typed errors into one-line CLI errors with a hint."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        index_dir = kwargs.get("index_dir") or default_index_dir()
        try:
            return func(*args, **kwargs)
        except IndexNotFoundError as exc:
            raise CliError(str(exc), _index_hint(index_dir)) from exc
        except IndexDamagedError as exc:
            raise CliError(
                str(exc),
                f"'healthsearch check{index_flag(index_dir)}' says more and what to do;"
                f" 'healthsearch index --rebuild PATHS...{index_flag(index_dir)}' rebuilds it",
            ) from exc
        except StorageError as exc:
            raise CliError(str(exc), _storage_hint(exc)) from exc
        except IndexCorruptError as exc:
            raise CliError(str(exc), "rebuild it with 'healthsearch index --rebuild [PATHS...]'") from exc
        except IndexLockedError as exc:
            raise CliError(str(exc), "wait for the other run to finish, then try again", EXIT_LOCKED) from exc
        except QuerySyntaxError as exc:
            raise CliError(
                f"bad query: {exc}",
                'use plain words, "a phrase" in quotes, title:word, or -word to exclude',
                EXIT_USAGE,
            ) from exc
        except ArticleNotFoundError as exc:
            raise CliError(str(exc), "find article ids with 'healthsearch query TEXT'") from exc
        except ExtractionError as exc:
            raise CliError(str(exc), "check the path and try again") from exc
        except ProfileError as exc:
            raise CliError(str(exc), "see 'Site profiles' in the README for the format", EXIT_USAGE) from exc
        except HealthSearchError as exc:
            raise CliError(str(exc)) from exc

    return wrapper  # type: ignore[return-value]


def default_index_dir() -> Path:
    from ..api import default_index_dir as library_default

    return library_default()
