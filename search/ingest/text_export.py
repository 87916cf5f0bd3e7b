"""Plain-text exports: title line, paragraphs, prev/next lines and a Recommend box, to an Article."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from ..errors import ExtractionError
from ..extraction import collapse
from ..extraction.profiles import SiteProfile
from ..models import Article, Link, LinkKind
from .decode import decode

_LINK_LINE = re.compile(r"^(<<|>>):\s*(.*\S)\s*$")
_SNIPPET_END = ("...", "…")


def parse_text_export(text: str) -> Article:
    """Parse the plain-text export shape: title line, paragraphs, prev/next lines, Recommend box.

    Text exports carry no URLs, so every link has ``url=""`` and the linked title as text.
    The truncated snippets of the "Recommend" section never enter the body.
    """
    lines = [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    title = ""
    paragraphs: list[str] = []
    links: list[Link] = []
    current: list[str] = []

    def end_paragraph() -> None:
        if current:
            paragraphs.append(collapse(" ".join(current)))
            current.clear()

    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        link = _LINK_LINE.match(line)
        if link:
            end_paragraph()
            links.append(_pager_link(link))
        elif not line:
            end_paragraph()
        elif line == "Recommend":
            end_paragraph()
            i = _read_recommend(lines, i, links)
        elif not title:
            title = collapse(line)
        else:
            current.append(line)
    end_paragraph()
    return Article(id="", title=title, body="\n\n".join(paragraphs), links=_dedupe(links))


def _read_recommend(lines: list[str], i: int, links: list[Link]) -> int:
    """Read "title / snippet..." pairs after a Recommend line; return where body text resumes."""
    while i < len(lines):
        line = lines[i]
        if not line:
            i += 1
            continue
        link = _LINK_LINE.match(line)
        if link:
            links.append(_pager_link(link))
            i += 1
            continue
        following = next((j for j in range(i + 1, len(lines)) if lines[j]), None)
        if following is not None and lines[following].endswith(_SNIPPET_END):
            links.append(Link(url="", text=collapse(line), kind="related"))
            i = following + 1
        elif line.endswith(_SNIPPET_END):
            i += 1  # an orphan snippet
        else:
            break
    return i


def _pager_link(match: re.Match[str]) -> Link:
    kind: LinkKind = "prev" if match.group(1) == "<<" else "next"
    return Link(url="", text=collapse(match.group(2)), kind=kind)


def _dedupe(links: Iterable[Link]) -> list[Link]:
    seen: set[tuple[str, str, str]] = set()
    out = []
    for link in links:
        key = (link.url, link.text if not link.url else "", link.kind)
        if key not in seen:
            seen.add(key)
            out.append(link)
    return out


def read_export(data: bytes, path: Path, profiles: Sequence[SiteProfile]) -> Article:
    """The article of one text export's bytes (no charset is declared: detected); ExtractionError
    when it has no title."""
    article = parse_text_export(decode(data, declared=False))
    if not article.title:
        raise ExtractionError("no article text found")
    return article
