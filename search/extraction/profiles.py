"""Site profiles: optional CSS selectors for one known site's title, body and page furniture."""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import soupsieve

from ..errors import ProfileError

_KEYS = {"host", "title", "body", "drop"}


@dataclass(frozen=True)
class SiteProfile:
    """CSS selectors for one site."""

    host: str
    title: str | None = None
    body: str | None = None
    drop: tuple[str, ...] = field(default_factory=tuple)

    def matches(self, url: str) -> bool:
        """True when ``url``'s host is this profile's host or one of its subdomains."""
        try:
            host = (urlsplit(url).hostname or "").lower()
        except ValueError:
            return False
        return host == self.host or host.endswith("." + self.host)


def find_profile(profiles: Sequence[SiteProfile], url: str) -> SiteProfile | None:
    """The first profile matching ``url``, or None."""
    return next((p for p in profiles if url and p.matches(url)), None)


def load_profiles(path: Path | str) -> list[SiteProfile]:
    """Read and validate a TOML file of ``[[site]]`` tables; raise ProfileError.

    The generic extractor is the default and needs no configuration. A user who scrapes one site
    whose layout it gets wrong can describe that site in a TOML file::

        [[site]]
        host = "wellnessnotes.example"     # the page's host (canonical URL); subdomains match too
        title = "h1.headline"              # the title: text of the first match
        body = "div.article-body"          # the article body: the matched elements
        drop = [".newsletter-signup", "figure"]   # removed before anything else

    Every key but ``host`` is optional: a profile may only drop a stubborn box and leave the rest
    to the generic extractor. Links keep their types (prev/next/related/body) either way.
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ProfileError(f"cannot read site profiles {path}: {exc.strerror or exc}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ProfileError(f"{path}: not valid TOML ({exc})") from exc
    sites = data.get("site", [])
    if not isinstance(sites, list) or set(data) - {"site"}:
        raise ProfileError(f"{path}: expected only [[site]] tables")
    return [_profile(path, number, site) for number, site in enumerate(sites, start=1)]


def _profile(path: Path, number: int, site: object) -> SiteProfile:
    where = f"{path}: site {number}"
    if not isinstance(site, dict):
        raise ProfileError(f"{where}: expected a table")
    unknown = set(site) - _KEYS
    if unknown:
        raise ProfileError(f"{where}: unknown key(s) {', '.join(sorted(unknown))} (expected {', '.join(sorted(_KEYS))})")
    host = site.get("host")
    if not isinstance(host, str) or not host.strip():
        raise ProfileError(f"{where}: 'host' is required")
    drop = site.get("drop", [])
    if isinstance(drop, str):
        drop = [drop]
    selectors = {"title": site.get("title"), "body": site.get("body")}
    for key, value in [*selectors.items(), *(("drop", d) for d in drop)]:
        if value is None:
            continue
        if not isinstance(value, str):
            raise ProfileError(f"{where}: '{key}' must be a CSS selector string")
        try:
            soupsieve.compile(value)
        except soupsieve.SelectorSyntaxError as exc:
            raise ProfileError(f"{where}: bad CSS selector for '{key}': {value!r}") from exc
    return SiteProfile(host.strip().lower().lstrip("."), selectors["title"], selectors["body"], tuple(drop))


def profiles_digest(profiles: Sequence[SiteProfile]) -> str:
    """Changes whenever the profiles do (stored with the index to know when to re-extract)."""
    return hashlib.sha1(repr(list(profiles)).encode("utf-8")).hexdigest()[:16]
