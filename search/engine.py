"""Whoosh engine: the only module that imports whoosh (schema, analyzer adapter, reading, writing, ranking).

Everything engine-specific lives here so that swapping Whoosh for another engine touches one
file. Rules learned the hard way and kept here:

* Never call ``Searcher.refresh()``: open a new searcher for every read (whoosh-reloaded's
  ``refresh()`` returns deleted documents after ``update_document``).
* The analyzer is our own (:mod:`search.analysis`); Whoosh only sees it through
  :class:`MedicalTokenizer`, whose import path is pickled into the index's schema.
* A :class:`Generation` is one Whoosh index in one generation folder (see :mod:`search.store`);
  :class:`Engine` follows the folder's CURRENT pointer, so readers always see a complete one.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from whoosh import fields, highlight, index, scoring
from whoosh import query as wq
from whoosh.analysis import Token, Tokenizer
from whoosh.filedb.filestore import FileStorage

from . import analysis, querylang, store
from .errors import IndexCorruptError, IndexLockedError, IndexNotFoundError, QuerySyntaxError
from .models import Article, Hit, IndexStats, Link, SearchResults

logger = logging.getLogger(__name__)

#: Bump when the schema changes; an index built with another version must be rebuilt.
SCHEMA_VERSION = "2"
META_FILE = "healthsearch.json"
INDEX_NAME = "articles"

#: Query-time field weights (BM25F per field, summed): a title match outranks a body match.
FIELD_WEIGHTS: dict[str, float] = {"title": 3.0, "body": 1.0, "anchors": 1.5}
#: Extra score for documents containing the query's words next to each other.
PHRASE_BOOST = 1.5
#: Coordination bonus: documents matching more of the query's words rank higher.
COORD_SCALE = 0.9
MARK_START, MARK_END = "<mark>", "</mark>"
SNIPPET_CHARS = 240  # the lead used when no body word matched
SNIPPET_FRAGMENTS = 2  # up to this many passages around matches, each about FRAGMENT_CHARS long
FRAGMENT_CHARS = 150


class MedicalTokenizer(Tokenizer):
    """Whoosh tokenizer running :func:`search.analysis.analyze` (the whole analysis chain)."""

    def __init__(self, stem: bool = True) -> None:
        self.stem = stem
        self.is_morph = stem  # tells Whoosh the forms change (used by its spelling support)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MedicalTokenizer) and other.stem == self.stem

    def __call__(  # type: ignore[override]
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            token.original = token.text = value
            token.boost, token.stopped = 1.0, False
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar, token.endchar = start_char, start_char + len(value)
            yield token
            return
        for tok in analysis.analyze(value, stem=self.stem):
            token.text = tok.text
            token.boost, token.stopped = 1.0, False
            if keeporiginal:
                token.original = value[tok.start : tok.end]
            if positions:
                token.pos = start_pos + tok.pos
            if chars:
                token.startchar, token.endchar = start_char + tok.start, start_char + tok.end
            yield token


def _schema() -> fields.Schema:
    text = MedicalTokenizer(stem=True)
    return fields.Schema(
        id=fields.ID(stored=True, unique=True, sortable=True),
        url=fields.ID(stored=True),
        title=fields.TEXT(analyzer=text, stored=True),
        body=fields.TEXT(analyzer=text, stored=True),
        anchors=fields.TEXT(analyzer=text, stored=True),
        # Unstemmed words of title and body: the dictionary for "did you mean".
        spell=fields.TEXT(analyzer=MedicalTokenizer(stem=False), phrase=False),
        links=fields.STORED(),
        description=fields.STORED(),
        language=fields.STORED(),
        published=fields.STORED(),
        modified=fields.STORED(),
        # Change detection, read as columns (without loading whole documents).
        source=fields.ID(stored=True, sortable=True),
        content_hash=fields.ID(stored=True, sortable=True),
        mtime_ns=fields.NUMERIC(numtype=int, bits=64, stored=True, sortable=True),
        size=fields.NUMERIC(numtype=int, bits=64, stored=True, sortable=True),
        fingerprint=fields.ID(stored=True, sortable=True),
        indexed_at=fields.STORED(),
    )


@dataclass(frozen=True)
class IndexedState:
    """What the indexer needs to know about one indexed article to decide whether to touch it."""

    id: str
    source: str
    content_hash: str
    mtime_ns: int
    size: int


@dataclass(frozen=True)
class GraphNode:
    """An indexed article's place in the link graph."""

    url: str
    title: str
    links: tuple[Link, ...]
    anchors: str


