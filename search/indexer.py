"""Indexing: turn source files into an up-to-date index, touching only what changed."""

from __future__ import annotations

import hashlib
import json
import logging
import re
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit, urlunsplit

from . import ingest
from .engine import Engine, IndexedState, index_exists, needs_rebuild
from .errors import ExtractionError
from .models import Article, IndexReport, Link

logger = logging.getLogger(__name__)

ProgressFn = Callable[[Path], None]
_WORD_RE = re.compile(r"\w+")


@dataclass(frozen=True)
class _Node:
    """The parts of an article the link graph needs."""

    url: str
    title: str
    links: tuple[Link, ...]


def list_sources(paths: Iterable[Path | str]) -> list[tuple[Path, Path]]:
    """Every (file, root) pair to index; raises ExtractionError for a path that does not exist."""
    paths = [Path(p) for p in paths]
    for path in paths:
        if not path.exists():
            raise ExtractionError("no such file or directory", str(path))
    return list(ingest.iter_sources(paths))


def build_index(
    paths: Iterable[Path | str],
    index_dir: Path | str,
    *,
    progress: ProgressFn | None = None,
    sources: list[tuple[Path, Path]] | None = None,
) -> IndexReport:
    """Bring the index at ``index_dir`` up to date with the articles under ``paths``.

    Articles whose extracted content is unchanged are left alone; changed ones are replaced;
    articles whose source file is gone (under a folder that was walked) are removed. A file
    that fails to read is reported in ``IndexReport.failures`` and whatever was indexed from
    it before is kept. ``sources`` may pass the result of :func:`list_sources` when the caller
    already listed them (to size a progress bar).
    """
    started = time.monotonic()
    paths = [Path(p) for p in paths]
    if sources is None:
        sources = list_sources(paths)
    index_dir = Path(index_dir)
    if not index_exists(index_dir) or needs_rebuild(index_dir):
        if index_exists(index_dir):
            logger.warning("index at %s was built by another version; rebuilding it", index_dir)
        engine = Engine.create(index_dir)
    else:
        engine = Engine.open(index_dir)

    report = IndexReport()
    with engine.writer() as writer, tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
        states = engine.states()
        nodes = {doc_id: _Node(s.url, s.title, s.links) for doc_id, s in states.items()}
        hashes: dict[str, tuple[str, str]] = {}  # id -> (content hash, fingerprint) of changed articles
        seen_ids: set[str] = set()
        failed_sources: set[str] = set()
        for article in _extract_all(sources, report, failed_sources, progress):
            if article.id in seen_ids:
                report.failed += 1
                report.failures.append((article.source, f"duplicate article id {article.id!r}"))
                continue
            seen_ids.add(article.id)
            digest = content_hash(article)
            old = states.get(article.id)
            if old is not None and old.content_hash == digest:
                continue
            nodes[article.id] = _Node(article.url, article.title, tuple(article.links))
            hashes[article.id] = (digest, fingerprint(article))
            spool.write(json.dumps(article.to_dict()) + "\n")

        removed = _removed_ids(states, seen_ids, failed_sources, paths)
        for doc_id in removed:
            writer.delete(doc_id)
            nodes.pop(doc_id, None)
        report.removed = len(removed)

        anchors = incoming_anchors(nodes)
        spool.seek(0)
        for article in _read_spool(spool):
            digest, fp = hashes[article.id]
            old = states.get(article.id)
            writer.put(article, anchors=anchors.get(article.id, ""), content_hash=digest, fingerprint=fp)
            if old is None:
                report.added += 1
            else:
                report.updated += 1
        # Unchanged articles whose incoming anchor text changed (a linking article changed).
        for doc_id, state in states.items():
            if doc_id in hashes or doc_id in removed:
                continue
            new_anchors = anchors.get(doc_id, "")
            if new_anchors != state.anchors:
                writer.put_stored(doc_id, anchors=new_anchors)
                report.updated += 1
            elif doc_id in seen_ids:
                report.unchanged += 1
    report.seconds = time.monotonic() - started
    return report


def _extract_all(
    sources: list[tuple[Path, Path]],
    report: IndexReport,
    failed_sources: set[str],
    progress: ProgressFn | None,
) -> Iterator[Article]:
    for path, root in sources:
        source = str(path.resolve())
        for item in ingest.iter_file(path, root):
            if isinstance(item, ExtractionError):
                failed_sources.add(source)
                report.failed += 1
                report.failures.append((item.path or str(path), item.reason))
                logger.warning("skipped %s", item)
                continue
            item.source = source
            yield item
        if progress is not None:
            progress(path)


def _read_spool(spool: IO[str]) -> Iterator[Article]:
    for line in spool:
        data = json.loads(line)
        data["links"] = [Link(**link) for link in data["links"]]
        yield Article(**data)


def _removed_ids(
    states: dict[str, IndexedState], seen_ids: set[str], failed_sources: set[str], paths: list[Path]
) -> set[str]:
    """Indexed articles from sources inside this run's scope that this run did not produce.

    Nothing indexed from a source that failed (wholly or in part) this time is removed.
    """
    dirs = [p.resolve() for p in paths if p.is_dir()]
    files = {str(p.resolve()) for p in paths if not p.is_dir()}
    gone: set[str] = set()
    for doc_id, state in states.items():
        if doc_id in seen_ids:
            continue
        source = state.source
        if source in failed_sources:
            continue
        in_scope = source in files or any(_is_within(source, d) for d in dirs)
        if in_scope:
            gone.add(doc_id)
    return gone


def _is_within(source: str, folder: Path) -> bool:
    try:
        Path(source).relative_to(folder)
    except ValueError:
        return False
    return True


def content_hash(article: Article) -> str:
    """A digest of everything extracted from the source (not where it came from)."""
    data = article.to_dict()
    data.pop("source", None)
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode("utf-8")).hexdigest()


def fingerprint(article: Article) -> str:
    """Same for two copies of one article (say its HTML page and its text export)."""
    words = _WORD_RE.findall((article.title + " " + article.body).lower())
    if not words:
        return "id:" + article.id
    return hashlib.sha1(" ".join(words).encode("utf-8")).hexdigest()[:20]


def normalize_url(url: str) -> str:
    """A comparable form of a URL: no fragment, no trailing slash, lower-case scheme and host."""
    if not url:
        return ""
    parts = urlsplit(url.strip())
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))


def _title_key(title: str) -> str:
    return " ".join(_WORD_RE.findall(title.lower()))


def incoming_anchors(nodes: dict[str, _Node]) -> dict[str, str]:
    """For each article, the anchor texts other articles use to link to it (one per line).

    Links are matched to articles by URL; links without a URL (plain-text exports) by title.
    """
    by_url: dict[str, str] = {}
    by_title: dict[str, str] = {}
    for doc_id, node in nodes.items():
        if node.url:
            by_url.setdefault(normalize_url(node.url), doc_id)
        if node.title:
            by_title.setdefault(_title_key(node.title), doc_id)
    texts: dict[str, list[str]] = defaultdict(list)
    for doc_id in sorted(nodes):
        seen: set[tuple[str, str]] = set()
        for link in nodes[doc_id].links:
            target = by_url.get(normalize_url(link.url)) if link.url else by_title.get(_title_key(link.text))
            text = " ".join(link.text.split())
            if target is None or target == doc_id or not text or (target, text) in seen:
                continue
            seen.add((target, text))
            texts[target].append(text)
    return {doc_id: "\n".join(items) for doc_id, items in texts.items()}
