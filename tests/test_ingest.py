"""Ingestion: HTML extraction, decoding, text exports and reading files (feeds: test_feeds.py;
walking: test_sources.py)."""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from search import limits
from search.errors import ExtractionError
from search.ingest.decode import decode_html
from search.ingest.files import iter_file
from search.ingest.html import extract
from search.ingest.ids import url_id
from search.ingest.text_export import parse_text_export
from search.models import Article, Link

FIXTURES = Path(__file__).parent / "fixtures"
CORPUS = Path(__file__).resolve().parents[1] / "corpus"
SITE = "https://fixture-health.example"


def read_fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def paragraphs(article: Article) -> list[str]:
    return article.body.split("\n\n")


@pytest.fixture(scope="module")
def furniture() -> Article:
    return extract(read_fixture("furniture.html"), url=f"{SITE}/some/other/address")


@pytest.fixture(scope="module")
def variant() -> Article:
    return extract(read_fixture("pager-variant.html"))


def only_article(path: Path, root: Path | None = None) -> Article:
    items = list(iter_file(path, root))
    assert len(items) == 1 and isinstance(items[0], Article), items
    return items[0]


def only_error(path: Path, root: Path | None = None) -> ExtractionError:
    items = list(iter_file(path, root))
    assert len(items) == 1 and isinstance(items[0], ExtractionError), items
    assert items[0].path == str(path)
    return items[0]


# --------------------------------------------------------------------------------------------
# title


def test_title_prefers_og_title(furniture: Article) -> None:
    assert furniture.title == "Knee Pain in Runners: Causes and Self-Care"


def test_title_falls_back_to_the_article_h1_not_the_site_logo(variant: Article) -> None:
    assert variant.title == "Shin Splints: Symptoms and Recovery"


def test_title_from_title_tag_drops_the_site_name() -> None:
    article = extract(read_fixture("no-structure.html"))
    assert article.title == "Hay Fever Basics"


@pytest.mark.parametrize(
    ("title", "h1", "expected"),
    [
        ("Hay Fever | Fixture Health", "", "Hay Fever"),
        ("Fixture Health – Hay Fever and Pollen Allergy", "", "Hay Fever and Pollen Allergy"),
        ("Flu - NHS", "Flu", "Flu"),
        ("Plain title", "", "Plain title"),
    ],
)
def test_clean_title(title: str, h1: str, expected: str) -> None:
    from search.extraction import clean_title

    assert clean_title(title, h1) == expected


def test_og_title_loses_a_site_name_suffix() -> None:
    html = (
        '<html><head><meta property="og:title" content="Gout Explained | Fixture Health">'
        '<meta property="og:site_name" content="Fixture Health"></head><body><p>Gout is a type of '
        "arthritis, caused by crystals of uric acid, that makes joints swell.</p></body></html>"
    )
    assert extract(html).title == "Gout Explained"


def test_title_whitespace_is_collapsed() -> None:
    html = "<html><head><title>\n  Hay   fever\n</title></head><body><h1>  Hay \n fever </h1></body></html>"
    assert extract(html).title == "Hay fever"


# --------------------------------------------------------------------------------------------
# body


def test_body_keeps_article_text_in_order(furniture: Article) -> None:
    paras = paragraphs(furniture)
    assert paras[0].startswith("Runner's knee is the everyday name for patellofemoral pain, an ache")
    assert paras[-1] == (
        "See a doctor if the knee locks, gives way or is badly swollen, or if pain persists "
        "after six weeks of rest."
    )
    assert "Keep moving, but stop if the pain makes you limp." in paras  # blockquote


@pytest.mark.parametrize(
    "furniture_text",
    [
        "SCRIPT-TEXT",
        "STYLE-TEXT",
        "Conditions A to Z",
        "Fixture Health",
        "Accept cookies",
        "We use cookies",
        "consent preferences",
        "Home",
        "Sport injuries",
        "Alex Example",
        "Reviewed by",
        "Share this",
        "Copy link",
        "Email a friend",
        "Advertisement",
        "Buy running shoes",
        "weekly running health tips",
        "Subscribe",
        "KneeCorp",
        "HIDDEN-STYLE-TEXT",
        "HIDDEN-ATTRIBUTE-TEXT",
        "ARIA-HIDDEN-TEXT",
        "NOSCRIPT-TEXT",
        "IFRAME-TEXT",
        "SVG-TEXT",
        "Tweet this",
        "You may also like",
        "Shin splints explained",
        "marathons",
        "running\n",
        "Hamstring Strain",
        "Shin Splints",
        "Recommend",
        "Comments",
        "COMMENT-TEXT",
        "runner42",
        "DISQUS-TEXT",
        "Flu season tips",
        "FOOTER-TEXT",
        "Privacy notice",
    ],
)
def test_body_has_no_page_furniture(furniture: Article, furniture_text: str) -> None:
    assert furniture_text not in furniture.body + "\n"


