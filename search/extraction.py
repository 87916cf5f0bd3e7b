"""Main-content extraction: title, clean body, metadata and typed links from one HTML page.

The extractor is general, not per site.  It parses the page once with BeautifulSoup (lxml),
then works on a light mirror of the element tree (:class:`_Node`):

1. read metadata from ``<head>`` (title, canonical URL, description, language, dates);
2. mark page furniture (navigation, ads, share bars, comments, related boxes, pagers,
   hidden elements...) by tag, ARIA role and class/id *words*;
3. score text blocks the way Readability does (text length, commas, link density,
   structural cues) to find the main content container plus its good siblings;
4. render that container as paragraphs and classify every link as prev, next, related
   or body.
"""

from __future__ import annotations

import json
import logging
import re
import warnings
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, XMLParsedAsHTMLWarning
from bs4.element import NavigableString, PageElement, Tag

from .models import Article, Link
from .profiles import SiteProfile, find_profile
from .text.sanitize import safe_url

logger = logging.getLogger(__name__)

# --------------------------------------------------------------------------------------------
# vocabulary

#: Bump when a change to extraction changes its output: the next index run re-reads every file.
EXTRACTOR_VERSION = "2"

#: Elements whose content is never article text.
JUNK_TAGS = frozenset(
    "script style noscript template svg math iframe frame frameset object embed canvas "
    "button input select textarea option optgroup datalist audio video source track map "
    "head title meta link base dialog".split()
)
#: Elements that start and end a paragraph of their own.
BLOCK_TAGS = frozenset(
    "address article aside blockquote body center dd details div dl dt fieldset figcaption "
    "figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr html li main menu nav ol p pre "
    "section summary table caption tbody thead tfoot tr ul".split()
)
HEADINGS = frozenset("h1 h2 h3 h4 h5 h6".split())
CELL_TAGS = frozenset(("td", "th"))
#: Structural furniture, dropped unless the element holds most of the page's text.
FURNITURE_TAGS = frozenset("nav aside footer header form menu figure figcaption".split())
FURNITURE_ROLES = frozenset(
    "navigation banner contentinfo complementary search menu menubar dialog alertdialog".split()
)
PARAGRAPH_MIN_CHARS = 25

# Class/id words.  A class or id token is split into words on "-", "_" and camelCase, so
# "ad-slot" and "adSlot" contain the word "ad" while "shadow" and "loaded" do not.
# Strong words mark furniture wherever they appear in the token; weak words only as the
# token's last word (its head noun): "site-header" is a header, "header-image" is an image.
_RELATED_WORDS = frozenset(
    "related recommend recommended recommendation recommendations outbrain taboola "
    "morestories morenews morearticles moreposts readnext alsolike youmaylike mightlike".split()
)
_PAGER_WORDS = frozenset(
    "pager pagination paging prevnext nextprev postnavigation navlinks articlenav "
    "postnav storynav".split()
)
_PREV_WORDS = frozenset("prev previous prevlink prevpost".split())
_NEXT_WORDS = frozenset("next nextlink nextpost".split())
_COMMENT_WORDS = frozenset("comment comments disqus respond replies".split())
_STRONG_WORDS = frozenset(
    "ad ads adv advert adverts advertisement advertisements advertising adslot adunit "
    "adsense adchoices dfp sponsor sponsors sponsored promo promos promoted promotion "
    "cookie cookies consent gdpr cmp newsletter newsletters subscribe subscription signup "
    "share shares sharing sharebar sharedaddy addthis sharethis breadcrumb breadcrumbs "
    "crumbs byline bylines author authors contributor tags tagcloud taglist posttags "
    "sidebar popup modal skiplink skiplinks screenreader sronly visuallyhidden "
    "hidden hide invisible mostread mostpopular trending gallery slideshow carousel lightbox".split()
) | _RELATED_WORDS | _PAGER_WORDS | _COMMENT_WORDS
_WEAK_WORDS = frozenset(
    "header footer nav navbar navigation menu masthead toolbar widget widgets meta "
    "dateline timestamp date rail banner topbar credit credits tag caption disclaimer "
    "bio".split()
)
_HIDING_WORDS = frozenset("hidden hide invisible".split())
_RESPONSIVE_WORDS = frozenset("xs sm md lg xl xxl print mobile tablet desktop phone small large".split())
_SOCIAL_WORDS = frozenset("social socials".split())
_POSITIVE_WORDS = frozenset(
    "article articlebody body content entry entrycontent hentry main post postcontent "
    "text story storybody blog prose richtext".split()
)
#: Class/id words naming the article body container itself.
_BODY_WORDS = frozenset(
    "articlebody articlecontent articletext entrycontent postcontent postbody storybody "
    "storycontent bodytext contentbody maincontent richtext".split()
)

