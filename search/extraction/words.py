"""The extractor's vocabulary: tag sets and the class/id words that mark furniture, body and pagers."""

from __future__ import annotations

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
RELATED_WORDS = frozenset(
    "related recommend recommended recommendation recommendations outbrain taboola "
    "morestories morenews morearticles moreposts readnext alsolike youmaylike mightlike".split()
)
PAGER_WORDS = frozenset(
    "pager pagination paging prevnext nextprev postnavigation navlinks articlenav "
    "postnav storynav".split()
)
PREV_WORDS = frozenset("prev previous prevlink prevpost".split())
NEXT_WORDS = frozenset("next nextlink nextpost".split())
COMMENT_WORDS = frozenset("comment comments disqus respond replies".split())
STRONG_WORDS = frozenset(
    "ad ads adv advert adverts advertisement advertisements advertising adslot adunit "
    "adsense adchoices dfp sponsor sponsors sponsored promo promos promoted promotion "
    "cookie cookies consent gdpr cmp newsletter newsletters subscribe subscription signup "
    "share shares sharing sharebar sharedaddy addthis sharethis breadcrumb breadcrumbs "
    "crumbs byline bylines author authors contributor tags tagcloud taglist posttags "
    "sidebar popup modal skiplink skiplinks screenreader sronly visuallyhidden "
    "hidden hide invisible mostread mostpopular trending gallery slideshow carousel lightbox".split()
) | RELATED_WORDS | PAGER_WORDS | COMMENT_WORDS
WEAK_WORDS = frozenset(
    "header footer nav navbar navigation menu masthead toolbar widget widgets meta "
    "dateline timestamp date rail banner topbar credit credits tag caption disclaimer "
    "bio".split()
)
HIDING_WORDS = frozenset("hidden hide invisible".split())
RESPONSIVE_WORDS = frozenset("xs sm md lg xl xxl print mobile tablet desktop phone small large".split())
SOCIAL_WORDS = frozenset("social socials".split())
POSITIVE_WORDS = frozenset(
    "article articlebody body content entry entrycontent hentry main post postcontent "
    "text story storybody blog prose richtext".split()
)
#: Class/id words naming the article body container itself.
BODY_WORDS = frozenset(
    "articlebody articlecontent articletext entrycontent postcontent postbody storybody "
    "storycontent bodytext contentbody maincontent richtext".split()
)
