"""Collecting the page's typed links: prev/next pagers, related articles and body links."""

from __future__ import annotations

import re

from bs4.element import Tag

from ..models import Link, LinkKind
from .markup import attr, collapse
from .nodes import Node
from .page import Page
from .rendering import Renderer
from .urls import safe_join
from .words import NEXT_WORDS, PREV_WORDS

_PREV_TEXT = re.compile(r"^(?:«|‹|←|<<|<|previous\b|prev\b|older\b)", re.IGNORECASE)
_NEXT_TEXT = re.compile(r"(?:»|›|→|>>|>)$|^(?:next\b|newer\b)", re.IGNORECASE)
_PAGER_LABEL = re.compile(
    r"^[\s«‹←<»›→>]*(?:(?:previous|prev|next|older|newer)(?: (?:article|post|story|page))?"
    r"\s*[:\-–—]?\s*)?|[\s«‹←<»›→>]+$",
    re.IGNORECASE,
)
_SKIPPED_SCHEMES = ("javascript:", "mailto:", "tel:", "data:", "sms:", "about:")


def collect_links(page: Page, rendered: Renderer, base: str) -> list[Link]:
    """Typed links in document order: prev/next pagers, related boxes and body links."""
    body_ids = {id(a) for a in rendered.body_anchors}
    teaser_ids = {id(a) for a in rendered.teaser_anchors}
    links: list[Link] = []
    seen: set[tuple[str, LinkKind]] = set()
    for node in page.nodes:
        if node.name != "a":
            continue
        href = attr(node.tag, "href").strip()
        if not href or href.startswith("#") or href.lower().startswith(_SKIPPED_SCHEMES):
            continue
        kind: LinkKind | None = "related" if id(node) in teaser_ids else _link_kind(node, id(node) in body_ids)
        if kind is None:
            continue
        url = safe_join(base, href)
        text = _anchor_text(node.tag)
        if kind in ("prev", "next"):
            text = _PAGER_LABEL.sub("", text).strip() or text
        if (url, kind) not in seen:
            seen.add((url, kind))
            links.append(Link(url=url, text=text, kind=kind))
    return links


def _link_kind(node: Node, in_body: bool) -> LinkKind | None:
    """prev/next (rel, a prev/next class, or arrow text inside a pager), body, related or None."""
    rel = attr(node.tag, "rel").lower().split()
    if "prev" in rel or "previous" in rel:
        return "prev"
    if "next" in rel:
        return "next"
    if in_body:
        return "body"
    words = node.class_words
    if words & PREV_WORDS:
        return "prev"
    if words & NEXT_WORDS:
        return "next"
    if node.region == "pager":
        text = collapse(node.tag.get_text())
        if _PREV_TEXT.search(text):
            return "prev"
        if _NEXT_TEXT.search(text):
            return "next"
        return None
    if node.region == "related":
        return "related"
    return None


def _anchor_text(tag: Tag) -> str:
    text = collapse(tag.get_text())
    if text:
        return text
    for name in ("title", "aria-label"):
        if attr(tag, name).strip():
            return collapse(attr(tag, name))
    img = tag.find("img", alt=True)
    return collapse(attr(img, "alt")) if isinstance(img, Tag) else ""