_WORD_SPLIT = re.compile(r"[^A-Za-z0-9]+|(?<=[a-z])(?=[A-Z])")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_RELATED_HEADING = re.compile(
    r"^(?:recommend(?:ed|ations)?(?: for you| reading| articles| stories)?"
    r"|related(?: articles| posts| stories| content| reading| links| topics| news)?"
    r"|you (?:may|might) also (?:like|enjoy)|read (?:next|more)|more (?:stories|articles|news)"
    r"|further reading|(?:most )?popular(?: now| articles| posts| stories)?"
    r"|most (?:read|viewed|shared)|trending(?: now)?|top stories|editor'?s picks)\W*$",
    re.I,
)
_FURNITURE_HEADING = re.compile(
    r"^(?:comments?|\d+ comments?|leave a (?:reply|comment)|share(?: this)?(?: article| post| story)?"
    r"|tags|topics|about the author|sign up.*newsletter.*|subscribe.*)\W*$",
    re.I,
)
_BOILERPLATE_PARAGRAPH = re.compile(
    r"^(?:advertisement|advertising|advert|ad|tags?|sponsored(?: content)?|story continues below"
    r"(?: advertisement)?|continue reading(?: below)?|skip to (?:main )?content|read more"
    r"|share(?: this)?(?: article| story| post)?|print|email|facebook|twitter)\W*$",
    re.I,
)
_SHARE_HREF = re.compile(
    r"^(?:whatsapp|fb-messenger|viber|tg|sms):|facebook\.com/shar|twitter\.com/(?:intent|share)"
    r"|linkedin\.com/share|pinterest\.[a-z.]+/pin/create|reddit\.com/submit|addthis\.com"
    r"|sharethis\.com|plus\.google\.com/share|mailto:\?",
    re.I,
)
_TEASER_LABEL = re.compile(  # one-word labels need a colon or dash ("More: ...", not "More than")
    r"^(?:(?:related(?: articles?| stories| posts| coverage)?|more|watch|trending|popular|recommended)"
    r"\s*[:|»\-–—]|(?:read (?:more|also|next)|also read|see more|also on [\w.]+|don'?t miss)\b)",
    re.I,
)
_PROMO_PARAGRAPH = re.compile(
    r"(?:subscribe|sign up|signup)\b.*\b(?:newsletter|inbox)|(?:newsletter|inbox)\b.*\b(?:subscribe|sign up)"
    r"|^follow (?:us|him|her|them|[\w' ]{1,40}) on (?:twitter|facebook|instagram)"
    r"|^\(?(?:additional )?(?:reporting|editing|writing) by\b|contributed to this report\.?$"
    r"|may earn an? (?:affiliate )?commission|contain(?:s)? affiliate",
    re.I,
)
_TOKEN = re.compile(r"\w+")
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TITLE_SEPARATORS = (" | ", " – ", " — ", " - ", " :: ", " · ", " » ")
_PREV_TEXT = re.compile(r"^(?:«|‹|←|<<|<|previous\b|prev\b|older\b)", re.I)
_NEXT_TEXT = re.compile(r"(?:»|›|→|>>|>)$|^(?:next\b|newer\b)", re.I)
_PAGER_LABEL = re.compile(
    r"^[\s«‹←<»›→>]*(?:(?:previous|prev|next|older|newer)(?: (?:article|post|story|page))?"
    r"\s*[:\-–—]?\s*)?|[\s«‹←<»›→>]+$",
    re.I,
)
_SKIPPED_SCHEMES = ("javascript:", "mailto:", "tel:", "data:", "sms:", "about:")
_GENERIC_SLUGS = frozenset("index default article story post page content".split())


def collapse(text: str) -> str:
    """Collapse runs of whitespace to single spaces and strip the ends."""
    return " ".join(text.split())


# --------------------------------------------------------------------------------------------
# the tree mirror


class _Node:
    """Per-element statistics, computed once bottom-up (sizes are in characters)."""

    __slots__ = (
        "tag", "name", "parent", "block", "in_link", "words", "own", "own_links", "own_commas",
        "text", "links", "commas", "ptext", "inl", "inl_links", "inl_commas", "positive",
        "drop", "region", "score", "has_blocks", "npara", "pscore",
    )

    def __init__(self, tag: Tag, name: str, parent: _Node | None) -> None:
        self.tag = tag
        self.name = name
        self.parent = parent
        self.block: _Node | None = self if name in BLOCK_TAGS or name in CELL_TAGS else (
            parent.block if parent else None
        )
        self.in_link: bool = name == "a" or (parent is not None and parent.in_link)
        self.words: frozenset[str] = _class_words(tag)
        self.own = self.own_links = self.own_commas = 0
        self.text = self.links = self.commas = self.ptext = 0
        self.inl = self.inl_links = self.inl_commas = 0
        self.positive = False
        self.drop = False
        self.region = ""  # "related", "pager" or "other" for furniture regions
        self.score: float | None = None
        self.has_blocks = False  # contains block elements (its own text is a "loose" paragraph)
        self.npara = 0
        self.pscore = 0.0  # summed paragraph scores of the subtree, whatever their depth
        if self.block is self and parent is not None and parent.block is not None:
            parent.block.has_blocks = True

    @property
    def link_density(self) -> float:
        return self.links / self.text if self.text else 0.0

    def ancestors(self) -> Iterator[_Node]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def is_inside(self, other: _Node) -> bool:
        return self is other or any(a is other for a in self.ancestors())


