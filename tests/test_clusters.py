"""dyad.clusters: fingerprints, similarity and same-story clusters; `dyad cluster --jsonl`; the
shipped document-frequency table. The articles are written for these tests."""
import datetime as dt
import gzip
import json
import os
import random
import subprocess
import sys

import pytest

from dyad.clusters import clusters as C
from dyad.clusters.fingerprint import DOCUMENT_FREQUENCY, fingerprint, similarity, weight_of
from tests.conftest import CORPUS, needs

DYAD = os.path.join(os.path.dirname(sys.executable), "dyad")
DRILLS = ("China and Russia begin naval drills near Vladivostok",
          "The navies of China and Russia began five days of joint drills in the Sea of Japan near "
          "Vladivostok on Monday, with 14 warships and the destroyer Admiral Tributs, the Russian "
          "defence ministry said. Beijing said the Joint Sea 2026 exercise targets no third party.")
DRILLS_COPY = ("China, Russia start naval drills off Vladivostok",
               "The navies of China and Russia began five days of joint drills in the Sea of Japan "
               "near Vladivostok on Monday, with 14 warships and the destroyer Admiral Tributs, "
               "the Russian defence ministry said. Beijing said the Joint Sea 2026 exercise "
               "targets no third party. Japan said it was watching closely.")
DRILLS_REWRITE = ("Russian and Chinese warships open Joint Sea 2026 exercise",
                  "Fourteen Chinese and Russian warships, among them the destroyer Admiral "
                  "Tributs, opened the Joint Sea 2026 exercise near Vladivostok, Moscow's defence "
                  "ministry said on Monday. Beijing insisted the drills were aimed at no one.")
DRILLS_DE = ("China und Russland beginnen Marinemanöver vor Wladiwostok",
             "Die Marinen Chinas und Russlands haben am Montag ein fünftägiges Manöver im "
             "Japanischen Meer vor Wladiwostok begonnen, mit 14 Kriegsschiffen und dem Zerstörer "
             "Admiral Tributs, teilte das russische Verteidigungsministerium mit. Joint Sea 2026 "
             "richte sich gegen kein Drittland, hieß es in Peking.")
RATES = ("Bank of Japan keeps rates on hold as yen weakens",
         "The Bank of Japan left its benchmark interest rate unchanged on Tuesday and said it "
         "would keep buying government bonds, as the yen fell to a three-month low against the "
         "dollar and exporters reported stronger profits.")
FOOTBALL = ("Arsenal beat Chelsea 2-1 in London derby",
            "Arsenal came from behind to beat Chelsea 2-1 at the Emirates Stadium on Sunday, with "
            "a late header from the captain sending the home side three points clear at the top.")
DAY = dt.datetime(2026, 2, 2, 9, tzinfo=dt.timezone.utc)


def test_rare_words_weigh_more_and_function_words_not_at_all():
    fp = fingerprint(*DRILLS, "en")
    assert weight_of(fp, "vladivostok") > weight_of(fp, "ministry") > weight_of(fp, "said")
    german = fingerprint(*DRILLS_DE, "de")
    assert weight_of(german, "die") == 0.0 and weight_of(german, "wladiwostok") > 0
    assert weight_of(fp, "2026") > 0 and weight_of(german, "2026") > 0   # numbers cross languages


def test_copies_rewrites_and_translations_are_alike_and_other_stories_are_not():
    drills = fingerprint(*DRILLS, "en")
    same = [similarity(drills, fingerprint(*text, "en")) for text in (DRILLS_COPY, DRILLS_REWRITE)]
    other = [similarity(drills, fingerprint(*text, "en")) for text in (RATES, FOOTBALL)]
    assert same[0] > 0.8 > same[1] >= C.SAME_LANGUAGE_THRESHOLD > max(other)
    assert similarity(drills, fingerprint(*DRILLS_DE, "de")) >= C.CROSS_LANGUAGE_THRESHOLD
    assert similarity(fingerprint(*RATES, "en"), fingerprint(*DRILLS_DE, "de")) < \
        C.CROSS_LANGUAGE_THRESHOLD
    assert similarity(drills, fingerprint("", "", "en")) == 0.0


