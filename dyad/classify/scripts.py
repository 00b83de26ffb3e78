"""Writing systems and the languages dyad reads: which script a form is in (it decides where a
match may start and end), and the Russian case endings of a place or a surname."""
from __future__ import annotations

import functools

# The languages besides English whose country forms, people and titles dyad knows.
LANGUAGES = ("de", "fr", "es", "pt", "it", "ru", "zh", "ja", "ar")
# Russian nouns change their ending by case (Москва, Москвы, Москве, Москву, Москвой): a city's
# Russian name is declined by its last letter, as the first declensions do.
_RU_ENDINGS = {"а": ("ы", "е", "у", "ой", "и"), "я": ("и", "ю", "ей", "е"),
               "ь": ("и", "ю", "ем", "я", "е"), "й": ("я", "ю", "е", "ем")}
_RU_CONSONANT_ENDINGS = ("а", "у", "е", "ом", "ы")


def script_of(text: str) -> str:
    """'han' (Chinese characters and Japanese kana), 'arabic', 'cyrillic' or 'latin', by the
    first letter of `text`."""
    for char in text:
        if char.isalpha():
            return _letter_script(char)
    return "latin"


@functools.lru_cache(maxsize=None)
def _letter_script(char: str) -> str:
    # Cached: the gazetteer asks for hundreds of thousands of names at warm-up.
    point = ord(char)
    if 0x0400 <= point < 0x0530:
        return "cyrillic"
    if 0x0600 <= point < 0x0700 or 0x0750 <= point < 0x0780 or 0xFB50 <= point < 0xFF00:
        return "arabic"
    if 0x3040 <= point < 0x3100 or 0x3400 <= point < 0xA000 or 0xF900 <= point < 0xFB00:
        return "han"
    return "latin"


def russian_cases(name: str) -> list[str]:
    """A Russian place name and its case forms (the last word declined)."""
    head, _, last = name.rpartition(" ")
    prefix = f"{head} " if head else ""
    ending = last[-1:]
    if ending in _RU_ENDINGS:
        stems = [last[:-1] + e for e in _RU_ENDINGS[ending]]
    elif ending and ending not in "оеиуыэю" and ending.isalpha():
        stems = [last + e for e in _RU_CONSONANT_ENDINGS]
    else:
        stems = []  # Того, Осло, Токио: indeclinable
    return [name] + [prefix + s for s in stems]
