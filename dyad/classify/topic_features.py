"""What the topic model reads of a story: its words, their stems, and the topic lexicons' hits.

Text is matched as the lexicons match it (`topics.normalize`: folded, lower case). Then, by script:
- Chinese and Japanese, written without spaces: every character and every pair of characters;
- Arabic: each word, and the word without the proclitics joined to it (والجيش → جيش);
- other scripts: each word, and for a word of more than `STEM` letters its first `STEM` letters,
  a crude stem that joins inflected and compound forms (German Wirtschaft, Wirtschaftspolitik;
  Russian экономика, экономики) without a stemmer per language.
In German, French, Spanish, Portuguese, Italian, Russian and Arabic the language's function
words (the `stop-words` package's lists) are left out: they say nothing of the topic, and some
are words of another language that do (German *war* "was", English *war*). English, with the
most labelled stories, has its own dropped by frequency in training; its list is too broad
(it holds *state* and *world*). A feature is there or not (how often it occurs is not counted). Only the opening of the body is
read, its first `READ_CHARS` characters (`READ_UNSPACED` in Chinese and Japanese), about 500
words: a story's topic is set out in its opening, and reading no further caps the cost.
"""
from __future__ import annotations

import functools
import re

from stop_words import get_stop_words

from dyad.classify.topics import lexicon_weights, normalize

READ_CHARS = 3000
# Chinese and Japanese say in two characters what a spaced language says in about six, and
# every character and pair of them is a feature: 700 characters weigh about as 3,000 do.
READ_UNSPACED = 700
UNSPACED_LANGUAGES = ("zh", "ja")
STEM = 5
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[^\W\d_]{2,}")
_ARABIC = re.compile(r"[\u0600-\u06ff]")
# A word's proclitics and what follows them, if three letters or more: one pass over the text.
_ARABIC_BARE = re.compile(r"(?<![^\W\d_])(?:[وف]?(?:[بك]?ال|لل|[بكل]))([^\W\d_]{3,})")
LEXICON_PREFIX = "lexicon:"
FUNCTION_WORD_LANGUAGES = ("de", "fr", "es", "pt", "it", "ru", "ar")


@functools.lru_cache(maxsize=None)
def function_words(language: str | None) -> frozenset[str]:
    """The language's function words, normalized as text is; none for other languages."""
    if language not in FUNCTION_WORD_LANGUAGES:
        return frozenset()
    return frozenset(normalize(word) for word in get_stop_words(language))


def text_features(text: str, leave_out: frozenset[str] = frozenset()) -> set[str]:
    """The features of `text` (normalized), but for the words in `leave_out`."""
    features = set()
    if not text.isascii():
        for run in _UNSPACED.findall(text):
            features.update(run)
            features.update(run[i:i + 2] for i in range(len(run) - 1))
        text = _UNSPACED.sub(" ", text)
    # A feature is there or not: each word is stemmed once, however often it occurs.
    words = set(_WORD.findall(text)) - leave_out
    features |= words
    features.update(word[:STEM] + "~" for word in words if len(word) > STEM)
    if _ARABIC.search(text):
        features.update(_ARABIC_BARE.findall(text))
    return features


def story_features(title: str, body: str, language: str) -> tuple[set[str], dict[str, float]]:
    """The word features the story has, and each label's weighted lexicon hits
    (`topics.lexicon_weights`, where the title counts `topics.TITLE_WEIGHT` times)."""
    limit = READ_UNSPACED if language in UNSPACED_LANGUAGES else READ_CHARS
    title, body = normalize(title or ""), normalize((body or "")[:limit])
    leave_out = function_words(language)
    features = text_features(body, leave_out)
    features |= text_features(title, leave_out)
    return features, lexicon_weights(title, body, language)
