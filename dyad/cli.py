"""The `dyad` command: ingest (batch pipeline), classify and parse (one article at a time)."""
from __future__ import annotations

import argparse
import logging
import sys

from dyad import __version__

log = logging.getLogger("dyad")

EPILOG = "Run 'dyad ingest --help' for the pipeline options."


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="dyad", description="News feeds to a warehouse of "
                                     "stories by topic and country pair.", epilog=EPILOG)
    parser.add_argument("--version", action="version", version=f"dyad {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress at INFO level")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("ingest", help="run the batch pipeline", add_help=False)
    for name, what in (("classify", "classify articles (HTML or text)"),
                       ("parse", "extract title, text, authors and date from HTML")):
        p = sub.add_parser(name, help=what)
        p.add_argument("files", nargs="*", default=["-"], help="files, or - for stdin (default)")
        p.add_argument("--jsonl", action="store_true", help="read JSON lines on stdin, write JSON lines")
    args, rest = parser.parse_known_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    if args.command == "ingest":
        return _ingest(rest)
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    from dyad import articles_cli
    handler = articles_cli.classify_command if args.command == "classify" else articles_cli.parse_command
    try:
        return handler(args.files, args.jsonl, sys.stdout)
    except articles_cli.InputError as exc:
        print(f"dyad {args.command}: {exc}", file=sys.stderr)
        return 2


def _ingest(argv: list[str]) -> int:
    if "-h" in argv or "--help" in argv:
        _ingest_help()
        return 0
    from dyad.feedlist import FeedListError
    from dyad.options import OptionsError
    from dyad import warehouse
    from dyad.pipelines import batch
    from dyad.progress import Ticker
    from dyad.transforms.sinks.bigquery_tables import WarehouseError
    try:
        with Ticker(sys.stderr):
            identity, settings, _result = batch.run(argv)
    except (OptionsError, FeedListError, WarehouseError) as exc:
        print(f"dyad ingest: {exc}", file=sys.stderr)
        return 2
    summary = warehouse.run_summary(settings, identity.run_id)
    print(format_summary(identity.run_id, warehouse.location(settings), summary))
    return 0


def _ingest_help() -> None:
    from dyad.options import DyadOptions
    p = argparse.ArgumentParser(prog="dyad ingest", description="Run the batch pipeline once. "
                                "Standard Beam options (--runner, --project, --region, "
                                "--temp_location, --setup_file ...) pass through.")
    DyadOptions._add_argparse_args(p)
    p.print_help()


def format_summary(run_id: str, path: str, s: dict) -> str:
    lines = [f"run {run_id} → {path}",
             f"  stories written: {s['stories_written']} (feed-summary fallbacks: {s['fallbacks']}); "
             f"in warehouse: {s['stories_total']}"]
    errors = sum(n for _stage, _type, n in s["errors_by_stage"])
    lines.append(f"  errors recorded: {errors}")
    lines += [f"    {stage:<12} {etype:<22} {n}" for stage, etype, n in s["errors_by_stage"]]
    lines.append("  top country pairs: " + ", ".join(f"{p} ({n})" for p, n in s["top_pairs"]))
    lines.append("  top topics: " + ", ".join(f"{t} ({n})" for t, n in s["top_topics"]))
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