def test_title_is_not_repeated_in_the_body(furniture: Article) -> None:
    assert furniture.title not in furniture.body


def test_recommend_snippets_never_enter_the_body(furniture: Article, variant: Article) -> None:
    for article in (furniture, variant):
        assert "..." not in article.body and "…" not in article.body
        assert "Twisting an ankle" not in article.body


def test_class_words_match_whole_tokens_not_substrings(furniture: Article) -> None:
    # class="header-image", class="shadow" and class="loaded" are not header or ad furniture
    assert "Runners often feel a dull ache around the kneecap" in furniture.body
    assert "Pain that comes on gradually is typical." in furniture.body
    assert "Most people improve within six weeks." in paragraphs(furniture)


@pytest.mark.parametrize(
    ("css_class", "kept"),
    [
        ("header-image", True),
        ("shadow", True),
        ("loaded", True),
        ("hidden-xs", True),
        ("head-note", True),
        ("ad-slot", False),
        ("adSlot", False),
        ("sponsored-content", False),
        ("site-header", False),
        ("post-meta", False),
        ("visually-hidden", False),
        ("related-posts", False),
        ("newsletter-signup", False),
    ],
)
def test_class_words_decide_furniture(css_class: str, kept: bool) -> None:
    story = "".join(f"<p>Paragraph {n} on eczema, dry skin, emollients and flare-ups.</p>" for n in range(5))
    extra = f'<div class="{css_class}"><p>The EXTRA paragraph, with a comma, is long enough.</p></div>'
    article = extract(f'<html><body><div class="article-body">{story}{extra}</div></body></html>')
    assert ("EXTRA" in article.body) is kept
    assert "Paragraph 4 on eczema" in article.body


def test_headings_and_list_items_are_paragraphs(furniture: Article) -> None:
    paras = paragraphs(furniture)
    for expected in (
        "Why it happens",
        "Self-care that helps",
        "Increasing your weekly distance too quickly.",
        "Weak hip and thigh muscles.",
        "Worn-out shoes, see our guide to choosing running shoes.",
    ):
        assert expected in paras
    assert paras.index("Why it happens") < paras.index("Weak hip and thigh muscles.")


def test_inline_elements_flow_into_their_paragraph(furniture: Article) -> None:
    assert (
        "It is the most common running injury, and it usually gets better with rest, gentle "
        "strengthening and a gradual return to running."
    ) in furniture.body
    # a single <br> is a space inside the paragraph
    assert "Pain that comes on gradually is typical. Sudden, sharp pain" in furniture.body


def test_no_glued_words_and_no_double_spaces(furniture: Article) -> None:
    assert "  " not in furniture.body
    assert not re.search(r"[a-z][.!?][A-Z]", furniture.body), furniture.body
    for paragraph in paragraphs(furniture):
        assert paragraph == paragraph.strip() and "\n" not in paragraph


def test_table_cells_are_separated(furniture: Article) -> None:
    assert "Week Distance" in paragraphs(furniture)
    assert "1 5 km" in paragraphs(furniture)


def test_page_without_structure_splits_on_double_breaks() -> None:
    article = extract(read_fixture("no-structure.html"))
    assert paragraphs(article) == [
        "Hay fever is an allergy to pollen. It causes sneezing, a runny nose and itchy eyes.",
        "Antihistamine tablets and nasal sprays help most people. Keep windows closed when the "
        "pollen count is high.",
        "See a pharmacist for advice on which treatment suits you.",
    ]


def test_plain_paragraph_page_keeps_every_paragraph() -> None:
    texts = [f"Paragraph {n} talks about sleep, stress and rest in plain words." for n in range(4)]
    html = "<html><body>" + "".join(f"<p>{t}</p>" for t in texts) + "</body></html>"
    assert paragraphs(extract(html)) == texts


