"""The story's title, chosen among the page's own candidates.

The visible headline (`<h1>`, its kicker removed) wins when a metadata title (og:title, JSON-LD
headline, `<title>`, each without the site's name) confirms it; a headline that ends with a metadata
title loses the unmarked kicker before it; a page's single (or one of few) `<h1>` comes next; an
article's `<h2>` when the page has no `<h1>` headline; else a metadata title.
"""
import copy
import re
from urllib.parse import urlsplit

import lxml.html

from dyad.extract.metadata import clean_text, meta_index, meta_value

_KICKER = re.compile(r"kicker|dachzeile|overline|roofline|topline|titleheader|eyebrow|spitzmarke|strapline"
                     r"|hidden|colon|separator", re.I)
_WIDGET = re.compile(r"share|social", re.I)
_BAR = re.compile(r"\s*[|•·»│]\s*")
_DASH = re.compile(r"\s+[–—-]\s+")
_SITE_SEPARATOR = re.compile(f"{_BAR.pattern}|{_DASH.pattern}")
_DOMAIN = re.compile(r"\w\.(?:[a-z]{2,3}|info|online|news)$", re.I)
_GENERIC_HOST_LABELS = {"www", "blog", "blogs", "news", "wordpress", "blogspot", "online", "info"}
# A page with this many <h1>s is a listing of teasers: its first <h1> is not the story's.
LISTING_H1S = 5


def title(tree: lxml.html.HtmlElement, json_ld: list[dict], metas: dict | None = None,
          url: str | None = None) -> tuple[str | None, str | None]:
    metas = meta_index(tree) if metas is None else metas
    raw = [(name, value) for name, value in (
        ("og:title", meta_value(metas, "og:title", "twitter:title")),
        ("json-ld", _headline(json_ld)),
        ("title", clean_text(tree.findtext(".//title"))),
    ) if value]
    site = _SiteName(metas, url, [value for _name, value in raw])
    references = [(name, site.strip(value)) for name, value in raw]
    keys = [_key(value) for _name, value in references]
    h1s = _h1_elements(tree)
    headlines = [part for part in _h1_parts(h1s) if not site.matches(part)]
    confirmed = [part for part in headlines
                 if len(_key(part).split()) >= 2 and any(_key(part) in k for k in keys)]
    if confirmed:
        return max(confirmed, key=len), "h1"
    # A headline that ends with a metadata title carries a kicker the markup did not mark.
    for name, value in references:
        if len(_key(value).split()) >= 3 and any(_key(h).endswith(_key(value)) for h in headlines):
            return value, name
    if headlines and len(h1s) < LISTING_H1S and len(_key(headlines[0]).split()) >= 3:
        return headlines[0], "h1"
    if not headlines:
        for h2 in tree.xpath("//article//h2 | //*[contains(@class, 'article')]//h2")[:1]:
            if len(_key(h2.text_content()).split()) >= 4:
                return clean_text(h2.text_content()), "h2"
    for name, value in references:
        return value, name
    return None, None


class _SiteName:
    """Recognises the site's name among the pieces of a title ("Story | Outlet"): the piece names
    the host or og:site_name, looks like a domain, or ends `<title>` while og:title lacks it."""

    def __init__(self, metas: dict, url: str | None, titles: list[str]):
        self._names = {_compact(metas.get("og:site_name", ""))} - {""}
        host = (urlsplit(url).hostname or "") if url else ""
        self._host_labels = {label for label in re.split(r"[.-]", host)
                             if len(label) >= 4 and label not in _GENERIC_HOST_LABELS}
        self._host = _compact(host)
        if len(titles) > 1:
            others = {_compact(piece) for value in titles[:-1]
                      for piece in _SITE_SEPARATOR.split(value)}
            last = _SITE_SEPARATOR.split(titles[-1])
            if len(last) > 1 and _compact(last[-1]) not in others:
                self._names.add(_compact(last[-1]))

    def matches(self, piece: str) -> bool:
        compact = _compact(piece)
        if not compact:
            return False
        short = len(piece.split()) <= 4
        return compact in self._names or _DOMAIN.search(piece.strip()) is not None or short and (
            (len(compact) >= 4 and compact in self._host)
            or any(compact.startswith(label) for label in self._host_labels))

    def strip(self, value: str) -> str:
        """The title without the site's name: of pieces split by a bar the longest that is not
        the site; then site-name pieces split by a dash at either end (a dash can be the
        headline's own)."""
        pieces = [p for p in _BAR.split(value) if p.strip()]
        named = [p for p in pieces if not self.matches(p)] or pieces
        if len(pieces) > 1:
            value = max(named, key=len).strip()
            # The pieces a bar sets apart are the site or its section: never the headline.
            self._names.update(_compact(p) for p in pieces if p.strip() != value)
        pieces, separators = _DASH.split(value), _DASH.findall(value)
        start, end = 0, len(pieces)
        while end - start > 1 and self.matches(pieces[end - 1]):
            end -= 1
        while end - start > 1 and self.matches(pieces[start]):
            start += 1
        kept = [pieces[start]]
        for index in range(start + 1, end):
            kept += [separators[index - 1], pieces[index]]
        return "".join(kept).strip()


def _h1_elements(tree) -> list:
    """The `<h1>`s, except those inside share buttons (the page's name, not its
    headline)."""
    return [h for h in tree.xpath("//h1") if not any(
        _WIDGET.search(a.get("class", "") + " " + a.get("id", ""))
        for a in list(h.iterancestors())[:2])]


def _h1_parts(h1s: list) -> list[str]:
    parts = []
    for heading in h1s:
        if _KICKER.search(heading.get("class", "")):
            # An <h1> styled as the kicker: the headline is the heading that follows it.
            heading = heading.getnext()
            if heading is None or heading.tag not in ("h2", "h3"):
                continue
        heading = copy.deepcopy(heading)
        for element in list(heading.iterdescendants()):
            marks = f"{element.get('class', '')} {element.get('aria-hidden', '')}"
            if _KICKER.search(marks) and element.getparent() is not None:
                element.drop_tree()
        whole = clean_text(heading.text_content())
        if whole:
            parts.append(whole)
        parts.extend(t for t in (clean_text(c.text_content()) for c in heading) if t and t != whole)
    return parts


def _headline(json_ld: list[dict]) -> str:
    for obj in json_ld:
        if isinstance(obj.get("headline"), str):
            return clean_text(lxml.html.fromstring(obj["headline"]).text_content()) \
                if "&" in obj["headline"] else clean_text(obj["headline"])
    return ""


def _compact(value: str) -> str:
    return re.sub(r"\W+", "", value).casefold()


def _key(value: str) -> str:
    return re.sub(r"\W+", " ", value).strip().casefold()
