"""Extraction quality: newspaper3k alone, trafilatura alone and dyad, side by side.

trafilatura-news: share of `with` snippets found and of `without` snippets absent, exact title
and author matches. newspaper3k / newspaper4k test pages: agreement (token F1) with the outputs
those libraries recorded, and for newspaper4k the recorded title. Every extractor gets the same
decoded text. Publish dates have their own tables (`dates`).
"""
import json
import logging
import re
import time
import unicodedata
from pathlib import Path

import trafilatura

from dyad.evaluation import dates
from dyad.extract import ExtractionError, decode_html, extract
from dyad.extract.body import token_f1

log = logging.getLogger(__name__)


def run_newspaper3k(url, html):
    from newspaper import Article, Config  # an eval-only baseline, not a pipeline dependency
    import jieba  # newspaper3k's Chinese tokenizer sets its logger to DEBUG on import: import it first
    jieba.setLogLevel(logging.ERROR)
    config = Config()
    config.fetch_images = False
    config.memoize_articles = False
    page = Article(url or "http://localhost/", config=config)
    page.download(input_html=html)
    page.parse()
    return {"text": page.text, "title": page.title, "authors": list(page.authors)}


def run_trafilatura(url, html):
    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False)
    if doc is None:
        return {"text": "", "title": None, "authors": []}
    return {"text": doc.text or "", "title": doc.title,
            "authors": [a.strip() for a in (doc.author or "").split(";") if a.strip()]}


def run_dyad(url, html):
    try:
        fields = extract(url, html)
    except ExtractionError:
        return {"text": "", "title": None, "authors": []}
    return {"text": fields["text"], "title": fields["title"], "authors": list(fields["authors"])}


EXTRACTORS = {"newspaper3k": run_newspaper3k, "trafilatura": run_trafilatura, "dyad": run_dyad}


def timed(fn, url, html):
    start = time.process_time()
    try:
        result = fn(url, html)
    except Exception as exc:  # a baseline library crashing on a page counts as an empty result
        log.warning("%s failed on %s: %r", fn.__name__, url, exc)
        result = {"text": "", "title": None, "authors": []}
    return result, time.process_time() - start


def trafilatura_news(root: Path) -> dict[str, dict]:
    labels = json.loads((root / "evaldata_news_subset.json").read_text(encoding="utf-8"))
    pages = [(url, spec, decode_html((root / "html" / spec["file"]).read_bytes()))
             for url, spec in labels.items()]
    table = {}
    for name, fn in EXTRACTORS.items():
        tally = dict.fromkeys(("with", "with_n", "without", "without_n", "title", "title_loose",
                               "title_n", "author", "author_n", "cpu"), 0)
        for url, spec, html in pages:
            got, seconds = timed(fn, url, html)
            tally["cpu"] += seconds
            text = got["text"] or ""
            tally["with"] += sum(s in text for s in spec["with"])
            tally["with_n"] += len(spec["with"])
            tally["without"] += sum(s not in text for s in spec["without"])
            tally["without_n"] += len(spec["without"])
            if "title" in spec:
                tally["title_n"] += 1
                tally["title"] += _clean(got["title"]) == _clean(spec["title"])
                tally["title_loose"] += _loose(got["title"]) == _loose(spec["title"])
            if "author" in spec:
                tally["author_n"] += 1
                tally["author"] += _names(got["authors"]) == _names(spec["author"])
        table[name] = {
            "with recall": tally["with"] / tally["with_n"],
            "without rejection": tally["without"] / tally["without_n"],
            "title exact": tally["title"] / tally["title_n"],
            "title (case/punct.)": tally["title_loose"] / tally["title_n"],
            "authors exact": tally["author"] / tally["author_n"],
            "CPU ms/page": 1000 * tally["cpu"] / len(pages),
        }
    counts = (f"{len(pages)} pages, {tally['with_n']} with / {tally['without_n']} without snippets, "
              f"{tally['title_n']} titles")
    return {"title": f"trafilatura-news ({counts})", "rows": table}


def recorded_outputs(html_dir: Path, text_dir: Path, meta_dir: Path | None, label: str) -> dict:
    table = {}
    pages = []
    for html_file in sorted(html_dir.glob("*.html")):
        text_file = text_dir / (html_file.stem + ".txt")
        if not text_file.exists():
            continue
        meta = None
        if meta_dir is not None and (meta_dir / (html_file.stem + ".json")).exists():
            meta = json.loads((meta_dir / (html_file.stem + ".json")).read_text(encoding="utf-8"))
        url = (meta or {}).get("url") or None
        pages.append((url, decode_html(html_file.read_bytes()),
                      text_file.read_text(encoding="utf-8", errors="replace"), meta))
    for name, fn in EXTRACTORS.items():
        f1 = titles = metas = cpu = 0.0
        for url, html, expected, meta in pages:
            got, seconds = timed(fn, url, html)
            cpu += seconds
            f1 += token_f1(got["text"] or "", expected)
            if meta:
                metas += 1
                titles += _clean(got["title"]) == _clean(meta.get("title"))
        row = {"text token F1": f1 / len(pages), "CPU ms/page": 1000 * cpu / len(pages)}
        if metas:
            row["title exact"] = titles / metas
        table[name] = row
    return {"title": f"{label} ({len(pages)} pages with recorded text)", "rows": table}


def evaluate(corpus: Path) -> list[dict]:
    articles = corpus / "articles"
    tables = dates.evaluate(corpus)
    if (articles / "trafilatura-news").is_dir():
        tables.append(trafilatura_news(articles / "trafilatura-news"))
    n3k = articles / "newspaper3k" / "tests" / "data"
    if n3k.is_dir():
        tables.append(recorded_outputs(n3k / "html", n3k / "text", None, "newspaper3k pages"))
    n4k = articles / "newspaper4k" / "tests" / "data"
    if n4k.is_dir():
        tables.append(recorded_outputs(n4k / "html", n4k / "txt", n4k / "metadata",
                                       "newspaper4k pages"))
    return tables


def _clean(value) -> str:
    return unicodedata.normalize("NFC", " ".join(str(value or "").split()))


def _loose(value) -> str:
    return re.sub(r"\W+", " ", _clean(value)).strip().casefold()


def _names(value) -> frozenset:
    if isinstance(value, (list, tuple)):
        value = "; ".join(value)
    parts = re.split(r"[;,]| und | and | y ", value or "")
    return frozenset(p.strip().casefold() for p in parts if p.strip())
