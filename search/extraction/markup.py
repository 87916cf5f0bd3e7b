"""Parsing HTML, and reading whitespace-collapsed text and attribute values from its elements."""

from __future__ import annotations

import re
import warnings

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, XMLParsedAsHTMLWarning
from bs4.element import AttributeDict, Tag

_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def parse_html(html: str) -> BeautifulSoup:
    """Parse a page with the lxml parser, after removing control characters lxml rejects.

    Attribute values stay plain strings (``class`` is not split into a list), kept in a plain
    dict: the lxml builder's default dict converts each value through a Python method, a tenth
    of the parse for values that are already strings.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        return BeautifulSoup(
            _CONTROL_CHARS.sub("", html), "lxml", multi_valued_attributes=None, attribute_dict_class=AttributeDict
        )


def collapse(text: str) -> str:
    """Collapse runs of whitespace to single spaces and strip the ends."""
    return " ".join(text.split())


def attr(tag: Tag, name: str) -> str:
    value = tag.attrs.get(name)
    if value is None:
        return ""
    return " ".join(value) if isinstance(value, list) else str(value)
