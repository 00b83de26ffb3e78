"""The people gazetteer: the build from the corpus formats (a fixture written for these tests, and
the real corpus when ../shared is present), the Phoenix/TABARI reader, and the runtime rows."""
import datetime as dt
import os
import subprocess
import sys

import pytest

from dyad.classify import people as runtime
from dyad.classify.people import Person, in_office, parse_people
from dyad.gazetteer import people_build, phoenix
from tests.conftest import CORPUS, REPO, needs

FIXTURE = os.path.join(REPO, "tests", "fixtures", "people", "corpus")
D = dt.date.fromisoformat


def row(code, role, start, end, name, source, lang="en"):
    return Person(code, role, D(start) if start else None, D(end) if end else None, lang, name,
                  source)


@pytest.fixture(scope="module")
def fixture_rows():
    return set(people_build.build(FIXTURE))


def test_wikidata_leaders_dates_and_roles(fixture_rows):
    expected = {
        row("DEU", "head_of_government", "2005-01-01", "2021-12-31", "Angela Merkel", "wikidata"),
        row("DEU", "head_of_government", "2021-01-01", "", "Olaf Scholz", "wikidata"),
        row("DEU", "head_of_state", "2017-01-01", "", "Frank-Walter Steinmeier", "wikidata"),
        # titled President, but Iran's head of government; the Supreme Leader is head of state
        row("IRN", "head_of_government", "2021-01-01", "", "Ebrahim Raisi", "wikidata"),
        row("IRN", "head_of_state", "1989-01-01", "", "Ali Khamenei", "wikidata"),
        row("ESP", "head_of_state", "2014-01-01", "", "Felipe VI", "wikidata"),
        row("MCO", "head_of_state", "2005-01-01", "", "Albert II", "wikidata"),
        row("RUS", "head_of_state", "2012-01-01", "", "Vladimir Putin", "wikidata"),
    }
    assert expected <= fixture_rows
    names = {p.name for p in fixture_rows}
    assert "Q900019" not in names        # an item without a label
    assert "Muse Bihi Abdi" not in names  # no ISO code for Somaliland


def test_wikidata_foreign_ministers(fixture_rows):
    ministers = {p for p in fixture_rows if p.role == "foreign_minister"}
    assert ministers == {
        row("RUS", "foreign_minister", "2004-03-09", "", "Sergey Lavrov", "wikidata"),
        row("AUS", "foreign_minister", "2022-05-23", "", "Penny Wong", "wikidata"),
        row("PSE", "foreign_minister", "2007-05-24", "", "Riyad al-Maliki", "wikidata"),
    }  # not Scotland's cabinet secretary, not the row without a person


def test_phoenix_officials(fixture_rows):
    officials = {p for p in fixture_rows if p.source == "phoenix"}
    assert all(p.lang == "en" for p in officials)
    expected = {
        # three ranges, overlapping and touching, merged; open since 2008; ELI ignored; a
        # spelling "PRESIDENT_PUTIN_" gives the office (the spelling itself is not a name)
        *(row("RUS", "head_of_state", "1999-08-09", "", name, "phoenix")
          for name in ("Vladimir Putin", "Vladimir Vladimirovich Putin", "Vladimir V. Putin")),
        # a name line without codes shares the next entry's
        *(row("RUS", "official", "2008-05-07", "2012-05-07", name, "phoenix")
          for name in ("Dmitry Medvedev", "Dmitriy Medvedev", "Dmitri Medvedev")),
        row("RUS", "official", "2012-11-06", "2024-05-12", "Sergei Shoigu", "phoenix"),
        row("DEU", "official", "1971-12-31", "1989-10-18", "Erich Honecker", "phoenix"),
        row("VGB", "official", "2011-08-09", "2019-02-26", "Orlando Smith", "phoenix"),
        row("UKR", "official", "", "1994-07-19", "Leonid Kravchuk", "phoenix"),
        row("CAN", "official", "1988-01-01", "1993-12-31", "John McKay O'Neill", "phoenix"),
        row("SYR", "official", "2000-07-17", "2024-12-08", "Bashar al-Assad", "phoenix"),
        row("KOR", "official", "2004-01-17", "2006-11-10", "Ban Ki Moon", "phoenix"),
    }
    assert officials == expected


