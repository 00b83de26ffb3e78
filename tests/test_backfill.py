"""dyad backfill: WARC files the tests write (warcio) read into a real DuckDB file."""
import datetime as dt
import gzip
import io
from html import escape
from pathlib import Path

import duckdb
import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from dyad.options import OptionsError
from dyad.pipelines import backfill
from dyad.transforms.read_warcs import warc_pages
from tests.conftest import needs

SEED = Path(__file__).parents[2] / "shared" / "seed" / "china-russia-defence-call.txt"
DATE = "2026-01-27T10:00:00Z"


def page(title: str, paragraphs: list[str]) -> bytes:
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return (f"<html><head><title>{escape(title)}</title></head><body><nav>Home | World</nav>"
            f"<article><h1>{escape(title)}</h1>{body}</article></body></html>").encode()


OTHER = page("Floods close the port of Valparaíso", [
    "Heavy rain flooded the port of Valparaíso in Chile on Monday, closing its container "
    "terminals for the day while crews pumped water from the docks and the roads to them.",
    "The harbour master said ships would be let in again once the water had gone down and the "
    "cranes had been checked, which could take until Wednesday."] * 2)


def record(writer, uri, kind, payload=b"", status="200 OK", content_type="text/html",
           date=DATE, extra=None):
    http = (StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
            if kind in ("response", "revisit") else None)
    headers = {"WARC-Date": date, **(extra or {})}
    return writer.create_warc_record(uri, kind, payload=io.BytesIO(payload),
                                     http_headers=http, warc_headers_dict=headers)