def test_the_main_container_wins_over_a_wordy_sidebar() -> None:
    story = "".join(
        f"<p>Sentence {n} of the article, about asthma, inhalers, triggers and attacks.</p>" for n in range(8)
    )
    sidebar = "".join(f'<p><a href="/x{n}">Teaser headline number {n} goes here</a></p>' for n in range(8))
    html = f'<html><body><div class="col">{sidebar}</div><div class="col">{story}</div></body></html>'
    body = extract(html).body
    assert "Sentence 7 of the article" in body
    assert "Teaser headline" not in body


def test_teaser_and_promo_lines_inside_the_body() -> None:
    story = "".join(
        f"<p>Gout paragraph {n}: uric acid crystals, swollen joints, diet and medicine.</p>" for n in range(5)
    )
    html = (
        f'<html><head><link rel="canonical" href="{SITE}/articles/gout"></head><body><article>{story}'
        '<p>Related: <a href="/articles/kidney-stones">Kidney stones and uric acid</a></p>'
        '<p>READ MORE: <a href="/articles/arthritis">Five myths about arthritis</a></p>'
        "<p>Sign up for our free newsletter and get health tips in your inbox.</p>"
        '<p>See also: <a href="/articles/joint-pain">joint pain</a>.</p>'
        '<p>More than half of adults get <a href="/articles/back-pain">back pain at some point</a>.</p>'
        "</article></body></html>"
    )
    article = extract(html)
    assert (
        "Kidney stones" not in article.body
        and "myths" not in article.body
        and "newsletter" not in article.body
    )
    assert paragraphs(article)[-2:] == [
        "See also: joint pain.",
        "More than half of adults get back pain at some point.",
    ]
    assert article.links == [
        Link(f"{SITE}/articles/kidney-stones", "Kidney stones and uric acid", "related"),
        Link(f"{SITE}/articles/arthritis", "Five myths about arthritis", "related"),
        Link(f"{SITE}/articles/joint-pain", "joint pain", "body"),
        Link(f"{SITE}/articles/back-pain", "back pain at some point", "body"),
    ]


def test_a_hidden_copy_of_the_article_body_is_ignored() -> None:
    text = "The visible article, about vitamin D, sunlight, diet and supplements, matters."
    html = (
        f'<html><body><div itemprop="articleBody"><p>{text}</p><p>{text} Twice.</p></div>'
        f'<div style="display: none"><div itemprop="articleBody"><p>HIDDEN COPY {text}</p></div></div>'
        "</body></html>"
    )
    body = extract(html).body
    assert body.count(text) == 2 and "HIDDEN COPY" not in body


# --------------------------------------------------------------------------------------------
# links


def test_links_are_typed_absolute_and_deduplicated(furniture: Article) -> None:
    assert furniture.links == [
        Link(f"{SITE}/articles/patellofemoral-pain", "patellofemoral pain", "body"),
        Link(f"{SITE}/articles/choosing-running-shoes", "choosing running shoes", "body"),
        Link(f"{SITE}/articles/shin-splints", "Shin splints explained", "related"),
        Link(f"{SITE}/articles/ankle-sprain", "Ankle sprain recovery", "related"),
        Link(f"{SITE}/articles/hamstring-strain", "Hamstring Strain", "prev"),
        Link(f"{SITE}/articles/shin-splints", "Shin Splints", "next"),
        Link(f"{SITE}/articles/hamstring-strain", "Hamstring Strain", "related"),
    ]


def test_furniture_links_are_not_article_links(furniture: Article) -> None:
    urls = " ".join(link.url for link in furniture.links)
    for absent in (
        "/conditions",
        "/cookies",
        "/sport",
        "sharer",
        "javascript:",
        "mailto:",
        "ads.example",
        "twitter.com",
        "/users/",
        "/tag/",
        "/privacy",
        "/articles/flu",
    ):
        assert absent not in urls


def test_body_link_text_stays_in_the_body(furniture: Article) -> None:
    for link in furniture.links:
        if link.kind == "body":
            assert link.text in furniture.body


def test_pager_links_from_classes_and_arrows_with_base_href(variant: Article) -> None:
    by_kind = {link.kind: link for link in variant.links if link.kind in ("prev", "next")}
    assert by_kind["prev"] == Link(
        "https://cdn.fixture-health.example/articles/runners-knee", "Knee Pain in Runners", "prev"
    )
    assert by_kind["next"] == Link(
        "https://cdn.fixture-health.example/articles/ankle-sprain", "Ankle Sprain Recovery", "next"
    )
    assert (
        Link("https://fixture-health.example/articles/ankle-sprain", "Ankle Sprain Recovery", "related")
        in variant.links
    )


