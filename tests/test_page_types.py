"""Extraction on pages that are not tidy articles: script-built shells, odd templates, forums, listings."""

from __future__ import annotations

import json

from search.ingest.html import extract

PROSE = (
    "Iron deficiency is common in pregnancy, and the tiredness it brings is easy to mistake for "
    "the ordinary fatigue of the first months. A simple blood test tells the two apart."
)


def _prose(count: int) -> str:
    """``count`` paragraphs of prose, each different (exact repeats are left out as copies)."""
    return "".join(f"<p>{PROSE} ({n})</p>" for n in range(count))


def _page(body: str, head: str = "") -> str:
    return f"<!doctype html><html><head><title>Iron in pregnancy</title>{head}</head><body>{body}</body></html>"


def test_text_served_only_inside_noscript_is_read() -> None:
    """A script-built page keeps its server-rendered text in <noscript>: read it when nothing else is there."""
    html = _page(
        '<div id="app"></div><noscript><div role="main"><h1>Iron in pregnancy</h1>'
        f"<div class='post'><p>{PROSE}</p><p>{PROSE}</p></div></div></noscript>"
    )
    assert PROSE in extract(html).body


def test_noscript_is_not_read_when_the_page_has_content() -> None:
    html = _page(f"<article><p>{PROSE}</p></article><noscript><p>Please enable JavaScript to view the comments.</p></noscript>")
    body = extract(html).body
    assert PROSE in body and "JavaScript" not in body


def test_a_template_whose_every_block_looks_like_furniture_still_yields_its_text() -> None:
    """Class words can be wrong on a whole template (every block a "widget"): a second look reads it."""
    widgets = "".join(f'<div class="builder-widget"><div class="widget-content"><p>{PROSE} ({n})</p></div></div>'
                      for n in range(3))
    body = extract(_page(f'<nav><a href="/">Home</a> <a href="/about">About</a></nav>{widgets}')).body
    assert f"{PROSE} (0)" in body and f"{PROSE} (2)" in body
    assert "About" not in body  # navigation stays out even on the second look


def test_an_unclosed_button_does_not_swallow_the_page() -> None:
    """lxml nests the rest of the page inside a <button> left open; a control never holds paragraphs."""
    html = _page(f'<header role="banner"><button class="menu">Menu<main><article><p>{PROSE}</p><p>{PROSE}</p>'
                 "</article></main></header>")
    assert PROSE in extract(html).body


def test_a_script_shell_falls_back_to_its_description() -> None:
    head = f'<meta name="description" content="{PROSE}">'
    article = extract(_page('<div id="root"></div><script>render()</script>', head))
    assert article.body == PROSE


def test_a_page_with_readable_text_never_has_an_empty_body() -> None:
    for body in (f"<footer><p>{PROSE}</p></footer>", f'<div class="sidebar">{PROSE}</div>',
                 f'<div hidden><p>{PROSE}</p></div><span>{PROSE[:40]}</span>'):
        assert extract(_page(body)).body, body


def test_a_first_look_that_finds_a_scrap_of_a_wordy_page_gets_a_second_look() -> None:
    """The article sits in a wrapper a class word marks as furniture; what is left is a byline."""
    html = _page(f'<p>Posted by the clinic team on a Monday morning</p><div class="layout-with-sidebar">'
                 f"<h2>What the test shows</h2>{_prose(3)}</div>")
    assert extract(html).body.count(PROSE) == 3


def test_comments_stay_out_on_the_second_look_unless_they_are_the_page() -> None:
    """Comments beside the article stay out; a thread of replies holding most of the text is kept
    (on a forum page the replies are what the page is for)."""
    html = _page(f'<div class="layout-with-sidebar"><p>{PROSE}</p><p>{PROSE}</p></div>'
                 f'<section class="comments"><p>{PROSE.upper()}</p></section>')
    body = extract(html).body
    assert PROSE in body and PROSE.upper() not in body
    thread = _page(f'<div class="layout-with-sidebar"><p>{PROSE[:60]}</p></div>'
                   f'<section class="replies"><p>{PROSE.upper()}</p><p>{PROSE.upper()}</p></section>')
    assert PROSE.upper() in extract(thread).body


