"""Documents for the term index: an article's fields analysed into terms and positions."""

from __future__ import annotations

from ..models import Article
from ..terms import format as terms_format
from ..text.analyzer import analyze
from ..text.stemmer import broad_term


def term_document(article: Article, anchors: str, fingerprint: str) -> terms_format.Document:
    """An article analysed for the term index: every field's terms with their positions."""
    title = [(t.text, t.pos) for t in analyze(article.title)]
    body_tokens = analyze(article.body)
    body = [(t.text, t.pos) for t in body_tokens]
    checkpoints: list[int] = []
    for token in body_tokens:
        while token.pos >= len(checkpoints) * terms_format.CHECKPOINT_STRIDE:
            checkpoints.append(token.start)
    anchor_terms = [(t.text, t.pos) for t in analyze(anchors)] if anchors else []
    return terms_format.Document(
        id=article.id,
        fingerprint=fingerprint,
        fields={
            "title": title,
            "body": body,
            "anchors": anchor_terms,
            # The body again, stemmed aggressively: recall for morphological variants,
            # weighted below the precise fields.
            "broad": [(broad_term(term), pos) for term, pos in body],
        },
        vector=[term for term, _pos in title] + [term for term, _pos in body],
        stored=terms_format.stored_fields(article),
        checkpoints=checkpoints,
    )
