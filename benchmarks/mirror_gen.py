"""A wget/httrack-style mirror of the bundled corpus: every naming style, copies and non-page files.

Shared by ``benchmarks/bench_mirror.py`` and ``tests/test_mirror.py`` (the one generator).
Each page of ``corpus/`` is written once under one naming style, round-robin:

* ``articles/<slug>/index.html`` (wget's folder pages), ``articles/<slug>.php``,
  ``articles/<slug>.aspx``, ``articles/<slug>.shtml``, ``articles/<slug>`` (no extension),
  ``show.php?id=<n>`` (a page named by its query string), ``show.php@page=<n>`` (wget's
  ``--restrict-file-names=windows``), ``articles/<slug>.html.gz``, ``articles/<slug>.php.html``
  (wget ``-E``), and, gzipped without a ``.gz`` name, ``articles/<slug>.asp``;

and some pages again, as copies the crawl fetched twice: ``<name>?utm_source=feed``,
``<name>?fbclid=x&utm_medium=social`` and, for folder pages, ``articles/<slug>.html`` beside
``articles/<slug>/index.html``. Every third page loses its canonical tag (so its id comes from
its path), and three pages carry a wrong canonical tag naming the home page (a broken CMS:
they must not collapse into one article). Text exports go under ``exports/``. Non-page files:
style sheets, scripts (one with ``?v=3``), images, a font, an icon, ``robots.txt``, a sitemap.

Nothing here is copied from ``../shared``: the pages are the project's own ``corpus/``.
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass, field
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
_CANONICAL = re.compile(rb'<link rel="canonical" href="[^"]*">\s*')
_STYLES = ("folder", "php", "aspx", "shtml", "bare", "query", "wget_at", "gz", "wget_e", "gz_unnamed")
#: (file name, bytes, category the walk counts it under)
_NOT_PAGES: tuple[tuple[str, bytes, str], ...] = (
    ("static/site.css", b"body { font-family: sans-serif }\n.ad-slot { min-height: 250px }\n", "styles"),
    ("static/print.css?v=2", b"@media print { nav { display: none } }\n", "styles"),
    ("static/app.js", b"window.dataLayer = window.dataLayer || [];\ndocument.write('<div>');\n", "scripts"),
    ("static/app.js?v=3", b"(function () { var x = '<html>'; })();\n", "scripts"),
    ("static/logo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(64)), "images"),
    ("static/photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(64)), "images"),
    ("static/hero.gif", b"GIF89a\x01\x00\x01\x00\x80\x00\x00" + bytes(16), "images"),
    ("static/icon.svg", b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"></svg>\n', "images"),
    ("favicon.ico", b"\x00\x00\x01\x00\x01\x00\x10\x10" + bytes(32), "images"),
    ("static/font.woff2", b"wOF2\x00\x01\x00\x00" + bytes(32), "fonts"),
    ("static/guide.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + bytes(32), "documents"),
    ("robots.txt", b"User-agent: *\nDisallow: /search\n", "site files"),
    ("sitemap.xml", b'<?xml version="1.0"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></urlset>\n', "data"),
)


@dataclass
class Mirror:
    """What :func:`write_mirror` wrote: ``pages`` maps each file holding a page (relative
    path, POSIX) to the page's key (its corpus file name), ``copies`` the files that repeat
    another file's page (copy -> original), ``not_pages`` the non-page files by category."""

    root: Path
    pages: dict[str, str] = field(default_factory=dict)
    copies: dict[str, str] = field(default_factory=dict)
    not_pages: dict[str, int] = field(default_factory=dict)
    wrong_canonical: list[str] = field(default_factory=list)

    @property
    def distinct_pages(self) -> int:
        return len(set(self.pages.values()))

    def key_of(self, path: Path) -> str | None:
        """The page key of a file of this mirror (a page or a copy), None for other files."""
        rel = path.relative_to(self.root).as_posix()
        return self.pages.get(rel) or self.pages.get(self.copies.get(rel, ""))


def _page_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.name.endswith(".gz") else data


def _name(style: str, slug: str, number: int) -> str:
    return {
        "folder": f"articles/{slug}/index.html",
        "php": f"articles/{slug}.php",
        "aspx": f"articles/{slug}.aspx",
        "shtml": f"articles/{slug}.shtml",
        "bare": f"articles/{slug}",
        "query": f"show.php?id={number}",
        "wget_at": f"show.php@page={number}",
        "gz": f"articles/{slug}.html.gz",
        "wget_e": f"articles/{slug}.php.html",
        "gz_unnamed": f"articles/{slug}.asp",
    }[style]


def _copy_name(style: str, name: str, slug: str) -> str | None:
    """Where the crawl saved the same page a second time (None: this style gets no copy)."""
    if style == "folder":
        return f"articles/{slug}.html"  # dir/ and dir/index.html: one page
    if style in ("php", "query", "bare"):
        return f"{name}{'&' if '?' in name else '?'}utm_source=feed"
    if style == "shtml":
        return f"{name}?fbclid=x&utm_medium=social"
    return None


def write_mirror(
    out: Path,
    corpus: Path = CORPUS,
    *,
    canonical: bool = True,
    wrong_canonical: int = 3,
    host: str = "wellnessnotes.example",
) -> Mirror:
    """Write a mirror of ``corpus``'s pages and text exports into the folder ``out``.

    ``canonical=False`` drops every canonical tag (every id then comes from the path: two
    such mirrors with the same layout must still never collide); ``wrong_canonical`` pages
    get a canonical tag naming the home page instead of their own; ``host`` replaces the
    corpus's host in every page (several mirrors of distinct sites for a larger benchmark).
    """
    mirror = Mirror(out)
    sources = sorted(p for p in corpus.iterdir() if p.name.endswith((".html", ".html.gz")))
    wrong = {n for n in range(len(sources)) if n % 3 != 2 and n % 4 == 1}
    wrong = set(sorted(wrong)[:wrong_canonical]) if canonical else set()
    for number, source in enumerate(sources):
        slug = source.name.split(".", 1)[0]
        style = _STYLES[number % len(_STYLES)]
        data = _page_bytes(source).replace(b"wellnessnotes.example", host.encode())
        if not canonical or number % 3 == 2:
            data = _CANONICAL.sub(b"", data)
        elif number in wrong:
            data = _CANONICAL.sub(f'<link rel="canonical" href="https://{host}/">\n'.encode(), data)
            mirror.wrong_canonical.append(source.name)
        name = _name(style, slug, number)
        _write(out / name, gzip.compress(data, mtime=0) if style in ("gz", "gz_unnamed") else data)
        mirror.pages[name] = source.name
        copy = _copy_name(style, name, slug)
        if copy is not None:
            _write(out / copy, data)
            mirror.copies[copy] = name
    for export in sorted((corpus / "exports").glob("*.txt")):
        name = f"exports/{export.name}"
        _write(out / name, export.read_bytes())
        mirror.pages[name] = f"exports/{export.name}"
    for name, data, category in _NOT_PAGES:
        _write(out / name, data)
        mirror.not_pages[category] = mirror.not_pages.get(category, 0) + 1
    return mirror


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
