"""The `dyad` command as a user runs it (a real subprocess)."""
import json
import os
import subprocess
import sys

import pytest

from tests.conftest import REPO, SEED, needs

DYAD = os.path.join(os.path.dirname(sys.executable), "dyad")


def dyad(*args, stdin=None, env=None):
    """Run `dyad`; the environment is this one without a BigQuery emulator, plus `env`."""
    base = {k: v for k, v in os.environ.items() if k != "BIGQUERY_EMULATOR_HOST"}
    return subprocess.run([DYAD, *args], input=stdin, capture_output=True, text=True, timeout=300,
                          cwd=REPO, env={**base, **(env or {})})


@needs(SEED)
def test_classify_seed_file():
    out = dyad("classify", SEED)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["country_pair"] == "CHN-RUS" and result["topic"] == "defence"
    assert result["iptc"] == "medtop:11000000" and result["topics"][1]["label"] == "diplomacy"


def test_classify_jsonl_text_and_html():
    lines = [{"id": 1, "title": "India and Pakistan hold talks", "text": "Diplomats from India and "
              "Pakistan met for bilateral talks."},
             {"id": "h", "url": "http://example.com/a", "html": "<html><body><article><h1>Japan "
              "launches probe</h1>" + "".join(
                 f"<p>Japan's space agency launched rocket number {n} with a lunar probe from "
                 "Tanegashima on Tuesday, scientists said.</p>" for n in range(4))
              + "</article></body></html>"}]
    out = dyad("classify", "--jsonl", stdin="\n".join(json.dumps(x) for x in lines) + "\n")
    assert out.returncode == 0, out.stderr
    results = [json.loads(x) for x in out.stdout.splitlines()]
    assert [r["id"] for r in results] == [1, "h"]
    assert results[0]["country_pair"] == "IND-PAK" and results[0]["topic"] == "diplomacy"
    assert results[1]["country_focus"] == "JPN" and results[1]["country_pair"] is None
    assert set(results[0]) == {"id", "language", "topic", "topic_score", "iptc", "topics",
                               "countries", "country_focus", "country_pair", "country_a",
                               "country_b", "relation"}
    relation = results[0]["relation"]  # "India and Pakistan hold talks": they act together
    assert (relation["event"], relation["quad_class"]) == ("CONSULT", "verbal_cooperation")
    assert {relation["source"], relation["target"]} == {"IND", "PAK"}
    assert results[1]["relation"] is None


def test_classify_jsonl_resolves_people_on_published_at():
    lines = [{"id": "then", "title": "Baker meets Japanese finance chief",
              "text": "Treasury Secretary James Baker met Japan's finance minister.",
              "published_at": "1987-03-02T10:00:00Z"},
             {"id": "bad", "title": "x", "text": "y", "published_at": "last Tuesday"}]
    out = dyad("classify", "--jsonl", stdin=json.dumps(lines[0]) + "\n")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["country_pair"] == "JPN-USA"
    out = dyad("classify", "--jsonl", stdin=json.dumps(lines[1]) + "\n")
    assert out.returncode == 2 and "published_at 'last Tuesday'" in out.stderr


def test_parse_jsonl():
    html = ("<html><head><meta property='article:published_time' content='2026-11-20T06:30:00Z'>"
            "<meta name='author' content='Jane Roe'><title>Drills</title></head><body><article>"
            "<h1>Drills</h1>" + "".join(f"<p>Paragraph {i}: China and Russia began naval drills "
                                        f"near Vladivostok, officials said on day {i} of the "
                                        f"exercise.</p>" for i in range(5))
            + "</article></body></html>")
    out = dyad("parse", "--jsonl", stdin=json.dumps({"id": 7, "url": "http://example.com/x",
                                                     "html": html}) + "\n")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["id"] == 7 and result["title"] == "Drills" and "naval drills" in result["text"]
    assert result["authors"] == ["Jane Roe"] and result["published_at"].startswith("2026-11-20")
    assert result["extraction"] in ("trafilatura", "trafilatura-precision", "readability")
    assert result["provenance"]["published_at"] in ("meta", "json-ld") and \
        result["provenance"]["title"] == "title"


def test_bad_jsonl_is_a_one_line_error():
    out = dyad("classify", "--jsonl", stdin="not json\n")
    assert out.returncode == 2 and "line 1 is not JSON" in out.stderr and "Traceback" not in out.stderr


