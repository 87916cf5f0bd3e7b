"""Main-content extraction from HTML pages: title, clean body, metadata and typed links."""

from .article import EXTRACTOR_VERSION, extract_article
from .markup import collapse, parse_html
from .titles import clean_title

__all__ = ["EXTRACTOR_VERSION", "clean_title", "collapse", "extract_article", "parse_html"]
