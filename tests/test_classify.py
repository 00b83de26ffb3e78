"""Classification logic (dyad.classify) and the ClassifyStories stage."""
import datetime as dt
from dataclasses import replace

import apache_beam as beam
import yaml
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from dyad.classify import TAXONOMY, classify
from dyad.records import Article, FeedEntry
from dyad.transforms.classify import ClassifyStories, story_row
from tests.conftest import NOW, RUN_ID, SAMPLE, SEED, needs


def seed():
    title, body = open(SEED, encoding="utf-8").read().split("\n", 1)
    return classify(title, body)


@needs(SEED)
def test_seed_story_is_china_russia_defence_then_diplomacy():
    result = seed()
    assert result["country_pair"] == "CHN-RUS"
    assert (result["country_a"], result["country_b"]) == ("CHN", "RUS")
    assert [t["label"] for t in result["topics"][:2]] == ["defence", "diplomacy"]
    assert result["topic_iptc"].startswith("medtop:")
    codes = {c["code"]: c["mentions"] for c in result["countries"]}
    assert set(codes) == {"CHN", "RUS", "UKR", "USA", "VEN", "IRN"}
    assert codes["RUS"] >= 8 and codes["CHN"] >= 7 and codes["USA"] == 2


def test_short_forms_demonyms_capitals_and_seats():
    result = classify("U.S. and UK officials meet", "The Pentagon and Downing Street said "
                      "Washington and London agree. British and American diplomats; the Kremlin "
                      "and Beijing watched. Sino-Russian ties.")
    codes = {c["code"]: c["mentions"] for c in result["countries"]}
    assert codes["USA"] == 4 and codes["GBR"] == 4 and codes["RUS"] == 2 and codes["CHN"] == 2


def test_lowercase_common_words_are_not_countries():
    result = classify("Fine china and roast turkey", "She set the china on the table and "
                      "carved the turkey. Then the guests ate french fries.")
    assert result["countries"] == [] and result["country_pair"] is None


def test_ambiguous_forms_need_corroboration():
    assert classify("Jordan scores 40", "Michael Jordan scored forty points.")["countries"] == []
    result = classify("Jordan hosts talks", "Jordan hosted talks in Amman on Monday.")
    assert result["country_a"] == "JOR"


def test_one_country_story_has_only_country_a():
    result = classify("Japan launches moon probe", "Japan's space agency launched a probe.")
    assert result["country_a"] == "JPN" and result["country_b"] is None
    assert result["country_pair"] is None


def test_empty_text_classifies_to_nothing():
    result = classify("", "")
    assert result["topic"] is None and result["topics"] == [] and result["countries"] == []


def test_every_label_maps_to_an_iptc_top_level_code():
    for topic in TAXONOMY:
        assert topic.iptc.startswith("medtop:") and topic.iptc.endswith("000000")


def test_sample_labels_are_mostly_right():
    """The project's own labelled sample stories (sample/articles.yaml)."""
    articles = [a for a in yaml.safe_load(open(f"{SAMPLE}/articles.yaml"))["articles"]
                if a.get("paras")]
    pairs = topics = 0
    for a in articles:
        result = classify(a["title"], "\n\n".join(a["paras"]))
        want = a["expect"].get("pair") or a["expect"].get("single")
        got = result["country_pair"] or result["country_a"]
        pairs += got == want
        topics += result["topic"] == a["expect"]["topic"]
    assert pairs / len(articles) >= 0.95
    assert topics / len(articles) >= 0.85


ENTRY = FeedEntry("sid", "http://127.0.0.1/a.html", "http://127.0.0.1/a.html", "127.0.0.1",
                  "http://127.0.0.1/feed.xml", "Feed", "g", "t", "s", (), None, NOW)


def article(title, text):
    return Article(ENTRY, title, text, ("A",), None, "en", None, "newspaper3k", NOW)


def test_story_row_is_complete():
    row = story_row(article("China and Russia hold drills", "China and Russia held military "
                            "drills."), RUN_ID, NOW)
    assert row["country_pair"] == "CHN-RUS" and row["topic"] == "defence"
    assert row["word_count"] == 6 and row["run_id"] == RUN_ID and row["authors"] == ["A"]


def test_a_story_without_any_date_is_filed_under_its_ingest_time():
    undated = story_row(article("Drills", "Drills again."), RUN_ID, NOW)
    assert undated["published_at"] == NOW
    assert undated["provenance"]["published_at"] == "ingested_at"
    assert undated["published_date"] == NOW.date()
    dated = Article(ENTRY, "Drills", "Drills again.", (), NOW - dt.timedelta(days=1), None, None,
                    "trafilatura", NOW, provenance={"published_at": "meta"})
    row = story_row(replace(dated, published_date=dt.date(2020, 1, 1)), RUN_ID, NOW)
    assert row["published_at"] == NOW - dt.timedelta(days=1)
    assert row["published_date"] == dt.date(2020, 1, 1)
    assert row["provenance"]["published_at"] == "meta"


def test_classify_stories_stage_outputs_rows_and_no_errors():
    with TestPipeline() as p:
        rows, errors = (p | beam.Create([article("Japan launches probe", "Japan's rocket.")])
                        | ClassifyStories(RUN_ID, NOW))
        assert_that(rows | beam.Map(lambda r: (r["story_id"], r["country_a"])),
                    equal_to([("sid", "JPN")]), label="Rows")
        assert_that(errors | "AllErrors" >> beam.Flatten(), equal_to([]), label="Errors")


def test_classify_stage_turns_a_crash_into_an_error_row():
    broken = article("x", "y")
    object.__setattr__(broken, "text", 12345)  # not a string: classification fails
    with TestPipeline() as p:
        rows, errors = p | beam.Create([broken]) | ClassifyStories(RUN_ID, NOW)
        assert_that(rows, equal_to([]), label="NoRows")
        assert_that(errors | "AllErrors" >> beam.Flatten() | beam.Map(lambda e: (e["stage"], e["url"])),
                    equal_to([("classify", ENTRY.url)]), label="Errors")


def test_warm_up_builds_the_automata_and_freezes_them_out_of_the_collector():
    import gc

    from dyad.classify import warm_up
    from dyad.classify.countries import automata
    gc.unfreeze()
    warm_up()
    assert automata.cache_info().currsize == 1
    assert gc.get_freeze_count() > 0  # the gazetteer's objects among them: the collector skips them
