"""Country recognition on single sentences: SIB-200 in ten languages and the UniversalPetrarch
validation sentences (English and Spanish AFP); plus classify()'s speed per language.

SIB-200's labels (countries.json, one list of ISO alpha-3 per index_id) hold in every language,
since the sentences are translations of each other. Its train part is the one the project tunes
on; dev is only reported, so its misses are never listed. PETRARCH's event codings name actors
by CAMEO codes whose first three letters are a country (ISO alpha-3 but for a few old codes).
"""
import csv
import datetime as dt
import html
import json
import re
import time
from pathlib import Path

import pycountry

from dyad.classify import classify

# dyad's language code → SIB-200's folder.
SIB200_LANGUAGES = {
    "en": "eng_Latn", "de": "deu_Latn", "fr": "fra_Latn", "es": "spa_Latn", "pt": "por_Latn",
    "it": "ita_Latn", "ru": "rus_Cyrl", "zh": "zho_Hans", "ja": "jpn_Jpan", "ar": "arb_Arab"}
# Languages written without spaces: a document of them is measured in characters.
UNSPACED = {"zh", "ja"}
WORDS_PER_DOCUMENT, CHARACTERS_PER_DOCUMENT = 1000, 2000
# CAMEO country codes that are not (or no longer) ISO alpha-3, as in PETRARCH's CountryInfo.
# Kosovo (KSV) has no ISO code and is left out.
CAMEO_COUNTRIES = {"ROM": "ROU", "ZAR": "COD", "TMP": "TLS", "DDR": "DEU", "SUN": "RUS",
                   "USR": "RUS", "YUG": "SRB", "SCG": "SRB", "FRY": "SRB", "CSK": "CZE"}
PETRARCH_FILES = {"en": "PETR2_GSR_validation.xml", "es": "spanish_validation_1018_noaccent.xml"}
_ISO3 = {country.alpha_3 for country in pycountry.countries}
_ATTRIBUTE = re.compile(r'([\w:-]+)\s*=\s*"([^"]*)"')


def sib200_sentences(root: Path, folder: str, part: str) -> list[tuple[str, str]]:
    """(index_id, text) of one language's part; csv reads the quoted fields ("" inside)."""
    with open(root / folder / f"{part}.tsv", encoding="utf-8", newline="") as handle:
        return [(row["index_id"], row["text"]) for row in csv.DictReader(handle, delimiter="\t")]


def sib200_labels(root: Path) -> dict[str, set[str]]:
    return {key: set(codes) for key, codes in
            json.loads((root / "countries.json").read_text(encoding="utf-8")).items()}


def found_codes(text: str) -> set[str]:
    return {country["code"] for country in classify("", text)["countries"]}


def micro_prf(pairs) -> dict:
    """Micro precision, recall and F1 over (wanted set, found set) pairs; precision is NaN
    when nothing was found at all (undefined, not zero)."""
    tp = fp = fn = 0
    for want, got in pairs:
        tp += len(want & got)
        fp += len(got - want)
        fn += len(want - got)
    precision = tp / (tp + fp) if tp + fp else float("nan")
    recall = tp / (tp + fn) if tp + fn else float("nan")
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else float("nan")
    return {"P": precision, "R": recall, "F1": f1, "labels": tp + fn}


def sib200_table(root: Path) -> dict:
    labels = sib200_labels(root)
    rows, sizes = {}, {}
    for lang, folder in SIB200_LANGUAGES.items():
        if not (root / folder).is_dir():
            continue
        row = {}
        for part in ("train", "dev"):
            items = sib200_sentences(root, folder, part)
            sizes[part] = len(items)
            scores = micro_prf((labels[key], found_codes(text)) for key, text in items)
            row.update({f"{part} {name}": value for name, value in scores.items()})
        rows[lang] = {column: row[column] for column in (
            "train P", "train R", "train F1", "dev P", "dev R", "dev F1", "train labels",
            "dev labels")}
    return {"title": f"SIB-200 countries named in a sentence, micro P/R/F1 of the codes "
                     f"({sizes.get('train', 0)} train, tuned on; {sizes.get('dev', 0)} dev, "
                     "reported; labels = codes wanted)", "rows": rows}


def sib200_misses(corpus: Path, lang: str, part: str = "train") -> list[dict]:
    """Train sentences of one language where dyad's codes differ from the labels, for tuning.

    Dev is the reported part: its misses are never listed, so nobody tunes on them."""
    if part != "train":
        raise ValueError("only train misses are listed: dev is the part the project reports")
    root = Path(corpus) / "topics" / "sib200"
    folder = SIB200_LANGUAGES.get(lang, lang)
    labels = sib200_labels(root)
    misses = []
    for key, text in sib200_sentences(root, folder, part):
        got = found_codes(text)
        if got != labels[key]:
            misses.append({"index_id": key, "text": text, "want": sorted(labels[key]),
                           "got": sorted(got), "missing": sorted(labels[key] - got),
                           "extra": sorted(got - labels[key])})
    return misses


