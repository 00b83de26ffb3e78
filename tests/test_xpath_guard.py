"""dyad.extract.xpath_guard: trafilatura's expressions with a first test, and the same matches."""
import os
from pathlib import Path

from lxml.etree import XPath

from dyad.benchmark.corpus import Corpus
from dyad.extract import decode_html, parse_html, xpath_guard
from tests.conftest import CORPUS, needs

NS = xpath_guard.REGEXP_NS
# Written for this test: every shape of attribute the expressions read, and elements without.
PAGE = """<html><body><div><p>plain</p><div class="sidebar">side</div>
<div id="comments"><p>c</p></div><span rel="author">A</span><a><rel>me</rel>x</a>
<p class="byline">By Anna Lee</p><div role="navigation"><a href="/">home</a></div>
<div style="display:none">hidden</div><section data-component="Byline">B</section>
<article class="post"><p>text</p></article><h1 class="entry-title">T</h1></div></body></html>"""


def _same_matches(tree) -> int:
    compared = 0
    for name, originals in xpath_guard.ORIGINAL.items():
        for original, current in zip(originals, xpath_guard.expression_lists()[name]):
            if current is not original:
                assert original(tree) == current(tree), (name, original.path)
                compared += 1
    return compared


def test_trafilaturas_lists_are_guarded_in_place():
    assert xpath_guard.ORIGINAL, "dyad.extract guards trafilatura's expressions on import"
    guarded = sum(g is not o for name, originals in xpath_guard.ORIGINAL.items()
                  for o, g in zip(originals, xpath_guard.expression_lists()[name]))
    assert guarded >= 20


def test_same_matches_on_written_and_generated_pages():
    assert _same_matches(parse_html(PAGE)) >= 20
    corpus = Corpus(20, 4, seed=5)
    for page in corpus.pages.values():
        _same_matches(parse_html(page.decode()))


@needs(os.path.join(CORPUS, "articles"))
def test_same_matches_on_corpus_pages():
    pages = sorted(Path(CORPUS, "articles").rglob("*.htm*"))
    for page in pages[::3]:   # a third of them: each page costs trafilatura's slow expressions
        tree = parse_html(decode_html(page.read_bytes()))
        if tree is not None:
            _same_matches(tree)
    assert len(pages) > 300


def test_a_guard_is_added_only_where_it_cannot_change_the_result():
    simple = XPath(".//*[self::div or self::p][@class='x' or re:test(@id, 'nav')]", namespaces=NS)
    assert xpath_guard.guarded(simple).path == (
        ".//*[@class or @id][self::div or self::p][@class='x' or re:test(@id, 'nav')]")
    kept = [
        ".//*[self::aside or @class='x']",              # a tag test among the attribute tests
        ".//*[not(@class)]",                            # true without the attribute
        ".//*[re:test(@class, 'a|')]",                  # a pattern that matches ""
        './/*[re:test(@id, "^x?$")]',                   # the same, in double quotes
        ".//*[@class='x' or contains(text(), 'y')]",    # a text test
        "(.//article)[1]",                              # no predicate on //*
    ]
    for source in kept:
        expression = XPath(source, namespaces=NS)
        assert xpath_guard.guarded(expression) is expression, source


def test_the_guard_skips_elements_without_the_attributes_and_finds_the_rest():
    tree = parse_html(PAGE)
    expression = XPath(".//*[self::div or self::p][re:test(@class, 'side|byline')]", namespaces=NS)
    guarded = xpath_guard.guarded(expression)
    assert [e.text for e in guarded(tree)] == [e.text for e in expression(tree)] == [
        "side", "By Anna Lee"]
