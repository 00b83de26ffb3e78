"""Classification quality: the country tables (`countries`, `sentences`), the topic table
(`topics`), and the project's own labelled sample stories."""
from pathlib import Path

import yaml

from dyad.classify import classify
from dyad.evaluation import countries, relations, topics


def sample_table(articles_yaml: Path) -> dict:
    articles = [a for a in yaml.safe_load(articles_yaml.read_text())["articles"] if a.get("paras")]
    pairs = topics_right = 0
    for article in articles:
        result = classify(article["title"], "\n\n".join(article["paras"]))
        want = article["expect"].get("pair") or article["expect"].get("single")
        pairs += (result["country_pair"] or result["country_a"]) == want
        topics_right += result["topic"] == article["expect"]["topic"]
    return {"title": f"dyad's own labelled sample stories ({len(articles)})",
            "rows": {"dyad": {"pair or single right": pairs / len(articles),
                              "topic right": topics_right / len(articles)}}}


def evaluate(corpus: Path, sample: Path) -> list[dict]:
    tables = countries.evaluate(corpus) + relations.evaluate(corpus) + topics.evaluate(corpus)
    if (sample / "articles.yaml").exists():
        tables.append(sample_table(sample / "articles.yaml"))
    return tables
