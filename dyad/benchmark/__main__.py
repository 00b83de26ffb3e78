"""`make bench`: dyad against the loop a user would write, on a generated corpus served on loopback.

    python -m dyad.benchmark [--articles 2000] [--feeds 20] [--latency 0.1] [--naive-sample 300]
                             [--cpu-sample 300] [--big 10000]

1. The naive loop: feedparser, then newspaper3k download() and parse() per entry, one at a time,
   over the first --naive-sample entries (its rate does not change with more).
2. `dyad ingest` as the README runs it (no runner flags: it picks its own parallelism), into
   DuckDB, over every article (a subprocess: its wall time includes start-up; its CPU and peak
   memory (PSS and RSS) are summed over its processes, memory sampled every 0.1 s).
3. CPU per article of each stage (fetch, parse, classify, write) on one core beside newspaper3k's
   parse() alone; what the whole run spent per story beyond them is Beam's and start-up's.
4. Peak memory of a `dyad ingest` of --big stories (0 to skip).
5. `dyad backfill` of a gzipped WARC of the corpus's pages, --warc-copies times over (the default
   makes it over 200 MB uncompressed pages; 0 to skip): pages per second and per core (no network:
   it is bound by CPU), and peak memory.
Every server answers before anything is timed.
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


def dyad_backfill(warc: str, folder: str) -> dict:
    """`dyad backfill` of one WARC file, as dyad_run measures an ingest."""
    return _measured([*_dyad("backfill"), "--warc", warc, "--warehouse",
                      f"duckdb:{os.path.join(folder, 'backfill')}.duckdb"])


def _dyad(command: str) -> list[str]:
    return [os.path.join(os.path.dirname(sys.executable), "dyad"), command]


def dyad_run(feed_urls: list[str], folder: str, name: str) -> dict:
    """`dyad ingest` as the README tells a user to run it (no runner flags), in a subprocess:
    stories written, wall seconds, CPU seconds of all its processes, peak PSS and RSS (MB) summed
    over them, and how it chose to run (the summary says)."""
    feeds = os.path.join(folder, f"{name}.yaml")
    with open(feeds, "w", encoding="utf-8") as f:
        f.write("feeds:\n" + "".join(f"  - url: {url}\n" for url in feed_urls))
    return _measured([*_dyad("ingest"), "--feeds", feeds, "--warehouse",
                      f"duckdb:{os.path.join(folder, name)}.duckdb",
                      "--allow-network", "127.0.0.1/32"])


def _measured(command: list[str]) -> dict:
    start = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True)
    memory = TreeMemory(process.pid)
    out = process.stdout.read()
    # The launcher waits for its worker processes, so its usage includes theirs.
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.monotonic() - start
    memory.stop()
    if status:
        raise RuntimeError(f"{' '.join(command[:2])} failed ({status}): {out[-500:]}")
    written = int(out.split("stories written: ", 1)[1].split()[0])
    how = out.split("ran as: ", 1)[1].split("\n", 1)[0] if "ran as: " in out else "?"
    return {"stories": written, "seconds": seconds, "cpu": usage.ru_utime + usage.ru_stime,
            "rss_mb": memory.peak / 2**20, "pss_mb": memory.peak_pss / 2**20, "how": how}


class TreeMemory:
    """The peaks of the summed RSS and PSS of a process and its descendants, sampled every 0.1 s.

    RSS counts a page shared by several processes (a forked process's copy-on-write inheritance)
    in each of them; PSS divides it among them, so their sum is the memory they take together.
    """

    def __init__(self, pid: int):
        import psutil
        self.root = psutil.Process(pid)
        self.peak = 0
        self.peak_pss = 0
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
            rss = pss = 0
            for p in processes:
                try:
                    rss += p.memory_info().rss
                    pss += _pss(p.pid)
                except (psutil.Error, OSError):
                    pass  # a worker that has just exited
            self.peak = max(self.peak, rss)
            self.peak_pss = max(self.peak_pss, pss)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def _pss(pid: int) -> int:
    """Bytes of proportional set size (Linux's /proc/PID/smaps_rollup)."""
    with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as f:
        for line in f:
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    return 0


def cpu_by_stage(served: Served, sample: int, folder: str) -> dict[str, float]:
    """CPU ms per article of each of dyad's stages, on one core, through the functions the stages
    call: fetch (over loopback), parse, classify, write (DuckDB, in batches of 500); and, for the
    comparison, newspaper3k's parse() of the same pages."""
    import datetime as dt

    from dyad.classify import warm_up
    from dyad.evaluation.extraction import run_newspaper3k
    from dyad.feeds import parse_feed
    from dyad.net.http import Fetcher, FetchPolicy
    from dyad.records import FeedEntry, FeedSpec
    from dyad.transforms.classify import story_row
    from dyad.transforms.fetch import fetch_page
    from dyad.transforms.parse import parse_page
    from dyad.transforms.read_feeds import fetch_feed
    from dyad.transforms.sinks.duckdb import write_batch
    warm_up()
    fetcher = Fetcher(FetchPolicy(allowed_networks=("127.0.0.1/32",)))
    now = dt.datetime.now(dt.timezone.utc)
    entries = []
    for url in served.feed_urls():
        entries += [e for e in parse_feed(fetch_feed(fetcher, FeedSpec(url)), now)
                    if isinstance(e, FeedEntry)]
    entries = entries[:sample]
    clock = {}

    def timed(stage, work, items):
        start = time.process_time()
        out = [work(item) for item in items]
        clock[stage] = (time.process_time() - start) * 1000 / len(items)
        return out

    pages = timed("fetch", lambda e: fetch_page(fetcher, e), entries)
    articles = timed("parse", lambda p: parse_page(p)[0], pages)
    rows = timed("classify", lambda a: story_row(a, "bench", now), articles)
    path = os.path.join(folder, "stages.duckdb")
    batches = [rows[i:i + 500] for i in range(0, len(rows), 500)]
    timed("write", lambda b: write_batch(path, [("stories", r) for r in b], "bench"), batches)
    clock["write"] *= len(batches) / len(rows)
    run_newspaper3k(pages[0].entry.url, pages[0].body.decode())  # its imports, outside the clock
    timed("newspaper3k parse", lambda p: run_newspaper3k(p.entry.url, p.body.decode()), pages)
    return clock


def _memory(run: dict) -> str:
    return (f"peak memory of all its processes together {run['pss_mb']:.0f} MB (PSS; summed RSS "
            f"{run['rss_mb']:.0f} MB counts their shared pages once per process)")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m dyad.benchmark", description=__doc__.split("\n")[0])
    p.add_argument("--articles", type=int, default=2000, help="Articles (default 2000).")
    p.add_argument("--feeds", type=int, default=20, help="Feeds, one host each (default 20).")
    p.add_argument("--latency", type=float, default=0.1,
                   help="Seconds before each response (default 0.1).")
    p.add_argument("--naive-sample", type=int, default=300,
                   help="Articles the naive loop fetches (default 300).")
    p.add_argument("--cpu-sample", type=int, default=300, help="Pages timed for CPU (default 300).")
    p.add_argument("--big", type=int, default=10000,
                   help="Stories in the peak-memory run (default 10000; 0 skips it).")
    p.add_argument("--warc-copies", type=int, default=2,
                   help="Times the corpus's pages are archived in the backfill's WARC (default 2: "
                        "4,000 pages, over 200 MB; 0 skips it).")
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
        web.wait_until_serving()
        n, seconds = naive_loop(web, args.naive_sample)
        naive = n / seconds
        print(f"naive loop (feedparser + newspaper3k, sequential): {n} stories in {seconds:.1f} s "
              f"= {naive:.1f} stories/s", flush=True)
        run = dyad_run(web.feed_urls(), folder, "bench")
        rate = run["stories"] / run["seconds"]
        print(f"dyad ingest as a user runs it ({run['how']}; DuckDB): {run['stories']} stories "
              f"in {run['seconds']:.1f} s = {rate:.1f} stories/s, {rate / naive:.1f}x the naive "
              f"loop; {_memory(run)}", flush=True)
        stages = cpu_by_stage(web, min(args.cpu_sample, args.articles), folder)
    total = 1000 * run["cpu"] / run["stories"]
    own = sum(ms for stage, ms in stages.items() if stage != "newspaper3k parse")
    print("CPU per article (ms, one core): " + ", ".join(
        f"{stage} {ms:.1f}" for stage, ms in stages.items()) + f"; parse + classify "
        f"{stages['parse'] + stages['classify']:.1f}. The whole run: {total:.1f} per story, of "
        f"which Beam, start-up and the rest {total - own:.1f}", flush=True)
    if args.big:
        big = Corpus(args.big, args.feeds, seed=11)
        with tempfile.TemporaryDirectory(prefix="dyad-bench-") as folder, Served(big, 0.0) as web:
            web.wait_until_serving()
            run = dyad_run(web.feed_urls(), folder, "big")
        print(f"dyad ingest of {run['stories']} stories ({run['how']}): {run['seconds']:.1f} s, "
              f"{_memory(run)}", flush=True)
    if args.warc_copies:
        from dyad.benchmark.corpus import write_warc
        with tempfile.TemporaryDirectory(prefix="dyad-bench-") as folder:
            warc = os.path.join(folder, "pages.warc.gz")
            size = write_warc(corpus, warc, args.warc_copies)
            pages = args.warc_copies * args.articles
            run = dyad_backfill(warc, folder)
        print(f"dyad backfill of a WARC of {pages} pages ({sum(sizes) * args.warc_copies / 2**20:.0f} "
              f"MB of HTML, {size / 2**20:.0f} MB gzipped): {run['stories']} stories in "
              f"{run['seconds']:.1f} s = {run['stories'] / run['seconds']:.1f} pages/s, "
              f"{run['stories'] / run['cpu']:.1f} per CPU second; {_memory(run)}", flush=True)
    print(f"bench took {time.monotonic() - began:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