def _class_words(tag: Tag) -> frozenset[str]:
    """Words of the element's class and id tokens (see :func:`_token_words`)."""
    attrs = tag.attrs
    cls, ident = attrs.get("class"), attrs.get("id")
    if not cls and not ident:
        return frozenset()
    tokens = " ".join(cls) if isinstance(cls, list) else str(cls or "")
    return _token_words(f"{tokens} {ident or ''}"[:2000])


@lru_cache(maxsize=4096)
def _token_words(tokens: str) -> frozenset[str]:
    """Words of class/id tokens, plus joined word pairs ("more-stories" -> "morestories").

    Each token's last word (and the whole token joined) is also stored with a "$" suffix, so
    weak words can be matched as head nouns only.
    """
    words: set[str] = set()
    for token in tokens.split()[:20]:
        parts = [p.lower() for p in _WORD_SPLIT.split(token[:100]) if p]
        if _RESPONSIVE_WORDS.intersection(parts):  # "hidden-xs", "hidden-print": hidden only sometimes
            parts = [p for p in parts if p not in _HIDING_WORDS]
        if not parts:
            continue
        words.update(parts)
        words.update(a + b for a, b in zip(parts, parts[1:], strict=False))
        words.add(parts[-1] + "$")
        words.add("".join(parts) + "$")
    return frozenset(words)


def _attr(tag: Tag, name: str) -> str:
    value = tag.attrs.get(name)
    if value is None:
        return ""
    return " ".join(value) if isinstance(value, list) else str(value)


# --------------------------------------------------------------------------------------------
# public entry points


def parse_html(html: str) -> BeautifulSoup:
    """Parse a page with the lxml parser, after removing control characters lxml rejects."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        return BeautifulSoup(_CONTROL_CHARS.sub("", html), "lxml")


def extract_article(html: str, url: str | None = None, profiles: Sequence[SiteProfile] = ()) -> Article:
    """Extract one article from decoded HTML; never raises on odd markup.

    A site profile matching the page's canonical URL (else ``url``) overrides the generic
    choices of title and body and drops the elements it names (see :mod:`search.profiles`).
    """
    soup = parse_html(html)
    profile = find_profile(profiles, _page_url(soup, url)) if profiles else None
    if profile is not None:
        for selector in profile.drop:
            for element in soup.select(selector):
                element.decompose()
    page = _Page(soup)
    meta = _read_metadata(soup, url, page.itemprops)
    roots = _profile_nodes(page, soup, profile.body) if profile and profile.body else []
    roots = roots or page.main_content()
    title, title_h1 = _choose_title(meta, page, roots)
    if profile is not None and profile.title:
        chosen = soup.select_one(profile.title)
        if chosen is not None and collapse(chosen.get_text(" ")):
            title, title_h1 = collapse(chosen.get_text(" ")), page.index.get(id(chosen))
    rendered = _Renderer(page.index, title, title_h1).render(roots)
    paragraphs = rendered.paragraphs
    canonical = meta.get("canonical", "")
    return Article(
        id=url_slug(canonical or url or ""),
        title=title,
        body="\n\n".join(paragraphs),
        url=canonical or (url or ""),
        links=_collect_links(page, rendered, meta["base"]),
        description=meta.get("description", ""),
        language=meta.get("language", ""),
        published=meta.get("published") or _article_time(roots),
        modified=meta.get("modified", ""),
    )


def _page_url(soup: BeautifulSoup, url: str | None) -> str:
    """The page's canonical URL (link rel=canonical, og:url), else ``url``: to match profiles."""
    for tag, attrs, key in (("link", {"rel": "canonical"}, "href"), ("meta", {"property": "og:url"}, "content")):
        found = soup.find(tag, attrs=attrs)
        if isinstance(found, Tag) and _attr(found, key):
            return _attr(found, key)
    return url or ""


def _profile_nodes(page: _Page, soup: BeautifulSoup, selector: str) -> list[_Node]:
    """The mirror nodes of the elements a profile names as the body (outermost only)."""
    chosen = [page.index[id(el)] for el in soup.select(selector) if id(el) in page.index]
    ids = {id(node) for node in chosen}

    def nested(node: _Node) -> bool:
        parent = node.parent
        while parent is not None:
            if id(parent) in ids:
                return True
            parent = parent.parent
        return False

    return [node for node in chosen if not nested(node)]


def url_slug(url: str) -> str:
    """A readable id from a URL: its last meaningful path segment, without extension."""
    try:
        path = urlsplit(url).path
    except ValueError:
        return ""
    segments = [s for s in unquote(path).split("/") if s]
    while segments:
        segment = segments.pop()
        stem = segment.rsplit(".", 1)[0] if "." in segment[1:] else segment
        slug = re.sub(r"[^\w]+", "-", stem.lower()).strip("-_")
        if slug and (slug not in _GENERIC_SLUGS or not segments):
            return slug
    return ""


# --------------------------------------------------------------------------------------------
# metadata