def test_relative_links_resolve_against_base_href(variant: Article) -> None:
    body = [link.url for link in variant.links if link.kind == "body"]
    assert body == [
        "https://cdn.fixture-health.example/site/articles/stretching",
        "https://cdn.fixture-health.example/articles/knee-pain",
    ]


def test_anchor_without_text_uses_title_or_image_alt() -> None:
    text = "Read the whole guide to allergy testing before you book, it explains each test in turn."
    html = (
        '<html><head><link rel="canonical" href="https://a.example/x"></head><body><article>'
        f'<p>{text} <a href="/one" title="Allergy tests"></a> '
        '<a href="/two"><img alt="Skin prick test"></a></p>'
        f"<p>{text}</p></article></body></html>"
    )
    assert [link.text for link in extract(html).links] == ["Allergy tests", "Skin prick test"]


def test_relative_links_stay_relative_without_any_base() -> None:
    html = "<p>Read about <a href='/articles/gout'>gout</a>, a painful form of arthritis.</p>"
    assert extract(html).links == [Link("/articles/gout", "gout", "body")]


# --------------------------------------------------------------------------------------------
# metadata and ids


def test_metadata_fields(furniture: Article) -> None:
    assert furniture.url == f"{SITE}/articles/runners-knee"  # canonical beats the url argument
    assert furniture.id == "fixture-health.example/articles/runners-knee"  # the canonical URL's id
    assert furniture.source == ""
    assert furniture.description == "Why runners get sore knees and what helps."
    assert furniture.language == "en-GB"
    assert furniture.published == "2024-05-02"
    assert furniture.modified == "2024-06-11T08:30:00Z"


def test_metadata_from_json_ld_and_og_locale(variant: Article) -> None:
    assert variant.published == "2024-03-01T10:00:00+00:00"
    assert variant.modified == "2024-03-09"
    assert variant.language == "en-US"
    assert variant.description == "Pain along the shin bone in runners."


def test_time_element_and_og_url_as_fallbacks() -> None:
    html = (
        '<html><head><meta property="og:url" content="https://a.example/news/flu-jab.html"></head>'
        '<body><article><p class="byline"><time datetime="2023-10-01">1 October</time></p>'
        "<p>The flu jab is offered every autumn to people at higher risk, and to young children.</p>"
        "</article></body></html>"
    )
    article = extract(html)
    assert (article.url, article.id, article.published) == (
        "https://a.example/news/flu-jab.html",
        "a.example/news/flu-jab.html",
        "2023-10-01",
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://a.example/articles/Back-Pain", "a.example/articles/Back-Pain"),
        ("https://a.example/2019/11/18/politics/trump-health/index.html", "a.example/2019/11/18/politics/trump-health"),
        ("https://a.example/news/flu%20jab.htm?x=1&utm_source=feed", "a.example/news/flu%20jab.htm?x=1"),
        ("https://a.example/", "a.example"),
        ("file:///tmp/page.html", ""),  # not a URL id: a file's id comes from its path
        (None, ""),
    ],
)
def test_id_is_the_normalised_url(url: str | None, expected: str) -> None:
    assert extract("<p>Some text.</p>", url=url).id == expected


def test_url_argument_is_the_fallback_url() -> None:
    assert extract("<p>Some text.</p>", url="https://a.example/p/cold").url == "https://a.example/p/cold"
    assert extract("<p>Some text.</p>").url == ""


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("", ""),
        ("   ", ""),
        ("<html>", ""),
        ("<html><head><title>Only a head</title></head></html>", ""),
        ("<div>" * 5000 + "deep text" + "</div>" * 5000, "deep text"),
        ("<p>unclosed <b>bold <i>italic <a href='/x'>link", "unclosed bold italic link"),
        ('<html><body><p class="' + "x" * 500_000 + '">huge attribute</p></body></html>', "huge attribute"),
        ("<p>nul\x00 and control\x07 characters</p>", "nul and control characters"),
        (
            "<?xml version='1.0'?><html xmlns='http://www.w3.org/1999/xhtml'><body><p>xhtml</p></body></html>",
            "xhtml",
        ),
        ("<table><tr><td><table><tr><td>nested tables</td></tr></table></td></tr></table>", "nested tables"),
        ("<a href='javascript:alert(1)'>x</a><a href='#top'>top</a><a href='http://[bad'>bad</a>", ""),
    ],
)
def test_extract_never_crashes_on_odd_markup(html: str, expected: str) -> None:
    article = extract(html)
    assert isinstance(article, Article)
    assert expected in article.body
    assert not re.search(r"<[a-z]+[ >]", article.body)
    assert not any(link.url.startswith(("javascript:", "#")) for link in article.links)


