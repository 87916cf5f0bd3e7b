"""Scale real health text to N articles (10k, 100k, 1M...) as JSONL feeds or HTML pages.

Usage: python benchmarks/corpus_gen.py --articles N --format jsonl|html --out DIR [--seed S]
                                       [--shard-size K] [--length-scale X] [--stats]

The first 3,395 articles are the NFCorpus documents themselves (``<shared>/data/nfcorpus/
corpus.jsonl``, text verbatim, ids ``MED-...``), so NFCorpus queries and judgments stay
meaningful at every size. NFCorpus has no titles; they get one made from their own words the
way generated articles get theirs (otherwise only the generated articles would have titles, and a
title-weighted ranking would push the judged documents down as N grows). The rest are generated
from a model fitted to that corpus:

* **length**: each article's count of content words is drawn from the NFCorpus length
  distribution (times ``--length-scale``). NFCorpus text has its function words stripped, so
  function words (``the``, ``of``, ``with``...) are put back between the content words at the rate
  and with the relative frequencies they have in the 181 real article bodies of
  ``<shared>/data/extraction/aeb/ground-truth.json`` (about 0.8 per content word), giving
  articles of about 270 words on average;
* **words**: runs of 2-6 consecutive words from three real "topic" abstracts (real
  collocations and topical burstiness; about a quarter of the words come from the main one)
  mixed with words drawn from the NFCorpus unigram distribution (Zipf-like frequencies);
* **vocabulary growth**: Heaps' law ``V = K * T^beta`` is fitted on NFCorpus (distinct words V
  against running token count T); as N grows, new rare terms are coined (a real word's
  prefix + a unique syllable code + a medical suffix, e.g. ``cardibotulitis``) so the number of
  distinct words keeps following the fitted curve, and earlier coinages recur with Zipf-like
  frequency;
* **structure**: titles from the topic abstract's words, paragraphs of capitalised sentences,
  ``url``, ``language``, ``published``, and typed links (prev/next neighbours, related and
  in-body links to other articles of the corpus, anchor text = their titles).

HTML pages (one file per article) wrap the article in page furniture modelled on the 13 real
health pages of the AEB set: icon sprite, cookie banner, ad slots, header with a 110-link mega
menu, breadcrumbs, byline, share bar, a figure, subheadings, a newsletter box, tags, prev/next
pager, "Related articles" and "Trending now" cards, comments, sidebar, a 30-link footer, inline
CSS, JSON-LD and tracking scripts. That makes about 650 tags, 190 links and 50 KB per page; the
13 real pages have 280-1,300 tags (median 865), 30-280 links (median 145) and 40-1,460 KB
(median 127 KB, mostly scripts). Three site "skins" vary the markup.

Everything is a pure function of (seed, article number): deterministic for a seed, streaming
(one article in memory at a time), and any article can be regenerated alone. JSONL output goes
to ``feed-NNNNN.jsonl`` files of ``--shard-size`` articles (default 10,000); ``--shard-size 1``
writes one file per article. Files are spread over sub-folders of 1,000. Importable:
:func:`iter_articles` yields article dicts, :func:`render_html` turns one into a page, and
:func:`write_corpus` writes a folder.

``<shared>`` is ``HEALTHSEARCH_SHARED`` or the ``shared`` folder next to the project. Write the
output to a temporary folder, never into the repository.
"""

from __future__ import annotations

import argparse
import functools
import html
import itertools
import json
import math
import os
import random
import re
import sys
import time
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Closed-class English words (NFCorpus preprocessing removed them); weights come from AEB.
FUNCTION_WORDS = """
the of and to a in is that for it on with as was are be by at this from have or an but not they
you he his her she we our their its can will has had been were would there which if more so
about what when who all also may could than into some these other only how do does did no up
out such most many over after before while because between both each through those then them
us your my i me just like even very should must might during without under against
""".split()

SUFFIXES = ("itis", "osis", "emia", "ase", "ine", "ol", "ide", "ium", "ate", "gen", "cyte",
            "lin", "mab", "nib", "vir", "pril", "zole", "tide", "oma", "algia")
_CONSONANTS = "bcdfghklmnprstvz"
_VOWELS = "aeiou"
SYLLABLES = [c + v for c in _CONSONANTS for v in _VOWELS]  # 80 two-letter syllables

