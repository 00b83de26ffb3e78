"""`dyad classify` and `dyad parse`: one article at a time, through the pipeline's own functions."""
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
        return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"published_at {value!r} is not an ISO 8601 date or time") from None


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
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"line {n} is not JSON: {exc.msg}") from None
            if not isinstance(record, dict):
                raise InputError(f"line {n} is not a JSON object")
            yield record
        return
    for name in files:
        content = _read(name)
        if looks_like_html(content):
            yield {"id": name, "url": None, "html": content}
        else:
            title, _, body = content.strip().partition("\n")
            yield {"id": name, "title": title.strip(), "text": body.strip() or title.strip()}


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
