"""Plain Whoosh 2.7.4 with its defaults: the baseline every scale benchmark runs beside healthsearch.

What a developer gets by following Whoosh's own documentation, nothing tuned:

* schema ``id=ID(stored=True), title=TEXT(stored=True), body=TEXT(stored=True)`` (TEXT's default
  analyzer is ``StemmingAnalyzer``); the no-op benchmark adds ``time=STORED``, the field of the
  "Incremental indexing" recipe in Whoosh's docs (``docs/source/indexing.rst``);
* ``ix.writer()`` with default arguments (``limitmb=128``, one process), one ``commit()``;
* HTML pages: ``BeautifulSoup(data, "lxml")``, ``<script>``/``<style>`` dropped, the ``<title>``
  and the whole ``<body>`` text (``get_text("\\n", strip=True)``, the shared scorer's
  ``bs4_naive``): no main-content extraction, so page furniture is indexed too;
* queries: ``QueryParser("body", schema, group=OrGroup)``, ``searcher(weighting=BM25F())``,
  ``search(q, limit=10)``, each hit's stored id and title and ``hit.highlights("body")``
  (a results page with snippets, as healthsearch returns by default).

Also a tiny command line for the end-to-end CLI benchmark::

    python benchmarks/plain_whoosh.py query --index DIR TEXT
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any


def schema(with_time: bool = False) -> Any:
    from whoosh.fields import ID, STORED, TEXT, Schema

    if with_time:
        return Schema(id=ID(stored=True), title=TEXT(stored=True), body=TEXT(stored=True), time=STORED)
    return Schema(id=ID(stored=True), title=TEXT(stored=True), body=TEXT(stored=True))


def walk(folder: Path, suffix: str) -> Iterator[Path]:
    """Files ending in ``suffix`` under ``folder``, sorted, hidden names skipped."""
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.endswith(suffix) and not name.startswith("."):
                yield Path(dirpath) / name


def _create(index_dir: Path, with_time: bool = False) -> Any:
    from whoosh import index

    index_dir.mkdir(parents=True, exist_ok=True)
    return index.create_in(str(index_dir), schema(with_time))


def _jsonl_fields(line: str) -> dict[str, str]:
    data = json.loads(line)
    return {
        "id": str(data.get("id", data.get("_id"))),
        "title": data.get("title") or "",
        "body": data.get("body", data.get("text")) or "",
    }


def build_jsonl(src: Path, index_dir: Path) -> int:
    """Index every line of every ``.jsonl`` file under ``src``; returns the document count."""
    ix = _create(index_dir)
    writer = ix.writer()
    n = 0
    for path in walk(src, ".jsonl"):
        with open(path, encoding="utf-8") as feed:
            for line in feed:
                if line.strip():
                    writer.add_document(**_jsonl_fields(line))
                    n += 1
    writer.commit()
    return n


def html_fields(data: bytes) -> tuple[str, str]:
    """Title and naive body text of a page (the shared scorer's ``bs4_naive``)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(data, "lxml")
    title = soup.title.get_text(strip=True) if soup.title else ""
    for tag in soup(["script", "style"]):
        tag.decompose()
    root = soup.body or soup
    return title, root.get_text("\n", strip=True)


def build_html(src: Path, index_dir: Path) -> int:
    """Index every ``.html`` page under ``src`` (id = path relative to ``src``)."""
    ix = _create(index_dir)
    writer = ix.writer()
    n = 0
    for path in walk(src, ".html"):
        title, body = html_fields(path.read_bytes())
        writer.add_document(id=path.relative_to(src).with_suffix("").as_posix(), title=title, body=body)
        n += 1
    writer.commit()
    return n


def _add_file(writer: Any, path: Path) -> None:
    """The recipe's ``add_doc``: one single-article JSONL file, its path as id, its mtime."""
    fields = _jsonl_fields(path.read_text(encoding="utf-8"))
    fields["id"] = str(path)
    writer.add_document(time=os.path.getmtime(path), **fields)


def build_files(src: Path, index_dir: Path) -> int:
    """The recipe's ``clean_index``: one document per file, path and mtime stored."""
    ix = _create(index_dir, with_time=True)
    writer = ix.writer()
    n = 0
    for path in walk(src, ".jsonl"):
        _add_file(writer, path)
        n += 1
    writer.commit()
    return n


def incremental(src: Path, index_dir: Path) -> dict[str, int]:
    """The recipe's ``incremental_index``, as written in Whoosh's docs."""
    from whoosh import index

    ix = index.open_dir(str(index_dir))
    indexed_paths: set[str] = set()
    to_index: set[str] = set()
    counts = {"deleted": 0, "changed": 0, "added": 0, "files": 0}
    with ix.searcher() as searcher:
        writer = ix.writer()
        for fields in searcher.all_stored_fields():
            indexed_path = fields["id"]
            indexed_paths.add(indexed_path)
            if not os.path.exists(indexed_path):
                writer.delete_by_term("id", indexed_path)
                counts["deleted"] += 1
            elif os.path.getmtime(indexed_path) > fields["time"]:
                writer.delete_by_term("id", indexed_path)
                to_index.add(indexed_path)
        for path in walk(src, ".jsonl"):
            counts["files"] += 1
            key = str(path)
            if key in to_index or key not in indexed_paths:
                _add_file(writer, path)
                counts["changed" if key in to_index else "added"] += 1
        writer.commit()
    return counts


class Searcher:
    """An open plain index answering queries the documented way."""

    def __init__(self, index_dir: Path) -> None:
        from whoosh import index, scoring
        from whoosh.qparser import OrGroup, QueryParser

        self.ix = index.open_dir(str(index_dir))
        self.searcher = self.ix.searcher(weighting=scoring.BM25F())
        self.parser = QueryParser("body", self.ix.schema, group=OrGroup)

    def search(self, text: str, limit: int = 10) -> list[dict[str, Any]]:
        results = self.searcher.search(self.parser.parse(text), limit=limit)
        return [
            {"id": hit["id"], "title": hit.get("title", ""), "score": hit.score, "snippet": hit.highlights("body")}
            for hit in results
        ]


def main(argv: list[str]) -> int:
    if len(argv) != 4 or argv[0] != "query" or argv[1] != "--index":
        print("usage: plain_whoosh.py query --index DIR TEXT", file=sys.stderr)
        return 2
    for rank, hit in enumerate(Searcher(Path(argv[2])).search(argv[3]), start=1):
        print(f"{rank:2}. {hit['title'] or hit['id']}  ({hit['score']:.2f})\n    {hit['snippet']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
