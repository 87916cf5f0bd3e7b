"""Bytes to text: byte-order marks, declared charsets, detection, the cp1252 fallback."""

from __future__ import annotations

import codecs
import logging
import re

from charset_normalizer import from_bytes

from .sniff import byte_order_mark

logger = logging.getLogger(__name__)

_DECLARED_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:\-]+)"""
    rb"""|<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9._:\-]+)""",
    re.I,
)

# Valid UTF-8 multi-byte sequences: their presence next to invalid bytes means "mostly UTF-8".
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
_LATIN_SINGLE_BYTE = frozenset(
    "cp1250 cp1252 cp1254 cp1257 latin_1 iso8859_2 iso8859_3 iso8859_4 iso8859_9 iso8859_10 "
    "iso8859_13 iso8859_14 iso8859_15 iso8859_16 cp775 cp850 cp852 cp858 cp437 mac_latin2 "
    "mac_roman mac_iceland mac_turkish ascii".split()
)
_WESTERN_LANGUAGES = frozenset(
    "English French German Spanish Portuguese Italian Dutch Danish Swedish Norwegian Finnish "
    "Unknown".split()
) | {""}
_PREFERRED_CODECS = ("cp1251", "cp1250", "cp1253", "cp1254", "cp1255", "cp1256", "cp1257")


def _cp1252_fallback(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: decode the offending bytes as cp1252 (mixed UTF-8/cp1252 pages)."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start:error.end]
    return bad.decode("cp1252", errors="replace"), error.end


codecs.register_error("healthsearch-cp1252", _cp1252_fallback)


def decode_html(data: bytes) -> str:
    """Decode page bytes: BOM, then a declared charset that decodes cleanly, else detection.

    Bytes that are valid UTF-8 with multi-byte characters are read as UTF-8 even when the
    page declares a legacy charset (a common server mistake). Mostly-UTF-8 bytes with a few
    stray cp1252 bytes keep both readable. Never raises; the last resort is UTF-8 with
    replacement characters.
    """
    return decode(data, declared=True)


def decode(data: bytes, declared: bool) -> str:
    """Text of ``data``: by its byte-order mark, else (when ``declared``) the charset the page
    declares if the bytes fit it, else UTF-8, mostly-UTF-8 with stray legacy bytes, or the
    detected codec (see :func:`decode_html`)."""
    mark = byte_order_mark(data)
    if mark is not None:
        codec, length = mark
        return data[length:].decode(codec, errors="replace")
    try:
        utf8: str | None = data.decode("utf-8")
    except UnicodeDecodeError:
        utf8 = None
    declared_codec = _declared_codec(data[:16384]) if declared else None
    if declared_codec and not (utf8 is not None and _UTF8_MULTIBYTE.search(data)):
        # (valid UTF-8 with multi-byte characters is UTF-8, whatever the page claims)
        try:
            return data.decode(declared_codec)
        except UnicodeDecodeError:
            logger.debug("declared charset %s does not fit the bytes; detecting", declared_codec)
    if utf8 is not None:
        return utf8
    if _UTF8_MULTIBYTE.search(data):  # mostly UTF-8 with a few stray legacy bytes
        return data.decode("utf-8", errors="healthsearch-cp1252")
    guessed = _detect_codec(data)
    try:
        return data.decode(guessed or "utf-8", errors="replace")
    except LookupError:
        return data.decode("utf-8", errors="replace")


def _declared_codec(head: bytes) -> str | None:
    """The charset a page declares, as a Python codec name, or None when absent or unknown."""
    match = _DECLARED_CHARSET.search(head)
    if not match:
        return None
    label = (match.group(1) or match.group(2)).decode("ascii", "ignore").strip().lower()
    if label in ("iso-8859-1", "latin1", "latin-1", "us-ascii", "ascii", "iso8859-1"):
        label = "cp1252"  # as browsers do (WHATWG encoding standard)
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    if name.startswith(("utf-16", "utf-32")):
        return "utf-8"  # an ASCII-readable declaration cannot be UTF-16; browsers use UTF-8
    return name


def _detect_codec(data: bytes) -> str | None:
    """Guess a legacy encoding with charset-normalizer, preferring the common Windows code pages.

    Short Western texts often come back as cp1250 or a DOS/Mac code page scoring the same as
    cp1252; cp1252 (the web's most common legacy encoding) wins those ties, and cp1251 beats
    the Mac Cyrillic page likewise.
    """
    results = from_bytes(data[:200_000])
    best = results.best()
    if best is None:
        return None
    close = {match.encoding for match in results if match.chaos <= best.chaos + 0.05}
    if "cp1252" in close:
        return "cp1252"
    if best.encoding in _LATIN_SINGLE_BYTE and best.language in _WESTERN_LANGUAGES:
        return "cp1252"
    for codec in _PREFERRED_CODECS:
        if codec in close:
            return codec
    return best.encoding
