"""`make bench` on a tiny corpus: the harness runs end to end and reports every figure."""
import subprocess
import sys

import pytest

from dyad.benchmark.corpus import Corpus

pytestmark = pytest.mark.e2e


def test_corpus_pages_are_news_sized_and_deterministic():
    a, b = Corpus(40, 4, seed=3), Corpus(40, 4, seed=3)
    sizes = [len(page) for page in a.pages.values()]
    assert a.pages == b.pages and min(sizes) >= 30_000 and max(sizes) <= 80_000
    assert a.feed(0, "http://127.0.0.1:1").count(b"<item>") == 10


def test_bench_reports_every_figure():
    out = subprocess.run([sys.executable, "-W", "ignore", "-m", "dyad.benchmark", "--articles",
                          "40", "--feeds", "4", "--latency", "0.01", "--naive-sample", "5",
                          "--cpu-sample", "5", "--big", "60"],
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "naive loop" in out.stdout and "stories/s" in out.stdout
    assert "dyad ingest as a user runs it (one process" in out.stdout   # how it chose to run
    assert "; DuckDB): 40 stories" in out.stdout
    assert out.stdout.count("peak memory of all its processes together") == 3
    stages = out.stdout.split("CPU per article (ms, one core): ", 1)[1]
    for stage in ("fetch", "parse", "classify", "write", "newspaper3k parse", "Beam"):
        assert stage in stages
    assert "dyad ingest of 60 stories" in out.stdout
    # the backfill: the 40 pages archived twice, under distinct URLs
    assert "dyad backfill of a WARC of 80 pages" in out.stdout
    assert "): 80 stories in" in out.stdout and "per CPU second" in out.stdout


def test_tree_memory_sums_a_process_and_its_children():
    import time

    from dyad.benchmark.__main__ import TreeMemory
    # A parent holding 60 MB that starts a child holding 80 MB: the peak counts both.
    child = "b = bytearray(80 * 2**20); import time; time.sleep(1.5)"
    parent = (f"import subprocess, sys; a = bytearray(60 * 2**20); "
              f"subprocess.run([sys.executable, '-c', {child!r}])")
    process = subprocess.Popen([sys.executable, "-c", parent])
    memory = TreeMemory(process.pid)
    process.wait(timeout=30)
    time.sleep(0.2)
    memory.stop()
    assert memory.peak > 140 * 2**20
    assert 140 * 2**20 < memory.peak_pss <= memory.peak
