"""python -m dyad.evaluation [CORPUS]: print every evaluation table that the corpus allows."""
import argparse
import logging
import sys
from pathlib import Path

from dyad.evaluation import classification, extraction


def format_table(table: dict) -> str:
    rows = table["rows"]
    columns = list(next(iter(rows.values())))
    width = max(len(c) for c in columns) + 2
    lines = [table["title"], " " * width + "".join(f"{name:>14}" for name in rows)]
    for column in columns:
        cells = "".join(f"{rows[name].get(column, float('nan')):>14.3f}"
                        if "ms" not in column and "/s" not in column
                        else f"{rows[name][column]:>14.1f}" for name in rows)
        lines.append(f"{column:<{width}}{cells}")
    return "\n".join(lines)


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
        tables += extraction.evaluate(corpus)
    for table in tables:
        print(format_table(table), end="\n\n", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