def _read_metadata(soup: BeautifulSoup, url: str | None, itemprops: dict[str, Tag]) -> dict[str, str]:
    """Title candidates, canonical URL, link base, description, language and dates.

    ``itemprops`` maps microdata property names of the body to their first element.
    """
    head = _HeadTags(soup)
    props = head.props
    out: dict[str, str] = {
        "title": head.title,
        "og_title": props.get("og:title") or props.get("twitter:title", ""),
        "site_name": props.get("og:site_name", ""),
        "description": props.get("description") or props.get("og:description", ""),
        "language": _language(soup, props),
    }
    dates = _jsonld_dates(head.jsonld)
    out["published"] = (
        props.get("article:published_time") or props.get("datepublished")
        or _itemprop_date(itemprops, "datePublished") or dates.get("datePublished")
        or props.get("og:published_time") or props.get("date") or props.get("dc.date")
        or props.get("pubdate") or props.get("publish-date") or ""
    )
    out["modified"] = (
        props.get("article:modified_time") or props.get("datemodified")
        or _itemprop_date(itemprops, "dateModified") or dates.get("dateModified")
        or props.get("og:updated_time") or ""
    )
    page_url = url or ""
    canonical = head.canonical or props.get("og:url", "")
    # A canonical or base URL with a script scheme is ignored (the page's own URL stands).
    out["canonical"] = safe_url(_safe_join(page_url, canonical)) if canonical else ""
    base = out["canonical"] or page_url
    out["base"] = (safe_url(_safe_join(base, head.base)) or base) if head.base else base
    return out


class _HeadTags:
    """``<meta>``, ``<title>``, canonical ``<link>``, ``<base>`` and JSON-LD, found in one pass."""

    def __init__(self, soup: BeautifulSoup) -> None:
        self.props: dict[str, str] = {}
        self.title = self.canonical = self.base = ""
        self.jsonld: list[str] = []
        for tag in soup.find_all(("meta", "link", "base", "title", "script")):
            getattr(self, f"_{tag.name}")(tag)

    def _meta(self, tag: Tag) -> None:
        key = _attr(tag, "property") or _attr(tag, "name") or _attr(tag, "itemprop")
        key = (key or _attr(tag, "http-equiv")).strip().lower()
        content = collapse(_attr(tag, "content"))
        if key and content and key not in self.props:
            self.props[key] = content

    def _link(self, tag: Tag) -> None:
        if not self.canonical and "canonical" in _attr(tag, "rel").lower().split():
            self.canonical = _attr(tag, "href").strip()

    def _base(self, tag: Tag) -> None:
        self.base = self.base or _attr(tag, "href").strip()

    def _title(self, tag: Tag) -> None:
        self.title = self.title or collapse(tag.get_text())

    def _script(self, tag: Tag) -> None:
        if "ld+json" in _attr(tag, "type").lower():
            self.jsonld.append(tag.get_text())


def _language(soup: BeautifulSoup, props: dict[str, str]) -> str:
    html = soup.find("html")
    lang = _attr(html, "lang") or _attr(html, "xml:lang") if isinstance(html, Tag) else ""
    if not lang:
        lang = props.get("content-language", "") or props.get("og:locale", "").replace("_", "-")
    return collapse(lang)


def _itemprop_date(itemprops: dict[str, Tag], prop: str) -> str:
    tag = itemprops.get(prop)
    if tag is None:
        return ""
    return collapse(_attr(tag, "content") or _attr(tag, "datetime") or tag.get_text())


def _jsonld_dates(scripts: list[str]) -> dict[str, str]:
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
    return found


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


def _article_time(roots: list[_Node]) -> str:
    """The first ``<time datetime>`` of the article element holding the content, or of the content."""
    if not roots:
        return ""
    scope = next((a for a in roots[0].ancestors() if a.name == "article"), None)
    for tag in [scope.tag] if scope is not None else [r.tag for r in roots]:
        time = tag.find("time", datetime=True)
        if isinstance(time, Tag):
            return collapse(_attr(time, "datetime"))
    return ""


def _safe_join(base: str, href: str) -> str:
    try:
        return urljoin(base, href) if base else href
    except ValueError:
        return href


# --------------------------------------------------------------------------------------------
# furniture and scoring