def _cards(count: int) -> str:
    return "".join(
        f'<div class="card"><h3><a href="/clinics/{n}">Walk-in clinic number {n}</a></h3>'
        f"<p>Open weekdays, no appointment needed; blood tests on site.</p><span>From ${20 + n}</span></div>"
        for n in range(count)
    )


def test_a_listing_is_read_as_its_records_with_their_titles() -> None:
    """A page of cards (title link, short text, price) is read card by card, the title links kept."""
    html = _page(f'<p>Find care near you, with short waits.</p><div class="results">{_cards(6)}</div>'
                 '<ul class="menu"><li><a href="/a">About us</a></li><li><a href="/b">Careers</a></li></ul>')
    body = extract(html).body
    for n in range(6):
        assert f"Walk-in clinic number {n}" in body and f"From ${20 + n}" in body
    assert "Careers" not in body


def test_three_cards_are_not_a_list_and_an_article_keeps_its_prose() -> None:
    html = _page(f"<article>{_prose(3)}</article><aside>{_cards(3)}</aside>")
    body = extract(html).body
    assert body.count(PROSE) == 3 and "Walk-in clinic" not in body


def test_a_box_of_wordy_teasers_does_not_replace_the_article_beside_it() -> None:
    """Teaser cards (each a link and a blurb) holding a little more text than the article are not the page."""
    teasers = "".join(
        f'<div class="teaser"><a href="/more/{n}">Further reading {n}</a><p>{PROSE[:70]}</p></div>'
        for n in range(17)
    )
    html = _page(f"<div>{_prose(6)}</div><div>{teasers}</div>")
    body = extract(html).body
    assert body.count(PROSE) == 6 and "Further reading" not in body


def test_a_page_of_headline_links_is_read_as_a_listing() -> None:
    """Records that are nearly all link text count when their links read as titles."""
    items = "".join(f'<li class="story"><a href="/s/{n}">Story number {n}: what the new blood pressure advice means</a>'
                    f' <span>{n} hours ago</span></li>' for n in range(8))
    body = extract(_page(f'<p>Latest.</p><ol class="stories">{items}</ol>')).body
    assert all(f"Story number {n}:" in body for n in range(8))


def test_columns_of_short_links_do_not_replace_a_short_article() -> None:
    """A footer directory (columns of one-word links) is not a listing, however much text it has."""
    columns = "".join('<div class="col">' + " ".join(f'<a href="/{n}/{m}">Section {m}</a>' for m in range(12))
                      + "</div>" for n in range(5))
    html = _page(f"<div><p>{PROSE}</p></div><div class='directory'>{columns}</div>")
    body = extract(html).body
    assert PROSE in body and "Section 3" not in body


def test_a_responsive_copy_of_a_paragraph_is_left_out_but_short_repeats_stay() -> None:
    html = _page(f"<article><p>{PROSE}</p>{_prose(2)}<p>{PROSE}</p>"
                 "<ul><li>Yes, at any pharmacy</li><li>No, not needed</li><li>Yes, at any pharmacy</li></ul></article>")
    body = extract(html).body
    paragraphs = body.split("\n\n")
    assert paragraphs.count(PROSE) == 1 and paragraphs.count("Yes, at any pharmacy") == 2


def test_a_service_page_of_short_sections_is_read_whole() -> None:
    """A landing page is a run of short sections (a pitch, a list of services, opening hours),
    none long enough to be an article: all of them are the content."""
    sections = (
        "<section><h2>Same-day appointments</h2><p>See a nurse practitioner today, usually within an hour.</p></section>"
        "<section><h2>What we treat</h2><ul><li>Sprains and strains</li><li>Minor burns</li>"
        "<li>Ear infections</li></ul></section>"
        "<section><h2>Opening hours</h2><p>Monday to Saturday, eight in the morning until eight at night.</p></section>"
    )
    html = _page(f'<nav><a href="/">Home</a><a href="/book">Book</a></nav><div class="page">{sections}</div>'
                 '<footer><a href="/privacy">Privacy</a></footer>')
    body = extract(html).body
    for text in ("See a nurse practitioner today", "Minor burns", "Monday to Saturday"):
        assert text in body
    assert "Privacy" not in body


