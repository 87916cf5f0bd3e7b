"""Reading page metadata: head tags, canonical and base URLs, language and publication dates."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from bs4 import BeautifulSoup
from bs4.element import Tag

from .. import limits
from ..text.sanitize import safe_url
from .markup import attr, collapse
from .nodes import Node
from .urls import safe_join


def page_url(soup: BeautifulSoup, url: str | None) -> str:
    """The page's canonical URL (link rel=canonical, og:url), else ``url``: to match profiles."""
    # Two literal look-ups, not a loop over (tag, attrs) pairs: bs4 types ``attrs`` as an
    # invariant dict of its own filter types, which a dict[str, str] variable does not match.
    canonical = soup.find("link", attrs={"rel": "canonical"})
    if isinstance(canonical, Tag) and attr(canonical, "href"):
        return attr(canonical, "href")
    og_url = soup.find("meta", attrs={"property": "og:url"})
    if isinstance(og_url, Tag) and attr(og_url, "content"):
        return attr(og_url, "content")
    return url or ""


def read_metadata(soup: BeautifulSoup, url: str | None, itemprops: dict[str, Tag]) -> dict[str, str]:
    """Title candidates, canonical URL, link base, description, language, dates and a product's
    JSON-LD description.

    ``itemprops`` maps microdata property names of the body to their first element.
    """
    head = _HeadTags(soup)
    props = head.props
    meta: dict[str, str] = {
        "title": head.title,
        "og_title": props.get("og:title") or props.get("twitter:title", ""),
        "site_name": props.get("og:site_name", ""),
        "description": props.get("description") or props.get("og:description", ""),
        "language": _language(soup, props),
    }
    facts = _jsonld_facts(head.jsonld)
    meta["published"] = (
        props.get("article:published_time") or props.get("datepublished")
        or _itemprop_date(itemprops, "datePublished") or facts.get("datePublished")
        or props.get("og:published_time") or props.get("date") or props.get("dc.date")
        or props.get("pubdate") or props.get("publish-date") or ""
    )
    meta["product_description"] = facts.get("product", "")
    meta["modified"] = (
        props.get("article:modified_time") or props.get("datemodified")
        or _itemprop_date(itemprops, "dateModified") or facts.get("dateModified")
        or props.get("og:updated_time") or ""
    )
    given_url = url or ""
    canonical = head.canonical or props.get("og:url", "")
    # A canonical or base URL with a script scheme is ignored (the page's own URL stands).
    meta["canonical"] = safe_url(safe_join(given_url, canonical)) if canonical else ""
    base = meta["canonical"] or given_url
    meta["base"] = (safe_url(safe_join(base, head.base)) or base) if head.base else base
    return meta


_HEAD_TAG_NAMES = frozenset(("meta", "link", "base", "title", "script"))


class _HeadTags:
    """``<meta>``, ``<title>``, canonical ``<link>``, ``<base>`` and JSON-LD, found in one pass."""

    def __init__(self, soup: BeautifulSoup) -> None:
        self.props: dict[str, str] = {}
        self.title = self.canonical = self.base = ""
        self.jsonld: list[str] = []
        for element in soup.descendants:  # a plain walk: find_all's matching costs more than the page
            if type(element) is Tag and element.name in _HEAD_TAG_NAMES:
                getattr(self, f"_read_{element.name}")(element)

    def _read_meta(self, tag: Tag) -> None:
        key = attr(tag, "property") or attr(tag, "name") or attr(tag, "itemprop")
        key = (key or attr(tag, "http-equiv")).strip().lower()
        content = collapse(attr(tag, "content"))
        if key and content and key not in self.props:
            self.props[key] = content

    def _read_link(self, tag: Tag) -> None:
        if not self.canonical and "canonical" in attr(tag, "rel").lower().split():
            self.canonical = attr(tag, "href").strip()

    def _read_base(self, tag: Tag) -> None:
        self.base = self.base or attr(tag, "href").strip()

    def _read_title(self, tag: Tag) -> None:
        self.title = self.title or collapse(tag.get_text())

    def _read_script(self, tag: Tag) -> None:
        if "ld+json" in attr(tag, "type").lower():
            self.jsonld.append(tag.get_text())


def _language(soup: BeautifulSoup, props: dict[str, str]) -> str:
    html = soup.find("html")
    lang = attr(html, "lang") or attr(html, "xml:lang") if isinstance(html, Tag) else ""
    if not lang:
        lang = props.get("content-language", "") or props.get("og:locale", "").replace("_", "-")
    return collapse(lang)


def _itemprop_date(itemprops: dict[str, Tag], prop: str) -> str:
    tag = itemprops.get(prop)
    if tag is None:
        return ""
    return collapse(attr(tag, "content") or attr(tag, "datetime") or tag.get_text())


def _jsonld_facts(scripts: list[str]) -> dict[str, str]:
    """From JSON-LD: the first ``datePublished`` and ``dateModified``, and as "product" the
    longest description of a schema.org ``Product`` (or ``ProductGroup``)."""
    found: dict[str, str] = {}
    for text in scripts:
        try:
            data = json.loads(text or "null")
        except (ValueError, RecursionError):
            continue
        for obj in _walk_json(data):
            for key in ("datePublished", "dateModified"):
                value = obj.get(key)
                if isinstance(value, str) and value.strip() and key not in found:
                    found[key] = value.strip()
            description = obj.get("description")
            if not isinstance(description, str) or not _is_product(obj.get("@type")):
                continue
            if len(description) > len(found.get("product", "")):
                found["product"] = description[: limits.MAX_PRODUCT_DESCRIPTION_CHARS]
    return found


def _is_product(kind: object) -> bool:
    kinds = kind if isinstance(kind, list) else [kind]
    return any(k in ("Product", "ProductGroup") for k in kinds if isinstance(k, str))


def _walk_json(data: object, depth: int = 0) -> Iterator[dict[str, Any]]:
    if depth > 20:
        return
    if isinstance(data, dict):
        yield data
        for value in data.values():
            if isinstance(value, (dict, list)):
                yield from _walk_json(value, depth + 1)
    elif isinstance(data, list):
        for item in data:
            yield from _walk_json(item, depth + 1)


def article_time(roots: list[Node]) -> str:
    """The first ``<time datetime>`` of the article element holding the content, or of the content."""
    if not roots:
        return ""
    scope = next((a for a in roots[0].ancestors() if a.name == "article"), None)
    for tag in [scope.tag] if scope is not None else [r.tag for r in roots]:
        time = tag.find("time", datetime=True)
        if isinstance(time, Tag):
            return collapse(attr(time, "datetime"))
    return ""