def test_phoenix_dates():
    assert phoenix.parse_dates("000507-080507") == (D("2000-05-07"), D("2008-05-07"))
    assert phoenix.parse_dates("19270101-730717") == (D("1927-01-01"), D("1973-07-17"))
    assert phoenix.parse_dates(">080508") == (D("2008-05-08"), None)
    assert phoenix.parse_dates("< 900823") == (None, D("1990-08-23"))
    for bad in ("", "9008223-911221", "990231-000101", "080101-070101", "20040117"):
        assert phoenix.parse_dates(bad) is None, bad


def test_cameo_codes():
    assert phoenix.state_country("RUSGOV") == "RUS"
    assert phoenix.state_country("AFGGOVMIL") == "AFG"
    assert phoenix.state_country("GBRVGBGOV") == "VGB"   # a dependency inside the UK
    assert phoenix.state_country("USRUKRGOV") == "UKR"   # a Soviet republic
    assert phoenix.state_country("DDRGOV") == "DEU"      # a state that no longer exists
    assert phoenix.state_country("GBRIMYGOV") == "IMN"   # CAMEO IMY, ISO IMN
    for dropped in ("RUSELI", "RUSOPP", "RUS", "IGOUNO", "NGOUSAMIL", "KNTGOV", "EURGOV"):
        assert phoenix.state_country(dropped) is None, dropped


def test_display_names():
    cases = {"VLADIMIR_V._PUTIN_": "Vladimir V. Putin",
             "LUIZ_INACIO_LULA_DA_SILVA": "Luiz Inacio Lula da Silva",
             "ABDULLAH_II": "Abdullah II", "JOHN_MCCAIN_": "John McCain",
             "ANDREW_H._CARD,_JR.": "Andrew H. Card, Jr.",
             "JOHN_ROLAND_ROBINSON,_BARON_MARTONMERE": "John Roland Robinson",
             'TZIPORA_"TZIPI"_LIVNI': "Tzipora Livni", "NIKOLAY_TODOROV_(ACTING": "Nikolay Todorov"}
    for raw, name in cases.items():
        assert phoenix.display_name(raw) == name, raw
    for raw in ("PUTIN_", "PRESIDENT_PUTIN_", "RUSSIAN_PRIME_MINISTER_VLADIMIR_PUTIN_",
                "REAGAN_ADMINISTRATION", "JAMES_ADDISON_BAKER_3D", "QABUS_IBN_SA`ID"):
        assert phoenix.display_name(raw) is None, raw


