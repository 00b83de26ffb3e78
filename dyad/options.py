"""dyad's pipeline options (one PipelineOptions subclass) and their early validation."""
from __future__ import annotations

import datetime as dt
import difflib
import os
import tempfile
from dataclasses import dataclass

from apache_beam.options.pipeline_options import (GoogleCloudOptions, PipelineOptions,
                                                  StandardOptions, _BeamArgumentParser)

from dyad.bigquery.client import emulator_host
from dyad.feeds.feedlist import feed_list_exists
from dyad.net.http import FetchPolicy, parse_networks, user_agent
from dyad.transforms.sinks.bigquery import (FILE_LOADS, METHODS, STREAMING_INSERTS,
                                            BigQueryTarget)
from dyad.transforms.sinks.bigquery_tables import Dataset

MB = 1024 * 1024


class OptionsError(ValueError):
    """An option value that cannot work; the message says what to pass instead."""


class DyadOptions(PipelineOptions):
    @classmethod
    def _add_argparse_args(cls, parser):
        parser.add_argument("--feeds", help="Feed list: a YAML file (feeds: [{url, name, country}]) "
                                            "or an OPML file, a path or gs://... Required.")
        parser.add_argument("--warehouse", default="duckdb:data/dyad.duckdb",
                            help="Where rows go: duckdb:PATH or bigquery:PROJECT.DATASET "
                                 "(default duckdb:data/dyad.duckdb).")
        parser.add_argument("--bigquery-location", "--bigquery_location", dest="bigquery_location",
                            default="US", help="Location of a BigQuery dataset dyad creates "
                                               "(default US; e.g. EU, europe-west1).")
        parser.add_argument("--bigquery-method", "--bigquery_method", dest="bigquery_method",
                            default="auto", choices=("auto",) + METHODS,
                            help="How rows reach BigQuery (default auto: FILE_LOADS in batch, "
                                 "which needs --temp_location gs://..., STREAMING_INSERTS when "
                                 "--streaming).")
        parser.add_argument("--allow-network", "--allow_network", dest="allow_network",
                            action="append", default=[],
                            help="CIDR whose private/loopback addresses may be fetched, repeatable "
                                 "(default: none; only public addresses are fetched).")
        parser.add_argument("--connect-timeout", "--connect_timeout", dest="connect_timeout",
                            type=float, default=5.0, help="Seconds to connect (default 5).")
        parser.add_argument("--read-timeout", "--read_timeout", dest="read_timeout", type=float,
                            default=15.0, help="Seconds of silence before a read fails (default 15).")
        parser.add_argument("--total-timeout", "--total_timeout", dest="total_timeout", type=float,
                            default=30.0, help="Seconds one request may take in all (default 30).")
        parser.add_argument("--feed-max-mb", "--feed_max_mb", dest="feed_max_mb", type=float,
                            default=20.0, help="Largest feed body, MB after decompression (default 20).")
        parser.add_argument("--article-max-mb", "--article_max_mb", dest="article_max_mb",
                            type=float, default=5.0,
                            help="Largest article page, MB after decompression (default 5).")
        parser.add_argument("--max-redirects", "--max_redirects", dest="max_redirects", type=int,
                            default=5, help="Redirects followed per request (default 5).")
        parser.add_argument("--retries", type=int, default=2,
                            help="Retries of a 429/5xx or failed connection, with backoff (default 2).")
        parser.add_argument("--fetch-threads", "--fetch_threads", dest="fetch_threads", type=int,
                            default=32, help="Requests in flight per worker, feeds and articles "
                                 "(default 32).")
        parser.add_argument("--per-host", "--per_host", dest="per_host", type=int, default=4,
                            help="Requests in flight to one host per worker (default 4).")
        parser.add_argument("--write-batch-size", "--write_batch_size", dest="write_batch_size",
                            type=int, default=500, help="Rows per warehouse insert (default 500).")
        parser.add_argument("--poll-interval", "--poll_interval", dest="poll_interval", type=float,
                            default=300.0, help="dyad stream: seconds between two polls of a feed "
                                                "(default 300).")
        parser.add_argument("--duration", type=float, default=0.0,
                            help="dyad stream: seconds after the start when polling stops and what "
                                 "was read is drained (the first poll always runs; default 0: "
                                 "run until SIGINT/SIGTERM, or a drain on Dataflow).")
        # Its own name: Beam's SetupOptions has --user_agent (what it tells Google's services),
        # and a view of those options resets a value they share.
        parser.add_argument("--user-agent", dest="http_user_agent", default=None,
                            help="User-Agent sent verbatim on every request, feeds and pages "
                                 "(default: dyad/VERSION, with --contact if given).")
        parser.add_argument("--contact", default=None,
                            help="A URL or e-mail address outlets can reach the deployer at, "
                                 "put into the default User-Agent: dyad/VERSION (+CONTACT) "
                                 "(default: none).")
        parser.add_argument("--ignore-robots", "--ignore_robots", dest="ignore_robots",
                            action="store_true",
                            help="Fetch article pages whatever the host's robots.txt says: for a "
                                 "deployer's own sites only (default: robots.txt is obeyed; the "
                                 "run summary says when it was not).")
        parser.add_argument("--max-crawl-delay", "--max_crawl_delay", dest="max_crawl_delay",
                            type=float, default=10.0,
                            help="Longest Crawl-delay of a robots.txt that is honoured, seconds; "
                                 "a longer one counts as this (default 10).")
        parser.add_argument("--warc", default=None,
                            help="dyad backfill: the web archives to read, a glob of .warc.gz or "
                                 ".warc files, local or gs://... Required for backfill.")
        for name, which in (("since", "on or after"), ("until", "before")):
            parser.add_argument(f"--{name}", default=None,
                                help=f"dyad backfill: only records archived {which} this day "
                                     "(YYYY-MM-DD, UTC, on WARC-Date; default: no limit).")
        parser.add_argument("--sites", default=None,
                            help="dyad backfill: keep only these outlets' pages: a text file of "
                                 "domains, one a line, or a feed list whose feeds' domains are "
                                 "used (default: every site in the archives).")
        parser.add_argument("--dedupe-ttl-hours", "--dedupe_ttl_hours", dest="dedupe_ttl_hours",
                            type=float, default=72.0,
                            help="dyad stream: hours a story is remembered; seen again within them "
                                 "it is only a sighting (default 72).")