def test_extract_accepts_binary_garbage() -> None:
    article = extract(bytes(range(256)) * 40)
    assert isinstance(article, Article)


# --------------------------------------------------------------------------------------------
# decoding

PAGE = "<html><head>{meta}<title>Health</title></head><body><p>{text}</p></body></html>"
TEXT = "Naïve patients’ “résumé” — Señor Müller’s café costs 5 €."


@pytest.mark.parametrize(
    ("meta", "encoding"),
    [
        ('<meta charset="windows-1252">', "cp1252"),
        ('<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">', "cp1252"),
        ('<meta charset="koi8-r">', "koi8-r"),
        ('<meta charset="utf-8">', "utf-8"),
    ],
)
def test_declared_charset_is_used(meta: str, encoding: str) -> None:
    text = "Боль в спине после беременности, лечение." if encoding == "koi8-r" else TEXT
    data = PAGE.format(meta=meta, text=text).encode(encoding)
    assert text in decode_html(data)


def test_utf8_bytes_win_over_a_wrong_legacy_declaration() -> None:
    data = PAGE.format(meta='<meta charset="iso-8859-1">', text=TEXT).encode("utf-8")
    assert TEXT in decode_html(data)


def test_xml_declaration_charset() -> None:
    data = ('<?xml version="1.0" encoding="windows-1252"?>' + PAGE.format(meta="", text=TEXT)).encode(
        "cp1252"
    )
    assert TEXT in decode_html(data)


def test_page_declaring_utf8_with_cp1252_bytes_is_still_readable() -> None:
    data = PAGE.format(meta='<meta charset="utf-8">', text=TEXT).encode("cp1252")
    decoded = decode_html(data)
    assert TEXT in decoded and "\ufffd" not in decoded


def test_mostly_utf8_page_with_a_stray_cp1252_byte() -> None:
    data = PAGE.format(meta="", text="Señor Müller’s café").encode("utf-8") + "<p>5 €</p>".encode("cp1252")
    decoded = decode_html(data)
    assert "Señor Müller’s café" in decoded and "5 €" in decoded


def test_undeclared_latin1_page_is_detected() -> None:
    text = "Les médecins recommandent un régime équilibré et de l'exercice régulier. Naïve idée reçue."
    decoded = decode_html(PAGE.format(meta="", text=text).encode("latin-1"))
    assert text in decoded


def test_undeclared_cp1251_page_is_detected() -> None:
    text = "Боль в спине после беременности: причины, лечение и упражнения для мамы."
    assert text in decode_html(PAGE.format(meta="", text=text).encode("cp1251"))


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-be", "utf-32"])
def test_byte_order_mark_wins(encoding: str) -> None:
    data = PAGE.format(meta='<meta charset="windows-1252">', text=TEXT).encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    decoded = decode_html(data)
    assert TEXT in decoded and not decoded.startswith("\ufeff")


def test_unknown_declared_charset_falls_back() -> None:
    assert TEXT in decode_html(PAGE.format(meta='<meta charset="no-such-codec">', text=TEXT).encode("utf-8"))


def test_decode_never_raises_on_garbage() -> None:
    assert isinstance(decode_html(bytes(range(256)) * 3), str)
    assert decode_html(b"") == ""


def test_extract_decodes_bytes() -> None:
    data = PAGE.format(meta='<meta charset="windows-1252">', text=TEXT).encode("cp1252")
    assert extract(data).body == TEXT


# --------------------------------------------------------------------------------------------
# plain-text exports