class _Page:
    """The page's element mirror, with furniture marked and content candidates scored."""

    def __init__(self, soup: BeautifulSoup) -> None:
        body = soup.find("body")
        self.root_tag: Tag = body if isinstance(body, Tag) else soup
        self.nodes: list[_Node] = []
        self.index: dict[int, _Node] = {}
        self.itemprops: dict[str, Tag] = {}  # first element of each microdata property
        self._build()
        self._accumulate(respect_drop=False)
        self.root = self.nodes[0] if self.nodes else None
        self.page_ptext = self.root.ptext if self.root else 0
        self._mark_furniture()
        self._accumulate(respect_drop=True)

    # -- building -----------------------------------------------------------------------------

    def _build(self) -> None:
        """Mirror the element tree (pre-order) and count each element's own text."""
        nodes, index = self.nodes, self.index
        stack: list[tuple[object, _Node | None]] = [(self.root_tag, None)]
        while stack:
            el, parent = stack.pop()
            if type(el) is NavigableString:
                if parent is None:
                    continue
                n = len(el.strip())
                if n:
                    commas = el.count(",") + el.count("，") + el.count("、")
                    parent.own += n
                    parent.own_commas += commas
                    if parent.in_link:
                        parent.own_links += n
                continue
            if not isinstance(el, Tag) or el.name in JUNK_TAGS and el is not self.root_tag:
                continue
            node = _Node(el, el.name, parent)
            nodes.append(node)
            index[id(el)] = node
            if "itemprop" in el.attrs:
                self.itemprops.setdefault(_attr(el, "itemprop"), el)
            contents = el.contents
            if contents:
                stack.extend((child, node) for child in reversed(contents))

    def _accumulate(self, respect_drop: bool) -> None:
        """Bottom-up totals: text, link text, commas, paragraph text, inline text of blocks."""
        for node in self.nodes:
            node.text, node.links, node.commas = node.own, node.own_links, node.own_commas
            node.inl, node.inl_links, node.inl_commas = node.own, node.own_links, node.own_commas
            node.ptext = node.npara = 0
            node.pscore = 0.0
            node.positive = "itemprop" in node.tag.attrs and _attr(node.tag, "itemprop") == "articleBody"
            node.positive = node.positive or bool(node.words & _BODY_WORDS)
        for node in reversed(self.nodes):
            if _is_paragraph(node):
                node.ptext += node.inl
                node.npara += 1
                node.pscore += _paragraph_score(node)
            parent = node.parent
            if parent is None or (respect_drop and node.drop):
                continue
            parent.text += node.text
            parent.links += node.links
            parent.commas += node.commas
            parent.ptext += node.ptext
            parent.npara += node.npara
            parent.pscore += node.pscore
            parent.positive = parent.positive or node.positive
            if node.block is not node:  # inline content flows into the enclosing block
                parent.inl += node.inl
                parent.inl_links += node.inl_links
                parent.inl_commas += node.inl_commas

    # -- furniture ----------------------------------------------------------------------------

    def _mark_furniture(self) -> None:
        for node in self.nodes:
            parent = node.parent
            if parent is not None:
                node.drop = node.drop or parent.drop
                if not node.region:
                    node.region = parent.region
            if parent is None:
                continue
            kind = _furniture_kind(node)
            if kind is None:
                if _may_be_heading(node):
                    self._mark_heading_section(node)
                continue
            if kind in ("related", "pager"):
                node.region = kind
            if node.drop or self._protected(node, kind):
                continue
            node.drop = True
            if not node.region:
                node.region = "other"

    def _protected(self, node: _Node, kind: str) -> bool:
        """Furniture-looking wrappers that actually hold the article are kept."""
        if node.positive and kind != "hidden":
            return True  # is or holds the article body container (hidden copies are metadata)
        if kind in ("comments", "related"):
            return False
        return self.page_ptext > 0 and node.ptext >= 0.6 * self.page_ptext

    def _mark_heading_section(self, node: _Node) -> None:
        """A heading such as "Related articles" or "Comments" marks the box it opens.

        When the heading opens a small wrapper, the wrapper is the box; otherwise the heading
        and its following siblings are, up to the next heading or a run of real prose.
        """
        text = collapse(node.tag.get_text())
        if _RELATED_HEADING.match(text):
            kind = "related"
        elif _FURNITURE_HEADING.match(text):
            kind = "other"
        else:
            return
        head = node  # climb wrappers that hold nothing but the heading
        while head.parent is not None and head.parent.parent is not None and head.parent.text <= head.text:
            head = head.parent
        box = head.parent
        if box is not None and box.parent is not None and _first_element(box) is head.tag and (
            box.ptext < 0.5 * max(self.page_ptext, 1)
        ):
            head = box
        for inner in _up(node, 1000):  # already visited: mark the chain explicitly
            _mark(inner, kind)
            if inner is head:
                break
        if head is box:
            return
        for sibling in head.tag.find_next_siblings():
            sib = self.index.get(id(sibling))
            if sib is None:
                continue
            if sib.name in HEADINGS or (sib.link_density < 0.25 and sib.text > 300):
                break
            _mark(sib, kind)

    # -- scoring ------------------------------------------------------------------------------

    def main_content(self) -> list[_Node]:
        """The main content container (and good siblings), in document order."""
        if self.root is None:
            return []
        top = self._top_candidate()
        if top is None:
            return [self.root]
        roots = self._with_siblings(top)
        if roots == [top]:
            explicit = self._explicit_container(top)
            if explicit is not None:
                return [explicit]
        return roots

    def _explicit_container(self, top: _Node) -> _Node | None:
        """The innermost <article>, <main> or article-body element holding nearly all of ``top``.

        An explicit container that holds 90% of the scored container's paragraph text is a
        tighter fit, with less room for furniture nobody marked.
        """
        best: _Node | None = None
        for node in self.nodes:
            if node is top or node.drop or not _is_explicit(node) or node.ptext < 0.9 * top.ptext:
                continue
            if node.is_inside(top) and (best is None or node.is_inside(best)):
                best = node
        return best

    def _top_candidate(self) -> _Node | None:
        candidates: list[_Node] = []
        for node in self.nodes:
            if node.drop or node.block is not node or node.name in HEADINGS:
                continue
            if node.inl < PARAGRAPH_MIN_CHARS:
                continue
            score = _paragraph_score(node)
            # a <p>-like leaf scores its ancestors; loose text in a container scores the container
            start = node if node.has_blocks else node.parent
            for level, anc in enumerate(_up(start, 5)):
                if anc.score is None:
                    anc.score = _initial_score(anc)
                    candidates.append(anc)
                anc.score += score / (1 if level == 0 else 2 if level == 1 else level * 3)
        for cand in candidates:
            cand.score = (cand.score or 0.0) * (1 - cand.link_density)
        if not candidates:
            return None
        ranked = sorted(candidates, key=lambda c: c.score or 0.0, reverse=True)
        best = _shared_ancestor(ranked[0], ranked[1:5]) or _better_parent(ranked[0])
        # climb while the parent holds no more text than this node
        while best.parent is not None and best.parent.text <= best.text and best.parent.name != "body":
            best = best.parent
        return best

    def _with_siblings(self, top: _Node) -> list[_Node]:
        parent = top.parent
        if parent is None:
            return [top]
        threshold = max(10.0, _score(top) * 0.2)
        top_class = _attr(top.tag, "class")
        chosen: list[_Node] = []
        for tag in parent.tag.children:
            sib = self.index.get(id(tag)) if isinstance(tag, Tag) else None
            if sib is None or sib.drop:
                continue
            if sib is top or _good_sibling(sib, top, top_class, threshold):
                chosen.append(sib)
        return chosen or [top]


