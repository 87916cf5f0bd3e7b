"""The package's public surface: what ``import search`` offers, and what it does not load."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from helpers import page, small_corpus

import search


def test_extract_parses_a_page_without_an_index() -> None:
    html = page("knee", "Knee Pain", ["Knee pain is common in runners and usually settles with rest."], related=[("hip", "Hip Pain")])
    article = search.extract(html.encode("utf-8"), url="https://clinic.example/articles/knee")
    assert isinstance(article, search.Article)
    assert article.title == "Knee Pain"
    assert article.body == "Knee pain is common in runners and usually settles with rest."
    assert article.links == [search.Link("https://clinic.example/articles/hip", "Hip Pain", "related")]


def test_public_names_resolve() -> None:
    for name in search.__all__:
        assert getattr(search, name) is not None


def _modules_loaded_by(code: str, cwd: Path) -> set[str]:
    proc = subprocess.run(
        [sys.executable, "-c", f"import sys\n{code}\nprint(' '.join(sorted(sys.modules)))"],
        capture_output=True, text=True, check=True, cwd=cwd,
    )
    return set(proc.stdout.split())


def test_query_path_loads_neither_html_parsing_nor_click(tmp_path: Path) -> None:
    small_corpus(tmp_path / "corpus")
    search.index([tmp_path / "corpus"], tmp_path / "index")
    loaded = _modules_loaded_by("import search; search.search('knee', 'index')", tmp_path)
    assert "whoosh" in loaded
    assert not {"bs4", "lxml", "click", "search.ingest.html", "search.ingest.files", "search.extraction", "search.indexing.pipeline"} & loaded


def test_library_never_imports_click(tmp_path: Path) -> None:
    loaded = _modules_loaded_by(
        "import search, search.api, search.indexing.pipeline, search.storage.articles, search.ingest.files, search.text.analyzer", tmp_path
    )
    assert "click" not in loaded
