"""The topic taxonomy for international news, each label mapped to IPTC Media Topics, and the
topic lexicons: what `topic_model` reads of a story besides its words.

The taxonomy (labels, names, IPTC codes) is below; the lexicons are data, one file per language in
`data/topics/<lang>.tsv` (`label<TAB>weight<TAB>term`). Text and terms are folded alike
(`normalize.fold`, then lower case), and a term matches by its script:
- Latin and Cyrillic: from the start of a word; `militar*` is a stem (any ending), other terms
  end with the word; `*krieg*` may also end a compound (German Weltkrieg, Kriegsende);
- Chinese and Japanese: anywhere, as these languages do not space words (so no term has a single
  character: it would be part of too many words);
- Arabic: as a whole word (or stem), after any of the proclitics و ف (and), ب ل ك (with, for,
  like) and the article ال, which Arabic writes joined to the word (والجيش, للجيش); a term's own
  leading article is optional (الجيش also matches جيش).
One Aho-Corasick automaton per language, all built on first use. The lexicon is the `language`
given (ISO 639-1), or when there is none (or none for it) the one of the text's script, English
for Latin. Title hits count double.
"""
from __future__ import annotations

import csv
import functools
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import ahocorasick

from dyad.classify.normalize import fold

TITLE_WEIGHT = 2.0
MIN_SCORE = 0.05
LEXICON_DIR = Path(__file__).parent / "data" / "topics"
LANGUAGES = ("en", "de", "fr", "es", "pt", "it", "ru", "zh", "ja", "ar")


@dataclass(frozen=True)
class Topic:
    label: str
    name: str
    iptc: str          # IPTC Media Topic top-level code
    iptc_name: str
    # The label a story of this IPTC code gets when none of the code's labels has a lexicon hit.
    general: bool = False


TAXONOMY: tuple[Topic, ...] = (
    Topic("defence", "defence / military", "medtop:11000000", "politics and government (defence)"),
    Topic("armed_conflict", "armed conflict", "medtop:16000000", "conflict, war and peace"),
    Topic("diplomacy", "diplomacy / international relations", "medtop:11000000",
          "politics and government (international relations)"),
    Topic("economy", "trade, economy and finance", "medtop:04000000",
          "economy, business and finance", general=True),
    Topic("energy", "energy", "medtop:04000000", "economy, business and finance (energy)"),
    Topic("politics", "domestic politics and elections", "medtop:11000000",
          "politics and government", general=True),
    Topic("crime_law", "crime, law and justice", "medtop:02000000", "crime, law and justice"),
    Topic("disaster", "disaster and accident", "medtop:03000000",
          "disaster, accident and emergency incident"),
    Topic("health", "health", "medtop:07000000", "health"),
    Topic("science_technology", "science and technology", "medtop:13000000",
          "science and technology"),
    Topic("environment", "environment and climate", "medtop:06000000", "environment"),
    Topic("sport", "sport", "medtop:15000000", "sport"),
    Topic("culture", "arts, culture and entertainment", "medtop:01000000",
          "arts, culture, entertainment and media"),
    Topic("society", "society, migration and human rights", "medtop:14000000", "society"),
    Topic("lifestyle", "lifestyle and leisure", "medtop:10000000", "lifestyle and leisure",
          general=True),
    Topic("travel", "travel and tourism", "medtop:10000000",
          "lifestyle and leisure (travel and commuting)"),
)

TOPICS_BY_LABEL = {t.label: t for t in TAXONOMY}


# How a term is matched, by its first letter's script.
WORD, UNSPACED, ARABIC = "word", "unspaced", "arabic"
_ARTICLE = "ال"
# What Arabic may join before a word: a conjunction, then a preposition, then the article; ل
# before the article drops its alef (ل + الجيش is written للجيش).
_ARABIC_PREFIX = re.compile(r"[وف]?(?:[بكل]?(?:ال)?|لل)")
_LONGEST_PREFIX = 4
# Below three letters a word and a proclitic plus another word look alike (بين "between" would be
# ب + ين "yen"): such a term keeps its article and takes no proclitic.
_SHORTEST_BARE = 3


def script_of(char: str) -> str:
    code = ord(char)
    if 0x3040 <= code <= 0x30FF or 0x3400 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF:
        return UNSPACED
    if 0x0600 <= code <= 0x06FF:
        return ARABIC
    return WORD


def normalize(text: str) -> str:
    """What both the text and the terms are matched as: folded, lower case."""
    return fold(text).lower()


def read_lexicon(language: str) -> list[tuple[str, float, str]]:
    """(label, weight, term) rows of `data/topics/<language>.tsv`, terms as written."""
    rows = []
    path = LEXICON_DIR / f"{language}.tsv"
    with open(path, encoding="utf-8", newline="") as lines:
        for number, row in enumerate(csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE), 1):
            if not row or row[0].startswith("#"):
                continue
            if len(row) != 3 or row[0] not in TOPICS_BY_LABEL or not row[2].strip():
                raise ValueError(f"{path}:{number}: want label<TAB>weight<TAB>term, got {row}")
            rows.append((row[0], float(row[1]), row[2].strip()))
    return rows


