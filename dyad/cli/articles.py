"""`dyad classify` and `dyad parse`: one article at a time, through the pipeline's own functions;
`dyad cluster`: same-story clusters of a set of articles, as the pipeline builds them."""
from __future__ import annotations

import datetime as dt
import json
import sys

from dyad.classify import classify
from dyad.extract import ExtractionError, decode_html, extract


class InputError(ValueError):
    """Input that cannot be read; the message names it."""


def looks_like_html(text: str) -> bool:
    head = text.lstrip()[:1000].lower()
    return head.startswith("<") and ("<html" in head or "<!doctype" in head or "<body" in head
                                     or "<p" in head or "<div" in head or "<article" in head)


def classify_document(title: str, text: str, published_at=None, language=None) -> dict:
    result = classify(title, text, published_at=published_at, language=language)
    return {
        "language": result["language"],
        "topic": result["topic"],
        "topic_score": result["topic_score"],
        "iptc": result["topic_iptc"],
        "topics": result["topics"],
        "countries": result["countries"],
        "country_focus": result["country_focus"],
        "country_pair": result["country_pair"],
        "country_a": result["country_a"],
        "country_b": result["country_b"],
        "relation": result["relation"],
    }


def classify_record(record: dict) -> dict:
    """One `--jsonl` record: {"id", "title", "text"} or {"id", "url", "html"}, and optionally
    "published_at" (ISO 8601: people are resolved as of that day; today when absent)."""
    published_at = _published_at(record.get("published_at"))
    language = None
    if record.get("html") is not None:
        parsed = parse_record(record)
        title, text = parsed.get("title") or "", parsed.get("text") or ""
        published_at = published_at or _published_at(parsed.get("published_at"))
        language = parsed.get("language")
    else:
        title, text = record.get("title") or "", record.get("text") or ""
    return {"id": record.get("id"), **classify_document(title, text, published_at, language)}


def _published_at(value) -> dt.datetime | None:
    if value in (None, ""):
        return None
    try:
        when = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"published_at {value!r} is not an ISO 8601 date or time") from None
    return when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)


def parse_record(record: dict) -> dict:
    url = record.get("url") or "http://localhost/"
    try:
        fields = extract(url, record.get("html") or "")
    except ExtractionError as exc:
        return {"id": record.get("id"), "title": None, "text": None, "authors": [],
                "published_at": None, "language": None, "extraction": None,
                "error": {"type": exc.error_type, "message": str(exc)}}
    published = fields["published_at"]
    return {"id": record.get("id"), "title": fields["title"], "text": fields["text"],
            "authors": list(fields["authors"]),
            "published_at": published.isoformat() if published else None,
            "language": fields["language"], "top_image": fields["top_image"],
            "extraction": fields["extraction"], "provenance": fields["provenance"]}


def _read(name: str) -> str:
    if name == "-":
        return sys.stdin.read()
    try:
        with open(name, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        raise InputError(f"cannot read {name!r}: {exc.strerror}") from None
    return decode_html(raw) if looks_like_html(raw[:2000].decode("latin-1")) else \
        raw.decode("utf-8", errors="replace")


def _records(files: list[str], jsonl: bool):
    if jsonl:
        for n, line in enumerate(sys.stdin, 1):
            if line.strip():
                yield _json_object(line, f"line {n}")
        return
    for name in files:
        content = _read(name)
        if looks_like_html(content):
            yield {"id": name, "url": None, "html": content}
        else:
            title, _, body = content.strip().partition("\n")
            yield {"id": name, "title": title.strip(), "text": body.strip() or title.strip()}


def _json_object(line: str, where: str) -> dict:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(f"{where} is not JSON: {exc.msg}") from None
    if not isinstance(record, dict):
        raise InputError(f"{where} is not a JSON object")
    return record


def _emit(out, obj, jsonl: bool) -> None:
    out.write(json.dumps(obj, ensure_ascii=False) if jsonl else
              json.dumps(obj, ensure_ascii=False, indent=2))
    out.write("\n")


def classify_command(files: list[str], jsonl: bool, out) -> int:
    for record in _records(files, jsonl):
        _emit(out, classify_record(record), jsonl)
    return 0


def parse_command(files: list[str], jsonl: bool, out) -> int:
    for record in _records(files, jsonl):
        if record.get("html") is None:
            raise InputError(f"{record.get('id')!r}: parse needs HTML ({{'id', 'url', 'html'}})")
        _emit(out, parse_record(record), jsonl)
    return 0


def cluster_command(files: list[str], out) -> int:
    """JSON lines {"id", "title", "text", "language"?, "published_at"?, "url"?} (stdin, or the
    files) → {"id", "cluster_id"} for each, in input order. Without `published_at` an article is
    compared with every other; with it, with those of the time window."""
    from dyad.clusters.clusters import assign_clusters
    from dyad.clusters.fingerprint import fingerprint
    ids, items = [], []
    for n, record in enumerate(_json_lines(files), 1):
        if record.get("id") is None:
            raise InputError(f"record {n} has no \"id\"")
        article_id = str(record["id"])
        if article_id in ids:
            raise InputError(f"record {n}: id {article_id!r} was given before")
        ids.append(article_id)
        items.append((article_id, fingerprint(str(record.get("title") or ""),
                                              str(record.get("text") or ""),
                                              record.get("language") or None,
                                              _published_at(record.get("published_at")))))
    clusters = assign_clusters(items)
    for article_id in ids:
        _emit(out, {"id": article_id, "cluster_id": clusters[article_id]}, True)
    return 0


def _json_lines(files: list[str]):
    if files in ([], ["-"]):
        yield from _records([], True)
        return
    for name in files:
        try:
            with open(name, encoding="utf-8") as handle:
                lines = handle.readlines()
        except OSError as exc:
            raise InputError(f"cannot read {name!r}: {exc.strerror}") from None
        for n, line in enumerate(lines, 1):
            if line.strip():
                yield _json_object(line, f"{name} line {n}")
