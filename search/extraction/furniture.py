"""Telling page furniture (navigation, ads, share bars, comments, related boxes) from content."""

from __future__ import annotations

import re

from bs4.element import Tag

from .markup import attr
from .nodes import Node
from .words import (
    COMMENT_WORDS,
    CONSENT_WORDS,
    FURNITURE_ROLES,
    FURNITURE_TAGS,
    HEADINGS,
    PAGER_WORDS,
    PANEL_WORDS,
    RELATED_WORDS,
    SOCIAL_WORDS,
    STRONG_WORDS,
    SURE_WORDS,
    WEAK_WORDS,
)

_TEXT_FIGURES = ("table", "pre", "blockquote")
_PAGE_BANDS = frozenset(("header", "footer"))
_ARTICLE_TAGS = frozenset(("article", "main"))
_WEAK_HEADS = frozenset(word + "$" for word in WEAK_WORDS)  # weak words as a token's last word
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_RELATED_HEADING = re.compile(
    r"^(?:recommend(?:ed|ations)?(?: for you| reading| articles| stories)?"
    r"|related(?: articles| posts| stories| content| reading| links| topics| news)?"
    r"|you (?:may|might) also (?:like|enjoy)|read (?:next|more)|more (?:stories|articles|news)"
    r"|further reading|(?:most )?popular(?: now| articles| posts| stories)?"
    r"|most (?:read|viewed|shared)|trending(?: now)?|top stories|editor'?s picks)\W*$",
    re.IGNORECASE,
)
_FURNITURE_HEADING = re.compile(
    r"^(?:comments?|\d+ comments?|leave a (?:reply|comment)|share(?: this)?(?: article| post| story)?"
    r"|tags|topics|about the author|sign up.*newsletter.*|subscribe.*)\W*$",
    re.IGNORECASE,
)
_SHARE_HREF = re.compile(
    r"^(?:whatsapp|fb-messenger|viber|tg|sms):|facebook\.com/shar|twitter\.com/(?:intent|share)"
    r"|linkedin\.com/share|pinterest\.[a-z.]+/pin/create|reddit\.com/submit|addthis\.com"
    r"|sharethis\.com|plus\.google\.com/share|mailto:\?",
    re.IGNORECASE,
)


def furniture_kind(node: Node) -> str | None:
    """Why this element is page furniture ("related", "pager", "comments", "consent", "other"), or None."""
    name, attrs, words = node.name, node.tag.attrs, node.class_words
    if words:
        if words & CONSENT_WORDS:
            return "consent"
        if words & RELATED_WORDS:
            return "related"
        if words & PAGER_WORDS:
            return "pager"
        if words & COMMENT_WORDS:
            return "comments"
        if words & STRONG_WORDS:
            return "other"
        if words & SOCIAL_WORDS and (node.text_chars < 200 or node.link_density > 0.5):
            return "other"  # a social bar, not a "social-embed" quoting a post
        if words & _WEAK_HEADS:
            return "other"
    if name in FURNITURE_TAGS and not (name == "figure" and _shows_text(node.tag)):
        return "other"
    if name == "a" and attrs and _is_share_or_tag_link(node.tag):
        return "other"
    if attrs:
        role = attr(node.tag, "role").lower()
        if role in FURNITURE_ROLES:
            return "other"
        if role == "tabpanel" or words & PANEL_WORDS:
            return None  # a tab's, an accordion's or a FAQ's panel: hidden until a click shows it
        if "hidden" in attrs or attr(node.tag, "aria-hidden").lower() == "true":
            return "hidden"
        style = attrs.get("style")
        if style and _HIDDEN_STYLE.search(str(style)):
            return "hidden"
        if attr(node.tag, "itemprop") in ("author", "publisher"):
            return "other"
    return None


def relaxed_furniture_kind(node: Node) -> str | None:
    """The second look's furniture, for pages whose first look found little: navigation by tag
    or ARIA role, the page's own header and footer (not inside an article or the main region)
    and the surest class words (ads, comments, related boxes, pagers). Other class words and
    hidden marks can be wrong on a whole template (responsive and script-shown copies)."""
    name = node.name
    if name == "nav" or attr(node.tag, "role").lower() in FURNITURE_ROLES:
        return "other"
    if name in _PAGE_BANDS and not any(a.name in _ARTICLE_TAGS for a in node.ancestors()):
        return "other"
    words = node.class_words
    if words & CONSENT_WORDS:
        return "consent"
    if words & SURE_WORDS:
        return "related" if words & RELATED_WORDS else "pager" if words & PAGER_WORDS else "other"
    return None


def _shows_text(figure: Tag) -> bool:
    """A figure that is a table, a code listing or a quotation is content (editors wrap tables
    in ``<figure>``); one that is an image and its caption is not."""
    return figure.find(_TEXT_FIGURES) is not None


def _is_share_or_tag_link(tag: Tag) -> bool:
    if "tag" in attr(tag, "rel").lower().split():
        return True
    return bool(_SHARE_HREF.search(attr(tag, "href")[:300]))


def may_be_heading(node: Node) -> bool:
    if node.drop or not 3 <= node.text_chars <= 60:
        return False
    if node.name in HEADINGS or attr(node.tag, "role") == "heading":
        return True
    return node.name in ("p", "div") and not node.has_blocks


def heading_box_kind(text: str) -> str | None:
    """The furniture kind of the box a heading such as "Related articles" or "Comments" opens."""
    if _RELATED_HEADING.match(text):
        return "related"
    if _FURNITURE_HEADING.match(text):
        return "other"
    return None
