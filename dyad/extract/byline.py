"""Authors from byline markup: trafilatura's byline search without copying and pruning the page.

trafilatura.metadata.extract_author deep-copies the whole tree, deletes every subtree its discard
XPaths match (comments, sidebars, figures, dates...), then takes the first element its author
XPaths match whose text is a plausible byline. Copy and prune are about a third of its cost on a
news page, and almost all of it is spent on parts of the page the byline is not in.

Here the author XPaths run on the page as it is, and only their hits are checked: a hit that is
inside a discarded subtree is passed over, and a hit that contains discarded subtrees has its
text read from a pruned copy of itself alone. The discard XPaths test an element's own tag and
attributes only, so this finds the same element and the same text (checked against trafilatura
on the 341 article pages of the development corpus, `tests/test_extract.py`, and on 200 of
`make bench`'s pages).
"""
import re
from copy import deepcopy

import lxml.html
from lxml.etree import XPath
from trafilatura.htmlprocessing import prune_unwanted_nodes
from trafilatura.json_metadata import normalize_authors
from trafilatura.metadata import extract_author as trafilatura_extract_author
from trafilatura.utils import trim
from trafilatura.xpaths import AUTHOR_DISCARD_XPATHS, AUTHOR_XPATHS

REGEXP_NS = {"re": "http://exslt.org/regular-expressions"}
MAX_LENGTH = 120  # trafilatura's len_limit for a byline


def _discard_tests():
    """(XPath: the element or an ancestor is discarded, XPath: a descendant is) from trafilatura's
    discard XPaths, or None when they are not of the two shapes this module knows (then
    trafilatura's own search runs)."""
    steps = []
    for xpath in AUTHOR_DISCARD_XPATHS:
        source = xpath.path.strip()
        if re.fullmatch(r"//\w+(\s*\|\s*//\w+)*", source):
            steps += re.findall(r"//(\w+)", source)  # by tag alone
        elif source.startswith(".//*[") and "position()" not in source and "last()" not in source:
            steps.append("*" + source[len(".//*"):])  # by the element's own tag and attributes
        else:
            return None
    return tuple(XPath(" | ".join(f"{axis}::{step}" for step in steps), namespaces=REGEXP_NS)
                 for axis in ("ancestor-or-self", "descendant"))


_TESTS = _discard_tests()


def extract_author(tree: lxml.html.HtmlElement) -> str | None:
    """The byline markup's author(s), "; "-joined, or None: trafilatura's extract_author."""
    if _TESTS is None:
        return trafilatura_extract_author(tree)
    inside_discarded, holds_discarded = _TESTS
    for expression in AUTHOR_XPATHS:   # guarded (xpath_guard): the same matches, sooner
        for element in expression(tree):
            if inside_discarded(element):
                continue
            # Text as it reads once discarded subtrees are gone (their tails stay).
            kept = (prune_unwanted_nodes(deepcopy(element), AUTHOR_DISCARD_XPATHS)
                    if holds_discarded(element) else element)
            content = trim(" ".join(kept.itertext()))
            if content and 2 < len(content) < MAX_LENGTH:
                return normalize_authors(None, content)
    return None