def articles(hours=(0, 1, 2, 3, 4, 5)):
    texts = [DRILLS, DRILLS_COPY, DRILLS_REWRITE, DRILLS_DE, RATES, FOOTBALL]
    languages = ["en", "en", "en", "de", "en", "en"]
    return [(f"s{n}", fingerprint(*text, language, DAY + dt.timedelta(hours=hour)))
            for n, (text, language, hour) in enumerate(zip(texts, languages, hours))]


def test_one_event_is_one_cluster_in_any_input_order():
    items = articles()
    clusters = C.assign_clusters(items)
    assert clusters == {"s0": "s0", "s1": "s0", "s2": "s0", "s3": "s0", "s4": "s4", "s5": "s5"}
    random.Random(7).shuffle(items)
    assert C.assign_clusters(items) == clusters


def test_the_time_window_keeps_a_later_story_apart_and_memory_bounded():
    late = C.assign_clusters(articles(hours=(0, 24 * 5, 1, 2, 3, 4)))
    assert late["s1"] == "s1" and late["s2"] == "s0"
    clusters = C.StoryClusters()
    for day in range(30):
        for n, (_, fp) in enumerate(articles()):
            moved = fingerprint(*_texts()[n], fp.language, DAY + dt.timedelta(days=day))
            clusters.add(f"d{day}-{n}", moved)
    window_days = C.WINDOW.days + 1
    assert len(clusters.members) <= 6 * window_days
    assert sum(map(len, clusters.index.values())) <= 6 * window_days * C.INDEXED


def _texts():
    return [DRILLS, DRILLS_COPY, DRILLS_REWRITE, DRILLS_DE, RATES, FOOTBALL]


def run_cluster(lines: list, *args):
    return subprocess.run([DYAD, "cluster", "--jsonl", *args], capture_output=True, text=True,
                          input="".join(json.dumps(line) + "\n" for line in lines))


def test_dyad_cluster_jsonl_writes_a_cluster_id_per_line_in_input_order():
    lines = [{"id": f"a{n}", "title": t, "text": x, "published_at": "2026-02-02T10:00:00+01:00"}
             for n, (t, x) in enumerate(_texts())]
    lines[3]["language"] = "de"
    del lines[5]["published_at"]             # compared with all, no window
    done = run_cluster(lines)
    assert done.returncode == 0, done.stderr
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert [o["id"] for o in out] == [f"a{n}" for n in range(6)]
    assert [o["cluster_id"] for o in out] == ["a0", "a0", "a0", "a0", "a4", "a5"]


@pytest.mark.parametrize("lines, message", [
    ([{"title": "x"}], "has no \"id\""),
    ([{"id": 1, "title": "x"}, {"id": 1, "title": "y"}], "was given before"),
    ([{"id": 1, "title": "x", "published_at": "yesterday"}], "not an ISO 8601"),
])
def test_dyad_cluster_refuses_bad_input_with_a_message(lines, message):
    done = run_cluster(lines)
    assert done.returncode == 2 and message in done.stderr and done.stdout == ""


@needs(os.path.join(CORPUS, "topics"))
def test_the_shipped_document_frequencies_are_what_make_model_counts(tmp_path):
    from dyad.training import document_frequency
    out = tmp_path / "df.tsv.gz"
    assert document_frequency.main([CORPUS, "--out", str(out)]) == 0
    assert gzip.decompress(out.read_bytes()) == gzip.decompress(DOCUMENT_FREQUENCY.read_bytes())


@needs(os.path.join(CORPUS, "stories"))
def test_semeval_pairs_of_the_reported_part_cluster_as_people_judge():
    from pathlib import Path
    from dyad.evaluation import stories
    table = stories.stories_table(Path(CORPUS))["rows"]
    assert table["SemEval same language, report"]["pair F1"] >= 0.75
    assert table["SemEval two languages, report"]["pair F1"] >= 0.6


def rows_of(items, **extra):
    from tests.conftest import story
    return [story(n, title=text[0], text=text[1], language=lang, published_at=DAY + dt.timedelta(
        hours=n), countries=None, **extra) for n, (text, lang) in items]


