"""The Dataflow Flex Template: its launcher's entry point, and its metadata.json from DyadOptions.

The launcher image runs this file (FLEX_TEMPLATE_PYTHON_PY_FILE) with the template's parameters
as pipeline options. DYAD_PIPELINE (set per template with `gcloud dataflow flex-template build
--env`) chooses `batch` (default), `stream` or `backfill`. `python -m dyad.pipelines.template
--metadata [backfill]` prints metadata.json (metadata-backfill.json): one parameter per option of
DyadOptions, with its help text and a regex derived from the option's type or choices, so the
file cannot drift from the options; the pipeline's source (--feeds, or --warc for a backfill) is
the one it requires.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys

from dyad.options import DyadOptions

PIPELINE_ENV = "DYAD_PIPELINE"
_NUMBER = r"^[0-9]+(\.[0-9]+)?$"
_INTEGER = r"^[0-9]+$"
# Options whose values have a shape worth checking before a job is launched.
_SHAPES = {
    "feeds": r"^(gs://|/).+\.(ya?ml|opml|xml)$",
    "warc": r"^(gs://|/).+",
    "warehouse": r"^(duckdb:.+|bigquery:[a-z][-a-z0-9.:]*\.[A-Za-z0-9_]+)$",
    "allow_network": r"^[0-9a-fA-F.:]+/[0-9]{1,3}$",
    "bigquery_location": r"^[A-Za-z0-9-]+$",
}


def option_actions() -> list[argparse.Action]:
    parser = argparse.ArgumentParser(add_help=False)
    DyadOptions._add_argparse_args(parser)
    return list(parser._actions)


def metadata(pipeline: str = "batch") -> dict:
    required = "warc" if pipeline == "backfill" else "feeds"
    parameters = []
    for action in option_actions():
        parameter = {
            "name": action.dest,
            "label": action.dest.replace("_", " ").capitalize(),
            "helpText": action.help,
            "isOptional": action.dest != required,
        }
        regex = _regex(action)
        if regex:
            parameter["regexes"] = [regex]
        parameters.append(parameter)
    return {
        "name": "dyad",
        "description": ("Web archives (WARC) to a warehouse of stories by topic and country "
                        "pair: the backfill." if pipeline == "backfill" else
                        "News feeds to a warehouse of stories by topic and country pair. Batch "
                        "or streaming, by the template's DYAD_PIPELINE."),
        "parameters": parameters,
    }


def _regex(action: argparse.Action) -> str | None:
    if action.choices:
        return "^(" + "|".join(action.choices) + ")$"
    if action.type is float:
        return _NUMBER
    if action.type is int:
        return _INTEGER
    return _SHAPES.get(action.dest)


def main(argv: list[str]) -> None:
    if argv[:1] == ["--metadata"]:
        print(json.dumps(metadata(*argv[1:2]), indent=2))
        return
    logging.basicConfig(level=logging.INFO)
    from dyad.pipelines import backfill, batch, stream
    pipelines = {"batch": batch, "stream": stream, "backfill": backfill}
    pipelines.get(os.environ.get(PIPELINE_ENV, "batch"), batch).run(argv)


if __name__ == "__main__":
    main(sys.argv[1:])
