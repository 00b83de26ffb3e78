"""trafilatura's XPaths with a cheap first test, same matches (its passes cost most of a parse).

trafilatura finds boilerplate, bodies and bylines with expressions of the form
`//*[self::div or ...][@class='x' or re:test(@id, '...') or ...]`. libxml2 evaluates the
predicate on every element of the page, and each re:test() calls back into Python: most of the
cost, spent on elements that have none of the attributes the predicate reads. `guarded()` puts
a first predicate in front, "has one of those attributes (or child elements)", so libxml2 skips
the rest for the others.

The matches are the same because every test of such a predicate is false on an element without
what it reads: an equality, contains() or starts-with() of a missing attribute, or a pattern that
does not match the empty string. An expression this cannot be shown for (another shape, a
pattern that matches "") is kept as it is. A test checks every guarded expression against
trafilatura's own on the corpus pages.
"""
from __future__ import annotations

import re

import trafilatura.xpaths
from lxml.etree import XPath

REGEXP_NS = {"re": "http://exslt.org/regular-expressions"}
_LITERAL = re.compile(r"'[^']*'|\"[^\"]*\"")
_ATTRIBUTE = re.compile(r"@([\w-]+)")
_CHILD_TEST = re.compile(r"^([a-z][\w-]*)\s*=")   # rel='me': a child element's text
_PATTERN = re.compile(r"re:test\([^,]+,\s*(['\"])(.*?)\1\s*\)")
_TAG_TEST = re.compile(r"^\s*self::\w+(?:\s+or\s+self::\w+)*\s*$")
# What an attribute test may be made of, once its literals are taken out.
_ATTRIBUTE_TEST_PARTS = re.compile(
    r"@[\w-]+|\b(?:re:test|contains|starts-with|translate)\(|\bor\b|\band\b|[\s=(),|]|L")


def _predicates(text: str) -> tuple[list[str], str] | None:
    """The predicates `[...]` at the start of `text`, and what follows them."""
    found = []
    while text.startswith("["):
        depth = 0
        for i, char in enumerate(text):
            depth += (char == "[") - (char == "]")
            if depth == 0:
                found.append(text[1:i])
                text = text[i + 1:]
                break
        else:
            return None
    return found, text


def _attribute_names(predicate: str) -> list[str] | None:
    """What `predicate` reads (attributes, child elements such as rel='me'), when every test in
    it is false on an element that has none of them; else None."""
    bare = _LITERAL.sub("L", predicate)
    names = [f"@{a}" for a in _ATTRIBUTE.findall(bare)]
    children = []
    for part in re.split(r"\bor\b", bare):
        child = _CHILD_TEST.match(part.strip())
        if child:
            children.append(child.group(1))
            part = part.replace(child.group(1), "", 1)
        if _ATTRIBUTE_TEST_PARTS.sub("", part).strip():
            return None
    return names + children


def guarded(expression: XPath) -> XPath:
    """`expression`, or the same with a first predicate that lets libxml2 skip most elements."""
    source = expression.path
    if source.count("//*[") != 1:
        return expression
    head, rest = source.split("//*", 1)
    split = _predicates(rest)
    if split is None or any(re.search(p, "") for _q, p in _PATTERN.findall(source)):
        return expression
    predicates, _tail = split
    names: list[str] = []
    for predicate in predicates:
        if _TAG_TEST.match(predicate) or predicate.strip().isdigit():
            continue
        read = _attribute_names(predicate)
        if read is None:
            return expression
        names += read
    if not names:
        return expression
    guard = " or ".join(dict.fromkeys(names))
    return XPath(f"{head}//*[{guard}]{rest}", namespaces=REGEXP_NS)


# trafilatura's own expressions, by list name, as they were before guard_trafilatura().
ORIGINAL: dict[str, list[XPath]] = {}


def expression_lists() -> dict[str, list]:
    """trafilatura.xpaths' lists of expressions, by name."""
    return {name: value for name, value in vars(trafilatura.xpaths).items()
            if isinstance(value, list) and value and all(isinstance(x, XPath) for x in value)}


def guard_trafilatura() -> None:
    """Guard every expression list of trafilatura.xpaths in place (its extractors hold the same
    list objects), once."""
    for name, expressions in expression_lists().items():
        if name not in ORIGINAL:
            ORIGINAL[name] = list(expressions)
            expressions[:] = [guarded(x) for x in expressions]
