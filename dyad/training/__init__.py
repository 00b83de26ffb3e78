"""`make model`: the topic model (`topics`) and the clusters' document-frequency table
(`document_frequency`), each built from the development corpus by its own command."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def corpus_and_out(argv, prog: str, default_out: Path, what: str) -> tuple[Path, Path] | None:
    """The command's (corpus, output path); None, with a message, when the corpus has no
    topic sets (the caller exits 2)."""
    parser = argparse.ArgumentParser(prog=prog)
    parser.add_argument("corpus", nargs="?", default="../shared/corpus",
                        help="the development corpus directory (default ../shared/corpus)")
    parser.add_argument("--out", default=str(default_out),
                        help=f"where the {what} is written (default {default_out})")
    args = parser.parse_args(argv)
    if not (Path(args.corpus) / "topics").is_dir():
        print(f"no topic sets under {args.corpus}/topics", file=sys.stderr)
        return None
    return Path(args.corpus), Path(args.out)