def _is_explicit(node: _Node) -> bool:
    return node.name in ("article", "main") or node.positive and bool(
        node.words & _BODY_WORDS or _attr(node.tag, "itemprop") == "articleBody"
    )


def _is_paragraph(node: _Node) -> bool:
    """A block (not a heading) whose own inline text is long enough and mostly not links."""
    return (
        node.block is node
        and node.name not in HEADINGS
        and node.inl >= PARAGRAPH_MIN_CHARS
        and node.inl_links < 0.5 * node.inl
    )


def _good_sibling(sib: _Node, top: _Node, top_class: str, threshold: float) -> bool:
    """Readability's sibling test: another section like the top one, or good prose paragraphs."""
    if top_class and sib.name == top.name and _attr(sib.tag, "class") == top_class:
        return _content_score(sib) >= 6 and _looks_like_prose(sib)  # same article, next section
    if sib.score is not None and sib.score >= threshold:
        return _looks_like_prose(sib)
    if not _is_leaf_paragraph(sib) or sib.text == 0:
        return False
    if sib.text > 80:
        return sib.link_density < 0.25
    return sib.links == 0 and bool(re.search(r"\.( |$)", sib.tag.get_text()))


def _paragraph_score(node: _Node) -> float:
    """Readability's paragraph score: one point, plus one per comma, plus one per 100 chars (max 3)."""
    return 1 + node.inl_commas + min(node.inl / 100, 3)


def _content_score(node: _Node) -> float:
    return node.pscore * (1 - node.link_density)


def _score(node: _Node) -> float:
    return node.score or 0.0


def _shared_ancestor(top: _Node, others: list[_Node]) -> _Node | None:
    """An ancestor of ``top`` holding three runner-ups that score nearly as well (Readability)."""
    close = [o for o in others if _score(o) >= 0.75 * _score(top)]
    if len(close) < 3:
        return None
    for anc in top.ancestors():
        if anc.name == "body":
            return None
        if sum(1 for o in close if o.is_inside(anc)) >= 3:
            return anc
    return None


def _better_parent(top: _Node) -> _Node:
    """Climb to an ancestor whose score beats the last one seen, before scores fade (Readability)."""
    last = _score(top)
    threshold = last / 3
    for anc in top.ancestors():
        if anc.name == "body":
            break
        if anc.score is None:
            continue
        if _score(anc) < threshold:
            break
        if _score(anc) > last:
            return anc
        last = _score(anc)
    return top


def _may_be_heading(node: _Node) -> bool:
    if node.drop or not 3 <= node.text <= 60:
        return False
    if node.name in HEADINGS or _attr(node.tag, "role") == "heading":
        return True
    return node.name in ("p", "div") and not node.has_blocks


def _first_element(node: _Node) -> Tag | None:
    return next((c for c in node.tag.children if isinstance(c, Tag)), None)


def _mark(node: _Node, kind: str) -> None:
    """Drop a furniture region (its descendants inherit the mark in the pre-order walk)."""
    node.drop = True
    node.region = node.region or kind


def _is_leaf_paragraph(node: _Node) -> bool:
    return node.name == "p" or (node.name == "div" and not node.has_blocks)


def _looks_like_prose(node: _Node) -> bool:
    """Few links and paragraphs of sentence length (teaser lists have short blurbs)."""
    return node.link_density < 0.33 and node.npara > 0 and node.ptext / node.npara >= 80


