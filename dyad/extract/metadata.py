"""Article metadata from the shared tree, each field with the source it came from.

Title: see `headline`. Date: JSON-LD `datePublished`/`dateCreated`, then article meta tags, keeping time and offset; then
htmldate's search of the page and its URL. Authors: trafilatura's byline reading. Language: the
page's declared language. Top image: og:image, twitter:image, JSON-LD image.
"""
import datetime as dt
import json
import logging
import re
import warnings
from collections import Counter
from urllib.parse import urljoin

import lxml.html
from dateutil import parser as date_parser
from htmldate import find_date
from trafilatura.metadata import examine_meta, extract_meta_json

from dyad.extract.byline import extract_author

log = logging.getLogger(__name__)

_ARTICLE_TYPES = re.compile(r"Article|Posting|Report|NewsArticle|WebPage", re.I)
_DATE_META = ("article:published_time", "og:published_time", "og:pubdate", "pubdate",
              "publishdate", "publish-date", "datePublished", "dc.date.issued", "DC.date.issued",
              "dcterms.created", "sailthru.date", "parsely-pub-date", "date")
_ZONES = {name: int(hours * 3600) for name, hours in (
    ("UTC", 0), ("GMT", 0), ("Z", 0), ("BST", 1), ("CET", 1), ("MEZ", 1), ("CEST", 2), ("MESZ", 2),
    ("EET", 2), ("EEST", 3), ("MSK", 3), ("JST", 9), ("KST", 9), ("AEST", 10), ("AEDT", 11),
    ("EST", -5), ("EDT", -4), ("CDT", -5), ("MST", -7), ("MDT", -6), ("PST", -8), ("PDT", -7))}
_LANG = re.compile(r"^[a-z]{2,3}\b", re.I)


def published(tree: lxml.html.HtmlElement, json_ld: list[dict], url: str | None,
              metas: dict | None = None) -> tuple[dt.datetime | None, str | None]:
    """The publish time, by vote: each source (JSON-LD, each article meta tag, the first
    `<time>`, htmldate's reading of the page and URL) votes for its day; the day with most votes
    wins, ties going to the earlier source; within that day the first value with a time of day."""
    candidates = date_candidates(tree, json_ld, url, metas)
    if not candidates:
        return None, None
    votes = Counter(value.date() for value, _source in candidates)
    day = max(votes, key=lambda d: (votes[d], -next(i for i, (v, _s) in enumerate(candidates)
                                                    if v.date() == d)))
    on_day = [(value, source) for value, source in candidates if value.date() == day]
    return next(((v, s) for v, s in on_day if v.time() != dt.time(0)), on_day[0])


def date_candidates(tree, json_ld: list[dict], url: str | None, metas: dict | None = None
                    ) -> list[tuple[dt.datetime, str]]:
    found = []
    for obj in json_ld[:1]:
        value = _parse_date(obj.get("datePublished")) or _parse_date(obj.get("dateCreated"))
        if value:
            found.append((value, "json-ld"))
    metas = meta_index(tree) if metas is None else metas
    for name in _DATE_META:
        value = _parse_date(metas.get(name))
        if value:
            found.append((value, "meta"))
    value = _parse_date(_first(tree.xpath("//time/@datetime")))
    if value:
        found.append((value, "time"))
    # htmldate's fast reading (markup it knows, the URL) always votes; its extensive search of
    # the page's text (dates near the headline, in a byline) is its slow part: only when
    # nothing else gave a date, which is where dyad used to give none and htmldate the day.
    value = _parse_date(find_date(tree, url=url, original_date=True, extensive_search=False,
                                  outputformat="%Y-%m-%dT%H:%M:%S%z"))
    if value:
        found.append((value, "htmldate"))
    if not found:
        value = _parse_date(find_date(tree, url=url, original_date=True, extensive_search=True,
                                      outputformat="%Y-%m-%dT%H:%M:%S%z"))
        if value:
            found.append((value, "htmldate-text"))
    return found


