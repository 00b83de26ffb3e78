"""Classification quality: country pairs on Reuters-21578, topics on BBC News, and the project's
own labelled sample stories; plus articles per second on one core.

Reuters stories are given to the classifier as a wire story reads: the dateline, then the body,
with the headline as the title. Its PLACES are human-assigned; those names map to ISO alpha-3.
BBC's five classes are mapped from dyad's labels by `BBC_CLASSES`.
"""
import html
import re
import time
from pathlib import Path

import pycountry
import yaml

from dyad.classify import classify

REUTERS_FILES = [f"reut2-{n:03d}.sgm" for n in range(11)]
# Reuters place names that are not (or no longer) a country name pycountry knows.
REUTERS_PLACES = {
    "usa": "USA", "uk": "GBR", "ussr": "RUS", "west-germany": "DEU", "east-germany": "DEU",
    "south-korea": "KOR", "north-korea": "PRK", "uae": "ARE", "yemen-arab-republic": "YEM",
    "zaire": "COD", "kampuchea": "KHM", "burma": "MMR", "ivory-coast": "CIV",
    "czechoslovakia": "CZE", "yugoslavia": "SRB", "trinidad-tobago": "TTO", "congo": "COG",
    "taiwan": "TWN", "iran": "IRN", "vietnam": "VNM", "bolivia": "BOL", "venezuela": "VEN",
    "tanzania": "TZA", "syria": "SYR", "hong-kong": "HKG", "turkey": "TUR", "russia": "RUS",
}
# dyad's labels with a counterpart among BBC's five classes. A story's class is that of its
# best-scored label that has one (crime, health or society stories fall into any BBC class).
BBC_CLASSES = {
    "economy": "business", "energy": "business", "culture": "entertainment", "sport": "sport",
    "science_technology": "tech", "politics": "politics", "diplomacy": "politics",
    "defence": "politics", "armed_conflict": "politics",
}
_STORY = re.compile(r"<REUTERS.*?</REUTERS>", re.S)
_FIELD = {name: re.compile(f"<{name}>(.*?)</{name}>", re.S)
          for name in ("PLACES", "TITLE", "DATELINE", "BODY")}


def reuters_code(place: str) -> str | None:
    if place in REUTERS_PLACES:
        return REUTERS_PLACES[place]
    try:
        return pycountry.countries.lookup(place.replace("-", " ")).alpha_3
    except LookupError:
        return None


def reuters_stories(path: Path) -> list[dict]:
    """Stories with a body: places (alpha-3), title, and text (dateline + body)."""
    stories = []
    for name in REUTERS_FILES:
        if not (path / name).exists():
            continue
        for block in _STORY.findall((path / name).read_text(encoding="latin-1")):
            fields = {key: pattern.search(block) for key, pattern in _FIELD.items()}
            if not fields["BODY"]:
                continue
            places = re.findall(r"<D>(.*?)</D>", fields["PLACES"].group(1))
            dateline = _unescape(fields["DATELINE"].group(1)) if fields["DATELINE"] else ""
            stories.append({
                "places": [reuters_code(p) for p in places],
                "title": _unescape(fields["TITLE"].group(1)) if fields["TITLE"] else "",
                "text": f"{dateline.strip()} {_unescape(fields['BODY'].group(1))}".strip()})
    return stories


def _unescape(value: str) -> str:
    value = re.sub(r"&#\d+;", " ", value)  # control characters of the 1987 wire
    return html.unescape(value).replace(" Reuter\n", "\n").strip()


def reuters_table(path: Path) -> dict:
    stories = [s for s in reuters_stories(path) if None not in s["places"]]
    pairs = [s for s in stories if len(set(s["places"])) == 2]
    singles = [s for s in stories if len(s["places"]) == 1]
    exact = one_right = top1 = 0
    for story in pairs:
        result = classify(story["title"], story["text"])
        got = {code for code in (result["country_a"], result["country_b"]) if code}
        exact += got == set(story["places"])
        one_right += bool(got & set(story["places"]))
    for story in singles:
        ranked = classify(story["title"], story["text"])["countries"]
        top1 += bool(ranked) and ranked[0]["code"] == story["places"][0]
    return {"title": f"Reuters-21578 dev 000-010 ({len(pairs)} two-place, {len(singles)} one-place)",
            "rows": {"dyad": {"pair exact": exact / len(pairs), "pair >=1 right": one_right / len(pairs),
                              "single top-1": top1 / len(singles)}}}


def bbc_stories(path: Path) -> list[dict]:
    stories = []
    for label_dir in sorted(p for p in path.iterdir() if p.is_dir()):
        for file in sorted(label_dir.glob("*.txt")):
            raw = file.read_bytes()
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                text = raw.decode("latin-1")  # one file of the set is Latin-1
            title, _, body = text.strip().partition("\n")
            stories.append({"label": label_dir.name, "title": title.strip(), "text": body.strip()})
    return stories


def bbc_table(path: Path) -> dict:
    stories = bbc_stories(path)
    right = 0
    seconds = 0.0
    for story in stories:
        start = time.process_time()
        result = classify(story["title"], story["text"])
        seconds += time.process_time() - start
        classes = [BBC_CLASSES[t["label"]] for t in result["topics"] if t["label"] in BBC_CLASSES]
        right += bool(classes) and classes[0] == story["label"]
    words = sum(len(s["title"].split()) + len(s["text"].split()) for s in stories)
    return {"title": f"BBC News ({len(stories)} stories, 5 classes; {words / len(stories):.0f} words"
                     " on average)",
            "rows": {"dyad": {"accuracy": right / len(stories),
                              "articles/s, one core": len(stories) / seconds,
                              "CPU ms/1,000 words": 1000 * seconds / (words / 1000)}}}


def sample_table(articles_yaml: Path) -> dict:
    articles = [a for a in yaml.safe_load(articles_yaml.read_text())["articles"] if a.get("paras")]
    pairs = topics = 0
    for article in articles:
        result = classify(article["title"], "\n\n".join(article["paras"]))
        want = article["expect"].get("pair") or article["expect"].get("single")
        pairs += (result["country_pair"] or result["country_a"]) == want
        topics += result["topic"] == article["expect"]["topic"]
    return {"title": f"dyad's own labelled sample stories ({len(articles)})",
            "rows": {"dyad": {"pair or single right": pairs / len(articles),
                              "topic right": topics / len(articles)}}}


def evaluate(corpus: Path, sample: Path) -> list[dict]:
    tables = []
    reuters = corpus / "countries" / "reuters21578-dev"
    if reuters.is_dir():
        tables.append(reuters_table(reuters))
    bbc = corpus / "topics" / "bbc" / "bbc"
    if bbc.is_dir():
        tables.append(bbc_table(bbc))
    if (sample / "articles.yaml").exists():
        tables.append(sample_table(sample / "articles.yaml"))
    return tables
