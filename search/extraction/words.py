"""The extractor's vocabulary: tag sets and the class/id words that mark furniture, body and pagers."""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    """The set of space-separated words in ``text`` (the lists below read best as prose)."""
    return frozenset(text.split())


#: Elements whose content is never article text.
JUNK_TAGS = _words(
    "script style noscript template svg math iframe frame frameset object embed canvas "
    "button input select textarea option optgroup datalist audio video source track map "
    "head title meta link base dialog"
)
#: Form controls among the junk: read when they hold whole blocks (an unclosed tag, see Page).
CONTROL_TAGS = _words("button select")
#: Elements a form control's label never holds.
CONTAINER_TAGS = _words("p article main section table ul ol h1 h2 h3")
#: Elements that start and end a paragraph of their own.
BLOCK_TAGS = _words(
    "address article aside blockquote body center dd details div dl dt fieldset figcaption "
    "figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr html li main menu nav ol p pre "
    "section summary table caption tbody thead tfoot tr ul"
)
HEADINGS = _words("h1 h2 h3 h4 h5 h6")
CELL_TAGS = frozenset(("td", "th"))
#: Structural furniture, dropped unless the element holds most of the page's text.
FURNITURE_TAGS = _words("nav aside footer header form menu figure figcaption")
FURNITURE_ROLES = _words(
    "navigation banner contentinfo complementary search menu menubar dialog alertdialog"
)
PARAGRAPH_MIN_CHARS = 25

# Class/id words.  A class or id token is split into words on "-", "_" and camelCase, so
# "ad-slot" and "adSlot" contain the word "ad" while "shadow" and "loaded" do not.
# Strong words mark furniture wherever they appear in the token; weak words only as the
# token's last word (its head noun): "site-header" is a header, "header-image" is an image.
RELATED_WORDS = _words(
    "related recommend recommended recommendation recommendations outbrain taboola "
    "morestories morenews morearticles moreposts readnext alsolike youmaylike mightlike"
)
PAGER_WORDS = _words(
    "pager pagination paging prevnext nextprev postnavigation navlinks articlenav "
    "postnav storynav"
)
PREV_WORDS = _words("prev previous prevlink prevpost")
NEXT_WORDS = _words("next nextlink nextpost")
COMMENT_WORDS = _words("comment comments disqus respond replies")
#: A cookie or consent banner: never the article, however much of the page's text it holds.
CONSENT_WORDS = _words("cookie cookies consent gdpr")
#: The strong words still trusted on a second look (see search.extraction.article).
SURE_WORDS = CONSENT_WORDS | _words(
    "ad ads advert advertisement adslot adunit sponsored newsletter "
    "subscribe share sharing sharebar breadcrumb breadcrumbs"
) | RELATED_WORDS | PAGER_WORDS | COMMENT_WORDS
STRONG_WORDS = SURE_WORDS | _words(
    "adv adverts advertisements advertising adsense adchoices dfp sponsor sponsors promo promos "
    "promoted promotion cmp newsletters subscription signup shares sharedaddy addthis sharethis "
    "crumbs byline bylines author authors contributor tags tagcloud taglist posttags "
    "sidebar popup modal skiplink skiplinks screenreader sronly visuallyhidden "
    "hidden hide invisible mostread mostpopular trending gallery slideshow carousel lightbox"
)
WEAK_WORDS = _words(
    "header footer nav navbar navigation menu masthead toolbar widget widgets meta "
    "dateline timestamp date rail banner topbar credit credits tag caption disclaimer "
    "bio"
)
HIDING_WORDS = _words("hidden hide invisible")
#: Words beside a hiding word that say the element itself is shown (see search.extraction.nodes).
NOT_HIDING_WORDS = _words("overflow label labels accordion collapse tab tabs show")
#: Class words of a panel hidden until a click shows it (an accordion's, a FAQ's): its hidden
#: attribute or style does not make it furniture (see search.extraction.furniture).
PANEL_WORDS = _words("accordion collapse collapsible faq answer")
RESPONSIVE_WORDS = _words(
    "xs sm md lg xl xxl print mobile tablet desktop phone small large landscape portrait responsive "
    "nonresponsive"
)
SOCIAL_WORDS = _words("social socials")
POSITIVE_WORDS = _words(
    "article articlebody body content entry entrycontent hentry main post postcontent "
    "text story storybody blog prose richtext"
)
#: Class/id words naming the article body container itself.
BODY_WORDS = _words(
    "articlebody articlecontent articletext entrycontent postcontent postbody storybody "
    "storycontent bodytext contentbody maincontent richtext"
)
