"""Country recognition of whole stories: Reuters-21578 (1987 wire), the 2026 feeds' main-country
sample, the seed story in ten languages; the classify worker's warm-up and memory; and
`evaluate()`, every country table the corpus allows (the sentence tables are in `sentences`).

Reuters stories are given as the wire reads (dateline, then body, the headline as title) and with
the dateline removed; their human-assigned PLACES map to ISO alpha-3. Files 000-005 are the part
the project tunes on, 006-010 the part it reports.
"""
import datetime as dt
import html
import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pycountry

from dyad.classify import classify
from dyad.evaluation import feed_sample, sentences

REUTERS_FILES = [f"reut2-{n:03d}.sgm" for n in range(11)]
REUTERS_PARTS = {"000-005": range(0, 6), "006-010": range(6, 11), "all": range(0, 11)}
# Reuters place names that are not (or no longer) a country name pycountry knows.
REUTERS_PLACES = {
    "usa": "USA", "uk": "GBR", "ussr": "RUS", "west-germany": "DEU", "east-germany": "DEU",
    "south-korea": "KOR", "north-korea": "PRK", "uae": "ARE", "yemen-arab-republic": "YEM",
    "zaire": "COD", "kampuchea": "KHM", "burma": "MMR", "ivory-coast": "CIV",
    "czechoslovakia": "CZE", "yugoslavia": "SRB", "trinidad-tobago": "TTO", "congo": "COG",
    "taiwan": "TWN", "iran": "IRN", "vietnam": "VNM", "bolivia": "BOL", "venezuela": "VEN",
    "tanzania": "TZA", "syria": "SYR", "hong-kong": "HKG", "turkey": "TUR", "russia": "RUS",
}
_STORY = re.compile(r"<REUTERS.*?</REUTERS>", re.S)
_FIELD = {name: re.compile(f"<{name}>(.*?)</{name}>", re.S)
          for name in ("DATE", "PLACES", "TITLE", "DATELINE", "BODY")}
_STAMP = re.compile(r"(\d{1,2}-[A-Za-z]{3}-\d{4})(?:\s+(\d{1,2}):(\d\d):(\d\d))?")
FEEDS_LABELS = feed_sample.DATA / "feeds2026-main-country.tsv"
SEED_LANGUAGES = ("en", "de", "fr", "es", "pt", "it", "ru", "zh", "ja", "ar")
# The translations sit beside the tests; the English original is in ../shared/seed.
SEED_FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "seed"
# The seed's call was on "Tuesday (Jan 27)", 2026: its ministers are resolved on that day.
SEED_DATE = dt.date(2026, 1, 27)
WORKER = """
import json, time, psutil
process = psutil.Process()
before = process.memory_info().rss
wall, cpu = time.perf_counter(), time.process_time()
import dyad.classify
dyad.classify.warm_up()
print(json.dumps({"warm-up ms (wall)": 1000 * (time.perf_counter() - wall),
                  "warm-up CPU ms": 1000 * (time.process_time() - cpu),
                  "RSS MB before import": before / 2**20,
                  "RSS MB after warm-up": process.memory_info().rss / 2**20}))
"""


def reuters_code(place: str) -> str | None:
    if place in REUTERS_PLACES:
        return REUTERS_PLACES[place]
    try:
        return pycountry.countries.lookup(place.replace("-", " ")).alpha_3
    except LookupError:
        return None


def reuters_stories(path: Path) -> list[dict]:
    """Stories with a body: file number, places (alpha-3), title, dateline, body, published_at."""
    stories = []
    for number, name in enumerate(REUTERS_FILES):
        if not (path / name).exists():
            continue
        for block in _STORY.findall((path / name).read_text(encoding="latin-1")):
            fields = {key: pattern.search(block) for key, pattern in _FIELD.items()}
            if not fields["BODY"]:
                continue
            places = re.findall(r"<D>(.*?)</D>", fields["PLACES"].group(1))
            stories.append({
                "file": number, "places": [reuters_code(p) for p in places],
                "title": _unescape(fields["TITLE"].group(1)) if fields["TITLE"] else "",
                "dateline": _unescape(fields["DATELINE"].group(1)) if fields["DATELINE"] else "",
                "body": _unescape(fields["BODY"].group(1)),
                "published_at": reuters_date(fields["DATE"].group(1)) if fields["DATE"] else None})
    return stories


def reuters_date(value: str) -> dt.datetime | dt.date | None:
    """"26-FEB-1987 15:01:01.79" as a datetime; the stamps may be space-padded, carry desk codes
    after tabs ("&#9;&#9;&#9;RM") or a cut-off time, which leaves the day alone."""
    found = _STAMP.search(value)
    try:
        day = dt.datetime.strptime(found.group(1).upper(), "%d-%b-%Y") if found else None
    except ValueError:  # no such day
        day = None
    if day is None:
        return None
    if not found.group(2):
        return day.date()
    return day.replace(hour=int(found.group(2)), minute=int(found.group(3)),
                       second=int(found.group(4)))


def _unescape(value: str) -> str:
    value = re.sub(r"&#\d+;", " ", value)  # control characters of the 1987 wire
    return html.unescape(value).replace(" Reuter\n", "\n").strip()


