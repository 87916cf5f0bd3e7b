"""Typed exceptions raised by the healthsearch library (search.messages words them for the front ends)."""

from __future__ import annotations


class HealthSearchError(Exception):
    """Base class of every error the library raises on purpose."""


class ExtractionError(HealthSearchError):
    """A source file could not be read or did not contain an article (binary, empty, too large...)."""

    def __init__(self, message: str, path: str = "") -> None:
        super().__init__(message, path)  # both in args, so the error survives pickling
        self.path = path
        self.reason = message

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}" if self.path else self.reason


class IndexNotFoundError(HealthSearchError):
    """No index exists at the given location."""


class IndexCorruptError(HealthSearchError):
    """An index exists but cannot be opened (damaged, or built by another version)."""


class NothingToRollBackError(HealthSearchError):
    """The index keeps no earlier generation to roll back to (a first build, or a rebuilt one)."""


class IndexDamagedError(IndexCorruptError):
    """A generation of the index does not match its file listing: files missing, cut short
    or changed. ``generation`` names it; ``problems`` says what is wrong, file by file."""

    def __init__(self, index_dir: str, generation: str, problems: list[str]) -> None:
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        super().__init__(f"the index at {index_dir} is damaged: {generation}: {problems[0]}{more}")
        self.index_dir = index_dir
        self.generation = generation
        self.problems = problems

    def __reduce__(self) -> tuple[type, tuple[str, str, list[str]]]:
        return (type(self), (self.index_dir, self.generation, self.problems))


class StorageError(HealthSearchError):
    """The file system refused an operation on the index: no space left, no permission, a
    read-only folder, a file that vanished. ``path`` is where; ``errno`` says why."""

    def __init__(self, message: str, path: str, errno: int | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.errno = errno

    def __reduce__(self) -> tuple[type, tuple[str, str, int | None]]:
        return (type(self), (str(self), self.path, self.errno))


class IndexLockedError(HealthSearchError):
    """Another process is writing to the index."""


class QuerySyntaxError(HealthSearchError):
    """The query text cannot be parsed into a search."""


class ArticleNotFoundError(HealthSearchError):
    """No indexed article is named by the given id, URL or source file path (or a source file
    holds several: ``hint`` then says how to name one)."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message, hint)
        self.hint = hint

    def __str__(self) -> str:
        return str(self.args[0])


class ProfileError(HealthSearchError):
    """A site-profile file cannot be read or is not valid."""


class EvaluationInputError(HealthSearchError):
    """A queries or qrels file cannot be read."""
