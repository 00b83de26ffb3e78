import datetime as dt
import json
from pathlib import Path

import pytest

from dyad.evaluation.__main__ import format_table, main
from dyad.evaluation.classification import bbc_table, reuters_code, reuters_stories, reuters_table
from dyad.evaluation.extraction import date_matches, trafilatura_news
from tests.conftest import CORPUS, SAMPLE

UTC = dt.timezone.utc


def test_date_matches_in_the_pages_own_offset():
    cet = dt.timezone(dt.timedelta(hours=1))
    assert date_matches(dt.datetime(2022, 2, 3, 20, 17, tzinfo=cet), "2022-02-03")
    assert not date_matches(dt.datetime(2022, 2, 3, 20, 17, tzinfo=cet), "2022-02-04")


def test_a_utc_time_counts_for_the_local_day_it_can_be():
    # 22:04 UTC is already the next day in Berlin; a week later is no day it can be.
    assert date_matches(dt.datetime(2019, 10, 18, 22, 4, tzinfo=UTC), "2019-10-19")
    assert not date_matches(dt.datetime(2019, 10, 25, 22, 4, tzinfo=UTC), "2019-10-19")
    assert date_matches(dt.datetime(2019, 10, 19), "2019-10-19") and not date_matches(None, "2019-10-19")
    assert date_matches("2019-10-19", "2019-10-19")


def test_format_table_lines_up_every_extractor():
    text = format_table({"title": "T", "rows": {"a": {"recall": 0.5, "CPU ms/page": 12.25},
                                                "b": {"recall": 1.0, "CPU ms/page": 3.0}}})
    lines = text.splitlines()
    assert lines[0] == "T" and "0.500" in lines[2] and "1.000" in lines[2] and "12.2" in lines[3]


def test_missing_corpus_is_skipped_cleanly(tmp_path, capsys):
    assert main([str(tmp_path / "absent"), "--sample", SAMPLE]) == 0
    out = capsys.readouterr().out
    assert "skipped" in out and "labelled sample stories" in out


def test_trafilatura_news_table_on_a_written_page(tmp_path):
    (tmp_path / "html").mkdir()
    paras = "".join(f"<p>Paragraph {n} of the story about the harbour strike, which ended on "
                    f"Tuesday after talks.</p>" for n in range(6))
    (tmp_path / "html" / "p.html").write_text(
        "<html lang='en'><head><title>Strike ends | Planet</title>"
        "<meta property='article:published_time' content='2024-05-02T10:00:00+02:00'></head>"
        f"<body><nav>Subscribe now</nav><article><h1>Strike ends</h1>{paras}</article></body></html>")
    (tmp_path / "evaldata_news_subset.json").write_text(json.dumps({"http://x.example/p": {
        "file": "p.html", "with": ["Paragraph 3 of the story"], "without": ["Subscribe now"],
        "title": "Strike ends", "author": "", "date": "2024-05-02"}}))
    rows = trafilatura_news(tmp_path)["rows"]
    assert set(rows) == {"newspaper3k", "trafilatura", "dyad"}
    assert rows["dyad"]["with recall"] == 1.0 and rows["dyad"]["without rejection"] == 1.0
    assert rows["dyad"]["title exact"] == 1.0 and rows["dyad"]["date (day)"] == 1.0


@pytest.mark.e2e
def test_dyad_beats_both_baselines_on_the_corpus():
    root = Path(CORPUS) / "articles" / "trafilatura-news"
    if not root.is_dir():
        pytest.skip("../shared/corpus is absent")
    rows = trafilatura_news(root)["rows"]
    for metric in ("with recall", "without rejection", "date (day)", "title exact"):
        assert rows["dyad"][metric] > max(rows["newspaper3k"][metric], rows["trafilatura"][metric])
    assert rows["dyad"]["date (day)"] >= 0.9 and rows["dyad"]["title exact"] >= 0.9


REUTERS_SGML = """<REUTERS NEWID="1"><DATE>26-FEB-1987</DATE><TOPICS></TOPICS>
<PLACES><D>usa</D><D>japan</D></PLACES><TEXT><TITLE>JAPAN AND U.S. AGREE ON CHIP TRADE</TITLE>
<DATELINE>    WASHINGTON, Feb 26 - </DATELINE><BODY>Japan and the United States agreed on
semiconductor trade &lt;rules&gt;, officials in Tokyo and Washington said.
 Reuter
&#3;</BODY></TEXT></REUTERS>
<REUTERS NEWID="2"><PLACES><D>usa</D></PLACES><TEXT><TITLE>ACME CORP &lt;ACM&gt; 4TH QTR NET</TITLE>
<DATELINE>    TROY, Mich., March 3 - </DATELINE><BODY>Shr 10 cts vs 8 cts
 Reuter
&#3;</BODY></TEXT></REUTERS>
<REUTERS NEWID="3"><PLACES><D>ussr</D></PLACES><TEXT type="BRIEF"><TITLE>NO BODY</TITLE></TEXT></REUTERS>
"""


def test_reuters_stories_and_table_on_written_sgml(tmp_path):
    (tmp_path / "reut2-000.sgm").write_text(REUTERS_SGML, encoding="latin-1")
    stories = reuters_stories(tmp_path)
    assert [s["places"] for s in stories] == [["USA", "JPN"], ["USA"]]
    assert stories[0]["text"].startswith("WASHINGTON, Feb 26 - Japan") and "<rules>" in stories[0]["text"]
    rows = reuters_table(tmp_path)["rows"]["dyad"]
    assert rows == {"pair exact": 1.0, "pair >=1 right": 1.0, "single top-1": 1.0}
    assert reuters_code("west-germany") == "DEU" and reuters_code("new-zealand") == "NZL"


def test_bbc_table_on_written_stories(tmp_path):
    for label, title, body in (("sport", "Arsenal win derby", "Arsenal beat Spurs 2-1 with a late "
                                "goal from the striker; the manager praised the squad."),
                               ("tech", "New console unveiled", "The games console and its "
                                "software reach shops; gamers queued for the handheld.")):
        (tmp_path / label).mkdir()
        (tmp_path / label / "001.txt").write_text(f"{title}\n\n{body}\n", encoding="utf-8")
    (tmp_path / "sport" / "002.txt").write_bytes("Málaga draw\n\nThe league match ended in a draw.".encode("latin-1"))
    table = bbc_table(tmp_path)
    assert table["rows"]["dyad"]["accuracy"] == 1.0 and "3 stories" in table["title"]


@pytest.mark.e2e
def test_classification_meets_its_targets_on_the_corpus():
    reuters = Path(CORPUS) / "countries" / "reuters21578-dev"
    bbc = Path(CORPUS) / "topics" / "bbc" / "bbc"
    if not (reuters.is_dir() and bbc.is_dir()):
        pytest.skip("../shared/corpus is absent")
    rows = reuters_table(reuters)["rows"]["dyad"]
    assert rows["pair exact"] >= 0.88 and rows["pair >=1 right"] >= 0.99 and rows["single top-1"] >= 0.93
    assert bbc_table(bbc)["rows"]["dyad"]["accuracy"] >= 0.93