def _up(node: _Node | None, levels: int) -> Iterator[_Node]:
    """``node`` and its ancestors, at most ``levels`` of them."""
    while node is not None and levels > 0:
        yield node
        node = node.parent
        levels -= 1


def _furniture_kind(node: _Node) -> str | None:
    """Why this element is page furniture ("related", "pager", "comments", "other"), or None."""
    name, attrs, words = node.name, node.tag.attrs, node.words
    if words:
        if words & _RELATED_WORDS:
            return "related"
        if words & _PAGER_WORDS:
            return "pager"
        if words & _COMMENT_WORDS:
            return "comments"
        if words & _STRONG_WORDS:
            return "other"
        if words & _SOCIAL_WORDS and (node.text < 200 or node.link_density > 0.5):
            return "other"  # a social bar, not a "social-embed" quoting a post
        if any(w[:-1] in _WEAK_WORDS for w in words if w.endswith("$")):
            return "other"
    if name in FURNITURE_TAGS:
        return "other"
    if name == "a" and attrs and _is_share_or_tag_link(node.tag):
        return "other"
    if attrs:
        if "hidden" in attrs or _attr(node.tag, "aria-hidden").lower() == "true":
            return "hidden"
        if _attr(node.tag, "role").lower() in FURNITURE_ROLES:
            return "other"
        style = attrs.get("style")
        if style and _HIDDEN_STYLE.search(str(style)):
            return "hidden"
        if _attr(node.tag, "itemprop") in ("author", "publisher"):
            return "other"
    return None


def _is_share_or_tag_link(tag: Tag) -> bool:
    if "tag" in _attr(tag, "rel").lower().split():
        return True
    return bool(_SHARE_HREF.search(_attr(tag, "href")[:300]))


def _initial_score(node: _Node) -> float:
    """Readability's prior for a candidate: by tag, plus class/id and microdata cues."""
    name = node.name
    if name in ("div", "article", "main", "section"):
        score = 5.0
    elif name in ("pre", "td", "blockquote"):
        score = 3.0
    elif name in ("address", "ol", "ul", "dl", "dd", "dt", "li", "form"):
        score = -3.0
    elif name in HEADINGS or name == "th":
        score = -5.0
    else:
        score = 0.0
    if node.words & _POSITIVE_WORDS:
        score += 25
    if node.words & _BODY_WORDS or _attr(node.tag, "itemprop") == "articleBody":
        score += 25
    return score


# --------------------------------------------------------------------------------------------
# rendering


class _Renderer:
    """Renders content roots as paragraphs, skipping furniture and filtering link teasers.

    Every paragraph remembers how much of its text is link text and which anchors it holds,
    so that "Related: ..." teaser lines can be dropped and their links typed as related.
    """

    def __init__(self, index: dict[int, _Node], title: str = "", title_h1: _Node | None = None) -> None:
        self.index = index
        self._title = title.lower()
        self._title_h1 = title_h1
        self.paragraphs: list[str] = []
        self.body_anchors: list[_Node] = []
        self.teaser_anchors: list[_Node] = []
        self._pieces: list[str] = []
        self._link_chars = 0
        self._anchors: list[_Node] = []
        self._blocks: list[str] = ["body"]

    def render(self, roots: Iterable[_Node]) -> _Renderer:
        for root in roots:
            self._walk(root.tag)
            self._flush()
        return self

    def _walk(self, top: Tag) -> None:
        stack: list[tuple[PageElement, str]] = [(top, "")]
        while stack:
            el, closing = stack.pop()
            if closing:
                if closing == "cell":
                    self._pieces.append(" ")
                else:
                    self._flush()
                    self._blocks.pop()
                continue
            if type(el) is NavigableString:
                self._text(el)
                continue
            node = self.index.get(id(el))
            if node is None or node.drop or node is self._title_h1:
                continue
            if node.name == "h1" and collapse(node.tag.get_text()).lower() == self._title:
                continue
            name = node.name
            if name == "br":
                self._pieces.append("\x00")
                continue
            if name in BLOCK_TAGS:
                self._flush()
                self._blocks.append(name)
                stack.append((el, "block"))
            elif name in CELL_TAGS:
                stack.append((el, "cell"))
            elif name == "a":
                self._anchors.append(node)
            stack.extend((child, "") for child in reversed(node.tag.contents))

    def _text(self, text: NavigableString) -> None:
        self._pieces.append(text)
        parent = self.index.get(id(text.parent))
        if parent is not None and parent.in_link:
            self._link_chars += len(text.strip())

    def _flush(self) -> None:
        if not self._pieces:
            return
        parts = _split_paragraph("".join(self._pieces))
        verdict = _judge_paragraph(" ".join(parts), self._link_chars, self._blocks[-1])
        if verdict == "keep":
            self.paragraphs.extend(parts)
            self.body_anchors.extend(self._anchors)
        elif verdict == "related":
            self.teaser_anchors.extend(self._anchors)
        self._pieces.clear()
        self._anchors = []
        self._link_chars = 0


