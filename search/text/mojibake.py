"""Mojibake: UTF-8 text that was read as Latin-1 or cp1252 and saved so, restored."""

from __future__ import annotations

import re

# UTF-8 read as Latin-1 or cp1252 (and saved so: "it\u00e2\u0080\u0099s" or "it\u00e2\u20ac\u2122s" for
# "it\u2019s"): a lead byte's character, then continuation bytes' characters, one of them a C1
# control or a cp1252 punctuation mark, which no real text puts after a Latin-1 letter; or
# "\u00c2"/"\u00c3" then a Latin-1 sign ("caf\u00c3\u00a9"), which real text does not hold either.
_CP1252_HIGH = bytes(range(0x80, 0xA0)).decode("cp1252", errors="ignore")
_CONTINUATION = "[\u0080-\u00bf" + _CP1252_HIGH + "]"
_MOJIBAKE = re.compile("[\u00c2-\u00f4]" + _CONTINUATION + "{1,3}")


def repair_mojibake(text: str) -> str:
    """``text`` with UTF-8 characters that were read as Latin-1 or cp1252 (then saved) restored:
    "it\u00e2\u20ac\u2122s" is "it\u2019s" again. Only sequences that decode as UTF-8 and carry
    one of the marks above are changed; text without them is returned as is."""
    if text.isascii():
        return text  # (the common case, found fast)
    return _MOJIBAKE.sub(_repaired, text)


def _repaired(match: re.Match[str]) -> str:
    found = match.group(0)
    lead = ord(found[0])
    size = 2 if lead < 0xE0 else 3 if lead < 0xF0 else 4
    sequence, rest = found[:size], found[size:]
    if len(sequence) < size:
        return found
    if lead > 0xC3 and not any("\x80" <= c <= "\x9f" or c in _CP1252_HIGH for c in sequence[1:]):
        return found  # (after "\u00c2" or "\u00c3", a Latin-1 sign is as sure a mark: "caf\u00c3\u00a9")
    try:
        raw = bytes(ord(c) if ord(c) < 0x100 else c.encode("cp1252")[0] for c in sequence)
        return raw.decode("utf-8") + rest
    except UnicodeError:
        return found
