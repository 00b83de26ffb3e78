"""The `dyad` command: ingest (batch pipeline), stream (polling pipeline), backfill (web archives),
classify and parse (one article at a time), cluster (same-story clusters of JSON lines)."""
from __future__ import annotations

import argparse
import gc
import logging
import signal
import sys

from dyad import __version__

log = logging.getLogger("dyad")

EPILOG = ("Run 'dyad ingest --help', 'dyad stream --help' or 'dyad backfill --help' for the "
          "pipeline options.")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="dyad", description="News feeds to a warehouse of "
                                     "stories by topic and country pair.", epilog=EPILOG)
    parser.add_argument("--version", action="version", version=f"dyad {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress at INFO level")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("ingest", help="run the batch pipeline", add_help=False)
    sub.add_parser("stream", help="poll the feeds continuously (streaming pipeline)",
                   add_help=False)
    sub.add_parser("backfill", help="read web archives (WARC files) into the warehouse",
                   add_help=False)
    sub.add_parser("dashboard", help="serve a web dashboard over the warehouse", add_help=False)
    sub.add_parser("gazetteer", help="build or refresh the gazetteer's data files", add_help=False)
    for name, what in (("classify", "classify articles (HTML or text)"),
                       ("parse", "extract title, text, authors and date from HTML"),
                       ("cluster", "same-story clusters of JSON lines {id, title, text, "
                                   "language?, published_at?}: writes {id, cluster_id}")):
        p = sub.add_parser(name, help=what)
        p.add_argument("files", nargs="*", default=["-"], help="files, or - for stdin (default)")
        p.add_argument("--jsonl", action="store_true", help="read JSON lines on stdin, write JSON lines")
    args, rest = parser.parse_known_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    if not args.verbose:  # "discarding data: URL" for each page without text: the rows say so
        logging.getLogger("trafilatura").setLevel(logging.ERROR)
    if args.command in ("ingest", "stream", "backfill"):
        return _pipeline(args.command, rest)
    if args.command == "dashboard":
        from dyad.dashboard.server import main as dashboard
        return dashboard(rest)
    if args.command == "gazetteer":
        from dyad.gazetteer.cli import main as gazetteer
        return gazetteer(rest)
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    from dyad.cli import articles as articles_cli
    try:
        if args.command == "cluster":
            return articles_cli.cluster_command(args.files, sys.stdout)
        handler = articles_cli.classify_command if args.command == "classify" else \
            articles_cli.parse_command
        return handler(args.files, args.jsonl, sys.stdout)
    except articles_cli.InputError as exc:
        print(f"dyad {args.command}: {exc}", file=sys.stderr)
        return 2


def _pipeline(command: str, argv: list[str]) -> int:
    if "-h" in argv or "--help" in argv:
        _pipeline_help(command)
        return 0
    from dyad import progress, warehouse
    from dyad.feeds.feedlist import FeedListError
    from dyad.options import OptionsError
    from dyad.pipelines import backfill, batch, stream
    from dyad.progress import Ticker
    from dyad.transforms.sinks.bigquery_tables import WarehouseError
    if command == "stream":
        _stop_on_signals()
    try:
        with Ticker(sys.stderr):
            pipeline = {"stream": stream, "backfill": backfill}.get(command, batch)
            identity, settings, result = pipeline.run(argv)
    except (OptionsError, FeedListError, WarehouseError) as exc:
        print(f"dyad {command}: {exc}", file=sys.stderr)
        return 2
    job_id = getattr(result, "job_id", None)
    if callable(job_id):  # submitted to Dataflow: the rows come later
        print(f"run {identity.run_id} submitted as Dataflow job {job_id()} → "
              f"{warehouse.location(settings)}")
        return 0
    summary = warehouse.run_summary(settings, identity.run_id)
    print(format_summary(identity.run_id, warehouse.location(settings), summary,
                         progress.note()))
    if command == "stream":
        print(format_polls(result))
    if command == "backfill":
        print(format_archives(result))
    gc.freeze()  # the process ends now: spare it the collector's exit passes (~0.3 s)
    return 0


POLL_COUNTERS = (("feeds_fetched", "parsed"), ("feeds_not_modified", "not modified (304)"),
                 ("feeds_unchanged", "same body"), ("feeds_failed", "failed"),
                 ("polls_backed_off", "skipped while backing off"))


def format_polls(result) -> str:
    counters = {m.key.metric.name: m.committed for m in result.metrics().query()["counters"]}
    return "  feed polls: " + ", ".join(f"{what} {counters.get(name, 0)}"
                                        for name, what in POLL_COUNTERS)


def format_archives(result) -> str:
    """What the archives held: pages read, and the records skipped by why."""
    counters = {m.key.metric.name: m.committed for m in result.metrics().query()["counters"]}
    prefix = "warc_records_skipped_"
    skipped = sorted((name[len(prefix):], n) for name, n in counters.items()
                     if name.startswith(prefix))
    return (f"  archives: {counters.get('warc_pages', 0)} HTML pages read; skipped: "
            + (", ".join(f"{why} {n}" for why, n in skipped) or "none"))


def _stop_on_signals() -> None:
    """The first SIGINT/SIGTERM stops polling and lets the stream finish what it has; a second one
    interrupts at once."""
    from dyad.transforms.poll_feeds import STOP

    def stop(signum, _frame):
        log.warning("stopping after the current poll (%s again to interrupt)",
                    signal.Signals(signum).name)
        STOP.set()
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)


def _pipeline_help(command: str) -> None:
    from dyad.options import DyadOptions
    what = {"stream": "Poll the feeds every --poll-interval seconds until stopped (or "
                      "--duration).",
            "backfill": "Read web archives (--warc) into the warehouse, as the feeds' pages are."
            }.get(command, "Run the batch pipeline once.")
    p = argparse.ArgumentParser(prog=f"dyad {command}", description=f"{what} Standard Beam "
                                "options (--runner, --project, --region, --temp_location, "
                                "--setup_file ...) pass through.")
    DyadOptions._add_argparse_args(p)
    p.print_help()


def format_summary(run_id: str, path: str, s: dict, how: str = "") -> str:
    lines = [f"run {run_id} → {path}",
             f"  stories written: {s['stories_written']} (feed-summary fallbacks: {s['fallbacks']}); "
             f"in warehouse: {s['stories_total']}",
             f"  same-story clusters: {s['clusters_written']} ({s['clusters_shared']} of two or "
             "more articles of this run)"]
    errors = sum(n for _stage, _type, n in s["errors_by_stage"])
    lines.append(f"  errors recorded: {errors}")
    lines += [f"    {stage:<12} {etype:<22} {n}" for stage, etype, n in s["errors_by_stage"]]
    lines.append("  top country pairs: " + ", ".join(f"{p} ({n})" for p, n in s["top_pairs"]))
    lines.append("  top topics: " + ", ".join(f"{t} ({n})" for t, n in s["top_topics"]))
    if how:
        lines.append(f"  ran as: {how}")
    return "\n".join(lines)

