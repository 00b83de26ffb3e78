"""Stage 1 of a backfill, read archives: WARC file patterns → FetchedPage per archived HTML page.

Files are matched and opened by Beam's `fileio` (local paths or gs://, so a runner reads them in
parallel, a file per worker) and each is read as a stream by warcio, one record at a time: a
1 GB WARC never sits in memory. Only HTTP 200 `response` records of HTML pages become pages;
request, metadata, revisit, warcinfo, non-HTML and 4xx/5xx records are skipped and counted
(`warc_records_skipped_<why>`), and so are pages outside `--since`/`--until` (on WARC-Date) or
the `--sites` wanted. A page's entry is the record's: `url` its WARC-Target-URI verbatim,
`feed_url` the WARC file's URI, `feed_name` "warc", `guid` its WARC-Record-ID, its date the
WARC-Date (the page's own date, once parsed, comes first). A record the crawler cut short
(WARC-Truncated) is parsed as far as it goes, with a note. A file that cannot be read on
(a corrupt gzip member) gives a `read_warcs` error row saying which bytes were skipped, and is
read on from the next gzip member that starts a record; one error row stands for the rest of a
file where none does, and for a file with no record at all.
"""

import datetime as dt
import zlib
from typing import Callable, Iterable, Iterator

import apache_beam as beam
from apache_beam.io import fileio
from apache_beam.metrics import Metrics

from dyad import progress
from dyad.errors import error_row
from dyad.net.urls import canonical_url, source_domain, story_id
from dyad.records import ARCHIVE_FEED_NAME, FeedEntry, FetchedPage
from dyad.transforms.dead_letters import ErrorOut, error_output, run_stage

HTML_TYPES = ("text/html", "application/xhtml+xml")


def warc_date(value: str | None) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat((value or "").replace("Z", "+00:00")) if value else None
    except ValueError:
        return None


def skip_reason(record, when: dt.datetime | None, since, until, sites) -> str | None:
    """Why a record does not become a page (None: it does)."""
    if record.rec_type != "response":
        return record.rec_type or "unknown"
    if record.http_headers is None:
        return "not_http"
    status = record.http_headers.get_statuscode()
    if status != "200":
        return f"status_{(status or '?')[:1]}xx"
    content_type = (record.http_headers.get_header("Content-Type") or "").split(";")[0].strip()
    if content_type.lower() not in HTML_TYPES:
        return "not_html"
    if when is None or (since and when < since) or (until and when >= until):
        return "outside_dates"
    if sites and source_domain(canonical_url(record.rec_headers.get_header("WARC-Target-URI")
                                             or "")) not in sites:
        return "other_site"
    return None


def page_of(record, file_uri: str, when: dt.datetime, max_bytes: int) -> FetchedPage:
    url = record.rec_headers.get_header("WARC-Target-URI")
    canonical = canonical_url(url)
    entry = FeedEntry(story_id(canonical), url, canonical, source_domain(canonical), file_uri,
                      ARCHIVE_FEED_NAME, record.rec_headers.get_header("WARC-Record-ID") or "", "", "",
                      (), when, when)
    body = record.content_stream().read(max_bytes + 1)
    truncated = record.rec_headers.get_header("WARC-Truncated")
    note = None
    if truncated or len(body) > max_bytes:
        note = (f"the archive cut this page short (WARC-Truncated: {truncated})" if truncated
                else f"page longer than {max_bytes} bytes: parsed as far as that")
        body = body[:max_bytes]
    return FetchedPage(entry, url, 200, record.http_headers.get_header("Content-Type") or "",
                       body, when, note=note)


