"""Typed exceptions raised by the healthsearch library (the CLI turns them into messages)."""

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
    """An index exists but cannot be opened."""


class IndexLockedError(HealthSearchError):
    """Another process is writing to the index."""


class QuerySyntaxError(HealthSearchError):
    """The query text cannot be parsed into a search."""


class ArticleNotFoundError(HealthSearchError):
    """No article with the given id is indexed."""


class ProfileError(HealthSearchError):
    """A site-profile file cannot be read or is not valid."""