def test_build_command_is_deterministic(tmp_path):
    out = tmp_path / "people.tsv"
    for _ in range(2):
        done = subprocess.run([sys.executable, "-m", "dyad.gazetteer", "build-people", "--corpus",
                               FIXTURE, "--output", str(out)], cwd=REPO, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith(f"wrote {len(set(people_build.build(FIXTURE)))} rows")
    text = out.read_text(encoding="utf-8")
    assert text == people_build.build_text(FIXTURE)
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    assert lines[0] == "\t".join(runtime.COLUMNS)
    assert lines[1:] == sorted(lines[1:])
    assert set(parse_people(text.splitlines())) == set(people_build.build(FIXTURE))


def test_build_command_without_corpus(tmp_path):
    done = subprocess.run([sys.executable, "-m", "dyad.cli", "gazetteer", "build-people",
                           "--corpus", str(tmp_path / "none"), "--output", str(tmp_path / "p.tsv")],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith("dyad gazetteer build-people: ")
    assert not (tmp_path / "p.tsv").exists()


def test_in_office():
    xi = row("CHN", "head_of_state", "2013-03-14", "", "Xi Jinping", "hand")
    assert in_office(xi, D("2026-01-01"))
    assert in_office(xi, D("2013-03-01"))                  # within the slack before
    assert not in_office(xi, D("2013-03-01"), slack_days=0)
    assert not in_office(xi, D("2012-01-01"))
    merkel = row("DEU", "head_of_government", "2005-11-22", "2021-12-08", "Angela Merkel", "hand")
    assert in_office(merkel, D("2022-01-01")) and not in_office(merkel, D("2022-03-01"))


def test_parse_people_rejects_broken_rows():
    header = "\t".join(runtime.COLUMNS)
    good = "RUS\tforeign_minister\t2004-03-09\t\ten\tSergey Lavrov\thand"
    assert list(parse_people(["# comment", header, good])) == [
        row("RUS", "foreign_minister", "2004-03-09", "", "Sergey Lavrov", "hand")]
    with pytest.raises(ValueError, match="line 1"):
        list(parse_people(["RUS\tforeign_minister\t2004-03-09\ten\tSergey Lavrov\thand"]))
    with pytest.raises(ValueError, match="role"):
        list(parse_people([good.replace("foreign_minister", "tsar")]))


def test_shipped_files():
    rows = runtime.people()
    assert rows and all(isinstance(p, Person) and p.role in runtime.ROLES for p in rows)
    hand = [p for p in rows if p.source == "hand"]
    assert hand and all(p.valid_from and p.name for p in hand)
    assert {p.lang for p in hand} <= {"en", "de", "fr", "es", "pt", "it", "ru", "zh", "ja", "ar"}
    assert row("CHN", "head_of_state", "2013-03-14", "", "习近平", "hand", "zh") in hand
    assert row("USA", "head_of_state", "2025-01-20", "", "Donald Trump", "hand") in hand
    assert row("CHN", "defence_minister", "2023-12-29", "", "Dong Jun", "hand") in hand
    putin = row("RUS", "head_of_state", "2012-05-07", "", "Владимир Путин", "hand", "ru")
    assert putin in hand
    header = (runtime.DATA / "people-names.tsv").read_text(encoding="utf-8").split("\ncode\t")[0]
    assert "`dyad gazetteer update`" in header.replace("\n# ", " ")


@pytest.fixture(scope="module")
def corpus_text():
    if not os.path.exists(os.path.join(CORPUS, "people")):
        pytest.skip(f"{CORPUS}/people not present")
    return people_build.build_text(CORPUS)


@needs(os.path.join(CORPUS, "people"))
def test_real_corpus(corpus_text):
    rows = set(parse_people(corpus_text.splitlines()))
    putin = {p for p in rows if p.name == "Vladimir Putin"}
    assert row("RUS", "head_of_state", "2012-01-01", "", "Vladimir Putin", "wikidata") in putin
    assert row("RUS", "head_of_state", "1999-08-09", "", "Vladimir Putin", "phoenix") in putin
    assert {p.code for p in putin} == {"RUS"}
    roles = {p.role for p in rows}
    assert {"head_of_state", "head_of_government", "foreign_minister", "official"} <= roles
    assert all(p.valid_from or p.valid_to for p in rows if p.source == "phoenix")
    assert all(len(p.name.split()) > 1 for p in rows if p.source == "phoenix")
    assert "Phoenix.Countries" in corpus_text and "CC0" in corpus_text and "MIT" in corpus_text


@needs(os.path.join(CORPUS, "people"))
def test_shipped_file_is_the_build(corpus_text):
    shipped = (runtime.DATA / "people.tsv").read_text(encoding="utf-8")
    if "Written by `dyad gazetteer update`" in shipped[:500]:
        pytest.skip("people.tsv was refreshed from Wikidata: not the corpus build")
    assert shipped == corpus_text, "rebuild: python -m dyad.gazetteer build-people"


def test_open_rows_are_trusted_two_years_past_their_source_day():
    lines = ["# as-of: snap 2020-06-30", "NLD\thead_of_government\t2010-10-14\t\ten\tMark Rutte\tsnap",
             "FRA\thead_of_state\t2017-05-14\t\ten\tEmmanuel Macron\tother"]
    rutte, macron = parse_people(lines)
    assert in_office(rutte, D("2022-01-01")) and not in_office(rutte, D("2024-01-01"))
    assert in_office(macron, D("2030-01-01"))  # no as-of day for its source: open as written


def test_shipped_file_says_each_source_day():
    text = (runtime.DATA / "people.tsv").read_text(encoding="utf-8")
    assert "# as-of: phoenix " in text and "# as-of: wikidata " in text
