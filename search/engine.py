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

import functools
import json
import logging
import math
import os
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from importlib import resources
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from whoosh import collectors, fields, highlight, index, scoring
from whoosh import query as wq
from whoosh.analysis import Token, Tokenizer
from whoosh.filedb.filestore import FileStorage
from whoosh.lang.porter import stem as porter_stem

from . import analysis, querylang, store
from .errors import IndexCorruptError, IndexLockedError, IndexNotFoundError, QuerySyntaxError
from .models import (
    Article,
    ExpansionTerm,
    ExplainedClause,
    ExplainedHit,
    Explanation,
    Hit,
    IndexStats,
    Link,
    SearchResults,
    TermScore,
)

logger = logging.getLogger(__name__)

#: Bump when the schema changes; an index built with another version must be rebuilt.
SCHEMA_VERSION = "6"
META_FILE = "healthsearch.json"
#: Newer (mtime_ns, size) of sources whose files were touched but whose articles did not
#: change: recorded beside the index instead of rewriting every such article.
STAMPS_FILE = "stamps.json"
INDEX_NAME = "articles"

#: Query-time field weights (BM25F per field, summed): a title match outranks a body match.
FIELD_WEIGHTS: dict[str, float] = {"title": 3.0, "body": 1.0, "anchors": 1.5, "broad": 1.0}
#: Extra score for documents containing the query's words next to each other.
PHRASE_BOOST = 1.5
#: Pseudo-relevance feedback (RM3-style): words typical of the top FEEDBACK_DOCS hits, rare in
#: the index (in at most FEEDBACK_MAX_DF of its documents), are added to the query, together
#: weighing (1 - FEEDBACK_ORIGINAL) of it. Tuned on NFCorpus dev (see the README).
FEEDBACK_DOCS = 10
FEEDBACK_TERMS = 20
FEEDBACK_ORIGINAL = 0.5
FEEDBACK_MAX_DF = 0.1
FEEDBACK_CANDIDATES = 150
#: Below this many articles the top hits say too little about "what else is relevant": a
#: small collection gets only the words typed and their synonyms.
FEEDBACK_MIN_DOCS = 500
#: Weight of lay <-> clinical synonyms (search/data/synonyms.tsv) relative to the words typed.
SYNONYM_WEIGHT = 0.6
MARK_START, MARK_END = "<mark>", "</mark>"
#: The dictionary for "did you mean": the (lightly stemmed) words of titles and bodies.
SPELL_FIELDS = ("title", "body")
SNIPPET_CHARS = 240  # the lead used when no body word matched
SNIPPET_FRAGMENTS = 2  # up to this many passages around matches, each about FRAGMENT_CHARS long
FRAGMENT_CHARS = 150


class MedicalTokenizer(Tokenizer):
    """Whoosh tokenizer running :func:`search.analysis.analyze` (the whole analysis chain).

    ``broad=True`` adds Porter stemming on top, for the low-weight ``broad`` field that lets
    "nutritional" meet "nutrition" without merging them in the precise fields.
    """

    def __init__(self, stem: bool = True, broad: bool = False) -> None:
        self.stem = stem
        self.broad = broad
        self.is_morph = stem  # tells Whoosh the forms change (used by its spelling support)

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update({"broad": False, **state})

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MedicalTokenizer) and (other.stem, other.broad) == (self.stem, self.broad)

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
        for tok in _analyze_cached(value, self.stem):
            token.text = broad_term(tok.text) if self.broad else tok.text
            token.boost, token.stopped = 1.0, False
            if keeporiginal:
                token.original = value[tok.start : tok.end]
            if positions:
                token.pos = start_pos + tok.pos
            if chars:
                token.startchar, token.endchar = start_char + tok.start, start_char + tok.end
            yield token


_last_analysis: list[Any] = [None, None, None]  # value, stem, tokens


def _analyze_cached(value: str, stem: bool) -> list[analysis.Token]:
    """analysis.analyze, reusing the previous result: the body and broad fields of one
    document are the same text, analysed back to back."""
    last = _last_analysis
    if last[0] is value and last[1] == stem:
        return last[2]  # type: ignore[no-any-return]
    tokens = analysis.analyze(value, stem=stem)
    last[:] = [value, stem, tokens]
    return tokens


@functools.lru_cache(maxsize=200_000)
def broad_term(term: str) -> str:
    """Porter stem of an analysed term (digits and one-letter terms stay as they are)."""
    if len(term) < 4 or not term.isalpha():
        return term
    return porter_stem(term)


