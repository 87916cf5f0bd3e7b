"""Following the live generation: one home for reading CURRENT and opening what it names."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Generic, TypeVar

from ..errors import IndexCorruptError, IndexNotFoundError
from ..text.sanitize import shown
from .generations import current, other_version, verify


def check_openable(index_dir: Path, gen: Path) -> None:
    """The quick check before a generation is read: raise IndexCorruptError when it was built
    by another version, IndexDamagedError when it does not match its listing."""
    if other_version(gen):
        raise IndexCorruptError(
            f"the index at {shown(index_dir)} was built by another version of healthsearch;"
            " run 'healthsearch index --rebuild'"
        )
    verify(index_dir, gen, full=False)


T = TypeVar("T")


class Live(Generic[T]):
    """Follows the live generation of an index folder: :meth:`get` gives what ``opener`` made
    of the generation CURRENT names now, opened (after :func:`check_openable`) only when
    CURRENT names another than last time. A published generation never changes, so nothing
    opened is ever refreshed in place.
    """

    def __init__(self, index_dir: Path, opener: Callable[[Path], T]) -> None:
        self.index_dir = Path(index_dir)
        self._opener = opener
        self.generation: Path | None = None
        self._value: T | None = None

    def close(self) -> None:
        """Let go of what was opened (the next :meth:`get` opens the live generation again)."""
        self.generation, self._value = None, None

    def get(self) -> T:
        for attempt in (1, 2):
            gen = current(self.index_dir)
            if gen is None:
                raise IndexNotFoundError(f"no index at {shown(self.index_dir)}")
            if self._value is not None and self.generation == gen:
                return self._value
            try:
                check_openable(self.index_dir, gen)
                value = self._opener(gen)
            except IndexCorruptError:
                if attempt == 2 or current(self.index_dir) == gen:
                    raise
                continue  # a writer published and cleaned between our two reads: look again
            self.generation, self._value = gen, value
            return value
        raise AssertionError("unreachable")
