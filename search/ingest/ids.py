"""Article ids: a page's normalised canonical URL, else its path under its root folder (named).

The one place ids of pages and text exports are made (the README's "Article ids"); feed
records keep the ids their lines give.

* **URL ids** (pages with an ``http``/``https`` canonical URL): ``host/path?query`` with the
  scheme, ``www.``, user info, default ports and the fragment dropped, the host lower-cased,
  dot segments resolved, a default document (``index.html``, ``index.php``, ``default.aspx``...)
  and trailing ``/`` dropped, percent-encoding made uniform, and the query kept without
  tracking and session parameters (``utm_*``, ``fbclid``, ``gclid``, ``sessionid``...), its
  other parameters sorted: ``?id=3`` on a ``.php`` page names a page, ``?utm_source=x`` does
  not. ``https://www.Example.org/a/index.html?utm_source=x#top`` is ``example.org/a``.
* **Path ids** (everything else): the root folder's own name (``index .`` uses the folder's
  real name) and the path below it as shown (:func:`~search.text.sanitize.shown`), normalised
  the same way (but for percent-encoding: file names are kept as they are), with ``.gz`` and one
  ``.html``/``.htm``/``.xhtml``/``.txt`` extension dropped and wget's file names read as URLs
  (``x.php?id=3.html``, ``index.html@p=3``): ``mirror/articles/anxiety/index.html`` is
  ``mirror/articles/anxiety``. Two folders given to one run never share an id unless their
  names are the same.

When an id is already taken in a run by an article with other content (a site whose
canonical tags all name its home page, ``a.html`` beside ``a.htm``), the next of
:func:`page_ids` is used: the path id, the path exactly as on disk, then the file's absolute
path, which no other file has.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

from .. import limits
from ..text.sanitize import shown

#: Query parameters that track a visit or a session; they never name a page.
_TRACKING = frozenset(
    [
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "igshid",
        "twclid",
        "ttclid",
        "li_fat_id",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "__hssc",
        "__hstc",
        "__hsfp",
        "hsctatracking",
        "mkt_tok",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
        "rb_clickid",
        "s_cid",
        "wt.mc_id",
        "wt_mc_id",
        "ncid",
        "cmpid",
        "ref_src",
        "ref_url",
        "spm",
        "sid",
        "sessionid",
        "session_id",
        "session",
        "phpsessid",
        "jsessionid",
        "aspsessionid",
        "cfid",
        "cftoken",
        "zenid",
        "oscsid",
    ]
)
_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "aspsessionid", "__utm")
#: Last path segments that are the folder's page (dropped: ``dir/`` and ``dir/index.html`` are one).
_DEFAULT_DOCS = frozenset(
    f"{stem}.{ext}"
    for stem in ("index", "default")
    for ext in ("html", "htm", "xhtml", "shtml", "php", "asp", "aspx", "jsp", "cfm")
)
_PAGE_EXTENSIONS = (".html", ".htm", ".xhtml", ".txt")
#: wget --restrict-file-names=windows writes ``?`` as ``@``: ``index.html@p=3``.
_WGET_AT = re.compile(r"^(.+\.[A-Za-z0-9]{1,6})@([^@]*=[^@]*)$")
_PATH_PARAM = re.compile(r";(?:jsessionid|phpsessid|sessionid|sid)=[^/;]*", re.IGNORECASE)
_SAFE = "!$&'()*+,;=:@~"
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _tracking(key: str) -> bool:
    low = key.lower()
    return low in _TRACKING or low.startswith(_TRACKING_PREFIXES)


def _query(query: str) -> str:
    """The query without tracking parameters, the rest sorted, encoded one way."""
    if not query:
        return ""
    pairs = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if not _tracking(k)]
    return urlencode(sorted(pairs), quote_via=quote, safe=_SAFE.replace("&", "").replace("=", ""))


def _segments(path: str, *, on_disk: bool) -> list[str]:
    """Path segments with dot segments resolved, session parameters dropped, and the default
    document dropped; a URL's percent-encoding made uniform, a file name's (``on_disk``) kept as
    it is (file names are text: ``caf\\xe9``) but for ``.gz`` and a page extension, dropped."""
    segments: list[str] = []
    for segment in path.split("/"):
        if not on_disk:
            segment = segment.strip(" \t\r\n")  # white space around a URL's segment is a typo
        if segment in ("", "."):
            continue
        if segment == "..":
            if segments:
                segments.pop()
            continue
        segments.append(segment if on_disk else quote(unquote(segment), safe=_SAFE))
    if not segments:
        return segments
    last = _PATH_PARAM.sub("", segments[-1])
    stripped = False
    if on_disk:
        if last.lower().endswith(".gz"):
            last = last[:-3]
        if last.lower().endswith(_PAGE_EXTENSIONS) and "." in last[:-1]:
            base = last.rsplit(".", 1)[0]
            stripped = bool(base)
            last = base or last
    segments[-1] = last
    low = last.lower()
    if not last or low in _DEFAULT_DOCS or (stripped and low in ("index", "default")):
        segments.pop()
    return segments


def url_id(url: str) -> str | None:
    """The id of a page whose canonical URL is ``url``; None unless it is an http(s) URL with a host."""
    try:
        parts = urlsplit(url.strip())
        scheme = parts.scheme.lower()
        host = (parts.hostname or "").rstrip(".")
        port = parts.port
    except ValueError:
        return None
    if scheme not in _DEFAULT_PORTS or not host:
        return None
    host = host.removeprefix("www.")
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        host = f"{host}:{port}"
    text = "/".join([host, *_segments(parts.path, on_disk=False)])
    query = _query(parts.query.strip())
    return f"{text}?{query}" if query else text


def root_name(root: Path) -> str:
    """The name a root folder gives its path ids: its own name, even when given as ``.``."""
    return shown(os.path.basename(os.path.abspath(root))) or "root"


def _relative(path: Path, root: Path) -> str:
    try:
        return shown(path.relative_to(root).as_posix())
    except ValueError:
        return shown(path.name)


def path_id(path: Path, root: Path) -> str:
    """The id of a file without a canonical URL: the root folder's name and the path below it,
    read as a URL path (wget's ``x.php?id=3.html`` and ``index.html@p=3`` included)."""
    rel = _relative(path, root)
    if rel.lower().endswith(".gz"):
        rel = rel[:-3]
    head, sep, query = rel.partition("?")
    if not sep:
        folder, _, name = rel.rpartition("/")
        match = _WGET_AT.match(name)
        if match:
            head, query = (f"{folder}/" if folder else "") + match.group(1), match.group(2)
    elif query.lower().endswith((".html", ".htm")):  # wget -E appends .html after the query
        query = query.rsplit(".", 1)[0]
    text = "/".join([root_name(root), *_segments(head, on_disk=True)])
    query = _query(query)
    return f"{text}?{query}" if query else text


def exact_id(path: Path, root: Path) -> str:
    """The path as it is on disk under the root folder's name: unique within one root."""
    return f"{root_name(root)}/{_relative(path, root)}"


def page_ids(url: str, path: Path, root: Path | None) -> list[str]:
    """The ids a page or text export may take, best first: its URL id (when ``url`` is an
    http(s) canonical URL), its path id, its exact path, its absolute path; each at most
    MAX_ID_CHARS long."""
    root = root if root is not None else path.parent
    candidates = [url_id(url) if url else None, path_id(path, root), exact_id(path, root), shown(os.path.abspath(path))]
    out: list[str] = []
    for candidate in candidates:
        if candidate:  # shown and cut as every id is (search.text.sanitize.clean_article)
            candidate = shown(candidate)[: limits.MAX_ID_CHARS]
            if candidate not in out:
                out.append(candidate)
    return out