DISCLAIMER = (
    "This material is for general information only and does not replace the advice of a qualified "
    "professional. No part of it may be reproduced without written consent. All rights reserved. "
)


def test_a_wordy_page_footer_does_not_outweigh_a_short_declared_main() -> None:
    """A page whose footer disclaimer holds most of its prose still reads its <main>, on both looks.
    The first: a furniture element holding most of the text is kept only when the page declares
    no main region elsewhere. The second (the first found a small share of the page's prose):
    the page's own footer stays out of it too."""
    html = _page(f"<header><a href='/'>Home</a></header><main><h1>Iron in pregnancy</h1>{_prose(2)}</main>"
                 f"<footer><div><p>{DISCLAIMER * 5}</p><p>{DISCLAIMER * 5}</p></div></footer>")
    body = extract(html).body
    assert body.count(PROSE) == 2 and "reproduced" not in body


def test_a_river_of_article_cards_is_not_cut_down_to_one_card() -> None:
    """Headline cards, each an <article> whose text is all links, are read as the list they are,
    not as the first card (a card holds "all" the prose of a list that has none)."""
    cards = "".join(f'<article class="river"><h2><a href="/n/{n}">Headline number {n} about new '
                    f'hearing aid rules</a></h2><a href="/n/{n}">What the change means for you</a></article>'
                    for n in range(6))
    body = extract(_page(f"<main><section>{cards}</section></main>")).body
    assert all(f"Headline number {n} " in body for n in range(6))


def test_an_article_like_section_holding_a_small_share_of_the_page_is_one_section_of_many() -> None:
    """A service page whose wordiest section reads as an article (several paragraphs) but holds a
    small share of the page's prose is read whole: the other sections are content too (each
    nested deep in a page builder's wrappers, too deep for its prose to score their ancestor)."""
    wordy = f"<section><h2>How a first visit goes</h2>{_prose(6)}</section>"
    packages = "".join(
        f"<div class='block-{n}'><div><div><div><div><section><h3>Package {n}</h3><ul><li>A one-hour meeting about the results of test {n}, what they "
        f"mean for the months ahead and which follow-up visits to book</li><li>A written plan number {n} "
        f"for diet, sleep and exercise, reviewed with you a month later by the same clinician</li></ul></section></div></div></div></div></div>"
        for n in range(20)
    )
    html = _page(f'<nav><a href="/">Home</a></nav><div class="page">{wordy}{packages}</div>')
    body = extract(html).body
    assert body.count(PROSE) == 6 and all(f"results of test {n}," in body for n in range(20))


def _product_page(description: str, shown: str) -> str:
    ld = json.dumps({"@context": "https://schema.org", "@type": "Product", "name": "Iron tablets",
                     "description": description})
    head = f'<script type="application/ld+json">{ld}</script>'
    return _page(f'<main><h1>Iron tablets</h1><div class="price">$12</div><button>Add to bag</button>'
                 "<p>Free delivery on orders over $40, and free returns within 30 days of purchase.</p>"
                 "<p>Pharmacist advice by phone every weekday, from nine in the morning to six at night.</p>"
                 f'<div role="dialog"><h5>Description</h5>{shown}</div></main>', head)


def test_a_product_description_kept_in_a_dialog_is_read_from_the_product_metadata() -> None:
    """Shops keep the description in a drawer or dialog, which reads as furniture; the product's
    JSON-LD names it, and since the page shows it, it goes first in the body."""
    body = extract(_product_page(PROSE, f"<p>{PROSE}</p>")).body
    assert body.startswith(PROSE) and body.count(PROSE) == 1


def test_a_product_description_the_page_does_not_show_is_left_out() -> None:
    body = extract(_product_page(PROSE, "<p>Ask us about this product.</p>")).body
    assert PROSE not in body


def test_status_lines_are_not_content_and_a_page_of_them_gets_a_second_look() -> None:
    """"Loading..." and "You need to enable JavaScript" speak to a browser, not a reader: a first
    look that finds only them has found nothing, and a shell with nothing else has no body."""
    thread = _page('<div class="app"><p>Loading...</p></div><div class="layout-with-sidebar">'
                   f"<h2>Tired all the time</h2>{_prose(3)}</div>")
    assert extract(thread).body.count(PROSE) == 3
    shell = _page('<noscript>You need to enable JavaScript to run this app.</noscript><div id="root"></div>')
    assert extract(shell).body == ""


