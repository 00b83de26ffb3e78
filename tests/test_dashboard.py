"""The dashboard: its queries on a real DuckDB file, and the page in headless Chromium."""
import datetime as dt
import os
import shutil
import subprocess
import sys
import threading

import pytest

from dyad.dashboard.data import Filters
from dyad.dashboard.server import open_warehouse, serve
from dyad.pipelines import batch
from dyad.transforms.sinks.duckdb import write_batch
from tests.conftest import REPO, RUN_ID, story

ARTIFACTS = os.path.join(REPO, "artifacts")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run",
                  "--hide-scrollbars", "--window-size=1280,1700"]
DAY = dt.timedelta(days=1)
END = dt.datetime(2026, 11, 20, 12, tzinfo=dt.timezone.utc)


def test_filters_from_a_query_string():
    f = Filters.from_query({"start": ["2026-11-01"], "end": ["not a date"], "pair": ["chn-rus"],
                            "topic": ["Defence"], "country": [" irn "]})
    assert (f.start, f.end, f.pair, f.topic, f.country) == (dt.date(2026, 11, 1), None,
                                                            "CHN-RUS", "defence", "IRN")


def test_panels_on_a_duckdb_file(tmp_path):
    db = str(tmp_path / "w.duckdb")
    rows = [story(i, published_at=END - i * DAY, source=f"o{i % 2}.com") for i in range(10)]
    rows += [story(30, published_at=END - 2 * DAY, cluster_id="id2")]   # a copy of story 2
    rows += [story(20, published_at=END, country_pair="IRN-ISR", topic="armed_conflict",
                   title="Iran <script>", url="javascript:alert(1)")]
    write_batch(db, [("stories", r) for r in rows], RUN_ID)
    warehouse = open_warehouse(f"duckdb:{db}")
    filters = warehouse.with_dates(Filters())
    assert (filters.start, filters.end) == (END.date() - 29 * DAY, END.date())
    top = {r["country_pair"]: (r["this_week"], r["last_week"]) for r in warehouse.top_pairs(filters)}
    assert top == {"CHN-RUS": (8, 3), "IRN-ISR": (1, 0)}
    assert {r["country_pair"]: r["clusters"] for r in warehouse.top_pairs(filters)} == \
        {"CHN-RUS": 7, "IRN-ISR": 1}
    one_outlet = Filters(start=filters.start, end=filters.end, outlet="o1.com")
    assert sum(r["stories"] for r in warehouse.daily(one_outlet)) == 5
    assert [r["title"] for r in warehouse.recent(Filters(start=filters.start, end=filters.end,
                                                         country="IRN"))] == ["Iran <script>"]
    from dyad.dashboard.page import render
    page = render(warehouse, Filters())
    assert "Iran &lt;script&gt;" in page and "javascript:" not in page
    assert "Choose a pair to see how it leans" in page


def test_the_relations_panel_plots_a_chosen_pairs_days(tmp_path):
    db = str(tmp_path / "r.duckdb")

    def related(i, quad, score):
        return story(i, published_at=END - (i % 3) * DAY, relation={
            "event": "X", "quad_class": quad, "score": score, "source": "CHN", "target": "RUS",
            "confidence": 0.8, "evidence": "s"})
    write_batch(db, [("stories", related(1, "verbal_cooperation", 4.0)),
                     ("stories", related(4, "material_conflict", -9.0)),
                     ("stories", related(2, "verbal_cooperation", 1.0)),
                     ("stories", story(3, published_at=END))], RUN_ID)
    warehouse = open_warehouse(f"duckdb:{db}")
    filters = warehouse.with_dates(Filters(pair="CHN-RUS"))
    days = {str(r["date"]): (r["stories"], r["related"], r["mean_score"])
            for r in warehouse.relations(filters)}
    assert days == {str(END.date()): (1, 0, None), str((END - DAY).date()): (2, 2, -2.5),
                    str((END - 2 * DAY).date()): (1, 1, 1.0)}
    assert warehouse.relations(warehouse.with_dates(Filters())) == []
    from dyad.dashboard.page import render
    page = render(warehouse, Filters(pair="CHN-RUS"))
    assert "Cooperation and conflict: CHN-RUS" in page and "id='relations-chart'><svg" in page
    empty = render(warehouse, Filters(pair="IRN-ISR"))
    assert "No story of this pair has a relation" in empty


def find_chromium() -> str:
    """Debian's chromium; the test set-up installs it (as root, from the package registry)."""
    found = shutil.which("chromium")
    if not found and os.geteuid() == 0 and shutil.which("apt-get"):
        for step in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium"]):
            subprocess.run(step, check=False, capture_output=True, timeout=900)
        found = shutil.which("chromium")
    if not found:
        pytest.skip("no chromium (Debian package `chromium`)")
    return found


@pytest.mark.e2e
def test_dashboard_renders_in_chromium(sample_sites, tmp_path):
    chromium = find_chromium()
    feed_list = sample_sites.write_feed_list(str(tmp_path / "feeds.yaml"))
    db = str(tmp_path / "dyad.duckdb")
    batch.run(["--feeds", feed_list, "--warehouse", f"duckdb:{db}", "--allow-network",
               "127.0.0.1/32"])
    server = serve(open_warehouse(f"duckdb:{db}"), "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    os.makedirs(ARTIFACTS, exist_ok=True)
    screenshot = os.path.join(ARTIFACTS, "dashboard.png")
    browser = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}"]
    try:
        dom = subprocess.run(browser + ["--dump-dom", url], capture_output=True, text=True,
                             timeout=120).stdout
        shot = subprocess.run(browser + [f"--screenshot={screenshot}", url], capture_output=True,
                              text=True, timeout=120)
    finally:
        server.shutdown()
        server.server_close()
    chart = dom.split("<figure id=\"daily-chart\">", 1)[1].split("</figure>", 1)[0]
    assert "<svg" in chart and "stories" in chart
    assert "CHN-RUS" in dom.split("id=\"top-pairs\"", 1)[1]
    assert "China and Russia begin joint naval drills in the Sea of Japan" in dom
    assert shot.returncode == 0 and os.path.getsize(screenshot) > 50_000


def test_a_page_waits_for_a_writer_instead_of_failing(tmp_path):
    db = str(tmp_path / "w.duckdb")
    write_batch(db, [("stories", story(1, published_at=END))], RUN_ID)
    # Another process holds the file for writing, as `dyad stream` does while it writes a batch.
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
         "print('held', flush=True); time.sleep(3); c.close()", db],
        stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    from dyad.dashboard.page import render
    page = render(open_warehouse(f"duckdb:{db}"), Filters())
    holder.wait(timeout=30)
    assert "CHN-RUS" in page