def actor_country(code: str) -> str | None:
    """The country of a CAMEO actor code (USAGOV → USA), None for IGOs, NGOs, unknown (~, ---)."""
    prefix = CAMEO_COUNTRIES.get(code[:3], code[:3])
    return prefix if prefix in _ISO3 else None


def petrarch_sentences(path: Path) -> list[dict]:
    """Sentences of a PETRARCH validation file: id, date, text and the event codings.

    The files are not well-formed XML (a `<Sentence .../>` may close itself before its codings,
    '#' comment lines stand outside elements), so each sentence is the span from one `<Sentence `
    to the next, read with regular expressions."""
    raw = path.read_text(encoding="utf-8")
    sentences = []
    for chunk in re.split(r"<Sentence\s", raw)[1:]:
        attributes = dict(_ATTRIBUTE.findall(chunk.split(">", 1)[0]))
        text = re.search(r"<Text>(.*?)</Text>", chunk, re.S)
        if not text or not text.group(1).strip():
            continue
        sentences.append({
            "id": attributes.get("id", ""),
            "date": _yyyymmdd(attributes.get("date", "")),
            "text": " ".join(html.unescape(text.group(1)).split()),
            "codings": [dict(_ATTRIBUTE.findall(tag))
                        for tag in re.findall(r"<EventCoding\b([^>]*)>", chunk)]})
    return sentences


def _yyyymmdd(value: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(value, "%Y%m%d").date() if len(value) == 8 else None
    except ValueError:
        return None


def expected_countries(sentence: dict) -> set[str]:
    """{source country, target country} over the codings whose two actors are both countries."""
    countries = set()
    for coding in sentence["codings"]:
        source = actor_country(coding.get("sourcecode", ""))
        target = actor_country(coding.get("targetcode", ""))
        if source and target:
            countries |= {source, target}
    return countries


def petrarch_table(root: Path) -> dict:
    rows = {}
    for lang, name in PETRARCH_FILES.items():
        if not (root / name).exists():
            continue
        wanted = [(expected_countries(s), s) for s in petrarch_sentences(root / name)]
        # Codings that disagree (three or more countries) leave no single answer to check.
        scored = [(want, sentence) for want, sentence in wanted if 1 <= len(want) <= 2]
        exact = one_right = pairs = 0
        for want, sentence in scored:
            result = classify("", sentence["text"], published_at=sentence["date"])
            stated = {result["country_a"], result["country_b"], result["country_focus"]} - {None}
            if len(want) == 2:
                pairs += 1
                exact += {result["country_a"], result["country_b"]} == want
            else:
                exact += result["country_focus"] in want
            one_right += bool(stated & want)
        rows[lang] = {"exact": exact / len(scored) if scored else float("nan"),
                      ">=1 right": one_right / len(scored) if scored else float("nan"),
                      "sentences": len(scored), "two-country": pairs,
                      "one-country": len(scored) - pairs,
                      "left out, 3+ countries": sum(len(want) > 2 for want, _ in wanted)}
    return {"title": "UniversalPetrarch sentences whose event actors are countries: exact = the "
                     "pair (two countries) or the focus (one); >=1 right = one of them among "
                     "pair and focus", "rows": rows}


def sib200_documents(root: Path, lang: str) -> list[str]:
    """One language's train sentences joined into ~1,000-word (zh, ja: ~2,000-character) texts."""
    unspaced = lang in UNSPACED
    limit = CHARACTERS_PER_DOCUMENT if unspaced else WORDS_PER_DOCUMENT
    documents, current, size = [], [], 0
    for _, text in sib200_sentences(root, SIB200_LANGUAGES[lang], "train"):
        current.append(text)
        size += _size(lang, text)
        if size >= limit:
            documents.append(("" if unspaced else " ").join(current))
            current, size = [], 0
    return documents


def _size(lang: str, text: str) -> int:
    return len(text) if lang in UNSPACED else len(text.split())


def speed_table(root: Path, repeats: int = 3) -> dict:
    """CPU ms of classify() per 1,000 words, best of `repeats` passes (the machine is shared)."""
    rows = {}
    for lang, folder in SIB200_LANGUAGES.items():
        if not (root / folder).is_dir():
            continue
        documents = sib200_documents(root, lang)
        if not documents:
            continue
        classify("", documents[0])  # builds the automata and caches outside the measurement
        best = float("inf")
        for _ in range(repeats):
            start = time.process_time()
            for document in documents:
                classify("", document)
            best = min(best, time.process_time() - start)
        # Two characters of Chinese or Japanese stand for one word.
        words = sum(_size(lang, d) / (2 if lang in UNSPACED else 1) for d in documents)
        rows[lang] = {"CPU ms/1,000 words": 1000 * best / (words / 1000),
                      "documents": len(documents)}
    return {"title": "classify() speed on one core: SIB-200 train sentences joined into ~1,000-word"
                     " documents (zh, ja: ~2,000 characters, counted as 1,000 words)", "rows": rows}