def test_a_consent_banner_is_never_the_article_however_wordy() -> None:
    """A cookie or consent dialog holding most of a page's prose (its purposes spelled out) is
    still furniture, on both looks; the thread beside it is the content."""
    purposes = "".join(f"<p>We and our partners store and access information on your device for purpose "
                       f"{n}, such as measuring audiences and personalising advertising.</p>" for n in range(12))
    posts = "".join(f'<div class="post"><span>member{n}</span><p>Reply {n}: my iron came back low too.</p></div>'
                    for n in range(5))
    html = _page(f'<div id="site-consent-banner"><div role="dialog">{purposes}</div></div><div class="thread">{posts}</div>')
    body = extract(html).body
    assert "Reply 4: my iron came back low too." in body and "partners" not in body


def test_a_table_wrapped_in_a_figure_is_content_and_an_image_caption_is_not() -> None:
    """Editors wrap tables in <figure> (a table is self-contained content too): its rows stay,
    while an image's caption is furniture as before."""
    table = ("<figure class='wp-block-table'><table><tr><th>Ferritin (ng/mL)</th><th>Meaning</th></tr>"
             "<tr><td>Below 30</td><td>Iron deficiency likely</td></tr></table></figure>")
    image = "<figure><img src='/a.jpg' alt=''><figcaption>Photo by the clinic team</figcaption></figure>"
    body = extract(_page(f"<article>{_prose(2)}{table}{image}{_prose(1)}</article>")).body
    assert "Iron deficiency likely" in body and "Photo by" not in body


def test_class_words_that_do_not_hide_the_element_keep_its_text() -> None:
    """"overflow-hidden" clips, "label-hidden" hides a label, "empty:hidden", "hidden md:block" and
    "hide-landscape" hide only sometimes, a collapsed accordion or tab panel opens on a click, a
    "show-hide" block is a toggle: all are content; a plain "hidden" block is still left out."""
    shown = ["overflow-hidden", "field field--label-hidden", "empty:hidden", "hidden md:block",
             "accordion-panel accordion-panel-hidden", "MuiCollapse-root MuiCollapse-hidden", "show-hide-faq",
             "card hide-landscape", "ui-tabs-panel ui-tabs-hide"]
    blocks = "".join(f'<div class="{cls}"><p>Shown block {n}: {PROSE}</p></div>' for n, cls in enumerate(shown))
    body = extract(_page(f'<article>{blocks}<div class="hidden"><p>Hidden block: {PROSE}</p></div></article>')).body
    assert all(f"Shown block {n}:" in body for n in range(len(shown))) and "Hidden block" not in body


def test_a_hidden_tab_panel_is_content() -> None:
    """Documentation shows one tab (Linux, macOS...) and hides the others until clicked, a FAQ
    its answers: every panel is content; a hidden element that is no panel is still left out."""
    panels = "".join(f'<section role="tabpanel" {"hidden" if n else ""}><p>Panel {n}: {PROSE}</p></section>'
                     for n in range(3))
    faq = f'<div class="faq-answer" style="display: none"><p>Answer: {PROSE}</p></div>'
    body = extract(_page(f'<article>{_prose(1)}{panels}{faq}<div hidden><p>Stale copy: {PROSE}</p></div></article>')).body
    assert all(f"Panel {n}:" in body for n in range(3)) and "Answer:" in body and "Stale copy" not in body


def test_a_shop_grid_of_short_cards_keeps_its_product_names() -> None:
    """A shop's cards hold a product name (a link) and a price, thirty-odd characters: they are
    records, so their names are content, not stray link lines."""
    cards = "".join(f'<div class="item"><h4><a href="/p/{n}">Iron tablets, {n + 1}0 count</a></h4>'
                    f"<p>${n + 4}.99 USD</p></div>" for n in range(6))
    body = extract(_page(f"<p>Sort by: best selling</p><div class='grid'>{cards}</div>")).body
    assert all(f"Iron tablets, {n + 1}0 count" in body for n in range(6))