@dataclass(frozen=True)
class Settings:
    """Validated plain values the transforms take."""

    feeds: str
    warehouse_kind: str
    warehouse_target: str
    feed_policy: FetchPolicy
    article_policy: FetchPolicy
    fetch_threads: int
    per_host: int
    write_batch_size: int
    bigquery: BigQueryTarget | None = None
    poll_interval: float = 300.0
    duration: float = 0.0
    dedupe_ttl: float = 72 * 3600.0  # seconds
    ignore_robots: bool = False
    max_crawl_delay: float = 10.0   # seconds
    warc: str = ""                  # dyad backfill: the archives' pattern
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    sites: frozenset[str] = frozenset()


def parse_warehouse(spec: str) -> tuple[str, str]:
    kind, _, target = (spec or "").partition(":")
    if kind in ("duckdb", "bigquery") and target:
        return kind, target
    raise OptionsError(f"--warehouse {spec!r} is not understood; use duckdb:PATH (for example "
                       "duckdb:data/dyad.duckdb) or bigquery:PROJECT.DATASET")


def bigquery_target(options: PipelineOptions, target: str) -> BigQueryTarget:
    opts = options.view_as(DyadOptions)
    try:
        dataset = Dataset.parse(target, opts.bigquery_location)
    except ValueError as exc:
        raise OptionsError(f"--warehouse bigquery:{target}: {exc}") from None
    method = opts.bigquery_method
    if method == "auto":
        method = STREAMING_INSERTS if options.view_as(StandardOptions).streaming else FILE_LOADS
    temp = options.view_as(GoogleCloudOptions).temp_location or ""
    if method == FILE_LOADS and not temp.startswith("gs://"):
        if not emulator_host():
            raise OptionsError("loading into BigQuery needs --temp_location gs://BUCKET/PATH (a "
                               "bucket the job may write), or --bigquery-method STREAMING_INSERTS")
        # An emulator on this machine reads the load files straight from the local disk.
        temp = temp or os.path.join(tempfile.gettempdir(), "dyad-bigquery-loads")
    return BigQueryTarget(dataset, method, temp)


def refuse_unknown(argv: list[str]) -> None:
    """OptionsError for the first argument that no option of dyad, Beam or Beam's runners reads,
    with the closest known option. Beam itself only logs such arguments and drops them, so a typo
    (--alow-network) would run with the option's default."""
    parser = _BeamArgumentParser(allow_abbrev=False)
    for cls in {str(c): c for c in PipelineOptions.__subclasses__()}.values():
        cls._add_argparse_args(parser)  # what PipelineOptions.get_all_options() reads
    _known, unknown = parser.parse_known_args(argv)
    if not unknown:
        return
    name = unknown[0].split("=", 1)[0]
    if not name.startswith("-"):
        raise OptionsError(f"unexpected argument {unknown[0]!r}: options are --name VALUE")
    known = [flag for action in parser._actions for flag in action.option_strings]
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.8)
    raise OptionsError(f"unknown option {name}" + (f"; did you mean {close[0]}?" if close else
                                                   " (--help lists dyad's options)"))


