"""Body text chosen by agreement between extractors that share one parsed tree.

trafilatura runs twice with different focus: its fast pass and its precision pass. When the two
agree (token F1 >= AGREEMENT), the fast pass's text is taken. When they disagree, one of them has
gone wrong (a teaser list taken for the article, a lead paragraph lost), so readability-lxml
extracts a third candidate and the medoid wins: the candidate closest to the other two. Measured
on the trafilatura-news benchmark (see `make eval`), this beats every extractor alone on both
recall of article text and rejection of boilerplate, and readability runs on few pages.

The expensive parts run only where they add something. The precision pass first runs in its fast
mode (~1 ms), without the comparison against readability and jusText that makes up most of its
cost; only when that disagrees with the fast pass does the full precision pass run. On clean
article pages the two fast passes agree and the body costs about 3 ms instead of 6.
"""
import copy
import functools
from collections import Counter

import lxml.etree
import lxml.html
import trafilatura
from readability import Document as Readability
from trafilatura.settings import Extractor

AGREEMENT = 0.9
_BLOCKS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "td")


def extract_body(tree: lxml.html.HtmlElement, html: str, url: str | None):
    """(text, source) of a page's main content."""
    fast = _trafilatura(tree, url, fast=True)
    if token_f1(fast, _trafilatura(tree, url, fast=True, favor_precision=True)) >= AGREEMENT:
        return fast, "trafilatura"
    candidates = {"trafilatura": fast,
                  "trafilatura-precision": _trafilatura(tree, url, favor_precision=True)}
    if token_f1(candidates["trafilatura"], candidates["trafilatura-precision"]) >= AGREEMENT:
        return candidates["trafilatura"], "trafilatura"
    candidates["readability"] = readability_text(html, url)
    return medoid(candidates)


def _trafilatura(tree: lxml.html.HtmlElement, url: str | None, fast: bool = False,
                 favor_precision: bool = False) -> str:
    document = trafilatura.bare_extraction(tree, options=_options(url, fast, favor_precision))
    return (document.text or "").strip() if document is not None else ""


def _options(url: str | None, fast: bool, precision: bool) -> Extractor:
    """trafilatura's options for one page: a copy of the focus's, which are read from its
    configuration once (reading them on every call cost a tenth of the body's time); a copy,
    since a worker may parse pages in several threads."""
    options = copy.copy(_focus_options(fast, precision))
    options.url = url
    options.source = url and url.encode("utf-8", "replace").decode("utf-8")
    return options


@functools.lru_cache(maxsize=None)
def _focus_options(fast: bool, precision: bool) -> Extractor:
    return Extractor(output_format="python", fast=fast, precision=precision, comments=False)


def medoid(candidates: dict[str, str]) -> tuple[str, str]:
    """(text, name) of the candidate with the highest summed agreement with the others."""
    bags = {name: Counter(text.split()) for name, text in candidates.items()}

    def support(name):
        return sum(_f1(bags[name], bags[other]) for other in bags if other != name)

    # Ties go to the earlier candidate, trafilatura before readability.
    best = max(candidates, key=lambda name: (support(name), -list(candidates).index(name)))
    return candidates[best], best


def token_f1(a: str, b: str) -> float:
    return _f1(Counter(a.split()), Counter(b.split()))


def readability_text(html: str, url: str | None) -> str:
    try:
        summary = Readability(html, url=url).summary(html_partial=True)
        root = lxml.html.fragment_fromstring(summary, create_parent="div")
    except (lxml.etree.ParserError, ValueError, TypeError, AssertionError):
        # lxml asserts that a fragment has one body: readability's summary of a page with none
        # ("<html><head></head></html>") has not; the other candidates decide then.
        return ""
    lines = []
    for block in root.iter(*_BLOCKS):
        if any(parent.tag in _BLOCKS for parent in block.iterancestors()):
            continue
        line = " ".join(block.text_content().split())
        if line:
            lines.append(line)
    return "\n".join(lines)


def _f1(a: Counter, b: Counter) -> float:
    common = sum((a & b).values())
    if not common:
        return 0.0
    precision, recall = common / sum(a.values()), common / sum(b.values())
    return 2 * precision * recall / (precision + recall)
