"""Search filters: which articles a search may return, whatever their score."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Filter:
    """Conditions a returned article must meet, all of them (as Whoosh's ``filter=`` and
    sqlite-utils' ``where=``): a filtered search ranks, counts and pages only these articles.

    ``ids``: only these article ids; ``id_prefix``: only ids starting with it (a page without
    a canonical URL is named by its folder and path, so ``"corpus/nhs/"`` keeps one folder of a
    corpus; one with a canonical URL by its host and path, so ``"example.org/"`` keeps one site).
    """

    ids: frozenset[str] | None = None
    id_prefix: str = ""

    @classmethod
    def of(cls, *, ids: Iterable[str] | None = None, id_prefix: str = "") -> Filter:
        return cls(frozenset(ids) if ids is not None else None, id_prefix)

    def allows(self, article_id: str) -> bool:
        """True when the article with this id may be returned."""
        if self.ids is not None and article_id not in self.ids:
            return False
        return article_id.startswith(self.id_prefix)
