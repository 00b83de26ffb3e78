"""Country recognition in the ten languages (dyad.classify.countries with the built gazetteer):
names, inflections, demonyms, seats, places, people on their day, and what must not count."""
import csv
import datetime as dt
from pathlib import Path

import pytest

from dyad.classify import classify
from dyad.classify.countries import count_countries
from dyad.classify.normalize import fold

FIXTURES = Path(__file__).parent / "fixtures"
SEED_LANGUAGES = ("de", "fr", "es", "pt", "it", "ru", "zh", "ja", "ar")


def codes(text: str, title: str = "", on=None) -> set[str]:
    return {c.code for c in count_countries(title, "", text, on)}


@pytest.mark.parametrize("text, want", [
    ("Die chinesische Regierung und der Kreml vereinbarten Manöver.", {"CHN", "RUS"}),
    ("Russlands Außenminister reiste nach Peking.", {"RUS", "CHN"}),
    ("Le président français a reçu son homologue brésilien à l'Élysée.", {"FRA", "BRA"}),
    ("El Gobierno español y las autoridades mexicanas firmaron un acuerdo.", {"ESP", "MEX"}),
    ("O governo brasileiro convocou o embaixador argentino.", {"BRA", "ARG"}),
    ("Il governo italiano ha incontrato una delegazione giapponese.", {"ITA", "JPN"}),
    ("Министр обороны России встретился с китайскими военными в Пекине.", {"RUS", "CHN"}),
    ("США и Китай обсудили торговлю.", {"USA", "CHN"}),
    ("中俄两国国防部长举行视频通话，美方未予置评。", {"CHN", "RUS", "USA"}),
    ("日米首脳会談がワシントンで行われ、ロシア側は反発した。", {"JPN", "USA", "RUS"}),
    ("وقالت وزارة الدفاع الروسية إن موسكو وبكين اتفقتا على تعزيز التعاون.", {"RUS", "CHN"}),
    ("والصين وللصين وبروسيا", {"CHN", "RUS"}),
])
def test_names_inflections_demonyms_and_places_in_each_language(text, want):
    assert codes(text) == want


@pytest.mark.parametrize("text", [
    "Der Film läuft auf Deutsch mit Untertiteln.",
    "La película está doblada en español.",
    "Он говорит по-русски и на английском языке.",
    "この本は日本語と中国語で書かれている。",
    "ترجم الكتاب إلى اللغة العربية.",
])
def test_language_names_are_not_countries(text):
    assert codes(text) == set()


def test_lower_case_adjective_capitalised_only_at_a_sentence_start():
    assert codes("Chinesische Firmen investieren.") == {"CHN"}
    assert codes("Russe, il parle.") == {"RUS"}


def test_folding_keeps_offsets_and_matches_without_diacritics():
    text = "Mexico y Peru"
    assert len(fold("México y Perú")) == len("México y Perú")
    assert codes(text) == codes("México y Perú") == {"MEX", "PER"}


def test_people_are_resolved_on_the_story_day():
    # Bare surnames stand alone only for a head or minister in office that day.
    assert codes("", "Putin warns the West", dt.date(2026, 2, 1)) == {"RUS"}
    assert codes("", "Putin warns the West", dt.date(1990, 2, 1)) == set()
    # A full name is its person's country, in or out of office.
    assert codes("Vladimir Putin spoke.", on=dt.date(1990, 2, 1)) == {"RUS"}
    # A title corroborates a surname.
    assert codes("President Erdogan spoke.", on=dt.date(2026, 2, 1)) == {"TUR"}
    # A bare common surname is nobody's country.
    assert codes("Baker won the bake-off.", on=dt.date(2026, 2, 1)) == set()


def test_people_in_other_scripts():
    assert codes("普京总统表示", on=dt.date(2026, 2, 1)) == {"RUS"}
    assert codes("Путин заявил", on=dt.date(2026, 2, 1)) == {"RUS"}


def test_people_headlines_fixture():
    rows = [r for r in csv.reader((FIXTURES / "people-headlines.tsv").open(encoding="utf-8"),
                                  delimiter="\t") if r and not r[0].startswith("#")][1:]
    right = sum(",".join(sorted(codes("", r[0], dt.date.fromisoformat(r[1])))) == (
        r[2] if len(r) > 2 else "") for r in rows)
    # Recorded when written: the headlines whose people the shipped data lack (a 2026 cabinet
    # formed after the data were taken) still miss; the rest must hold.
    assert right >= 30, f"{right} of {len(rows)} headlines right"


def seed(language: str) -> tuple[str, str]:
    title, _, body = (FIXTURES / "seed" / f"{language}.txt").read_text(
        encoding="utf-8").partition("\n")
    return title, body


@pytest.mark.parametrize("language", SEED_LANGUAGES)
def test_seed_translations_are_china_russia_defence(language):
    title, body = seed(language)
    result = classify(title, body, published_at=dt.date(2026, 1, 27))
    assert result["country_pair"] == "CHN-RUS"
    assert result["country_focus"] in {"CHN", "RUS"}
    assert result["language"] == language
    assert {"UKR", "IRN", "VEN"} <= {c["code"] for c in result["countries"]}
    assert [t["label"] for t in result["topics"][:2]] == ["defence", "diplomacy"]


def test_currency_places_a_story_only_when_no_country_is_named():
    assert codes("Profit rose to 12 mln dlrs from 9 mln dlrs.") == {"USA"}
    assert codes("Sony earned 40 billion yen.") == {"JPN"}
    # Beside a country's name a currency adds nothing.
    assert codes("Brazil sold 3 mln dlrs of coffee.") == {"BRA"}


def test_subdivisions_and_cities_in_other_scripts():
    assert codes("Floods hit Kerala.") == {"IND"}
    assert codes("В Москве прошли переговоры.") == {"RUS"}
