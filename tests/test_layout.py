"""The package's layout keeps its promises: small modules that say their job, one home per concern."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import search

PACKAGE = Path(search.__file__).parent
MODULES = sorted(PACKAGE.rglob("*.py"))
MAX_LINES = 500


def _name(path: Path) -> str:
    return path.relative_to(PACKAGE.parent).with_suffix("").as_posix().replace("/", ".")


def _imports(path: Path) -> set[str]:
    """Absolute names of every module ``path`` imports (relative imports resolved)."""
    package = _name(path).rsplit(".", 1)[0] if path.name != "__init__.py" else _name(path).removesuffix(".__init__")
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def test_there_are_modules_to_check() -> None:
    assert len(MODULES) > 40 and PACKAGE / "api.py" in MODULES


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_every_module_is_small_and_opens_with_a_one_line_docstring(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) < MAX_LINES
    docstring = ast.get_docstring(ast.parse(text), clean=False)
    assert docstring, "no module docstring"
    first = docstring.split("\n", 1)[0]
    assert first.strip() and first.rstrip().endswith((".", ")")), f"first line is not a sentence: {first!r}"
    assert len(docstring.split("\n", 1)) == 1 or docstring.split("\n", 2)[1] == "", "the first line runs on"


def test_only_the_article_store_opens_a_whoosh_index() -> None:
    users = {_name(p) for p in MODULES if any(m == "whoosh" or m.startswith("whoosh.") for m in _imports(p))}
    # The broad field's Porter stemmer is a plain function of whoosh.lang (no index code).
    assert users == {"search.storage.articles", "search.text.stemmer"}
    stemmer = _imports(PACKAGE / "text" / "stemmer.py")
    assert {m for m in stemmer if m.startswith("whoosh")} <= {"whoosh.lang.porter", "whoosh.lang.porter.stem"}


def test_only_the_front_end_imports_click() -> None:
    users = {_name(p) for p in MODULES if "click" in _imports(p)}
    assert users and all(name.startswith("search.cli.") for name in users)


def test_text_analysis_depends_on_no_other_layer() -> None:
    """text/ is the bottom layer: it imports only itself and the limits, models and errors."""
    allowed = ("search.text", "search.limits", "search.models", "search.errors")
    for path in (PACKAGE / "text").glob("*.py"):
        ours = {m for m in _imports(path) if m.startswith("search.")}  # "from .. import limits" adds search.limits
        assert all(m.startswith(allowed) for m in ours), (path.name, ours)


def test_the_field_table_is_the_one_home_of_field_names() -> None:
    from search import schema
    from search.query import syntax
    from search.ranking import bm25f
    from search.terms import format as terms_format

    assert terms_format.FIELDS is schema.FIELDS
    assert syntax.FIELDS == schema.QUERY_FIELDS
    assert bm25f.B is schema.LENGTH_NORMS
    assert set(schema.FIELD_WEIGHTS) == set(schema.FIELDS) == set(bm25f.B)