def reuters_table(path: Path) -> dict:
    stories = [s for s in reuters_stories(path) if None not in s["places"]]
    scored = [s for s in stories if len(set(s["places"])) == 2 or len(s["places"]) == 1]
    rows = {}
    for variant in ("wire", "body"):
        outcomes = []
        for story in scored:
            text = story["body"] if variant == "body" else f"{story['dateline']} {story['body']}"
            result = classify(story["title"], text.strip(), published_at=story["published_at"])
            want = set(story["places"])
            if len(want) == 2:
                got = {result["country_a"], result["country_b"]} - {None}
                outcomes.append((story["file"], True, got == want, bool(got & want)))
            else:
                outcomes.append((story["file"], False, result["country_focus"] in want, False))
        for part, files in REUTERS_PARTS.items():
            pairs = [o for o in outcomes if o[0] in files and o[1]]
            singles = [o for o in outcomes if o[0] in files and not o[1]]
            rows[f"{variant} {part}"] = {
                "pair exact": _share(o[2] for o in pairs),
                "pair >=1 right": _share(o[3] for o in pairs),
                "focus right": _share(o[2] for o in singles),
                "two-place": len(pairs), "one-place": len(singles)}
    return {"title": "Reuters-21578 dev: pair of two-place stories, focus of one-place stories "
                     "(wire = dateline + body, body = dateline removed; 000-005 tuned on, "
                     "006-010 reported)", "rows": rows}


def _share(flags) -> float:
    flags = list(flags)
    return sum(flags) / len(flags) if flags else float("nan")


def feeds_labels(path: Path) -> list[dict]:
    """Rows of the main-country TSV: feed_file, entry_index (int), entry_link, main and second
    (alpha-3 or None), why."""
    return [{**row, "entry_index": int(row["entry_index"]), "main": _code_or_none(row["main"]),
             "second": _code_or_none(row["second"])} for row in feed_sample.read_rows(path)]


def _code_or_none(value: str) -> str | None:
    value = value.strip()
    return None if value in ("", "-") else value


def feeds_table(labels_path: Path, feeds_dir: Path) -> dict:
    entries, unmatched = feed_sample.labelled_entries(feed_sample.read_rows(labels_path), feeds_dir)
    outcomes = []
    for entry in entries:
        main, second = _code_or_none(entry.row["main"]), _code_or_none(entry.row["second"])
        result = classify(entry.title, entry.summary, published_at=entry.published_at)
        pair = "-".join(sorted((main, second))) if main and second else None
        outcomes.append((main, result["country_focus"] == main,
                         pair, result["country_pair"] == pair, entry.number % 2))
    parts = {"even rows (tuned on)": [o for o in outcomes if not o[4]],
             "odd rows (reported)": [o for o in outcomes if o[4]], "all": outcomes}
    return {"title": f"2026 feeds, main country of an entry (title + summary; {unmatched} labels "
                     "whose entry was not found are left out)",
            "rows": {name: _feeds_row(part) for name, part in parts.items()}}


def _feeds_row(outcomes: list) -> dict:
    with_main = [o for o in outcomes if o[0]]
    with_pair = [o for o in outcomes if o[2]]
    return {"focus right": _share(o[1] for o in outcomes),
            "focus right, main given": _share(o[1] for o in with_main),
            "none right, main -": _share(o[1] for o in outcomes if not o[0]),
            "pair right, second given": _share(o[3] for o in with_pair),
            "entries": len(outcomes), "main given": len(with_main),
            "second given": len(with_pair)}


def seed_paths(corpus: Path) -> dict[str, Path]:
    """The seed story per language, of those present."""
    paths = {"en": corpus.parent / "seed" / "china-russia-defence-call.txt"}
    paths.update({lang: SEED_FIXTURES / f"{lang}.txt" for lang in SEED_LANGUAGES if lang != "en"})
    return {lang: path for lang, path in paths.items() if path.exists()}


def seed_table(paths: dict[str, Path]) -> dict:
    rows = {}
    for lang, path in paths.items():
        title, _, body = path.read_text(encoding="utf-8").strip().partition("\n")
        result = classify(title.strip(), body.strip(), published_at=SEED_DATE)
        right = result["country_pair"] == "CHN-RUS" and result["topic"] == "defence"
        rows[lang] = {"country_pair": result["country_pair"] or "-",
                      "country_focus": result["country_focus"] or "-",
                      "first topic": result["topic"] or "-",
                      "CHN-RUS defence": "yes" if right else "no"}
    return {"title": "The seed story (China-Russia defence call) in each language", "rows": rows}


def worker_table() -> dict:
    """Warm-up and resident memory of a fresh classify worker, measured in a new interpreter
    (no rows without psutil, which only the eval and test extras install)."""
    if importlib.util.find_spec("psutil") is None:
        return {"title": "", "rows": {}}
    done = subprocess.run([sys.executable, "-c", WORKER], capture_output=True, text=True,
                          check=True, timeout=600)
    return {"title": "A fresh worker process: import dyad.classify + warm_up()",
            "rows": {"dyad": json.loads(done.stdout.strip().splitlines()[-1])}}


def evaluate(corpus: Path) -> list[dict]:
    """Every country table whose inputs are present (tables without rows are left out)."""
    tables = []
    sib200 = corpus / "topics" / "sib200"
    if (sib200 / "countries.json").exists():
        tables.append(sentences.sib200_table(sib200))
    petrarch = corpus / "events" / "universalpetrarch"
    if petrarch.is_dir():
        tables.append(sentences.petrarch_table(petrarch))
    reuters = corpus / "countries" / "reuters21578-dev"
    if reuters.is_dir():
        tables.append(reuters_table(reuters))
    if FEEDS_LABELS.exists() and (corpus / feed_sample.FEEDS_DIR).is_dir():
        tables.append(feeds_table(FEEDS_LABELS, corpus / feed_sample.FEEDS_DIR))
    if seeds := seed_paths(corpus):
        tables.append(seed_table(seeds))
    if sib200.is_dir():  # speed and memory go together, on SIB-200's texts
        tables += [sentences.speed_table(sib200), worker_table()]
    return [table for table in tables if table["rows"]]
