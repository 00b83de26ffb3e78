"""python -m dyad.evaluation [CORPUS]: print every evaluation table that the corpus allows."""
import argparse
import logging
import re
import sys
from pathlib import Path

from dyad.evaluation import classification, extraction, stories


# Columns in these units read to a tenth; shares and scores to a thousandth.
_TENTHS = re.compile(r"\bms\b|/s\b|\bMB\b")


def format_table(table: dict) -> str:
    """The rows side by side, one line per column; counts as integers, labels as they are."""
    rows = table["rows"]
    columns = list(next(iter(rows.values())))
    cells = {name: [_cell(column, row.get(column, float("nan"))) for column in columns]
             for name, row in rows.items()}
    width = max(len(c) for c in columns) + 2
    cell = max(8, max(len(text) for text in [*rows, *sum(cells.values(), [])]) + 2)
    lines = [table["title"], " " * width + "".join(f"{name:>{cell}}" for name in rows)]
    for i, column in enumerate(columns):
        lines.append(f"{column:<{width}}" + "".join(f"{cells[name][i]:>{cell}}" for name in rows))
    return "\n".join(lines)


def _cell(column: str, value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    return f"{value:.1f}" if _TENTHS.search(column) else f"{value:.3f}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dyad.evaluation")
    parser.add_argument("corpus", nargs="?", default="../shared/corpus",
                        help="the development corpus directory (default ../shared/corpus)")
    parser.add_argument("--sample", default="sample",
                        help="folder with dyad's labelled sample stories, articles.yaml (default sample)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    corpus = Path(args.corpus)
    if not corpus.is_dir():
        print(f"no corpus at {corpus}: corpus tables skipped")
    tables = classification.evaluate(corpus, Path(args.sample))
    if corpus.is_dir():
        tables += stories.evaluate(corpus) + extraction.evaluate(corpus)
    for table in tables:
        print(format_table(table), end="\n\n", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