def test_text_export_shape() -> None:
    article = parse_text_export(read_fixture("export.txt"))
    assert article.title == "Knee Pain in Runners: Causes and Self-Care"
    assert paragraphs(article) == [
        "Runner's knee is the everyday name for patellofemoral pain, an ache at the front of the knee.",
        "Why it happens",
        "Increasing your weekly distance too quickly.",
    ]
    assert article.links == [
        Link("", "Hamstring Strain", "prev"),
        Link("", "Shin Splints", "next"),
        Link("", "Ankle Sprain Recovery", "related"),
        Link("", "Hamstring Strain", "related"),
    ]
    assert "Twisting" not in article.body and "sudden pain" not in article.body.lower()


def test_text_export_body_text_after_the_recommend_section() -> None:
    text = "Title\n\nFirst.\n\nRecommend\nOther Article\nIt starts like this...\n\nBack to the article.\n"
    article = parse_text_export(text)
    assert paragraphs(article) == ["First.", "Back to the article."]
    assert article.links == [Link("", "Other Article", "related")]


def test_text_export_with_windows_newlines_and_no_links() -> None:
    article = parse_text_export("\r\n  Colds  \r\nA cold is a virus.\r\nIt passes.\r\n")
    assert (article.title, article.body, article.links) == ("Colds", "A cold is a virus. It passes.", [])


def test_html_page_and_its_text_export_agree() -> None:
    html, txt = CORPUS / "postpartum-back-pain.html", CORPUS / "exports" / "postpartum-back-pain.txt"
    if not (html.exists() and txt.exists()):
        pytest.skip("bundled corpus not present")
    page, export = only_article(html, CORPUS), only_article(txt, CORPUS)
    assert page.title == export.title
    assert page.body == export.body
    assert [(link.text, link.kind) for link in page.links if link.kind != "body"] == [
        (link.text, link.kind) for link in export.links
    ]


# --------------------------------------------------------------------------------------------
# iter_file


def test_html_file_ids_sources_and_file_url(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    path = root / "conditions" / "hay-fever.html"
    path.parent.mkdir(parents=True)
    shutil.copy(FIXTURES / "no-structure.html", path)
    article = only_article(path, root)
    assert (article.id, article.source) == ("corpus/conditions/hay-fever", str(path))
    assert article.url == path.resolve().as_uri()  # no canonical URL on the page
    assert only_article(path).id == "conditions/hay-fever"  # root None: the file's folder


@pytest.mark.parametrize("name", ["sciatica.html.gz", "sciatica.HTM.gz", "sciatica.xhtml", "sciatica.txt.gz"])
def test_gzip_and_other_extensions(tmp_path: Path, name: str) -> None:
    root = tmp_path / "corpus"
    path = root / "conditions" / name
    path.parent.mkdir(parents=True)
    source = "export.txt" if ".txt" in name else "furniture.html"
    data = (FIXTURES / source).read_bytes()
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    article = only_article(path, root)
    # the page has a canonical URL; the text export has none: its folder's name and path
    expected = "corpus/conditions/sciatica" if ".txt" in name else "fixture-health.example/articles/runners-knee"
    assert article.id == expected
    assert article.title == "Knee Pain in Runners: Causes and Self-Care"


def test_canonical_url_beats_the_file_url(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    shutil.copy(FIXTURES / "furniture.html", path)
    assert only_article(path).url == f"{SITE}/articles/runners-knee"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b"<html>\x00\x01\x02 binary</html>", "binary file (NUL bytes, not text)"),
        (b"\x89PNG\r\n\x1a\n" + b"x" * 100, "binary file (PNG image)"),
        (b"%PDF-1.7\n" + b"x" * 100, "binary file (PDF document)"),
        (b"PK\x03\x04" + b"x" * 100, "binary file (ZIP archive)"),
        (b"<html><body><nav><a href='/'>Home</a></nav></body></html>", "no article text found"),
    ],
)
def test_html_file_errors(tmp_path: Path, data: bytes, reason: str) -> None:
    path = tmp_path / "page.html"
    path.write_bytes(data)
    assert only_error(path).reason == reason


def test_text_export_without_a_title_line(tmp_path: Path) -> None:
    path = tmp_path / "blank.txt"
    path.write_text("\n   \n\n", encoding="utf-8")
    assert only_error(path).reason == "no article text found"


def test_too_large_file_is_refused_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.html"
    path.write_bytes(b"<p>" + b"a" * 2000 + b"</p>")
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 1024)
    monkeypatch.setattr(os, "fdopen", _Unreadable)  # proves the size is checked before reading
    assert only_error(path).reason == "file too large (2.0 KB > 1 KB limit)"


