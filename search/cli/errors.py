"""The CLI's errors: the library's typed errors as one-line messages with a hint, and exit codes."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from ..errors import HealthSearchError, IndexNotFoundError
from ..messages import ErrorKind, describe, one_line
from ..render import terminal_text

#: Exit codes (also in the README): 0 success; 1 failure (or some files failed to index, or a
#: query matched nothing);
#: 2 bad usage or malformed query; 75 the index is locked by another writer (EX_TEMPFAIL).
EXIT_FAILED, EXIT_USAGE, EXIT_LOCKED = 1, 2, 75
#: ``query`` found nothing (as grep: scripts test it, with --quiet to print nothing).
EXIT_NO_MATCH = 1

#: The exit code for each kind of library error.
EXIT_CODES: dict[ErrorKind, int] = {
    "usage": EXIT_USAGE, "missing": EXIT_FAILED, "busy": EXIT_LOCKED, "damaged": EXIT_FAILED, "failed": EXIT_FAILED
}

F = TypeVar("F", bound=Callable[..., Any])


class CliError(click.ClickException):
    """A one-line error with a hint for the next step and a chosen exit code (control
    characters in the message, say from a file name, are shown escaped)."""

    def __init__(self, message: str, hint: str = "", exit_code: int = EXIT_FAILED) -> None:
        super().__init__(terminal_text(one_line(message, hint)))
        # click declares exit_code a class variable; what it reads is the instance's value.
        self.exit_code = exit_code  # type: ignore[misc]


def library_errors(func: F) -> F:
    """Turn the library's typed errors into one-line CLI errors with a hint."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        index_dir = kwargs.get("index_dir") or default_index_dir()
        try:
            return func(*args, **kwargs)
        except HealthSearchError as exc:
            found = describe(exc, index_dir)
            message = found.message
            if isinstance(exc, IndexNotFoundError) and kwargs.get("index_dir") is None:
                message += f" (the default index folder, {DEFAULT_INDEX_SOURCE}; --index DIR names another)"
            raise CliError(message, found.hint, EXIT_CODES[found.kind]) from exc

    return wrapper  # type: ignore[return-value]


#: Where the default index folder comes from, for messages.
DEFAULT_INDEX_SOURCE = "$HEALTHSEARCH_INDEX or ./index"


def default_index_dir() -> Path:
    from ..api import default_index_dir as library_default

    return library_default()
