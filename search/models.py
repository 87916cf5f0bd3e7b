"""Typed records shared by ingestion, indexing, querying, the CLI and the JSON output."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

LinkKind = Literal["prev", "next", "related", "body"]
LINK_KINDS: tuple[str, ...] = ("prev", "next", "related", "body")


@dataclass(frozen=True, slots=True)  # slots: an indexing run holds every article's links
class Link:
    """One outgoing link of an article.

    ``url`` is absolute when the source gave one (resolved against the page's canonical or
    base URL); plain-text exports name their prev/next/related articles by title only, so
    ``url`` is then empty and ``text`` holds the title.
    """

    url: str
    text: str
    kind: LinkKind

    def to_dict(self) -> dict[str, str]:
        return {"url": self.url, "text": self.text, "kind": self.kind}


@dataclass(frozen=True)
class Notice:
    """A warning about one source that did not make it a failure: something a limit cut, or a
    file left out on purpose (a symbolic link not followed, a named pipe)."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass
class Article:
    """One extracted article, ready to index.

    ``body`` is clean article text: paragraphs (headings and list items included, one per
    paragraph) separated by a blank line, without page furniture or link lists.
    """

    id: str
    title: str
    body: str
    url: str = ""
    links: list[Link] = field(default_factory=list)
    description: str = ""
    language: str = ""
    published: str = ""  # ISO 8601 date or datetime as the page gave it, "" when unknown
    modified: str = ""
    source: str = ""  # file the article came from ("" when extracted from a string)

    def to_dict(self) -> dict[str, Any]:
        # Written out (not dataclasses.asdict, which deep-copies): indexing calls this per article.
        return {
            "id": self.id,
            "title": self.title,
            "body": self.body,
            "url": self.url,
            "links": [link.to_dict() for link in self.links],
            "description": self.description,
            "language": self.language,
            "published": self.published,
            "modified": self.modified,
            "source": self.source,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Article:
        """The article :meth:`to_dict` gave (other keys, like a store's bookkeeping, are ignored)."""
        return cls(
            id=data["id"],
            title=data.get("title", ""),
            body=data.get("body", ""),
            url=data.get("url", ""),
            links=[Link(**link) for link in data.get("links", [])],
            description=data.get("description", ""),
            language=data.get("language", ""),
            published=data.get("published", ""),
            modified=data.get("modified", ""),
            source=data.get("source", ""),
        )


@dataclass(frozen=True)
class Snippet:
    """A passage of an article with the matched words marked by spans, never by markup.

    ``text`` is plain text. ``highlights`` are sorted, non-overlapping ``(start, end)`` offsets
    into it, in characters (Python string indices, i.e. Unicode code points). Rendering adds
    markup and escapes the rest: :func:`search.render.snippet_html` (``<mark>``) or
    :func:`search.render.snippet_terminal`.
    """

    text: str = ""
    highlights: tuple[tuple[int, int], ...] = ()

    def __str__(self) -> str:
        return self.text

    def marked_words(self) -> list[str]:
        """The highlighted stretches of text, in order."""
        return [self.text[a:b] for a, b in self.highlights]


@dataclass(frozen=True)
class Hit:
    """One ranked search result: plain-text fields, a :class:`Snippet`, and the article's
    first links (``more_links`` counts the ones left out; see MAX_HIT_LINKS)."""

    id: str
    title: str
    url: str
    score: float
    snippet: Snippet = field(default_factory=Snippet)
    links: list[Link] = field(default_factory=list)
    more_links: int = 0

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: ``snippet`` is safe HTML (the text escaped, only ``<mark>`` added);
        ``snippet_text`` and ``highlights`` give the plain form; every other string is plain."""
        from .render import snippet_html  # models stay free of rendering until asked

        return {
            "id": self.id,
            "title": self.title,
            "url": self.url,
            "score": self.score,
            "snippet": snippet_html(self.snippet),
            "snippet_text": self.snippet.text,
            "highlights": [list(span) for span in self.snippet.highlights],
            "links": [link.to_dict() for link in self.links],
            "more_links": self.more_links,
        }


@dataclass(frozen=True)
class SearchResults:
    """One page of ranked hits for a query. ``query`` is always the text as typed. When a word
    of it is misspelt, ``corrected`` is the corrected query these hits are for ("Showing
    results for": the text as typed found nothing, or the correction is likelier), or
    ``suggestion`` offers the correction beside the hits of the text as typed ("Did you mean").
    Iterating gives the page's hits and ``len()`` counts them (``total`` counts every match).
    """

    query: str
    total: int
    hits: list[Hit]
    page: int = 1
    suggestion: str | None = None
    corrected: str | None = None
    took_ms: float = 0.0  # the search's time in the library, milliseconds

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "corrected_query": self.corrected,
            "total": self.total,
            "page": self.page,
            "suggestion": self.suggestion,
            "took_ms": self.took_ms,
            "hits": [hit.to_dict() for hit in self.hits],
        }

    def to_json(self) -> str:
        """:meth:`to_dict` as the CLI prints it (:func:`search.render.to_json`: letters kept,
        control characters escaped)."""
        from .render import to_json  # models stay free of rendering until asked

        return to_json(self.to_dict())

    def __iter__(self) -> Iterator[Hit]:
        return iter(self.hits)

    def __len__(self) -> int:
        return len(self.hits)


@dataclass(frozen=True)
class IndexStats:
    """Counts and facts about one index."""

    path: str
    articles: int
    size_bytes: int
    last_build: str
    schema_version: str
    analyzer_version: str
    generation: str = ""  # the live generation's folder name
    rollback_to: str = ""  # the generation ``rollback`` would make live ("" when none)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class GenerationCheck:
    """One generation of an index as ``healthsearch check`` found it."""

    name: str
    role: str  # "live", "previous" (what a rollback serves) or "other" (an interrupted run's)
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class IndexCheck:
    """Every generation of an index verified byte by byte, and the state of its pointer."""

    path: str
    pointer_problem: str  # "" when CURRENT names a generation that is there
    generations: list[GenerationCheck]

    def role(self, role: str) -> GenerationCheck | None:
        return next((g for g in self.generations if g.role == role), None)

    @property
    def ok(self) -> bool:
        """True when the pointer and the generations a query or a rollback may use are intact."""
        return not self.pointer_problem and all(g.ok for g in self.generations if g.role != "other")

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "ok": self.ok}


@dataclass(frozen=True)
class Progress:
    """How far an indexing run is: files done of all files (unchanged ones count as done at
    once), bytes read of the bytes of the files it reads, and articles so far."""

    files_done: int
    files_total: int
    bytes_done: int
    bytes_total: int
    articles: int


@dataclass
class IndexReport:
    """What one run of the indexer did."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    failed: int = 0
    #: files left out on purpose (symbolic links not followed, loops, named pipes...)
    skipped: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    #: pages left out as copies of another file's page: (path, the file it duplicates)
    duplicates: list[tuple[str, str]] = field(default_factory=list)
    #: files inside the folders walked that are not pages, by category ("images", "scripts"...)
    not_pages: dict[str, int] = field(default_factory=dict)
    #: what was skipped, and what a limit cut from an article that was indexed: (path, reason)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.failed == 0

    def summary(self) -> str:
        skipped = f", {self.skipped} skipped" if self.skipped else ""
        n = len(self.duplicates)
        copies = f", {n} duplicate{'s' if n != 1 else ''} merged" if n else ""
        left_out = ""
        if self.not_pages:
            total = sum(self.not_pages.values())
            kinds = ", ".join(sorted(self.not_pages, key=lambda k: (-self.not_pages[k], k)))
            left_out = f"; {total} file{'s' if total != 1 else ''} left out: not pages ({kinds})"
        return (
            f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.removed} removed, {self.failed} failed{skipped}{copies}{left_out} in {self.seconds:.1f}s"
        )

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["failures"] = [{"path": p, "reason": r} for p, r in self.failures]
        data["warnings"] = [{"path": p, "reason": r} for p, r in self.warnings]
        data["duplicates"] = [{"path": p, "duplicate_of": d} for p, d in self.duplicates]
        return data


@dataclass(frozen=True)
class TermScore:
    """What one query term (or phrase) in one field contributed to a hit's score."""

    field: str
    term: str
    score: float


@dataclass(frozen=True)
class ExplainedHit:
    """A top hit and the terms that scored it, largest first."""

    id: str
    title: str
    score: float
    contributions: list[TermScore]


@dataclass(frozen=True)
class ExpansionTerm:
    """A word the engine added to the query, with its weight and where it came from."""

    term: str
    weight: float
    source: str  # "synonym" or "feedback"


@dataclass(frozen=True)
class ExplainedClause:
    """One part of the query as typed and the index terms it became (``a | b``: alternatives)."""

    text: str
    kind: str  # "term", "phrase" or "prefix"
    fields: str
    occur: str  # "should", "must" or "must_not"
    terms: list[str]


@dataclass(frozen=True)
class Explanation:
    """How a query was analysed and expanded, and why the top hits scored as they did."""

    query: str
    clauses: list[ExplainedClause]
    expansions: list[ExpansionTerm]
    engine_query: str
    hits: list[ExplainedHit]
    corrected: str | None = None  # the correction explained instead of the query as typed

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