class _Unreadable(io.RawIOBase):
    def __init__(self, fd: int, mode: str) -> None:
        self.fd = fd

    def fileno(self) -> int:
        return self.fd

    def read(self, size: int = -1) -> bytes:
        raise AssertionError("the file should not be read")

    def close(self) -> None:
        os.close(self.fd)


def test_size_message_for_real_sizes() -> None:
    assert limits.size_text(int(63.2 * 1024 * 1024)) == "63.2 MB"
    assert limits.size_text(limits.MAX_FILE_BYTES) == "50 MB"


def test_gzip_bomb_is_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "bomb.html.gz"
    path.write_bytes(gzip.compress(b"<p>" + b"a" * 200_000 + b"</p>"))
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 10_000)
    assert only_error(path).reason == "file too large (decompressed size > 9.8 KB limit)"


def test_pages_with_too_many_elements_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_HTML_TAGS", 100)
    path = tmp_path / "tags.html"
    path.write_text("<p>" + "<b>x</b> a < b " * 150 + "</p>", encoding="utf-8")
    assert only_error(path).reason == "too many HTML elements (151; the limit is 100)"
    path.write_text("<p>" + "a < b, " * 500 + "</p>", encoding="utf-8")  # '<' in text is not an element
    assert only_article(path).body.startswith("a < b")


def test_truncated_and_corrupt_gzip(tmp_path: Path) -> None:
    truncated = tmp_path / "truncated.html.gz"
    truncated.write_bytes(gzip.compress((FIXTURES / "furniture.html").read_bytes())[:200])
    assert only_error(truncated).reason == "truncated gzip data"
    corrupt = tmp_path / "corrupt.html.gz"
    corrupt.write_bytes(b"this is not gzip at all")
    assert only_error(corrupt).reason == "corrupt gzip data"


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "secret.html"
    path.write_text("<p>secret</p>", encoding="utf-8")

    def denied(file: object, *args: object, **kwargs: object) -> object:
        raise PermissionError(13, "Permission denied", str(file))

    monkeypatch.setattr(os, "open", denied)
    assert only_error(path).reason == "cannot read file: Permission denied"


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can read anything")
def test_unreadable_file_for_real(tmp_path: Path) -> None:
    path = tmp_path / "secret.html"
    path.write_text("<p>secret</p>", encoding="utf-8")
    path.chmod(0)
    try:
        assert only_error(path).reason == "cannot read file: Permission denied"
    finally:
        path.chmod(0o644)


def test_unsupported_file_through_iter_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.pdf"
    path.write_bytes(b"%PDF")
    assert only_error(path).reason == "binary file (PDF document)"


def test_missing_file_through_iter_file(tmp_path: Path) -> None:
    assert only_error(tmp_path / "gone.html").reason == "cannot read file: No such file or directory"


# --------------------------------------------------------------------------------------------
# real pages (shared benchmark data, not copied into the project)


def _words(text: str) -> Counter[str]:
    return Counter(re.findall(r"\w+", text.lower()))


def test_real_health_pages(shared_dir: Path) -> None:
    """The 13 health pages of the article-extraction benchmark, scored on words.

    Measured: per-page word precision >= 0.75 (mean 0.95), recall >= 0.99 (mean 1.00).
    """
    folder = shared_dir / "data" / "extraction" / "aeb"
    if not (folder / "health-pages.tsv").exists():
        pytest.skip("benchmark pages not present")
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    ids = [
        line.split("\t")[0]
        for line in (folder / "health-pages.tsv").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert len(ids) == 13
    precisions, recalls = [], []
    for page_id in ids:
        article = only_article(folder / "html" / f"{page_id}.html.gz", folder / "html")
        assert article.title, page_id
        # the page's canonical URL's id, else its path under the root folder "html"
        assert article.id == (url_id(article.url) or f"html/{page_id}"), page_id
        predicted, expected = _words(article.body), _words(truth[page_id]["articleBody"])
        hits = sum((predicted & expected).values())
        precision, recall = hits / max(sum(predicted.values()), 1), hits / max(sum(expected.values()), 1)
        assert precision >= 0.5 and recall >= 0.75, (page_id, precision, recall)
        precisions.append(precision)
        recalls.append(recall)
    assert sum(precisions) / len(ids) >= 0.8
    assert sum(recalls) / len(ids) >= 0.9