def _judge_paragraph(text: str, link_chars: int, block: str) -> str:
    """"keep", "drop" or "related" (a teaser line whose links point to related articles)."""
    if not text:
        return "drop"
    if _BOILERPLATE_PARAGRAPH.match(text) or _PROMO_PARAGRAPH.search(text[:300]) and len(text) < 300:
        return "drop"
    link_ratio = link_chars / max(len(text), 1)
    if link_ratio >= 0.3 and len(text) < 300 and _TEASER_LABEL.match(text):
        return "related"
    if link_ratio >= 0.8 and block not in ("li", "td", "th", "dd") and len(text.split()) <= 15:
        return "drop"  # a stray link line ("See the gallery", a teaser headline)
    return "keep"


def _split_paragraph(text: str) -> list[str]:
    """Split inline text on double line breaks; collapse whitespace."""
    parts = re.split(r"\x00\s*\x00", text) if "\x00" in text else [text]
    out = []
    for part in parts:
        part = collapse(part.replace("\x00", " "))
        if part:
            out.append(part)
    return out


# --------------------------------------------------------------------------------------------
# title


def _choose_title(meta: dict[str, str], page: _Page, roots: list[_Node]) -> tuple[str, _Node | None]:
    """The title (og:title, else the article's h1, else ``<title>`` minus the site name).

    Also returns the h1 element that holds the title, so the body can leave it out.
    """
    h1 = _article_h1(page, roots, meta.get("og_title") or meta.get("title", ""))
    h1_text = collapse(h1.tag.get_text()) if h1 is not None else ""
    site = meta.get("site_name", "")
    if meta.get("og_title"):
        return clean_title(meta["og_title"], h1_text, site, only_matching=True), h1
    if h1_text:
        return h1_text, h1
    return clean_title(meta.get("title", ""), "", site), h1


def clean_title(title: str, h1: str = "", site: str = "", only_matching: bool = False) -> str:
    """Remove a site name from a title: keep the part matching the h1, else the wordiest part.

    Ties go to the first part, since site names are more often a suffix than a prefix.

    With ``only_matching`` the title is kept whole unless a part equals the h1 or the site name.
    """
    title = collapse(title)
    for sep in _TITLE_SEPARATORS:
        if sep in title:
            parts = [p.strip() for p in title.split(sep) if p.strip()]
            for part in parts:
                if h1 and part.lower() == h1.lower():
                    return part
            if site and any(p.lower() == site.lower() for p in parts):
                return sep.join(p for p in parts if p.lower() != site.lower())
            if only_matching or not parts:
                return title
            return max(parts, key=lambda part: len(part.split()))
    return title


def _article_h1(page: _Page, roots: list[_Node], title: str) -> _Node | None:
    """The h1 most like the page title, preferring one inside the article; first wins ties."""
    title_words = set(_TOKEN.findall(title.lower()))
    best: _Node | None = None
    best_score = -10.0
    for node in page.nodes:
        if node.name != "h1" or not node.text:
            continue
        words = set(_TOKEN.findall(node.tag.get_text().lower()))
        if not words:
            continue
        score = 2 * (2 * len(words & title_words) / (len(words) + len(title_words) or 1))
        if any(a.name in ("article", "main") for a in node.ancestors()) or any(
            node.is_inside(r) for r in roots
        ):
            score += 1
        if node.drop and node.region == "other":
            score -= 1
        if score > best_score:
            best, best_score = node, score
    return best


# --------------------------------------------------------------------------------------------
# links


def _collect_links(page: _Page, rendered: _Renderer, base: str) -> list[Link]:
    """Typed links in document order: prev/next pagers, related boxes and body links."""
    body_ids = {id(a) for a in rendered.body_anchors}
    teaser_ids = {id(a) for a in rendered.teaser_anchors}
    links: list[Link] = []
    seen: set[tuple[str, str]] = set()
    for node in page.nodes:
        if node.name != "a":
            continue
        href = _attr(node.tag, "href").strip()
        if not href or href.startswith("#") or href.lower().startswith(_SKIPPED_SCHEMES):
            continue
        kind = "related" if id(node) in teaser_ids else _link_kind(node, id(node) in body_ids)
        if kind is None:
            continue
        url = _safe_join(base, href)
        text = _anchor_text(node.tag)
        if kind in ("prev", "next"):
            text = _PAGER_LABEL.sub("", text).strip() or text
        if (url, kind) not in seen:
            seen.add((url, kind))
            links.append(Link(url=url, text=text, kind=kind))  # type: ignore[arg-type]
    return links


def _link_kind(node: _Node, in_body: bool) -> str | None:
    """prev/next (rel, a prev/next class, or arrow text inside a pager), body, related or None."""
    rel = _attr(node.tag, "rel").lower().split()
    if "prev" in rel or "previous" in rel:
        return "prev"
    if "next" in rel:
        return "next"
    if in_body:
        return "body"
    words = node.words
    if words & _PREV_WORDS:
        return "prev"
    if words & _NEXT_WORDS:
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
    for attr in ("title", "aria-label"):
        if _attr(tag, attr).strip():
            return collapse(_attr(tag, attr))
    img = tag.find("img", alt=True)
    return collapse(_attr(img, "alt")) if isinstance(img, Tag) else ""
