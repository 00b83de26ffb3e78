"""Classification quality: the country tables (`countries`, `sentences`), topics on BBC News,
and the project's own labelled sample stories; plus articles per second on one core.

BBC's five classes are mapped from dyad's labels by `BBC_CLASSES`.
"""
import time
from pathlib import Path

import yaml

from dyad.classify import classify
from dyad.evaluation import countries

# dyad's labels with a counterpart among BBC's five classes. A story's class is that of its
# best-scored label that has one (crime, health or society stories fall into any BBC class).
BBC_CLASSES = {
    "economy": "business", "energy": "business", "culture": "entertainment", "sport": "sport",
    "science_technology": "tech", "politics": "politics", "diplomacy": "politics",
    "defence": "politics", "armed_conflict": "politics",
}


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
    tables = countries.evaluate(corpus)
    bbc = corpus / "topics" / "bbc" / "bbc"
    if bbc.is_dir():
        tables.append(bbc_table(bbc))
    if (sample / "articles.yaml").exists():
        tables.append(sample_table(sample / "articles.yaml"))
    return tables
