import datetime as dt
import json
from pathlib import Path

import pytest

from dyad.evaluation.__main__ import format_table, main
from dyad.evaluation.extraction import date_matches, trafilatura_news
from tests.conftest import CORPUS

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
