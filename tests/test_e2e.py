"""End to end: the batch pipeline over the sample sites into a real DuckDB file, run twice."""
import duckdb
import pytest
import yaml
from apache_beam.runners.runner import PipelineState

from dyad.pipelines import batch
from tests.conftest import SAMPLE

pytestmark = pytest.mark.e2e


def ingest(feed_list, db):
    identity, _settings, result = batch.run(["--feeds", feed_list, "--warehouse", f"duckdb:{db}",
                                             "--allow-network", "127.0.0.1/32"])
    assert result.state == PipelineState.DONE
    counters = {m.key.metric.name: m.committed
                for m in result.metrics().query()["counters"]}
    return identity, counters


@pytest.fixture(scope="module")
def runs(sample_sites, tmp_path_factory):
    folder = tmp_path_factory.mktemp("e2e")
    feed_list = sample_sites.write_feed_list(str(folder / "feeds.yaml"))
    db = str(folder / "dyad.duckdb")
    first = ingest(feed_list, db)
    second = ingest(feed_list, db)
    return db, first, second


def test_every_sample_story_lands_once(runs):
    db, (first, counters), _ = runs
    articles = yaml.safe_load(open(f"{SAMPLE}/articles.yaml"))["articles"]
    linked = [a for a in articles if not a.get("no_link")]
    con = duckdb.connect(db, read_only=True)
    assert con.execute("SELECT count(*) FROM stories").fetchall()[0][0] == len(linked) >= 40
    assert con.execute("SELECT count(DISTINCT country_pair) FROM stories").fetchall()[0][0] >= 8
    assert con.execute("SELECT count(DISTINCT topic) FROM stories").fetchall()[0][0] >= 6
    fallback = con.execute("SELECT url, extraction, title, text FROM stories "
                           "WHERE extraction = 'feed_summary'").fetchall()
    assert len(fallback) == 1 and fallback[0][0].endswith("missing-ceasefire-report.html")
    assert fallback[0][2].startswith("Israel and Hamas") and "ceasefire" in fallback[0][3]


def test_expected_error_rows(runs):
    db, (first, _), _ = runs
    con = duckdb.connect(db, read_only=True)
    errors = con.execute("SELECT stage, error_type FROM ingest_errors WHERE run_id = ? "
                         "ORDER BY stage", [first.run_id]).fetchall()
    assert errors == [("fetch", "http_404"), ("parse_feeds", "no_link"), ("read_feeds", "http_404")]


def test_every_entry_is_accounted_for(runs):
    _db, (_first, c), _ = runs
    assert c["entries_read"] == (c["stories_new"] + c["duplicates_in_run"]
                                 + c.get("duplicates_in_warehouse", 0) + 1)  # + the entry with no link
    assert c["duplicates_in_run"] == 2


def test_cross_feed_duplicates_become_sightings(runs, sample_sites):
    db, _, _ = runs
    con = duckdb.connect(db, read_only=True)
    url = sample_sites.site.base("globalwire") + "/world/taiwan-strait-drills.html"
    feeds = con.execute("SELECT count(*) FROM story_sightings s JOIN stories USING (story_id) "
                        "WHERE stories.canonical_url = ?", [url]).fetchall()[0][0]
    assert feeds == 2


def test_second_run_adds_no_story(runs):
    db, (first, _), (second, counters) = runs
    con = duckdb.connect(db, read_only=True)
    assert con.execute("SELECT count(*) FROM stories WHERE run_id = ?",
                       [second.run_id]).fetchall()[0][0] == 0
    assert counters.get("stories_new", 0) == 0 and counters["duplicates_in_warehouse"] >= 40
    assert con.execute("SELECT count(*), count(DISTINCT story_id) FROM stories").fetchall()[0] == \
        con.execute("SELECT count(*), count(*) FROM stories").fetchall()[0]


def test_rows_carry_the_contract(runs):
    db, _, _ = runs
    con = duckdb.connect(db, read_only=True)
    row = con.execute("SELECT title, authors, published_at, country_pair, topic, language, source, "
                      "countries[1].code, word_count FROM stories WHERE title LIKE "
                      "'China and Russia begin joint naval drills%'").fetchall()[0]
    title, authors, published, pair, topic, language, source, top_code, words = row
    assert authors == ["Mara Ellison"] and published.isoformat().startswith("2026-11-20T06:30")
    assert pair == "CHN-RUS" and topic == "defence" and language == "en"
    assert source.startswith("127.0.0.1:") and top_code in ("CHN", "RUS") and words > 50


def test_a_syndicated_copy_and_a_rewrite_each_share_a_cluster(runs):
    """The sample's `same_story_as` stories (a wire copy under another outlet's link, the same
    event in another outlet's words) are each one cluster of two, and story_clusters says so."""
    db, _, _ = runs
    articles = yaml.safe_load(open(f"{SAMPLE}/articles.yaml"))["articles"]
    pairs = [(a["slug"], a["same_story_as"]) for a in articles if a.get("same_story_as")]
    con = duckdb.connect(db, read_only=True)
    cluster = dict(con.execute("SELECT regexp_extract(url, '/([a-z]+/[a-z0-9-]+)\\.html', 1), "
                               "cluster_id FROM stories").fetchall())
    assert len(pairs) == 2 and all(cluster[a] == cluster[b] for a, b in pairs)
    for a, b in pairs:
        articles_in, outlets = con.execute("SELECT articles, outlets FROM story_clusters "
                                           "WHERE cluster_id = ?", [cluster[a]]).fetchone()
        assert articles_in == 2 and outlets == 2
    clusters = con.execute("SELECT count(DISTINCT cluster_id) FROM stories").fetchone()[0]
    daily = con.execute("SELECT sum(stories), sum(clusters) FROM daily_pair_topic").fetchone()
    assert daily[0] == len(cluster) and clusters < daily[0] <= daily[1] + len(cluster) - clusters