def warc_pages(stream, file_uri: str, run_id: str, skipped: Callable[[str], None],
               since=None, until=None, sites=frozenset(), max_bytes: int = 5 * 2**20
               ) -> Iterator[FetchedPage | ErrorOut]:
    """The pages of one WARC stream. Where a gzip member cannot be read, an error row says which
    bytes were skipped and reading goes on at the next member that starts a WARC record; where
    none follows (or the stream cannot seek, or the file is not gzipped), one error row stands
    for the rest of the file."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed
    records, start, corrupt = 0, 0, False
    while start is not None:  # from the file's start, then from each member read on from
        iterator = ArchiveIterator(stream)
        try:
            for record in iterator:
                records += 1
                progress.bump("warc_records")
                when = warc_date(record.rec_headers.get_header("WARC-Date"))
                reason = skip_reason(record, when, since, until, sites)
                if reason:
                    skipped(reason)
                    continue
                yield page_of(record, file_uri, when, max_bytes)
            break
        except (ArchiveLoadFailed, zlib.error, EOFError, OSError, ValueError) as exc:
            corrupt, failed = True, iterator.offset  # where the member being read began
            start = next_member(stream, failed + 1)
            where = (f"skipped bytes {failed}-{start - 1}, read on from the next gzip member"
                     if start is not None else f"cannot read on from byte {failed}")
            yield error_output(error_row(
                "read_warcs", file_uri, file_uri, "corrupt_warc",
                f"{where} (after record {records}): {type(exc).__name__}: {exc}", run_id))
    progress.bump("warc_files")
    if not records and not corrupt:
        yield error_output(error_row("read_warcs", file_uri, file_uri, "empty_warc",
                                     "the file holds no WARC record", run_id))


_GZIP_MEMBER = b"\x1f\x8b\x08"
_CHUNK = 1 << 20


def next_member(stream, after: int) -> int | None:
    """The offset of the first gzip member from `after` on whose data begins a WARC record, with
    `stream` positioned there; None when there is none or the stream cannot seek."""
    if not (hasattr(stream, "seekable") and stream.seekable()):
        return None
    position = after
    while True:
        stream.seek(position)
        chunk = stream.read(_CHUNK + 64 * 1024)
        if not chunk:
            return None
        found = chunk.find(_GZIP_MEMBER)
        while 0 <= found < _CHUNK:
            try:
                head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(chunk[found:found + 4096])
            except zlib.error:
                head = b""
            if head.startswith(b"WARC/"):
                stream.seek(position + found)
                return position + found
            found = chunk.find(_GZIP_MEMBER, found + 1)
        position += _CHUNK


class ReadWarcRecordsFn(beam.DoFn):
    """ReadableFile → its FetchedPages, and an error row where the file cannot be read on."""

    def __init__(self, run_id: str, since=None, until=None, sites: Iterable[str] = (),
                 max_bytes: int = 5 * 2**20):
        self.run_id = run_id
        self.since, self.until = since, until
        self.sites = frozenset(sites)
        self.max_bytes = max_bytes
        self.pages = Metrics.counter("dyad", "warc_pages")

    def skipped(self, reason: str) -> None:
        Metrics.counter("dyad", f"warc_records_skipped_{reason}").inc()

    def process(self, readable) -> Iterable[FetchedPage | ErrorOut]:
        with readable.open(compression_type="uncompressed") as stream:
            for out in warc_pages(stream, readable.metadata.path, self.run_id, self.skipped,
                                  self.since, self.until, self.sites, self.max_bytes):
                if isinstance(out, FetchedPage):
                    self.pages.inc()
                yield out


class ReadWarcs(beam.PTransform):
    """PBegin → (PCollection[FetchedPage], error rows) of the WARC files `pattern` matches."""

    def __init__(self, pattern: str, run_id: str, since=None, until=None, sites=(),
                 max_bytes: int = 5 * 2**20):
        super().__init__()
        self.pattern = pattern
        self.fn = ReadWarcRecordsFn(run_id, since, until, sites, max_bytes)
        self.run_id = run_id

    def expand(self, pbegin):
        files = (pbegin
                 | "MatchWarcs" >> fileio.MatchFiles(self.pattern)
                 | "OpenWarcs" >> fileio.ReadMatches()
                 | "SpreadWarcs" >> beam.Reshuffle())
        return run_stage(files, "ReadRecords", self.fn, "read_warcs", self.run_id, partial=True)