def _schema() -> fields.Schema:
    text = MedicalTokenizer(stem=True)
    return fields.Schema(
        id=fields.ID(stored=True, unique=True, sortable=True),
        url=fields.ID(stored=True),
        title=fields.TEXT(analyzer=text, stored=True),
        body=fields.TEXT(analyzer=text, stored=True),
        anchors=fields.TEXT(analyzer=text, stored=True),
        # The body again, stemmed aggressively: recall for morphological variants, weighted
        # below the precise fields. (Not the title: the body repeats its words, and sharing
        # the body's analysis keeps indexing fast.)
        broad=fields.TEXT(analyzer=MedicalTokenizer(stem=True, broad=True), phrase=False),
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
        self._searcher: Any = None
        self._fingerprint_column: Any = None

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
            overrides = self.stamp_overrides()
            for docnum in reader.all_doc_ids():
                doc_id, source, digest, mtime_ns, size = (column[docnum] for column in columns)
                mtime_ns, size = overrides.get(source, (mtime_ns, size))
                out[doc_id] = IndexedState(doc_id, source, digest, mtime_ns, size)
        return out

    def stamp_overrides(self) -> dict[str, tuple[int, int]]:
        """Source file -> (mtime_ns, size) recorded after the article was indexed."""
        try:
            data = json.loads((self.path / STAMPS_FILE).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            logger.warning("ignoring unreadable %s: %s", self.path / STAMPS_FILE, exc)
            return {}
        return {source: (int(stamp[0]), int(stamp[1])) for source, stamp in data.items()}

    def extraction_key(self) -> str:
        """What extracted this generation's articles (extractor version and site profiles)."""
        return str(_read_meta(self.path).get("extraction", ""))

    def set_extraction_key(self, key: str) -> None:
        _write_meta(self.path, {**_read_meta(self.path), "extraction": key})

    def write_stamp_overrides(self, overrides: dict[str, tuple[int, int]]) -> None:
        tmp = self.path / (STAMPS_FILE + ".tmp")
        tmp.write_text(json.dumps(overrides, sort_keys=True), encoding="utf-8")
        os.replace(tmp, self.path / STAMPS_FILE)

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

    def searcher(self) -> Any:
        """This generation's searcher, opened once: a published generation never changes.

        Freshness comes from :class:`Engine` switching to a new generation, never from
        ``Searcher.refresh()`` (see the module docstring).
        """
        if self._searcher is None:
            self._searcher = self._ix.searcher(weighting=_weighting())
        return self._searcher

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None
            self._fingerprint_column = None

    def search(
        self,
        parsed: querylang.ParsedQuery,
        *,
        limit: int = 10,
        page: int = 1,
        snippets: bool = True,
        expand: bool = True,
    ) -> SearchResults:
        """Rank the articles matching ``parsed`` and return one page of hits."""
        searcher = self.searcher()
        q, shown, _expansions = self._query(searcher, parsed, expand)
        end = page * limit
        results, docnums, duplicates = self._unique_top(searcher, q, end)
        total = len(results) - duplicates  # copies of one article count once
        results.q = shown  # snippets mark the words asked for (and synonyms), not feedback words
        results.fragmenter = highlight.ContextFragmenter(maxchars=FRAGMENT_CHARS, surround=40)
        results.formatter = _MarkFormatter()
        hits = [_hit(results[i], snippets) for i in docnums[(page - 1) * limit : end]]
        suggestion = _suggest(searcher.reader(), parsed) if total < 3 else None
        return SearchResults(query=parsed.text, total=total, page=page, hits=hits, suggestion=suggestion)

    def _unique_top(self, searcher: Any, q: wq.Query, wanted: int) -> tuple[Any, list[int], int]:
        """The top ``wanted`` results with copies of one article (same fingerprint) removed.

        Returns the Whoosh results, the positions in them of the unique hits, and how many
        copies were dropped. (Whoosh's own ``collapse=`` does this too, but disables its top-k
        optimisation and made queries ten times slower.)
        """
        fingerprints = self._fingerprints(searcher)
        limit = wanted + 5
        while True:
            results = _search(searcher, q, limit)
            seen: set[str] = set()
            keep: list[int] = []
            for i in range(results.scored_length()):
                fp = fingerprints[results.docnum(i)]
                if fp not in seen:
                    seen.add(fp)
                    keep.append(i)
            duplicates = results.scored_length() - len(keep)
            if len(keep) >= wanted or results.scored_length() >= len(results):
                return results, keep[:wanted], duplicates
            limit *= 2

    def _fingerprints(self, searcher: Any) -> Any:
        if self._fingerprint_column is None:
            reader = searcher.reader()
            self._fingerprint_column = reader.column_reader("fingerprint") if reader.doc_count_all() else []
        return self._fingerprint_column

    def explain(self, parsed: querylang.ParsedQuery, *, limit: int = 5, expand: bool = True) -> Explanation:
        """How ``parsed`` was analysed and expanded, and what each term gave the top hits."""
        searcher = self.searcher()
        q, _shown, expansions = self._query(searcher, parsed, expand)
        results, docnums, _duplicates = self._unique_top(searcher, q, limit)
        results = [results[i] for i in docnums]
        leaves = [leaf for leaf in q.leaves() if isinstance(leaf, (wq.Term, wq.Phrase, wq.Prefix))]
        hits = [
            ExplainedHit(hit["id"], hit.get("title", ""), round(float(hit.score), 4), _contributions(searcher, leaves, hit.docnum))
            for hit in results
        ]
        clauses = [_explain_part(part) for part in _parts(parsed)]
        return Explanation(parsed.text, clauses, expansions, str(q), hits)

    def _query(
        self, searcher: Any, parsed: querylang.ParsedQuery, expand: bool
    ) -> tuple[wq.Query, wq.Query, list[ExpansionTerm]]:
        """The Whoosh query for ``parsed`` (with synonyms and feedback terms when ``expand``),
        the query whose words snippets highlight (without feedback terms), and the additions."""
        if not expand:
            q = build_query(parsed)
            return q, q, []
        free = [
            unit.forms[0][0]
            for part in _parts(parsed)
            if part.occur != "must_not" and part.field is None
            for unit in part.units
        ]
        if not free:
            q = build_query(parsed)
            return q, q, []
        synonyms = synonym_expansions(free)
        extra = [
            _any_field([_units_query(f, units, SYNONYM_WEIGHT * FIELD_WEIGHTS[f]) for f in ("title", "body")])
            for _name, units in synonyms
        ]
        q = shown = build_query(parsed, extra=extra)
        feedback = feedback_terms(searcher, q, parsed) if searcher.doc_count() >= FEEDBACK_MIN_DOCS else []
        if feedback:
            extra.append(wq.Or([wq.Term("body", term, boost=weight) for term, weight in feedback]))
            q = build_query(parsed, extra=extra)
        added = [ExpansionTerm(name, SYNONYM_WEIGHT, "synonym") for name, _units in synonyms]
        added += [ExpansionTerm(term, round(weight, 4), "feedback") for term, weight in feedback]
        return q, shown, added


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
                opened = Generation.open(gen)
            except IndexCorruptError:
                # A writer may have published and cleaned between our two reads: look again.
                if attempt == 2 or store.current(self.index_dir) == gen:
                    raise
                continue
            if self._live is not None:
                self._live.close()
            self._live = opened
            return opened
        raise AssertionError("unreachable")

    def search(
        self,
        parsed: querylang.ParsedQuery,
        *,
        limit: int = 10,
        page: int = 1,
        snippets: bool = True,
        expand: bool = True,
    ) -> SearchResults:
        return self.live().search(parsed, limit=limit, page=page, snippets=snippets, expand=expand)

    def explain(self, parsed: querylang.ParsedQuery, *, limit: int = 5, expand: bool = True) -> Explanation:
        return self.live().explain(parsed, limit=limit, expand=expand)

    def get(self, article_id: str) -> tuple[Article, str] | None:
        return self.live().get(article_id)

    def stats(self) -> IndexStats:
        return self.live().stats(self.index_dir)


@functools.lru_cache(maxsize=1)
def _synonym_table() -> dict[tuple[str, ...], list[tuple[str, tuple[_Unit, ...]]]]:
    """Analysed synonym groups: the terms of each name -> the other names of its group."""
    text = resources.files(__package__).joinpath("data/synonyms.tsv").read_text(encoding="utf-8")
    table: dict[tuple[str, ...], list[tuple[str, tuple[_Unit, ...]]]] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        group = [(name, tuple(_units(name))) for name in (n.strip() for n in line.split("\t")) if name]
        for name, units in group:
            key = tuple(unit.forms[0][0] for unit in units)
            if key:
                table.setdefault(key, []).extend((other, o) for other, o in group if other != name and o)
    return table


def synonym_expansions(words: Sequence[str]) -> list[tuple[str, tuple[_Unit, ...]]]:
    """The synonyms of the longest names found in ``words`` (analysed query terms, in order)."""
    table = _synonym_table()
    found: list[tuple[str, tuple[_Unit, ...]]] = []
    i = 0
    while i < len(words):
        for n in range(min(4, len(words) - i), 0, -1):
            alternatives = table.get(tuple(words[i : i + n]))
            if alternatives:
                found.extend(alternatives)
                i += n
                break
        else:
            i += 1
    return found


def feedback_terms(searcher: Any, q: wq.Query, parsed: querylang.ParsedQuery) -> list[tuple[str, float]]:
    """Expansion terms and weights from the top hits of ``q`` (RM3-style relevance model).

    Each word of the top FEEDBACK_DOCS hits is weighted by its share of each hit's words times
    the hit's share of their scores, then by its rarity (idf); words of the query itself, very
    common words, numbers and short words are left out. The weights are scaled so that
    together the expansion counts for (1 - FEEDBACK_ORIGINAL) of the final query.
    """
    top = _search(searcher, q, FEEDBACK_DOCS)
    total = sum(max(hit.score, 0.0) for hit in top)
    if total <= 0:
        return []
    model: Counter[str] = Counter()
    for hit in top:
        words = analysis.terms(f"{hit.get('title', '')}\n{hit.get('body', '')}")
        if not words:
            continue
        share = max(hit.score, 0.0) / total / len(words)
        for word, count in Counter(words).items():
            model[word] += share * count
    reader = searcher.reader()
    n_docs = max(reader.doc_count(), 1)
    asked = {t for clause in parsed.clauses for t in analysis.terms(clause.node.text)}
    scored: list[tuple[float, str]] = []
    # Rarity is looked up only for the likeliest words: each lookup costs a term-table seek.
    for word, p in model.most_common(FEEDBACK_CANDIDATES):
        if word in asked or len(word) < 3 or not word.isalpha():
            continue
        df = reader.doc_frequency("body", word)
        if 0 < df <= FEEDBACK_MAX_DF * n_docs:
            scored.append((p * math.log(n_docs / df), word))
    scored.sort(reverse=True)
    chosen = scored[:FEEDBACK_TERMS]
    norm = sum(p for p, _ in chosen)
    if norm <= 0:
        return []
    scale = (1 - FEEDBACK_ORIGINAL) / FEEDBACK_ORIGINAL * max(len(asked), 1)
    return [(word, scale * p / norm) for p, word in chosen]


def _contributions(searcher: Any, leaves: Sequence[wq.Query], docnum: int) -> list[TermScore]:
    """What each leaf query (term or phrase in a field) scores for one document."""
    out: list[TermScore] = []
    for leaf in leaves:
        try:
            matcher = leaf.matcher(searcher)
        except Exception:  # a leaf Whoosh cannot score alone (e.g. an expanded prefix)
            continue
        if not matcher.is_active():
            continue
        matcher.skip_to(docnum)
        if matcher.is_active() and matcher.id() == docnum:
            text = " ".join(leaf.words) if isinstance(leaf, wq.Phrase) else str(getattr(leaf, "text", leaf))
            out.append(TermScore(leaf.field(), text, round(float(matcher.score()), 4)))
    out.sort(key=lambda t: -t.score)
    return out


def _explain_part(part: _Part) -> ExplainedClause:
    if part.kind == "prefix":
        terms = [analysis.normalize_word(part.text) + "*"]
    else:
        terms = [" | ".join(" ".join(form) for form in unit.forms) for unit in part.units]
    return ExplainedClause(part.text, part.kind, part.field or "title, body, anchors, broad", part.occur, terms)


def _suggest(reader: Any, parsed: querylang.ParsedQuery) -> str | None:
    """A corrected query when some of its words are not in the index, else None."""
    changed = False
    out: list[str] = []
    for word in parsed.words():
        normal = analysis.normalize_word(word)
        fixed = None
        if normal.isalpha() and not any(reader.doc_frequency(f, analysis.stem(normal)) for f in SPELL_FIELDS):
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
    for field in SPELL_FIELDS:
        for candidate in reader.terms_within(field, word, 2, prefix=1):
            distance = _edit_distance(word, candidate)
            if distance > allowed or (allowed == 2 and distance == 2 and _looks_like_drug(candidate)):
                continue
            key = (distance, -reader.doc_frequency(field, candidate), candidate)
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
            broad=article.body,
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
        stored["broad"] = stored.get("body", "")
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


@dataclass(frozen=True)
class _Part:
    """A piece of the query ready to become a Whoosh clause."""

    text: str
    kind: str  # "term", "phrase" or "prefix"
    field: str | None
    occur: str
    units: tuple[_Unit, ...]  # empty for a prefix


def _parts(parsed: querylang.ParsedQuery) -> list[_Part]:
    """The query's clauses, analysed; each word of a plain-word run becomes its own part.

    Consecutive plain words are analysed together, because the analyser needs context:
    the "a" of "hepatitis a" is kept only after "hepatitis".
    """
    parts: list[_Part] = []
    run: list[querylang.Clause] = []

    def flush() -> None:
        if run:
            for unit in _units(" ".join(c.node.text for c in run)):
                parts.append(_Part(unit.text, "term", run[0].node.field, run[0].occur, (unit,)))
            run.clear()

    for clause in parsed.clauses:
        node = clause.node
        if isinstance(node, querylang.Term) and not node.prefix:
            if run and (run[0].occur, run[0].node.field) != (clause.occur, node.field):
                flush()
            run.append(clause)
            continue
        flush()
        if isinstance(node, querylang.Term):
            parts.append(_Part(node.text, "prefix", node.field, clause.occur, ()))
        else:
            parts.append(_Part(node.text, "phrase", node.field, clause.occur, tuple(_units(node.text))))
    flush()
    return parts


def build_query(parsed: querylang.ParsedQuery, extra: Sequence[wq.Query] = ()) -> wq.Query:
    """Translate a parsed query into a Whoosh query; raise QuerySyntaxError if nothing is left.

    ``extra`` are optional clauses (expansion terms) that add to a document's score but never
    decide alone whether it must or must not match.
    """
    groups: dict[str, list[wq.Query]] = {"should": [], "must": [], "must_not": []}
    free_words: list[str] = []  # analysed, unfielded, positive words in order (phrase boost)
    for part in _parts(parsed):
        fields_ = {part.field: 1.0} if part.field else FIELD_WEIGHTS
        sub: wq.Query | None = None
        if part.kind == "prefix":
            stem = analysis.normalize_word(part.text)
            prefix_fields = {f: w for f, w in fields_.items() if f != "broad"}
            sub = _any_field([wq.Prefix(f, stem, boost=w) for f, w in prefix_fields.items()]) if stem else None
        elif part.units:
            sub = _any_field([_units_query(f, part.units, w) for f, w in fields_.items() if w > 0])
            if part.occur != "must_not" and part.field is None:
                free_words.extend(unit.forms[0][0] for unit in part.units)
        if sub is not None:
            groups[part.occur].append(sub)
    if not groups["should"] + groups["must"]:
        raise QuerySyntaxError("the query has only very common words (like 'the' or 'of'); add a more specific word")
    if len(free_words) > 1:
        groups["should"].append(
            wq.Or([wq.Phrase(f, free_words, slop=2, boost=PHRASE_BOOST * FIELD_WEIGHTS[f]) for f in ("title", "body")])
        )
    # No coordination bonus (Or's ``scale``): Whoosh computes it from the sub-matchers still
    # active, which its top-k optimisation prunes, so scores would depend on the page size.
    core: wq.Query | None = wq.Or(groups["should"]) if groups["should"] else None
    if extra:
        core = wq.Or([core, *extra]) if core is not None else wq.Or(list(extra))
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
    text: str = ""  # the word as typed


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
        units.append(_Unit(head.pos, forms, text[head.start : head.end]))
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
                if field == "broad":
                    form = tuple(broad_term(term) for term in form)
                grown.append(variant + [(unit.pos + k, term) for k, term in enumerate(form)])
        variants = grown[:_MAX_PHRASE_VARIANTS]
    queries: list[wq.Query] = []
    for variant in variants:
        if len(variant) > 1 and field == "broad":
            continue  # the broad field keeps no positions: single words only
        if len(variant) == 1:
            queries.append(wq.Term(field, variant[0][1], boost=boost))
            continue
        gaps = [max(0, b[0] - a[0] - 1) for a, b in zip(variant, variant[1:])]
        queries.append(wq.Phrase(field, [term for _pos, term in variant], slop=1 + max(gaps), boost=boost))
    return _any_field(queries) if queries else wq.NullQuery


def _search(searcher: Any, q: wq.Query, limit: int) -> Any:
    """Top ``limit`` hits, scoring every match.

    Whoosh's top-k machinery rebuilds ("replaces") the matcher tree every ten hits and checks
    block quality; for our wide OR queries (several fields per word, plus expansion terms)
    that bookkeeping cost several times the scoring it saves.
    """
    collector: Any = collectors.TopCollector(limit=limit, usequality=False)
    collector.replace = 0
    searcher.search_with_collector(q, collector)
    return collector.results()


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


def _hit(hit: Any, snippets: bool = True) -> Hit:
    body = hit.get("body", "") if snippets else ""
    snippet = hit.highlights("body", top=SNIPPET_FRAGMENTS) if body else ""
    if snippets and not snippet:
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
