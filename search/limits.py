"""Every bound healthsearch puts on untrusted input, in one place (the README's "Safety" lists them).

Each limit is far above what real pages, feeds and queries need (the reason is given beside
it) and low enough that no single input can take the memory or the time of a run or a query.
Whatever a limit refuses or cuts is reported: a warning naming the file (and line), or a
:class:`~search.errors.QuerySyntaxError` for a query.
"""

from __future__ import annotations

MiB = 1024 * 1024

# -- source files ------------------------------------------------------------------------------

#: An HTML page or text export, after decompression. The largest of the 3,356 real pages in
#: the two extraction benchmarks is 5.3 MB.
MAX_FILE_BYTES = 50 * MiB
#: Start tags in one HTML page. Parsing costs about 40 microseconds and 1.5 KB per element, so
#: this bounds one page at a few seconds and about 150 MB; the largest benchmark page has 21,646.
MAX_HTML_TAGS = 100_000
#: One JSONL feed, after decompression: feeds are streamed, so this bounds time, not memory (a
#: 4 MB gzip file can hold a terabyte of text). Split larger feeds into several files.
MAX_FEED_BYTES = 16 * 1024 * MiB
#: One line of a JSONL feed: a whole article of MAX_BODY_CHARS, JSON-escaped, fits.
MAX_FEED_LINE_BYTES = 16 * MiB
#: Bad lines of one feed reported one by one; the rest are counted in one last warning.
MAX_BAD_LINES_REPORTED = 20

# -- one article ---------------------------------------------------------------------------------

#: Article body, in characters (a 400-page book); longer bodies are cut at a paragraph or word.
MAX_BODY_CHARS = 1_000_000
MAX_TITLE_CHARS = 1_000
MAX_DESCRIPTION_CHARS = 10_000
#: A product description read from a page's JSON-LD to complete its body (a long one is a few
#: thousand characters; the body's own limit applies after).
MAX_PRODUCT_DESCRIPTION_CHARS = 20_000
#: language, published and modified: short codes and dates.
MAX_META_CHARS = 100
#: Article ids (from file names or feeds).
MAX_ID_CHARS = 1_000
#: URLs: longer ones are not kept (common servers refuse request lines over 8 KB).
MAX_URL_CHARS = 8_192
#: Outgoing links kept per article (a long article links to a few hundred at most).
MAX_LINKS = 1_000
#: Anchor text of one link.
MAX_LINK_TEXT_CHARS = 500
#: Distinct incoming anchor texts indexed with one article.
MAX_ANCHOR_TEXTS = 1_000

# -- queries -------------------------------------------------------------------------------------

MAX_QUERY_CHARS = 1_000
#: Words in one query (the longest of NFCorpus's 1,016 long spoken-style queries has 72).
MAX_QUERY_WORDS = 100
#: Indexed words one prefix (``diab*``) expands to: the most frequent first.
MAX_PREFIX_TERMS = 64
#: Words all the prefixes of one query expand to together.
MAX_PREFIX_EXPANSIONS = 256
#: Unknown words of one query looked up for a spelling suggestion (each scans the vocabulary).
MAX_SUGGESTED_WORDS = 8
#: ... when the query as typed has hits: a suggestion beside them is looked up only for queries
#: of this many words or fewer, for at most MAX_SUGGESTED_WORDS_WITH_HITS words (a scan costs
#: a few milliseconds; long questions hold many words the index lacks on purpose).
SUGGEST_WITH_HITS_MAX_QUERY_WORDS = 4
MAX_SUGGESTED_WORDS_WITH_HITS = 2

# -- results -------------------------------------------------------------------------------------

#: Characters of one article's body a snippet analyses, at most.
MAX_SNIPPET_SCAN_CHARS = 100_000
#: Links shown per hit; ``Hit.more_links`` counts the rest.
MAX_HIT_LINKS = 20


def size_text(n: int) -> str:
    """A byte count as people read it: "50 MB", "63.2 MB", "512 bytes"."""
    for unit, factor in (("GB", 1024**3), ("MB", MiB), ("KB", 1024)):
        if n >= factor:
            value = n / factor
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{n} bytes"