def write_warc(path: Path, seed_html: bytes, corrupt_after: int | None = None) -> None:
    """A gzipped WARC of every record type around two news pages and a truncated one; with
    `corrupt_after`, the gzip member after that many records is garbled."""
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    records = [
        writer.create_warcinfo_record("crawl.warc.gz", {"software": "dyad tests"}),
        record(writer, "https://news.example/world/china-russia", "request", b"GET / HTTP/1.1\r\n"),
        record(writer, "https://news.example/world/china-russia", "response", seed_html),
        record(writer, "https://news.example/world/china-russia", "metadata", b"fetchTimeMs: 9",
               content_type=""),
        record(writer, "https://news.example/gone", "response", b"<html>gone</html>",
               status="404 Not Found"),
        record(writer, "https://news.example/logo.png", "response", b"\x89PNG....",
               content_type="image/png"),
        record(writer, "https://other.example/chile/floods", "response", OTHER,
               date="2026-01-26T08:00:00Z"),
        record(writer, "https://other.example/chile/floods", "revisit", b""),
        record(writer, "https://other.example/cut", "response", OTHER[:700],
               extra={"WARC-Truncated": "length"}),
        record(writer, "https://old.example/2019/story", "response", OTHER,
               date="2019-05-01T08:00:00Z"),
    ]
    members = []
    for r in records:
        member = io.BytesIO()
        WARCWriter(member, gzip=True).write_record(r)
        members.append(member.getvalue())
    if corrupt_after is not None:
        bad = bytearray(members[corrupt_after])
        bad[len(bad) // 2:len(bad) // 2 + 40] = b"\x00" * 40
        members[corrupt_after] = bytes(bad)
    path.write_bytes(b"".join(members))


@pytest.fixture
def seed_html():
    if not SEED.exists():
        pytest.skip(f"{SEED} not present")
    title, _, body = SEED.read_text(encoding="utf-8").partition("\n")
    return page(title, [line for line in body.splitlines() if len(line) > 80])


def stories(db: str) -> list[tuple]:
    with duckdb.connect(db, read_only=True) as con:
        return con.execute("SELECT url, feed_url, feed_name, country_pair, topic, extraction_note "
                           "FROM stories ORDER BY url").fetchall()


@needs(str(SEED))
def test_a_warc_lands_as_stories_and_a_second_run_adds_nothing(tmp_path, seed_html):
    archive = tmp_path / "crawl-1.warc.gz"
    write_warc(archive, seed_html)
    db = str(tmp_path / "w.duckdb")
    argv = ["--warc", str(tmp_path / "crawl-*.warc.gz"), "--warehouse", f"duckdb:{db}",
            "--since", "2026-01-01"]
    _run, _settings, result = backfill.run(argv)
    rows = stories(db)
    assert [r[0] for r in rows] == ["https://news.example/world/china-russia",
                                    "https://other.example/chile/floods",
                                    "https://other.example/cut"]
    assert {r[1] for r in rows} == {str(archive)} and {r[2] for r in rows} == {"warc"}
    assert rows[0][3:5] == ("CHN-RUS", "defence")
    assert "cut this page short" in rows[2][5]
    with duckdb.connect(db, read_only=True) as con:  # the seed page has no date of its own
        assert con.execute("SELECT provenance.published_at, published_at FROM stories WHERE "
                           "url LIKE '%china-russia'").fetchall() == [
            ("warc", dt.datetime(2026, 1, 27, 10, tzinfo=dt.timezone.utc))]
    counters = {m.key.metric.name: m.committed for m in result.metrics().query()["counters"]}
    assert {name: n for name, n in counters.items() if name.startswith("warc_")} == {
        "warc_pages": 3, "warc_records_skipped_warcinfo": 1, "warc_records_skipped_request": 1,
        "warc_records_skipped_metadata": 1, "warc_records_skipped_revisit": 1,
        "warc_records_skipped_status_4xx": 1, "warc_records_skipped_not_html": 1,
        "warc_records_skipped_outside_dates": 1}
    backfill.run(argv)
    assert len(stories(db)) == 3
    with duckdb.connect(db, read_only=True) as con:
        assert con.execute("SELECT count(DISTINCT run_id) FROM stories").fetchall() == [(1,)]
        assert con.execute("SELECT count(*) FROM story_sightings").fetchall() == [(3,)]


@needs(str(SEED))
def test_a_corrupt_gzip_member_is_skipped_and_the_rest_of_the_file_read(tmp_path, seed_html):
    first = tmp_path / "crawl-1.warc.gz"
    write_warc(first, seed_html, corrupt_after=6)  # the floods page's member
    junk = tmp_path / "crawl-2.warc.gz"
    junk.write_bytes(gzip.compress(b"plain junk\r\n\r\n"))
    db = str(tmp_path / "w.duckdb")
    backfill.run(["--warc", str(tmp_path / "crawl-*.warc.gz"), "--warehouse", f"duckdb:{db}",
                  "--sites", str(_sites(tmp_path, "news.example\nother.example\n"))])
    with duckdb.connect(db, read_only=True) as con:
        errors = con.execute("SELECT url, error_type, message FROM ingest_errors "
                             "ORDER BY url").fetchall()
        urls = [r[0] for r in con.execute("SELECT url FROM stories ORDER BY url").fetchall()]
    assert [(url, kind) for url, kind, _ in errors] == [(str(first), "corrupt_warc"),
                                                          (str(junk), "corrupt_warc")]
    assert "read on from the next gzip member" in errors[0][2]
    assert "cannot read on from byte 0" in errors[1][2]
    # before the garbled member, and after it; old.example is not among the sites
    assert urls == ["https://news.example/world/china-russia", "https://other.example/cut"]


def test_sites_keep_only_the_outlets_wanted(tmp_path):
    archive = tmp_path / "a.warc.gz"
    write_warc(archive, page("A page", ["x " * 60]))
    skipped = []
    with open(archive, "rb") as stream:
        pages = list(warc_pages(stream, str(archive), "r", skipped.append,
                                sites=frozenset({"other.example"})))
    assert [p.url for p in pages] == ["https://other.example/chile/floods",
                                      "https://other.example/cut"]
    assert skipped.count("other_site") == 2  # the news.example page and old.example


def _sites(folder: Path, text: str) -> Path:
    path = folder / "sites.txt"
    path.write_text(text, encoding="utf-8")
    return path


def test_backfill_options_are_checked_first(tmp_path):
    db = f"duckdb:{tmp_path / 'w.duckdb'}"
    with pytest.raises(OptionsError, match="--warc PATTERN is required"):
        backfill.run(["--warehouse", db])
    with pytest.raises(OptionsError, match="--since 'May 2019': give a day"):
        backfill.run(["--warc", "x", "--warehouse", db, "--since", "May 2019"])
    with pytest.raises(OptionsError, match="--since must be before --until"):
        backfill.run(["--warc", "x", "--warehouse", db, "--since", "2020-01-02",
                      "--until", "2020-01-01"])
    with pytest.raises(OptionsError, match="names no site"):
        backfill.run(["--warc", "x", "--warehouse", db, "--sites", str(_sites(tmp_path, "# none\n"))])


@pytest.mark.parametrize("content, error", [(gzip.compress(b"plain junk\r\n\r\n"), "corrupt_warc"),
                                            (b"", "empty_warc")], ids=["junk", "empty"])
def test_a_file_that_is_not_a_warc_is_one_error_row(tmp_path, content, error):
    bad = tmp_path / "bad.warc.gz"
    bad.write_bytes(content)
    with open(bad, "rb") as stream:
        out = list(warc_pages(stream, str(bad), "r", lambda _why: None))
    assert len(out) == 1 and out[0].value["error_type"] == error
    assert dt.datetime.now(dt.timezone.utc) - out[0].value["occurred_at"] < dt.timedelta(minutes=5)


@needs(str(SEED))
def test_the_command_says_what_the_archives_held(tmp_path, seed_html, capsys):
    from dyad.cli import main
    write_warc(tmp_path / "crawl-1.warc.gz", seed_html)
    db = str(tmp_path / "w.duckdb")
    assert main(["backfill", "--warc", str(tmp_path / "*.warc.gz"), "--warehouse",
                 f"duckdb:{db}", "--until", "2026-01-27"]) == 0
    out = capsys.readouterr().out
    assert "stories written: 2" in out  # the seed page is archived on the 27th: left out
    assert ("archives: 2 HTML pages read; skipped: metadata 1, not_html 1, outside_dates 2, "
            "request 1, revisit 1, status_4xx 1, warcinfo 1") in out
    assert main(["backfill", "--warehouse", f"duckdb:{db}"]) == 2
    assert "--warc PATTERN is required" in capsys.readouterr().err


CC_SAMPLE = Path(__file__).parents[2] / "shared" / "corpus" / "warc" / "resiliparse"


@needs(str(CC_SAMPLE))
def test_a_real_common_crawl_warc_through_the_command(tmp_path):
    """The corpus's Common Crawl sample (16 responses of mixed web pages): every response is one
    story, every other record is counted, and the terminal shows no warning."""
    from tests.test_cli import dyad
    db = str(tmp_path / "cc.duckdb")
    done = dyad("backfill", "--warc", str(CC_SAMPLE / "*.warc.gz"), "--warehouse", f"duckdb:{db}")
    assert done.returncode == 0, done.stderr
    assert "WARNING" not in done.stderr, done.stderr
    assert "stories written: 16" in done.stdout
    assert "archives: 16 HTML pages read; skipped: metadata 16, request 17, warcinfo 1" in done.stdout
    with duckdb.connect(db, read_only=True) as con:
        assert con.execute("SELECT count(*), count(DISTINCT feed_url), min(feed_name), "
                           "max(feed_name) FROM stories").fetchall() == [(16, 1, "warc", "warc")]


def test_the_progress_line_counts_archive_files_and_records(tmp_path):
    from dyad import progress
    archive = tmp_path / "a.warc.gz"
    write_warc(archive, page("A page", ["x " * 60]))
    progress.reset()
    with open(archive, "rb") as stream:
        list(warc_pages(stream, str(archive), "r", lambda _why: None))
    counts = progress.snapshot()
    assert (counts["warc_files"], counts["warc_records"]) == (1, 10)
    progress.bump("stories_written", 3)
    assert progress.render(progress.snapshot()) == (
        "archives 1 read · records 10 · stories written 3 · errors 0")
    progress.reset()