def settings_from(options: PipelineOptions, source: str = "feeds") -> Settings:
    """Check every option now, before a pipeline is built; OptionsError says how to fix it.
    `source` is what the pipeline reads: "feeds" (--feeds) or "warc" (--warc)."""
    opts = options.view_as(DyadOptions)
    if source == "warc":
        archives = warc_options(opts)
    elif not opts.feeds:
        raise OptionsError("--feeds FILE is required (a YAML or OPML feed list)")
    elif not feed_list_exists(opts.feeds):
        raise OptionsError(f"--feeds {opts.feeds!r}: no such file")
    kind, target = parse_warehouse(opts.warehouse)
    bigquery = bigquery_target(options, target) if kind == "bigquery" else None
    if kind == "duckdb":
        folder = os.path.dirname(os.path.abspath(target)) or "."
        probe = folder
        while not os.path.exists(probe):
            probe = os.path.dirname(probe)
        if (not os.path.isdir(probe) or not os.access(probe, os.W_OK)
                or (os.path.exists(target) and not os.access(target, os.W_OK))):
            raise OptionsError(f"--warehouse duckdb:{target}: not writable")
    try:
        allowed = tuple(str(n) for n in parse_networks(opts.allow_network))
    except ValueError as exc:
        raise OptionsError(f"--allow-network: {exc}") from None
    for name in ("connect_timeout", "read_timeout", "total_timeout", "feed_max_mb", "article_max_mb"):
        if getattr(opts, name) <= 0:
            raise OptionsError(f"--{name.replace('_', '-')} must be positive")
    if opts.poll_interval < 1 or opts.duration < 0 or opts.dedupe_ttl_hours <= 0:
        raise OptionsError("--poll-interval must be at least 1 second, --duration cannot be "
                           "negative and --dedupe-ttl-hours must be positive")
    for name in ("fetch_threads", "per_host", "write_batch_size"):
        if getattr(opts, name) < 1:
            raise OptionsError(f"--{name.replace('_', '-')} must be at least 1")
    if opts.max_redirects < 0 or opts.retries < 0 or opts.max_crawl_delay < 0:
        raise OptionsError("--max-redirects, --retries and --max-crawl-delay cannot be negative")
    try:
        agent = user_agent(opts.http_user_agent, opts.contact)
    except ValueError as exc:
        raise OptionsError(f"--user-agent/--contact: {exc}") from None
    common = dict(allowed_networks=allowed, connect_timeout=opts.connect_timeout,
                  read_timeout=opts.read_timeout, total_timeout=opts.total_timeout,
                  max_redirects=opts.max_redirects, retries=opts.retries, user_agent=agent)
    return Settings(
        feeds=opts.feeds or "",
        warehouse_kind=kind,
        warehouse_target=target,
        feed_policy=FetchPolicy(max_bytes=int(opts.feed_max_mb * MB), **common),
        article_policy=FetchPolicy(max_bytes=int(opts.article_max_mb * MB), **common),
        fetch_threads=opts.fetch_threads,
        per_host=opts.per_host,
        write_batch_size=opts.write_batch_size,
        bigquery=bigquery,
        poll_interval=opts.poll_interval,
        duration=opts.duration,
        dedupe_ttl=opts.dedupe_ttl_hours * 3600,
        ignore_robots=opts.ignore_robots,
        max_crawl_delay=opts.max_crawl_delay,
        **(archives if source == "warc" else {}),
    )


def warc_options(opts: DyadOptions) -> dict:
    """The backfill's settings: the archives, the days and the sites wanted."""
    if not opts.warc:
        raise OptionsError("--warc PATTERN is required (e.g. 'archives/*.warc.gz' or "
                           "gs://BUCKET/cc-news/2024/01/*.warc.gz)")
    days = {}
    for name in ("since", "until"):
        value = getattr(opts, name)
        try:
            days[name] = (dt.datetime.combine(dt.date.fromisoformat(value), dt.time(),
                                              dt.timezone.utc) if value else None)
        except ValueError:
            raise OptionsError(f"--{name} {value!r}: give a day as YYYY-MM-DD") from None
    if days["since"] and days["until"] and days["since"] >= days["until"]:
        raise OptionsError("--since must be before --until")
    return {"warc": opts.warc, **days, "sites": read_sites(opts.sites) if opts.sites else
            frozenset()}


def read_sites(path: str) -> frozenset[str]:
    """The outlets of a --sites file: its domains, or its feeds' domains for a feed list."""
    from dyad.feeds.feedlist import load_feed_list
    from dyad.net.urls import canonical_url, source_domain
    if not feed_list_exists(path):
        raise OptionsError(f"--sites {path!r}: no such file")
    if path.lower().endswith((".yaml", ".yml", ".opml", ".xml")):
        urls = [feed.url for feed in load_feed_list(path)]
    else:
        from apache_beam.io.filesystems import FileSystems
        with FileSystems.open(path) as handle:
            lines = handle.read().decode("utf-8").splitlines()
        urls = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    sites = frozenset(source_domain(canonical_url(url if "://" in url else f"http://{url}"))
                      for url in urls)
    if not sites:
        raise OptionsError(f"--sites {path!r}: names no site")
    return sites
