"""`make bench`: dyad against the loop a user would write, on a generated corpus served on loopback.

    python -m dyad.benchmark [--articles 2000] [--feeds 20] [--latency 0.1] [--naive-sample 300]
                             [--cpu-sample 300] [--big 10000]

1. The naive loop: feedparser, then newspaper3k download() and parse() per entry, one at a time,
   over the first --naive-sample entries (its rate does not change with more).
2. `dyad ingest` on the DirectRunner into DuckDB over every article (a subprocess: its wall time
   includes start-up; its peak RSS is summed over its processes, sampled every 0.1 s).
3. CPU per article on the same pages, one core: dyad's extract + classify beside newspaper3k's
   parse() alone.
4. Peak RSS of a `dyad ingest` of --big stories (0 to skip).
"""
from __future__ import annotations

import argparse
import logging
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time

from dyad.benchmark.corpus import Corpus, Served

log = logging.getLogger(__name__)


def naive_loop(served: Served, sample: int) -> tuple[int, float]:
    """Stories per second of the sequential loop; returns (stories, seconds)."""
    import feedparser
    from newspaper import Article, Config
    config = Config()
    config.fetch_images = False
    config.memoize_articles = False
    done, start = 0, time.monotonic()
    for url in served.feed_urls():
        for entry in feedparser.parse(url).entries:
            if done >= sample:
                return done, time.monotonic() - start
            article = Article(entry.link, config=config)
            article.download()
            article.parse()
            done += 1
    return done, time.monotonic() - start


def dyad_run(feed_urls: list[str], folder: str, name: str, workers: int) -> dict:
    """`dyad ingest` in a subprocess: stories written, wall seconds, peak RSS (MB) summed over the
    launcher and its worker processes."""
    feeds = os.path.join(folder, f"{name}.yaml")
    with open(feeds, "w", encoding="utf-8") as f:
        f.write("feeds:\n" + "".join(f"  - url: {url}\n" for url in feed_urls))
    dyad = os.path.join(os.path.dirname(sys.executable), "dyad")
    start = time.monotonic()
    process = subprocess.Popen([dyad, "ingest", "--feeds", feeds, "--warehouse",
                                f"duckdb:{os.path.join(folder, name)}.duckdb",
                                "--allow-network", "127.0.0.1/32", *_workers(workers)],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    memory = TreeMemory(process.pid)
    out = process.stdout.read()
    _pid, status, _usage = os.wait4(process.pid, 0)
    seconds = time.monotonic() - start
    memory.stop()
    if status:
        raise RuntimeError(f"dyad ingest failed ({status}): {out[-500:]}")
    written = int(out.split("stories written: ", 1)[1].split()[0])
    return {"stories": written, "seconds": seconds, "rss_mb": memory.peak / 2**20}


class TreeMemory:
    """The peak of the summed RSS of a process and its descendants, sampled every 0.1 s."""

    def __init__(self, pid: int):
        import psutil
        self.root = psutil.Process(pid)
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        import psutil
        while not self._stop.wait(0.1):
            try:
                processes = [self.root, *self.root.children(recursive=True)]
            except psutil.Error:
                continue
            total = 0
            for p in processes:
                try:
                    total += p.memory_info().rss
                except psutil.Error:
                    pass  # a worker that has just exited
            self.peak = max(self.peak, total)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def _workers(workers: int) -> list[str]:
    if workers <= 1:
        return []
    return ["--direct_running_mode=multi_processing", f"--direct_num_workers={workers}"]


def cpu_per_article(corpus: Corpus, sample: int) -> tuple[float, float]:
    """(dyad extract + classify, newspaper3k parse) CPU ms per article, on one core."""
    from dyad.classify import classify, warm_up
    from dyad.evaluation.extraction import run_newspaper3k
    from dyad.extract import extract
    warm_up()
    pages = [(f"http://127.0.0.1/news/{i}.html", corpus.pages[i].decode()) for i in range(sample)]
    run_newspaper3k(*pages[0])  # its imports, outside the clock
    start = time.process_time()
    for url, html in pages:
        fields = extract(url, html)
        classify(fields["title"], fields["text"], fields.get("lead", ""))
    dyad_ms = (time.process_time() - start) * 1000 / len(pages)
    start = time.process_time()
    for url, html in pages:
        run_newspaper3k(url, html)
    return dyad_ms, (time.process_time() - start) * 1000 / len(pages)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m dyad.benchmark", description=__doc__.split("\n")[0])
    p.add_argument("--articles", type=int, default=2000, help="Articles (default 2000).")
    p.add_argument("--feeds", type=int, default=20, help="Feeds, one host each (default 20).")
    p.add_argument("--latency", type=float, default=0.1,
                   help="Seconds before each response (default 0.1).")
    p.add_argument("--naive-sample", type=int, default=300,
                   help="Articles the naive loop fetches (default 300).")
    p.add_argument("--cpu-sample", type=int, default=300, help="Pages timed for CPU (default 300).")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                   help="DirectRunner worker processes for dyad (default: one per core).")
    p.add_argument("--big", type=int, default=10000,
                   help="Stories in the peak-memory run (default 10000; 0 skips it).")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    began = time.monotonic()
    corpus = Corpus(args.articles, args.feeds)
    sizes = sorted(len(page) for page in corpus.pages.values())
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}; {args.articles} articles in {args.feeds} feeds, pages "
          f"{sizes[0] // 1024}-{sizes[-1] // 1024} KB, {args.latency * 1000:.0f} ms latency",
          flush=True)
    with tempfile.TemporaryDirectory(prefix="dyad-bench-") as folder, Served(corpus,
                                                                              args.latency) as web:
        n, seconds = naive_loop(web, args.naive_sample)
        naive = n / seconds
        print(f"naive loop (feedparser + newspaper3k, sequential): {n} stories in {seconds:.1f} s "
              f"= {naive:.1f} stories/s", flush=True)
        run = dyad_run(web.feed_urls(), folder, "bench", args.workers)
        rate = run["stories"] / run["seconds"]
        print(f"dyad ingest (DirectRunner, {args.workers} worker process(es), DuckDB): "
              f"{run['stories']} stories in "
              f"{run['seconds']:.1f} s = {rate:.1f} stories/s, {rate / naive:.1f}x the naive "
              f"loop; peak RSS {run['rss_mb']:.0f} MB (all its processes)", flush=True)
    dyad_ms, np_ms = cpu_per_article(corpus, min(args.cpu_sample, args.articles))
    print(f"CPU per article, one core: dyad extract + classify {dyad_ms:.1f} ms; newspaper3k "
          f"parse alone {np_ms:.1f} ms", flush=True)
    if args.big:
        big = Corpus(args.big, args.feeds, seed=11)
        with tempfile.TemporaryDirectory(prefix="dyad-bench-") as folder, Served(big, 0.0) as web:
            run = dyad_run(web.feed_urls(), folder, "big", args.workers)
        print(f"dyad ingest of {run['stories']} stories: {run['seconds']:.1f} s, peak RSS "
              f"{run['rss_mb']:.0f} MB (all its processes)", flush=True)
    print(f"bench took {time.monotonic() - began:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