def _read_meta(gen: Path) -> dict[str, Any]:
    try:
        return json.loads((gen / META_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise IndexCorruptError(f"cannot read {gen / META_FILE}: {exc}") from exc


def _write_meta(gen: Path, meta: dict[str, Any]) -> None:
    tmp = gen / (META_FILE + ".tmp")
    tmp.write_text(json.dumps(meta, indent=2, sort_keys=True), encoding="utf-8")
    os.replace(tmp, gen / META_FILE)


def versions() -> dict[str, str]:
    """The schema and analyzer versions this code writes."""
    return {"schema_version": SCHEMA_VERSION, "analyzer_version": analysis.ANALYZER_VERSION}


def is_compatible(gen: Path) -> bool:
    """True when the generation was built with this code's schema and analyzer."""
    meta = _read_meta(gen)
    return all(meta.get(key) == value for key, value in versions().items())


class Generation:
    """One generation folder of the index: read it, search it, or write to it."""

    def __init__(self, path: Path, ix: index.Index) -> None:
        self.path = path
        self._ix = ix

    @classmethod
    def open(cls, path: Path) -> Generation:
        """Open an existing generation; raise IndexCorruptError if it cannot be used."""
        if not index.exists_in(str(path), indexname=INDEX_NAME):
            raise IndexCorruptError(f"{path} holds no index")
        if not is_compatible(path):
            raise IndexCorruptError(f"the index at {path.parent} was built by another version of healthsearch")
        try:
            ix = index.open_dir(str(path), indexname=INDEX_NAME)
        except Exception as exc:  # Whoosh raises many kinds here (pickle, EOF, OS errors)
            raise IndexCorruptError(f"cannot open the index at {path.parent}: {exc}") from exc
        return cls(path, ix)

    @classmethod
    def create(cls, path: Path) -> Generation:
        """Create a new, empty index in the (empty) folder ``path``."""
        ix = FileStorage(str(path)).create_index(_schema(), indexname=INDEX_NAME)
        _write_meta(path, {**versions(), "created_at": _now()})
        return cls(path, ix)

    # -- reading -----------------------------------------------------------------------------

    def doc_count(self) -> int:
        with self._ix.searcher() as searcher:
            return searcher.doc_count()

    def states(self) -> dict[str, IndexedState]:
        """Every indexed article's change-detection state, by id (read from columns: fast)."""
        out: dict[str, IndexedState] = {}
        names = ("id", "source", "content_hash", "mtime_ns", "size")
        with self._ix.reader() as reader:
            if reader.doc_count_all() == 0:
                return out  # an empty index has no columns yet
            columns = [reader.column_reader(name) for name in names]
            for docnum in reader.all_doc_ids():
                doc_id, source, digest, mtime_ns, size = (column[docnum] for column in columns)
                out[doc_id] = IndexedState(doc_id, source, digest, mtime_ns, size)
        return out

    def graph(self) -> dict[str, GraphNode]:
        """Every indexed article's URL, title, outgoing links and incoming anchor text."""
        out: dict[str, GraphNode] = {}
        with self._ix.reader() as reader:
            for _docnum, stored in reader.iter_docs():
                out[stored["id"]] = GraphNode(
                    url=stored.get("url", ""),
                    title=stored.get("title", ""),
                    links=tuple(Link(**link) for link in stored.get("links", [])),
                    anchors=stored.get("anchors", ""),
                )
        return out

    def get(self, article_id: str) -> tuple[Article, str] | None:
        """The stored article with ``article_id`` and its incoming anchor text, or None."""
        with self._ix.searcher() as searcher:
            stored = searcher.document(id=article_id)
        if stored is None:
            return None
        return _article_from_stored(stored), stored.get("anchors", "")

    def stats(self, index_dir: Path) -> IndexStats:
        meta = _read_meta(self.path)
        return IndexStats(
            path=str(index_dir),
            articles=self.doc_count(),
            size_bytes=sum(p.stat().st_size for p in self.path.iterdir() if p.is_file()),
            last_build=meta.get("updated_at", meta.get("created_at", "")),
            schema_version=meta.get("schema_version", ""),
            analyzer_version=meta.get("analyzer_version", ""),
        )

    # -- writing -----------------------------------------------------------------------------

    def writer(self) -> EngineWriter:
        """A writer that commits on success and cancels on error (use it as a context manager)."""
        try:
            w = self._ix.writer(limitmb=128)
        except index.LockError as exc:
            raise IndexLockedError(f"the index at {self.path.parent} is being written by another process") from exc
        return EngineWriter(self, w)

    # -- searching ---------------------------------------------------------------------------

    def search(self, parsed: querylang.ParsedQuery, *, limit: int = 10, page: int = 1) -> SearchResults:
        """Rank the articles matching ``parsed`` and return one page of hits."""
        q = build_query(parsed)
        end = page * limit
        # A new searcher for every search: never Searcher.refresh() (see module docstring).
        with self._ix.searcher(weighting=_weighting()) as searcher:
            results = searcher.search(q, limit=end, terms=True, collapse="fingerprint", collapse_limit=1)
            results.fragmenter = highlight.ContextFragmenter(maxchars=FRAGMENT_CHARS, surround=40)
            results.formatter = _MarkFormatter()
            total = len(results)  # copies removed by the collapse are not counted
            hits = [_hit(h) for h in results[(page - 1) * limit : end]]
            suggestion = _suggest(searcher.reader(), parsed) if total < 3 else None
        return SearchResults(query=parsed.text, total=total, page=page, hits=hits, suggestion=suggestion)


class Engine:
    """The live index in an index folder; every call reads the generation CURRENT names now."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = Path(index_dir)
        self._live: Generation | None = None

    @classmethod
    def open(cls, index_dir: Path) -> Engine:
        """Open the live index; raise IndexNotFoundError / IndexCorruptError."""
        engine = cls(index_dir)
        engine.live()
        return engine

    def live(self) -> Generation:
        """The live generation, reopened when a writer has published a new one."""
        for attempt in (1, 2):
            gen = store.current(self.index_dir)
            if gen is None:
                raise IndexNotFoundError(f"no index at {self.index_dir}")
            if self._live is not None and self._live.path == gen:
                return self._live
            try:
                self._live = Generation.open(gen)
                return self._live
            except IndexCorruptError:
                # A writer may have published and cleaned between our two reads: look again.
                if attempt == 2 or store.current(self.index_dir) == gen:
                    raise
        raise AssertionError("unreachable")

    def search(self, parsed: querylang.ParsedQuery, *, limit: int = 10, page: int = 1) -> SearchResults:
        return self.live().search(parsed, limit=limit, page=page)

    def get(self, article_id: str) -> tuple[Article, str] | None:
        return self.live().get(article_id)

    def stats(self) -> IndexStats:
        return self.live().stats(self.index_dir)


def _suggest(reader: Any, parsed: querylang.ParsedQuery) -> str | None:
    """A corrected query when some of its words are not in the index, else None."""
    changed = False
    out: list[str] = []
    for word in parsed.words():
        normal = analysis.normalize_word(word)
        fixed = None
        if normal.isalpha() and reader.doc_frequency("spell", normal) == 0:
            fixed = _closest_term(reader, normal)
        out.append(fixed or word)
        changed = changed or fixed is not None
    return " ".join(out) if changed else None


def _closest_term(reader: Any, word: str) -> str | None:
    """The indexed word nearest to ``word`` (fewest edits, then most documents), or None.

    Drug names often differ from other drug names by two letters (Losec/Lasix), so a word
    that looks like a drug name is only corrected by one edit; short words likewise.
    """
    allowed = 1 if len(word) <= 4 or _looks_like_drug(word) else 2
    best: tuple[int, int, str] | None = None
    for candidate in reader.terms_within("spell", word, 2, prefix=1):
        distance = _edit_distance(word, candidate)
        if distance > allowed or (allowed == 2 and distance == 2 and _looks_like_drug(candidate)):
            continue
        key = (distance, -reader.doc_frequency("spell", candidate), candidate)
        if best is None or key < best:
            best = key
    return best[2] if best else None


def _edit_distance(a: str, b: str) -> int:
    """Optimal-string-alignment distance: insertions, deletions, substitutions, transpositions."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[len(b)]


class EngineWriter:
    """Adds, replaces and deletes articles in one generation; commit on success, cancel on error."""

    def __init__(self, gen: Generation, writer: Any) -> None:
        self._gen = gen
        self._w = writer

    def put(
        self,
        article: Article,
        *,
        anchors: str,
        content_hash: str,
        fingerprint: str,
        mtime_ns: int = 0,
        size: int = 0,
    ) -> None:
        """Add the article, replacing any indexed article with the same id."""
        self._w.update_document(
            id=article.id,
            url=article.url,
            title=article.title,
            body=article.body,
            anchors=anchors,
            spell=f"{article.title}\n{article.body}",
            links=[link.to_dict() for link in article.links],
            description=article.description,
            language=article.language,
            published=article.published,
            modified=article.modified,
            source=article.source,
            content_hash=content_hash,
            fingerprint=fingerprint,
            mtime_ns=mtime_ns,
            size=size,
            indexed_at=_now(),
        )

    def put_stored(self, article_id: str, **changes: Any) -> None:
        """Re-add an indexed article with some stored fields changed (e.g. new anchor text)."""
        with self._w.searcher() as searcher:
            stored = searcher.document(id=article_id)
        if stored is None:
            return
        stored.update(changes)
        stored["spell"] = f"{stored.get('title', '')}\n{stored.get('body', '')}"
        self._w.update_document(**stored)

    def delete(self, article_id: str) -> None:
        self._w.delete_by_term("id", article_id)

    def commit(self) -> None:
        self._w.commit()
        meta = _read_meta(self._gen.path)
        _write_meta(self._gen.path, {**meta, **versions(), "updated_at": _now()})

    def cancel(self) -> None:
        self._w.cancel()

    def __enter__(self) -> EngineWriter:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.cancel()


# -- query building ------------------------------------------------------------------------------


def build_query(parsed: querylang.ParsedQuery) -> wq.Query:
    """Translate a parsed query into a Whoosh query; raise QuerySyntaxError if nothing is left."""
    groups: dict[str, list[wq.Query]] = {"should": [], "must": [], "must_not": []}
    free_words: list[list[str]] = []  # analysed, unfielded, positive words in order (phrase boost)
    for clause in parsed.clauses:
        node = clause.node
        fields_ = {node.field: 1.0} if node.field else FIELD_WEIGHTS
        if isinstance(node, querylang.Term) and node.prefix:
            stem = analysis.normalize_word(node.text)
            sub = _any_field([wq.Prefix(f, stem, boost=w) for f, w in fields_.items()]) if stem else None
        else:
            units = _units(node.text)
            sub = _any_field([_units_query(f, units, w) for f, w in fields_.items()]) if units else None
            if sub is not None and clause.occur != "must_not" and node.field is None:
                free_words.append([unit.forms[0][0] for unit in units])
        if sub is not None:
            groups[clause.occur].append(sub)
    positive = groups["should"] + groups["must"]
    if not positive:
        raise QuerySyntaxError("the query has only very common words (like 'the' or 'of'); add a more specific word")
    flat = [w for words in free_words for w in words]
    if len(flat) > 1 and len(free_words) > 1:
        slop = 2
        groups["should"].append(
            wq.Or([wq.Phrase(f, flat, slop=slop, boost=PHRASE_BOOST * FIELD_WEIGHTS[f]) for f in ("title", "body")])
        )
    core: wq.Query | None = wq.Or(groups["should"], scale=COORD_SCALE) if groups["should"] else None
    if groups["must"]:
        required = wq.And(groups["must"])
        core = wq.AndMaybe(required, core) if core is not None else required
    assert core is not None
    if groups["must_not"]:
        core = wq.AndNot(core, wq.Or(groups["must_not"]))
    return core


@dataclass(frozen=True)
class _Unit:
    """One word of a query as analysed: its alternative forms, each a run of terms.

    A plain word has one form of one term. A hyphenated compound has two: the joined term
    (``xray``) and its parts (``x``, ``ray``) at consecutive positions, so a query matches
    documents that write it either way.
    """

    pos: int
    forms: tuple[tuple[str, ...], ...]


def _units(text: str) -> list[_Unit]:
    """Group the analyser's tokens into words; tokens inside a compound's span are its parts."""
    tokens = analysis.analyze(text)
    units: list[_Unit] = []
    i = 0
    while i < len(tokens):
        head = tokens[i]
        parts = []
        j = i + 1
        while j < len(tokens) and tokens[j].start >= head.start and tokens[j].end <= head.end and tokens[j].pos >= head.pos:
            parts.append(tokens[j].text)
            j += 1
        forms = ((head.text,), tuple(parts)) if parts and tuple(parts) != (head.text,) else ((head.text,),)
        units.append(_Unit(head.pos, forms))
        i = j
    return units


_MAX_PHRASE_VARIANTS = 8


def _units_query(field: str, units: Sequence[_Unit], boost: float) -> wq.Query:
    """Match ``units`` in order in ``field``: a term, or a phrase per choice of compound forms."""
    variants: list[list[tuple[int, str]]] = [[]]
    for unit in units:
        grown = []
        for variant in variants:
            for form in unit.forms:
                grown.append(variant + [(unit.pos + k, term) for k, term in enumerate(form)])
        variants = grown[:_MAX_PHRASE_VARIANTS]
    queries: list[wq.Query] = []
    for variant in variants:
        if len(variant) == 1:
            queries.append(wq.Term(field, variant[0][1], boost=boost))
            continue
        gaps = [max(0, b[0] - a[0] - 1) for a, b in zip(variant, variant[1:])]
        queries.append(wq.Phrase(field, [term for _pos, term in variant], slop=1 + max(gaps), boost=boost))
    return _any_field(queries)


def _any_field(queries: list[wq.Query]) -> wq.Query:
    return queries[0] if len(queries) == 1 else wq.Or(queries)


def _weighting() -> scoring.WeightingModel:
    return scoring.BM25F(B=0.75, K1=1.2, title_B=0.5, anchors_B=0.5)


# -- results -------------------------------------------------------------------------------------


class _MarkFormatter(highlight.Formatter):
    """Wraps matched words in ``<mark>``...``</mark>`` and joins fragments with an ellipsis."""

    between = " … "

    def format_token(self, text: str, token: Any, replace: bool = False) -> str:
        return f"{MARK_START}{highlight.get_text(text, token, replace)}{MARK_END}"


def _hit(hit: Any) -> Hit:
    body = hit.get("body", "")
    snippet = hit.highlights("body", top=SNIPPET_FRAGMENTS) if body else ""
    if not snippet:
        snippet = _lead(body)
    return Hit(
        id=hit["id"],
        title=hit.get("title", ""),
        url=hit.get("url", ""),
        score=round(float(hit.score), 4),
        snippet=" ".join(snippet.split()),
        links=[Link(**link) for link in hit.get("links", [])],
    )


def _lead(body: str) -> str:
    """The start of the body, cut at a word boundary."""
    text = " ".join(body.split())
    if len(text) <= SNIPPET_CHARS:
        return text
    return text[:SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"


def _article_from_stored(stored: dict[str, Any]) -> Article:
    return Article(
        id=stored["id"],
        title=stored.get("title", ""),
        body=stored.get("body", ""),
        url=stored.get("url", ""),
        links=[Link(**link) for link in stored.get("links", [])],
        description=stored.get("description", ""),
        language=stored.get("language", ""),
        published=stored.get("published", ""),
        modified=stored.get("modified", ""),
        source=stored.get("source", ""),
    )


_DRUG_SUFFIXES = (
    "mab", "nib", "pril", "sartan", "olol", "statin", "cillin", "mycin", "cycline", "floxacin",
    "azole", "prazole", "vir", "dipine", "tidine", "pam", "lam", "zepam", "triptan", "afil",
    "gliptin", "gliflozin", "glitazone", "parin", "oxetine", "aline", "ine", "one", "ide",
)


def _looks_like_drug(word: str) -> bool:
    """Heuristic: drug names differ by one or two letters, so suggest them only at distance 1."""
    return len(word) > 5 and word.endswith(_DRUG_SUFFIXES)


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
