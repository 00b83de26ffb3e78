"""Letter folding shared by the gazetteer and the text it is matched against.

`fold()` maps each character on its own (a character becomes one character or none), so a folded
prefix of a text is the prefix of the folded text: positions such as "the lead ends here" carry
over. Case is kept, because matching is case-sensitive. What is folded:
- Latin letters with diacritics to their base letter (México, Mexico; Türkei, Turkei); ß, ø, æ stay;
- Cyrillic ё to е (Russian print mostly omits the dots);
- Arabic: alef with hamza or madda to alef, alef maqsura to ya, ta marbuta to ha; harakat and
  tatweel removed (the same word is written with and without them);
- full-width ASCII (common in Chinese and Japanese text) to ASCII; curly apostrophes to '.
"""
from __future__ import annotations

import functools
import re
import unicodedata

_ARABIC = {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ـ": None}
_ARABIC_MARKS = [*range(0x064B, 0x0660), 0x0670]


@functools.lru_cache(maxsize=1)
def _table() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    for code in range(0x00C0, 0x0250):
        base = unicodedata.normalize("NFD", chr(code))
        if len(base) > 1 and base[0].isascii() and base[0].isalpha() \
                and all(unicodedata.combining(c) for c in base[1:]):
            table[code] = base[0]
    table.update({ord("ё"): "е", ord("Ё"): "Е", ord("’"): "'", ord("‘"): "'"})
    for char, to in _ARABIC.items():
        table[ord(char)] = to
    table.update(dict.fromkeys(_ARABIC_MARKS))
    for code in range(0xFF01, 0xFF5F):
        table[code] = chr(code - 0xFEE0)
    table[0x3000] = " "
    return table


@functools.lru_cache(maxsize=1)
def _foldable() -> re.Pattern:
    return re.compile("[" + "".join(re.escape(chr(code)) for code in _table()) + "]")


def fold(text: str) -> str:
    # Most news text has few distinct characters to fold: replacing each of them where it occurs
    # is several times faster than str.translate over every character, or a callback per match
    # (Arabic has hundreds of foldable characters a story).
    table = _table()
    for char in set(_foldable().findall(text)):
        text = text.replace(char, table[ord(char)] or "")
    return text