@pytest.mark.parametrize("args, message", [
    (["--feeds", "nope.yaml"], "no such file"),
    ([], "--feeds FILE is required"),
    (["--feeds", "{feeds}", "--warehouse", "sqlite:x"], "not understood"),
    (["--feeds", "{feeds}", "--warehouse", "duckdb:Makefile/x.duckdb"], "not writable"),
    (["--feeds", "{feeds}", "--allow-network", "banana"], "not a network"),
    (["--feeds", "{feeds}", "--warehouse", "bigquery:news"], "expected PROJECT.DATASET"),
    (["--feeds", "{feeds}", "--warehouse", "bigquery:my-project.bad-name"], "not a dataset name"),
    (["--feeds", "{feeds}", "--warehouse", "bigquery:my-project.news"],
     "needs --temp_location gs://BUCKET/PATH"),
    (["--feeds", "{feeds}", "--warehouse", "bigquery:my-project.news", "--temp_location",
      "/tmp/x"], "needs --temp_location gs://BUCKET/PATH"),
    (["--feeds", "{feeds}", "--warehouse", "bigquery:my-project.news", "--bigquery-method",
      "STREAMING_INSERTS"], "no Google credentials found"),
    (["--feeds", "{feeds}", "--warehouse", "bigquery:my-project.news", "--bigquery-method",
      "STREAMING_INSERTS", "--emulator"], "cannot reach BigQuery at http://127.0.0.1:9"),
    (["--feeds", "{feeds}", "--alow-network", "127.0.0.1/32"],
     "unknown option --alow-network; did you mean --allow-network?"),
    (["--feeds", "{feeds}", "--frobnicate", "3"], "unknown option --frobnicate (--help lists"),
    (["--feeds", "{feeds}", "stray"], "unexpected argument 'stray'"),
])
def test_ingest_option_errors_are_one_line(args, message, tmp_path):
    feeds = tmp_path / "feeds.yaml"  # loopback only: nothing here may reach the outside network
    feeds.write_text("feeds:\n  - url: http://127.0.0.1:9/feed.xml\n")
    # No credentials anywhere, and no probe of a metadata server: nothing may leave the machine.
    env = {"HOME": str(tmp_path), "CLOUDSDK_CONFIG": str(tmp_path), "NO_GCE_CHECK": "True",
           "GOOGLE_APPLICATION_CREDENTIALS": str(tmp_path / "no-key.json")}
    if "--emulator" in args:
        args = [a for a in args if a != "--emulator"]
        env["BIGQUERY_EMULATOR_HOST"] = "http://127.0.0.1:9"  # nothing listens on port 9
    out = dyad("ingest", *[a.format(feeds=feeds) for a in args], env=env)
    assert out.returncode == 2
    assert message in out.stderr and "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_ingest_malformed_feed_list(tmp_path):
    bad = tmp_path / "f.yaml"
    bad.write_text("feeds: [")
    out = dyad("ingest", "--feeds", str(bad), "--warehouse", f"duckdb:{tmp_path}/w.duckdb")
    assert out.returncode == 2 and "not valid YAML" in out.stderr and "Traceback" not in out.stderr


def test_progress_line_renders_counts():
    from dyad import progress
    progress.reset()
    progress.set_value("feeds_total", 7)
    progress.bump("feeds_done", 3)
    progress.bump("stories_written", 12)
    assert progress.render(progress.snapshot()) == "feeds 3/7 · stories written 12 · errors 0"


@pytest.mark.parametrize("args, message", [
    (["--feeds", "nope.yaml"], "dyad stream: --feeds 'nope.yaml': no such file"),
    (["--feeds", "{feeds}", "--poll-interval", "0"], "--poll-interval must be at least 1 second"),
    (["--feeds", "{feeds}", "--duration", "-5"], "--duration cannot be negative"),
    (["--feeds", "{feeds}", "--poll-intervall", "5"],
     "unknown option --poll-intervall; did you mean --poll-interval?"),
])
def test_stream_option_errors_are_one_line(args, message, tmp_path):
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text("feeds:\n  - url: http://127.0.0.1:9/feed.xml\n")
    out = dyad("stream", *[a.format(feeds=feeds) for a in args])
    assert out.returncode == 2 and message in out.stderr and "Traceback" not in out.stderr


def test_an_ingest_prints_no_beam_warning(sample_sites, tmp_path):
    feed_list = sample_sites.write_feed_list(str(tmp_path / "feeds.yaml"))
    out = dyad("ingest", "--feeds", feed_list, "--warehouse", f"duckdb:{tmp_path}/w.duckdb",
               "--allow-network", "127.0.0.1/32")
    assert out.returncode == 0, out.stderr
    assert "stories written: 44" in out.stdout and "same-story clusters: 39 " in out.stdout
    assert "WARNING" not in out.stderr and "Discarding" not in out.stderr, out.stderr


def test_options_of_beam_and_its_runners_pass():
    from dyad.options import refuse_unknown
    refuse_unknown(["--feeds", "f.yaml", "--runner", "DataflowRunner", "--project", "p",
                    "--temp_location", "gs://b/t", "--region=europe-west1", "--direct_num_workers",
                    "2", "--direct_running_mode", "multi_processing", "--flink_master", "h:8081",
                    "--experiments", "use_runner_v2", "--poll_interval", "60", "--allow-network",
                    "127.0.0.1/32"])


def test_stream_help_names_its_options():
    out = dyad("stream", "--help")
    assert out.returncode == 0
    assert all(option in out.stdout for option in ("--poll-interval", "--duration",
                                                   "--dedupe-ttl-hours"))