#: Share of content tokens that are recurring coined (rare) terms.
RARE_RECUR_RATE = 0.005
#: Probability that the next content segment is a run of 2-6 words of one of the article's three
#: topic abstracts (chosen with TOPIC_WEIGHTS), else 2-6 unigram draws.
TOPIC_SHARE = 0.5
TOPIC_WEIGHTS = (0.5, 0.3, 0.2)

SITES = (
    ("wellnessnotes.example", "Wellness Notes"),
    ("carepages.example", "CarePages Health"),
    ("dailyhealthwire.example", "Daily Health Wire"),
)
FIRST_NAMES = "Anna Ben Carla David Elena Farid Grace Hiro Ines Jonas Kemi Liam Maya Noor Omar Priya Rosa Sam Tara Yusuf".split()
LAST_NAMES = "Adams Brennan Chen Duarte Evans Fischer Garcia Haddad Ito Jensen Kowalski Lopez Mensah Novak Okafor Patel Quinn Rossi Singh Weber".split()


def shared_dir() -> Path:
    env = os.environ.get("HEALTHSEARCH_SHARED")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "shared"


# -- the model fitted to the real data ---------------------------------------------------------


@dataclass
class Model:
    """Everything fitted to NFCorpus and AEB that generation needs (loaded once, ~40 MB)."""

    nf_ids: list[str]
    nf_words: list[list[str]]  # each NFCorpus document's words, in order
    lengths: list[int]  # NFCorpus document lengths (content words)
    vocab: list[str]  # NFCorpus words, for unigram draws
    vocab_cum: list[int]  # cumulative counts for random.choices
    long_words: list[str]  # words of 6+ letters (coinage prefixes, menu labels)
    function_words: list[str]
    function_cum: list[int]
    function_per_content: float  # function words inserted per content word
    heaps_k: float
    heaps_beta: float
    nf_tokens: int
    nf_vocab: int
    mean_length: float

    def heaps(self, tokens: float) -> float:
        return self.heaps_k * tokens**self.heaps_beta