def authors(tree: lxml.html.HtmlElement) -> tuple[tuple[str, ...], str | None]:
    """trafilatura's byline reading (meta tags, then JSON-LD, then byline markup, the last without
    copying the page: see `byline`), without the rest of its metadata pass: its date search would
    duplicate `published`."""
    found = examine_meta(tree)
    if found.author and " " not in found.author:
        found.author = None  # a lone token is a handle or a site name more often than a person
    try:
        found = extract_meta_json(tree, found)
    except (ValueError, TypeError, AttributeError, KeyError) as exc:
        log.debug("unreadable JSON-LD byline: %r", exc)
    byline = found.author or extract_author(tree) or ""
    names = tuple(dict.fromkeys(n.strip() for n in byline.split(";") if n.strip()))
    return (names, "trafilatura") if names else ((), None)


def language(tree: lxml.html.HtmlElement, metas: dict | None = None) -> tuple[str | None, str | None]:
    metas = meta_index(tree) if metas is None else metas
    for source, value in (("html-lang", _first(tree.xpath("/html/@lang"))),
                          ("meta", meta_value(metas, "og:locale", "content-language", "Content-Language",
                                         "language"))):
        match = _LANG.match((value or "").strip().replace("_", "-"))
        if match:
            return match.group(0).lower()[:2], source
    return None, None


def top_image(tree: lxml.html.HtmlElement, json_ld: list[dict], url: str | None,
              metas: dict | None = None) -> tuple[str | None, str | None]:
    metas = meta_index(tree) if metas is None else metas
    for name in ("og:image", "og:image:url", "twitter:image", "twitter:image:src"):
        value = meta_value(metas, name)
        if value:
            return _absolute(value, url), name
    for obj in json_ld:
        image = obj.get("image")
        image = image[0] if isinstance(image, list) and image else image
        image = image.get("url") if isinstance(image, dict) else image
        if isinstance(image, str) and image.strip():
            return _absolute(image.strip(), url), "json-ld"
    return None, None


def json_ld_objects(tree: lxml.html.HtmlElement) -> list[dict]:
    """The page's JSON-LD objects of article-like types, most specific first."""
    found = []
    for script in tree.xpath('//script[@type="application/ld+json"]/text()'):
        try:
            data = json.loads(script)
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                stack.extend(item.get("@graph", []) if isinstance(item.get("@graph"), list) else [])
                kind = item.get("@type")
                kind = " ".join(kind) if isinstance(kind, list) else str(kind or "")
                if _ARTICLE_TYPES.search(kind):
                    found.append(item)
    # A NewsArticle says more about the story than the WebPage that wraps it.
    return sorted(found, key=lambda obj: "WebPage" in str(obj.get("@type")))


def _parse_date(value) -> dt.datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        with warnings.catch_warnings():
            # An abbreviation outside _ZONES (CST, IST: ambiguous) leaves the time without offset.
            warnings.simplefilter("ignore", date_parser.UnknownTimezoneWarning)
            parsed = date_parser.parse(value.strip(), tzinfos=_ZONES)
    except (ValueError, OverflowError):
        return None
    if not 1990 <= parsed.year <= dt.date.today().year + 1:
        return None
    return parsed


def meta_value(metas: dict[str, str], *names: str) -> str:
    """The first non-empty content among `<meta>` (or itemprop) elements with these names."""
    return next((metas[name] for name in names if metas.get(name)), "")


def meta_index(tree) -> dict[str, str]:
    # One pass over the elements that carry metadata, instead of an XPath per name.
    index = {}
    for element in tree.xpath("//meta[@content] | //*[@itemprop][@content]"):
        for attribute in ("property", "name", "itemprop", "http-equiv"):
            name = element.get(attribute)
            if name and name not in index:
                index[name] = clean_text(element.get("content"))
    return index


def _absolute(link: str, url: str | None) -> str:
    return urljoin(url, link) if url else link


def _first(values: list) -> str:
    return str(values[0]) if values else ""


def clean_text(value: str | None) -> str:
    return " ".join((value or "").split())