def test_the_batch_stage_joins_a_warehouse_cluster_and_opens_new_ones():
    """ClusterStories in a real pipeline: a new copy of a story the warehouse holds (with its
    cluster) joins that cluster; unrelated stories stay their own (no pair for them), and the
    run's own rows, should the warehouse already hold them, are not taken for earlier ones."""
    import apache_beam as beam
    from apache_beam.testing.test_pipeline import TestPipeline
    from apache_beam.testing.util import assert_that, equal_to
    from dyad.transforms.cluster import ClusterStories, story_fingerprint
    stored = {"story_id": "old", "cluster_id": "first", "title": DRILLS[0], "text": DRILLS[1],
              "language": "en", "published_at": DAY - dt.timedelta(hours=5),
              "country_focus": "CHN", "country_a": "CHN", "country_b": "RUS"}
    new = rows_of([(1, (DRILLS_COPY, "en")), (2, (RATES, "en")), (3, (FOOTBALL, "en")),
                   (4, (RATES, "en"))])
    written = [{**row, "cluster_id": row["story_id"]} for row in new]
    with TestPipeline() as p:
        fingerprints = p | "Fingerprints" >> beam.Create(
            [(row["story_id"], story_fingerprint(row)) for row in new])
        assigned = fingerprints | ClusterStories(lambda: [stored, *written])
        assert_that(assigned, equal_to([("id1", "first"), ("id4", "id2")]))


def test_the_warehouse_sets_the_clusters_once_the_rows_are_written(tmp_path):
    """SetClusterIds in a real pipeline against a real DuckDB file: it waits for the writer's
    results, then changes only the run's rows it names."""
    import apache_beam as beam
    import duckdb
    from apache_beam.testing.test_pipeline import TestPipeline
    from dyad.transforms.cluster import SetClusterIds
    from dyad.transforms.sinks.duckdb import WriteToDuckDB, set_cluster_ids
    from functools import partial
    from tests.conftest import RUN_ID, story
    path = str(tmp_path / "w.duckdb")
    rows = [story(n, cluster_id=f"id{n}") for n in range(1, 4)]
    with TestPipeline() as p:
        written = {"stories": p | "Rows" >> beam.Create(rows)} | WriteToDuckDB(path, RUN_ID)
        assigned = p | "Assigned" >> beam.Create([("id2", "id1"), ("id3", "id1")])
        assigned | SetClusterIds(partial(set_cluster_ids, path, RUN_ID), after=written)
    con = duckdb.connect(path, read_only=True)
    assert dict(con.execute("SELECT story_id, cluster_id FROM stories").fetchall()) == {
        "id1": "id1", "id2": "id1", "id3": "id1"}
    con.close()
    assert set_cluster_ids(path, "another-run", [("id1", "id3")]) == 0   # not that run's row


def test_a_story_whose_fingerprint_fails_is_kept_with_an_error_row():
    from dyad.transforms.cluster import fingerprint_outputs
    from tests.conftest import story
    broken = {**story(1), "text": 123}   # not text: the fingerprint fails
    [out] = fingerprint_outputs(broken, "run-1")
    assert out.tag == "errors" and out.value["stage"] == "cluster"
    [ok] = fingerprint_outputs(story(2, title=RATES[0], text=RATES[1]), "run-1")
    assert ok.tag == "fingerprints" and ok.value[0] == "id2"


def test_a_stream_worker_rebuilds_its_clusters_from_state_and_warehouse():
    from dyad.transforms.cluster import rebuilt
    seen = [("s1", fingerprint(*DRILLS, "en", DAY), "s1")]
    recent = [{"story_id": "w1", "cluster_id": None, "title": RATES[0], "text": RATES[1],
               "language": "en", "published_at": DAY - dt.timedelta(hours=2)},
              {"story_id": "s1", "cluster_id": "s1", "title": DRILLS[0], "text": DRILLS[1],
               "language": "en", "published_at": DAY}]
    clusters = rebuilt(recent, seen)
    assert [m.id for m in clusters.members] == ["w1", "s1"]
    assert clusters.add("n1", fingerprint(*DRILLS_REWRITE, "en", DAY + dt.timedelta(hours=1))) \
        == "s1"


def test_a_stored_rows_fingerprint_takes_its_focus_and_pair_as_read_back():
    from dyad.transforms.cluster import story_fingerprint
    stored = {"title": DRILLS[0], "text": DRILLS[1], "language": "en", "published_at": DAY,
              "country_focus": "RUS", "country_a": "CHN", "country_b": "RUS"}
    assert story_fingerprint(stored).countries == {"CHN", "RUS"}
    unplaced = {**stored, "country_focus": None, "country_a": None, "country_b": None}
    assert story_fingerprint(unplaced).countries == frozenset()   # not classified again