@functools.lru_cache(maxsize=2)
def load_model(shared: str | None = None) -> Model:
    root = Path(shared) if shared else shared_dir()
    corpus = root / "data" / "nfcorpus" / "corpus.jsonl"
    ids: list[str] = []
    docs: list[list[str]] = []
    counts: Counter[str] = Counter()
    seen: set[str] = set()
    tokens = 0
    points: list[tuple[int, int]] = []
    with corpus.open(encoding="utf-8") as feed:
        for line in feed:
            data = json.loads(line)
            words = [sys.intern(w) for w in data["text"].split()]
            ids.append(data["_id"])
            docs.append(words)
            counts.update(words)
            seen.update(words)
            tokens += len(words)
            points.append((tokens, len(seen)))
    # Heaps' law: least squares on log V = log K + beta log T over the second half of the
    # stream (the start is dominated by the first documents' own words).
    fit = points[len(points) // 2 :: 10]
    xs = [math.log(t) for t, _ in fit]
    ys = [math.log(v) for _, v in fit]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    beta = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
    k = math.exp(my - beta * mx)
    vocab = sorted(counts, key=lambda w: (-counts[w], w))
    cum = list(itertools.accumulate(counts[w] for w in vocab))
    long_words = [w for w in vocab if len(w) >= 6 and w.isalpha()]

    # Function words: their frequencies and rate in real article bodies.
    bodies = json.loads((root / "data" / "extraction" / "aeb" / "ground-truth.json").read_text(encoding="utf-8"))
    aeb: Counter[str] = Counter()
    for item in bodies.values():
        aeb.update(re.findall(r"[a-z]+", (item.get("articleBody") or "").lower()))
    fw = [w for w in FUNCTION_WORDS if aeb[w] > 0]
    fw_total = sum(aeb[w] for w in fw)
    content_total = sum(aeb.values()) - fw_total
    return Model(
        nf_ids=ids,
        nf_words=docs,
        lengths=[len(d) for d in docs],
        vocab=vocab,
        vocab_cum=cum,
        long_words=long_words,
        function_words=fw,
        function_cum=list(itertools.accumulate(aeb[w] for w in fw)),
        function_per_content=fw_total / max(content_total, 1),
        heaps_k=k,
        heaps_beta=beta,
        nf_tokens=tokens,
        nf_vocab=len(seen),
        mean_length=tokens / len(docs),
    )


# -- articles -----------------------------------------------------------------------------------


def article_id(model: Model, i: int) -> str:
    return model.nf_ids[i] if i < len(model.nf_ids) else f"gen-{i:07d}"


def site_of(i: int) -> int:
    return (i * 7919) % len(SITES)


def article_url(model: Model, i: int) -> str:
    return f"https://{SITES[site_of(i)][0]}/health/{article_id(model, i).lower()}"


def _topics(model: Model, seed: int, i: int) -> tuple[int, int, int]:
    """The article's three topic abstracts, main one first (an NFCorpus document is its own)."""
    n = len(model.nf_words)
    if i < n:
        return i, i, i
    rng = random.Random(f"{seed}:topic:{i}")
    return rng.randrange(n), rng.randrange(n), rng.randrange(n)


def title_of(model: Model, seed: int, i: int) -> str:
    """A headline from the topic abstract's words (cheap: used as anchor text by other articles)."""
    words = model.nf_words[_topics(model, seed, i)[0]]
    rng = random.Random(f"{seed}:title:{i}")
    picked: list[str] = []
    for word in rng.sample(words, min(len(words), 12)):
        if len(word) >= 4 and word.isalpha() and word not in picked:
            picked.append(word)
        if len(picked) >= rng.randint(3, 6):
            break
    if not picked:
        picked = words[:3] or ["health"]
    out = [picked[0].capitalize()]
    for word in picked[1:]:
        if rng.random() < 0.35:
            out.append(rng.choice(("and", "in", "of", "for", "with", "after")))
        out.append(word)
    return " ".join(out)


def coinage(model: Model, seed: int, j: int) -> str:
    """The j-th coined rare term: real prefix + unique syllable code of j + medical suffix."""
    rng = random.Random(f"{seed}:coin:{j}")
    word = model.long_words[rng.randrange(len(model.long_words))]
    code = ""
    n = j
    while True:
        n, r = divmod(n, len(SYLLABLES))
        code += SYLLABLES[r]
        if n == 0:
            break
    return word[: rng.randint(3, 5)] + code + rng.choice(SUFFIXES)


def coined_before(model: Model, i: int, length_scale: float) -> int:
    """How many coinages exist before article ``i`` (Heaps' law on the expected token count)."""
    n = len(model.nf_words)
    if i <= n:
        return 0
    tokens = model.nf_tokens + (i - n) * model.mean_length * length_scale
    return max(0, round(model.heaps(tokens)) - model.nf_vocab)


def _content_words(model: Model, seed: int, i: int, length_scale: float, rng: random.Random) -> list[str]:
    sources = [model.nf_words[t] for t in _topics(model, seed, i)]
    length = max(5, round(rng.choice(model.lengths) * length_scale))
    words: list[str] = []
    while len(words) < length:
        if rng.random() < TOPIC_SHARE:
            source = rng.choices(sources, TOPIC_WEIGHTS)[0]
            k = rng.randint(2, 6)
            start = rng.randrange(max(1, len(source) - k))
            words += source[start : start + k]
        else:
            words += rng.choices(model.vocab, cum_weights=model.vocab_cum, k=rng.randint(2, 6))
    del words[length:]
    # New rare terms (Heaps' law), each used once or twice, and recurring older ones.
    first, last = coined_before(model, i, length_scale), coined_before(model, i + 1, length_scale)
    extra = [coinage(model, seed, j) for j in range(first, last) for _ in range(1 + (rng.random() < 0.3))]
    if first:
        recur = sum(1 for _ in range(length) if rng.random() < RARE_RECUR_RATE)
        extra += [coinage(model, seed, int(first * rng.random() ** 3)) for _ in range(recur)]
    for word in extra:
        words.insert(rng.randrange(len(words) + 1), word)
    return words


def _sentences(words: list[str], rng: random.Random, model: Model | None = None) -> list[list[str]]:
    """Interleave function words (when ``model``) and cut into capitalised sentences."""
    if model is not None:
        slots = Counter(rng.choices(range(len(words)), k=round(len(words) * model.function_per_content)))
        fws = iter(rng.choices(model.function_words, cum_weights=model.function_cum, k=sum(slots.values())))
        mixed: list[str] = []
        for pos, word in enumerate(words):
            mixed += [next(fws) for _ in range(slots.get(pos, 0))]
            mixed.append(word)
        words = mixed
    out: list[list[str]] = []
    i = 0
    while i < len(words):
        n = rng.randint(8, 28)
        sentence = words[i : i + n]
        i += n
        sentence = [w + "," if k < len(sentence) - 1 and rng.random() < 0.07 else w for k, w in enumerate(sentence)]
        sentence[0] = sentence[0][:1].upper() + sentence[0][1:]
        sentence[-1] += "?" if rng.random() < 0.03 else "."
        out.append(sentence)
    return out


def _paragraphs(sentences: list[list[str]], rng: random.Random) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(sentences):
        n = rng.randint(2, 5)
        out.append(" ".join(" ".join(s) for s in sentences[i : i + n]))
        i += n
    return out


def make_article(model: Model, seed: int, i: int, total: int, length_scale: float = 1.0) -> dict[str, Any]:
    """Article ``i`` of a corpus of ``total`` articles, as a JSONL feed record (project shape)."""
    rng = random.Random(f"{seed}:article:{i}")
    n_nf = len(model.nf_words)
    day = 1 + (i * 37) % 3650
    published = time.strftime("%Y-%m-%d", time.gmtime(1_400_000_000 + day * 86400))
    record: dict[str, Any] = {"id": article_id(model, i), "url": article_url(model, i), "language": "en", "published": published}
    if i < n_nf:  # the real document, verbatim; NFCorpus has no titles: one made as for the others
        record.update(title=title_of(model, seed, i), body=" ".join(model.nf_words[i]), links=[])
        return record
    paragraphs = _paragraphs(_sentences(_content_words(model, seed, i, length_scale, rng), rng, model), rng)
    links: list[dict[str, str]] = []
    if i > n_nf:
        links.append({"url": article_url(model, i - 1), "text": title_of(model, seed, i - 1), "kind": "prev"})
    if i + 1 < total:
        links.append({"url": article_url(model, i + 1), "text": title_of(model, seed, i + 1), "kind": "next"})
    for kind, count in (("related", rng.randint(2, 5)), ("body", rng.randint(0, 3))):
        for _ in range(count):
            j = rng.randrange(total)
            if j != i:
                links.append({"url": article_url(model, j), "text": title_of(model, seed, j), "kind": kind})
    record.update(
        title=title_of(model, seed, i),
        body="\n\n".join(paragraphs),
        description=paragraphs[0].split(". ")[0][:200] if paragraphs else "",
        links=links,
    )
    return record


def iter_articles(
    n: int, seed: int = 1, *, start: int = 0, length_scale: float = 1.0, shared: Path | str | None = None
) -> Iterator[dict[str, Any]]:
    """Yield articles ``start`` .. ``n - 1`` of an ``n``-article corpus (JSONL feed records)."""
    model = load_model(str(shared) if shared else None)
    for i in range(start, n):
        yield make_article(model, seed, i, n, length_scale)


# -- HTML pages ---------------------------------------------------------------------------------


ICONS = ("facebook", "twitter", "pinterest", "email", "print", "search", "menu", "close", "arrow", "play",
         "bookmark", "comment", "heart", "user", "bell")


@functools.lru_cache(maxsize=8)
def _site_assets(shared: str | None, skin: int) -> dict[str, str]:
    """Per-site constant furniture: CSS, scripts, mega menu, footer, icon sprite (deterministic)."""
    model = load_model(shared)
    rng = random.Random(f"site:{skin}")
    labels = [w.capitalize() for w in model.long_words[:400]]
    rng.shuffle(labels)
    host, name = SITES[skin]
    sections = labels[:10]
    menu = []
    for s, section in enumerate(sections):
        items = "".join(
            f'<li class="menu-item"><a class="menu-link" href="/health/{section.lower()}/{label.lower()}">{label}</a></li>'
            for label in labels[10 + s * 10 : 20 + s * 10]
        )
        menu.append(
            f'<li class="menu-section has-children"><div class="menu-head"><a href="/health/{section.lower()}">{section}</a>'
            f'<button class="toggle" aria-expanded="false"><svg class="icon"><use href="#icon-arrow"></use></svg></button></div>'
            f'<div class="sub-menu-wrap"><ul class="sub-menu">{items}</ul></div></li>'
        )
    footer_cols = []
    for c, heading in enumerate(("About us", "Health topics", "Tools", "Resources")):
        links = "".join(f'<li><a href="/{label.lower()}">{label}</a></li>' for label in labels[120 + c * 8 : 128 + c * 8])
        footer_cols.append(f'<div class="footer-col"><h5>{heading}</h5><ul>{links}</ul></div>')
    social = "".join(
        f'<li><a href="https://{n}.example/{host}" aria-label="{n}"><svg class="icon"><use href="#icon-{n}"></use></svg></a></li>'
        for n in ICONS[:4]
    )
    sprite = "".join(
        f'<symbol id="icon-{icon}" viewBox="0 0 24 24"><path d="M{rng.randint(1, 9)} {rng.randint(1, 9)}'
        + "".join(f"l{rng.randint(-9, 9)} {rng.randint(-9, 9)}" for _ in range(12))
        + 'z"></path></symbol>'
        for icon in ICONS
    )
    selectors = [f".{p}-{q}" for p in ("nav", "card", "btn", "grid", "hero", "teaser", "promo", "ad", "menu", "footer")
                 for q in ("wrap", "item", "title", "link", "media", "meta", "icon", "body", "footer", "label")]
    css = "".join(
        f"{sel}{{margin:{rng.randint(0, 24)}px {rng.randint(0, 24)}px;padding:{rng.randint(0, 16)}px;"
        f"color:#{rng.randrange(16**6):06x};font-size:{rng.randint(11, 22)}px;line-height:1.{rng.randint(2, 8)}}}"
        for sel in selectors
    )
    config = {f"slot_{k}": {"sizes": [[300, 250], [728, 90], [320, 50]], "refresh": rng.randint(30, 90),
              "targeting": {"section": rng.choice(sections).lower(), "pos": k, "kw": rng.sample(labels, 6)}}
              for k in range(60)}
    js = (
        "window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}gtag('js',new Date());"
        f"gtag('config','G-{rng.randrange(16**8):08X}');var adConfig={json.dumps(config)};"
        "(function(d,s){var e=d.createElement(s);e.async=1;e.src='https://cdn.ads.example/tag.js';"
        "d.head.appendChild(e)})(document,'script');"
    )
    return {
        "host": host,
        "name": name,
        "menu": "".join(menu),
        "footer": "".join(footer_cols),
        "social": social,
        "sprite": sprite,
        "css": css,
        "js": js,
        "sections": "\t".join(sections),
    }


_SKIN_BODY = (
    ('<article class="post">', '<div class="article-body">', "</div>", "</article>"),
    ('<div class="content-wrapper"><div class="entry">', '<div class="post-content entry-content">', "</div>", "</div></div>"),
    ('<article itemscope itemtype="https://schema.org/MedicalWebPage">', '<section itemprop="articleBody" class="story-body">', "</section>", "</article>"),
)


def _card(href: str, title: str, text: str, img: str) -> str:
    """A teaser card as CMSs render them: picture, title link, snippet."""
    return (
        f'<li class="card teaser"><div class="card-media"><a href="{href}" tabindex="-1"><picture>'
        f'<source srcset="/img/{img}.webp" type="image/webp"><img src="/img/{img}.jpg" alt="" loading="lazy" width="320" height="180">'
        f'</picture></a></div><div class="card-body"><a class="card-title" href="{href}">{title}</a>'
        f'<p class="card-text">{text}</p></div></li>'
    )


def render_html(article: dict[str, Any], seed: int = 1, *, shared: Path | str | None = None) -> str:
    """A scraped-looking page around one article record (from :func:`iter_articles`)."""
    key = str(shared) if shared else None
    model = load_model(key)
    rng = random.Random(f"{seed}:page:{article['id']}")
    skin = sum(map(ord, article["url"])) % len(SITES)
    assets = _site_assets(key, skin)
    esc = html.escape
    title = article["title"] or _title_from_text(article["body"])
    body = article["body"]
    if "." not in body:  # NFCorpus text has no punctuation: give it sentences for the page
        words = body.split()
        body = "\n\n".join(_paragraphs(_sentences(words, rng), rng))
    paragraphs = [p for p in body.split("\n\n") if p.strip()]
    links = article.get("links") or []
    inline = [link for link in links if link["kind"] == "body"]
    parts: list[str] = []
    for k, para in enumerate(paragraphs):
        text = esc(para)
        if inline and rng.random() < 0.5:
            link = inline.pop()
            text += f' See also <a href="{esc(link["url"])}">{esc(link["text"])}</a>.'
        if k and k % rng.randint(3, 4) == 0:
            parts.append(f"<h2>{esc(_title_from_text(para))}</h2>")
        parts.append(f"<p>{text}</p>")
        if k == 0:
            parts.append(
                f'<figure class="article-image"><img src="/img/{esc(article["id"])}-1.jpg" alt="{esc(title)}" '
                f'width="800" height="450"><figcaption>{esc(" ".join(para.split()[:10]))} '
                '<span class="credit">Photo: Getty Images</span></figcaption></figure>'
            )
        if k == 1:
            parts.append('<div class="ad-slot advertisement" data-slot="inline-1"><div class="ad-label">Advertisement</div>'
                         '<div id="div-gpt-ad-inline-1" class="ad-container"></div></div>')
        if k == 2:
            parts.append(
                '<div class="newsletter-signup"><h4>Get our weekly health newsletter</h4>'
                "<p>Evidence-based tips delivered to your inbox every week.</p>"
                '<form action="/subscribe"><label for="nl-email">Email</label><input id="nl-email" type="email" '
                'name="email" placeholder="Your email"><button>Sign up</button></form>'
                '<p class="small">Your <a href="/privacy">privacy</a> is important to us.</p></div>'
            )
    author = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    reviewer = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}, MD"
    sections = assets["sections"].split("\t")
    section = sections[rng.randrange(len(sections))]
    url = esc(article["url"])
    share = "".join(
        f'<li><a class="share-{n}" href="https://{n}.example/share?u={url}"><svg class="icon"><use href="#icon-{n}">'
        f'</use></svg><span class="label">{n.capitalize()}</span></a></li>'
        for n in ICONS[:5]
    )
    pager = "".join(
        f'<a rel="{link["kind"]}" href="{esc(link["url"])}">{"« " if link["kind"] == "prev" else ""}{esc(link["text"])}'
        f'{" »" if link["kind"] == "next" else ""}</a>'
        for link in links
        if link["kind"] in ("prev", "next")
    )

    def snippet(n: int) -> str:
        return esc(" ".join(rng.choice(paragraphs).split()[:n])) + "…"

    related = "".join(
        _card(esc(link["url"]), esc(link["text"]), snippet(14), f"r{rng.randrange(10**6)}")
        for link in links
        if link["kind"] == "related"
    )
    words = model.long_words[:3000]
    trending = "".join(
        _card(f"/health/{w}", f"{w.capitalize()}: what to know", f"{rng.choice(words)} and {rng.choice(words)} explained",
              f"t{rng.randrange(10**6)}")
        for w in rng.sample(words, 8)
    )
    comments = "".join(
        f'<div class="comment"><div class="comment-meta"><img class="avatar" src="/avatars/{rng.randrange(999)}.png" alt="">'
        f'<span class="comment-author">{rng.choice(FIRST_NAMES)}</span><time>{rng.randint(1, 28)} days ago</time></div>'
        f"<p>{esc(' '.join(rng.choice(paragraphs).split()[:rng.randint(6, 20)]))}</p>"
        '<div class="comment-actions"><a class="reply" href="#reply">Reply</a> <button class="like">Like</button></div></div>'
        for _ in range(rng.randint(0, 5))
    )
    popular = "".join(
        f'<li><span class="rank">{k + 1}</span><a href="/health/{w}">{esc(w.capitalize())} facts you should know</a></li>'
        for k, w in enumerate(rng.sample(words, 6))
    )
    tags = " ".join(f'<a rel="tag" href="/tag/{w}">{w}</a>' for w in rng.sample(words, 5))
    open_a, open_body, close_body, close_a = _SKIN_BODY[skin]
    jsonld = json.dumps({"@context": "https://schema.org", "@type": "Article", "headline": title,
                         "datePublished": article.get("published", ""), "author": {"@type": "Person", "name": author},
                         "publisher": {"@type": "Organization", "name": assets["name"]}, "mainEntityOfPage": article["url"]})
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)} | {assets["name"]}</title>
<meta name="description" content="{esc(article.get("description", ""))}">
<link rel="canonical" href="{url}">
<meta property="og:title" content="{esc(title)}"><meta property="og:type" content="article"><meta property="og:url" content="{url}">
<link rel="preconnect" href="https://cdn.ads.example"><link rel="icon" href="/favicon.ico">
<link rel="stylesheet" href="/static/css/main.{skin}4f2a.css"><style>{assets["css"]}</style>
<script type="application/ld+json">{jsonld}</script>
<script>{assets["js"]}</script></head>
<body class="article-page">
<svg xmlns="http://www.w3.org/2000/svg" style="display:none">{assets["sprite"]}</svg>
<a class="skip-link" href="#content">Skip to content</a>
<div id="cookie-banner" class="cookie-consent" role="dialog"><div class="cookie-inner"><p>We use cookies to personalise content
and ads and to analyse our traffic. <a href="/privacy">Privacy policy</a></p><div class="cookie-buttons"><button class="accept">Accept all</button>
<button class="manage">Manage settings</button></div></div></div>
<div class="top-ad ad-slot advertisement"><div class="ad-label">Advertisement</div><div id="div-gpt-ad-top" class="ad-container"></div></div>
<header class="site-header"><div class="header-inner"><button class="menu-toggle" aria-label="Menu"><svg class="icon"><use href="#icon-menu"></use></svg></button>
<a class="logo" href="/"><img src="/static/logo-{skin}.svg" alt="{assets["name"]}" width="180" height="40"></a>
<nav class="main-nav" role="navigation" aria-label="Main"><ul class="menu">{assets["menu"]}</ul></nav>
<form class="site-search" role="search" action="/search"><input name="q" placeholder="Search {assets["name"]}">
<button aria-label="Search"><svg class="icon"><use href="#icon-search"></use></svg></button></form>
<a class="subscribe-button" href="/subscribe">Subscribe</a></div></header>
<nav class="breadcrumbs" aria-label="Breadcrumb"><ol><li><a href="/">Home</a></li><li><a href="/health/{section.lower()}">{section}</a></li>
<li aria-current="page">{esc(title)}</li></ol></nav>
<div class="page-wrap"><main id="content">{open_a}
<header class="article-header"><span class="kicker">{section}</span><h1 class="headline">{esc(title)}</h1>
<div class="byline"><img class="avatar" src="/authors/{rng.randrange(99)}.jpg" alt="">By <a rel="author" href="/authors/{author.lower().replace(" ", "-")}">{author}</a>
· Medically reviewed by <a href="/reviewers/{rng.randrange(99)}">{reviewer}</a>
· <time datetime="{article.get("published", "")}">{article.get("published", "")}</time></div></header>
<div class="share-bar"><ul>{share}</ul></div>
{open_body}
{"".join(parts)}
{close_body}
<div class="tags">Tags: {tags}</div>
<nav class="pager">{pager}</nav>
{close_a}
<aside class="related-articles recommend"><h3>Related articles</h3><ul class="card-list">{related}</ul></aside>
<section class="comments" id="comments"><h3>Comments</h3>{comments}
<form class="comment-form"><textarea name="comment" placeholder="Join the discussion"></textarea><button>Post</button></form></section>
<section class="trending"><h3>Trending now</h3><ul class="card-list">{trending}</ul></section>
</main>
<aside class="sidebar"><div class="widget popular"><h4>Most popular</h4><ol>{popular}</ol></div>
<div class="ad-slot advertisement" data-slot="sidebar-1"><div class="ad-label">Advertisement</div><div id="div-gpt-ad-side" class="ad-container"></div></div></aside></div>
<footer class="site-footer"><div class="footer-inner"><div class="footer-links">{assets["footer"]}</div>
<ul class="social">{assets["social"]}</ul>
<p>© 2024 {assets["name"]}. All rights reserved. This content does not replace professional medical advice.
<a href="/terms">Terms</a> · <a href="/privacy">Privacy</a> · <a href="/cookies">Cookie settings</a> · <a href="/accessibility">Accessibility</a></p></div></footer>
<script>window.__PAGE__={{"id":"{esc(article["id"])}","section":"{section.lower()}"}};</script>
</body></html>
"""


def _title_from_text(text: str) -> str:
    words = [w.strip(".,?") for w in text.split()[:8]]
    return " ".join(words).capitalize() if words else "Health article"


# -- writing a folder ---------------------------------------------------------------------------


def write_corpus(
    out: Path,
    n: int,
    fmt: str,
    seed: int = 1,
    *,
    shard_size: int = 10_000,
    length_scale: float = 1.0,
    shared: Path | str | None = None,
    stats: bool = False,
) -> dict[str, Any]:
    """Write an ``n``-article corpus into ``out``; returns counts (and vocabulary stats if asked)."""
    out.mkdir(parents=True, exist_ok=True)
    files = 0
    size = 0
    tokens = 0
    vocab: set[str] = set()
    heaps_points: list[tuple[int, int]] = []
    shard = None
    try:
        for i, article in enumerate(iter_articles(n, seed, length_scale=length_scale, shared=shared)):
            if stats:
                words = re.findall(r"[a-z]+", (article["title"] + " " + article["body"]).lower())
                tokens += len(words)
                vocab.update(words)
                if (i + 1) % max(1, n // 20) == 0 or i + 1 == n:
                    heaps_points.append((tokens, len(vocab)))
            if fmt == "html":
                path = out / f"{i // 1000:04d}" / f"{article['id']}.html"
                path.parent.mkdir(exist_ok=True)
                data = render_html(article, seed, shared=shared).encode("utf-8")
                path.write_bytes(data)
                files += 1
                size += len(data)
            elif shard_size == 1:
                path = out / f"{i // 1000:04d}" / f"{article['id']}.jsonl"
                path.parent.mkdir(exist_ok=True)
                data = (json.dumps(article) + "\n").encode("utf-8")
                path.write_bytes(data)
                files += 1
                size += len(data)
            else:
                if i % shard_size == 0:
                    if shard is not None:
                        shard.close()
                    shard = open(out / f"feed-{i // shard_size:05d}.jsonl", "w", encoding="utf-8")
                    files += 1
                line = json.dumps(article) + "\n"
                shard.write(line)
                size += len(line.encode("utf-8"))
    finally:
        if shard is not None:
            shard.close()
    result: dict[str, Any] = {"articles": n, "format": fmt, "files": files, "bytes": size, "seed": seed}
    if stats:
        model = load_model(str(shared) if shared else None)
        result.update(tokens=tokens, distinct_words=len(vocab), heaps_points=heaps_points,
                      nfcorpus_heaps={"K": round(model.heaps_k, 3), "beta": round(model.heaps_beta, 3)})
        if len(heaps_points) >= 2:
            (t1, v1), (t2, v2) = heaps_points[len(heaps_points) // 2], heaps_points[-1]
            if t2 > t1 and v2 > v1:
                result["beta_second_half"] = round(math.log(v2 / v1) / math.log(t2 / t1), 3)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, required=True, help="number of articles (the first 3,395 are NFCorpus)")
    parser.add_argument("--format", choices=("jsonl", "html"), required=True)
    parser.add_argument("--out", type=Path, required=True, help="output folder (use a temp folder)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--shard-size", type=int, default=10_000, help="articles per JSONL file (1: one file each)")
    parser.add_argument("--length-scale", type=float, default=1.0, help="multiply article lengths (default 1)")
    parser.add_argument("--stats", action="store_true", help="also count words and distinct words (Heaps' law check)")
    args = parser.parse_args()
    if not (shared_dir() / "data" / "nfcorpus" / "corpus.jsonl").is_file():
        print("error: NFCorpus not found (set HEALTHSEARCH_SHARED to the shared folder)", file=sys.stderr)
        return 2
    started = time.perf_counter()
    result = write_corpus(args.out, args.articles, args.format, args.seed, shard_size=args.shard_size,
                          length_scale=args.length_scale, stats=args.stats)
    result["seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