def _key(term: str) -> tuple[str, bool, bool, str]:
    """A term's automaton key, whether it is a stem (`x*`), whether it may end a compound
    (`*x`), and how it is matched."""
    prefix, inside = term.endswith("*"), term.startswith("*")
    key = normalize(term.strip("*"))
    mode = script_of(key[0])
    # The article is one of the optional prefixes. Tested on the term as written: folding makes
    # words that begin with a hamza look like it (ألبوم folds to البوم).
    if mode == ARABIC and term.lstrip("*").startswith(_ARTICLE) \
            and len(key) >= len(_ARTICLE) + _SHORTEST_BARE:
        key = key[len(_ARTICLE):]
    return key, prefix, inside, mode


def _build(language: str) -> ahocorasick.Automaton:
    entries: dict[str, list] = defaultdict(list)
    modes: dict[str, str] = {}
    for label, weight, term in read_lexicon(language):
        key, prefix, inside, mode = _key(term)
        entries[key].append((label, weight, prefix, inside))
        modes[key] = mode
    auto = ahocorasick.Automaton()
    for key, values in entries.items():
        auto.add_word(key, (len(key), modes[key], any(v[3] for v in values), tuple(values)))
    auto.make_automaton()
    return auto


@functools.lru_cache(maxsize=1)
def automata() -> dict[str, ahocorasick.Automaton]:
    """Every language's automaton, built together so that a worker's warm-up builds them all."""
    return {language: _build(language) for language in LANGUAGES}


_SCRIPTS = {language: re.compile(pattern) for language, pattern in (
    ("ja", "[\u3040-\u30ff]"), ("zh", "[\u3400-\u9fff\uf900-\ufaff]"), ("ru", "[\u0400-\u04ff]"),
    ("ar", "[\u0600-\u06ff]"), ("en", "[a-zA-Z\u00c0-\u024f]"))}


def text_language(text: str, sample: int = 600) -> str:
    """The lexicon for a text of unknown language, by the script of its first letters: Japanese
    when it has kana, Chinese for Han alone, Russian for Cyrillic, Arabic, else English."""
    text = text[:sample]
    if text.isascii():
        return "en"
    counts = {language: pattern.subn("", text)[1] for language, pattern in _SCRIPTS.items()}
    if counts["ja"]:   # Japanese writes its grammar in kana between Han words
        counts["ja"] += counts.pop("zh")
    return max(counts, key=lambda k: (counts[k], k == "en"))


def _joins(char: str) -> bool:
    """Whether a letter next to a spaced term makes it part of a longer word (a Chinese or
    Japanese character does not: "AI技术" holds the word AI)."""
    return char.isalnum() and (char < "\u3040" or script_of(char) != UNSPACED)


def _starts_word(text: str, start: int, length: int, mode: str) -> bool:
    if mode == UNSPACED:
        return True
    if mode == WORD:
        return start == 0 or not _joins(text[start - 1])
    begin = start   # Arabic: walk back over what may be proclitics
    while begin > 0 and _joins(text[begin - 1]) and start - begin < _LONGEST_PREFIX:
        begin -= 1
    if begin > 0 and _joins(text[begin - 1]):
        return False
    if begin < start and length < _SHORTEST_BARE:
        return False
    return _ARABIC_PREFIX.fullmatch(text, begin, start) is not None


def _hits(lowered: str, language: str):
    """(label, weight) of every lexicon term in `lowered` (already `normalize`d)."""
    n = len(lowered)
    for end, (length, mode, inside_any, values) in automata()[language].iter(lowered):
        start = end - length + 1
        if mode == WORD:   # the common case, inline
            starts = start == 0 or not _joins(lowered[start - 1])
        else:
            starts = _starts_word(lowered, start, length, mode)
        if not (starts or inside_any):   # most matches lie inside longer words: drop them early
            continue
        whole = mode == UNSPACED or end + 1 >= n or not _joins(lowered[end + 1])
        for label, weight, prefix, inside in values:
            if (starts or inside) and (prefix or whole):
                yield label, weight


def lexicon_language(language: str | None, title: str, body: str = "") -> str:
    """The lexicon for `language` (ISO 639-1, e.g. "de" or "de-AT"); without one, or for a
    language without a lexicon, the one of the text's script (read only then)."""
    code = (language or "").split("-")[0].lower()
    return code if code in LANGUAGES else text_language(f"{title}\n{body[:600]}")


def lexicon_weights(title: str, body: str, language: str) -> dict[str, float]:
    """Label → weighted hits of its terms (title hits count `TITLE_WEIGHT` times) in the
    lexicon of `language` (one of LANGUAGES); title and body already `normalize`d."""
    weights: dict[str, float] = defaultdict(float)
    for text, factor in ((title, TITLE_WEIGHT), (body, 1.0)):
        for label, weight in _hits(text, language):
            weights[label] += weight * factor
    return weights
