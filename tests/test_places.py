"""Cities, states, provinces and datelines (dyad.classify.places) and what they add to a story."""
from dyad.classify import classify
from dyad.classify.countries import _resolve
from dyad.classify.places import city_countries, dateline, regions


def top(title: str, text: str) -> str | None:
    ranked = classify(title, text)["countries"]
    return ranked[0]["code"] if ranked else None


def test_dateline_with_a_us_state_abbreviation():
    assert dateline("TROY, Mich., March 26 - Ameritech said", _resolve)[0] == "USA"
    assert dateline("LONG GROVE, ILL., March 5 - Qtly div", _resolve)[0] == "USA"
    assert dateline("EXCELSIOR, Minn, March 6 - Broker's Choice", _resolve)[0] == "USA"


def test_dateline_forms_of_modern_wires():
    assert dateline("KYIV (Reuters) - Ukraine said", _resolve)[0] == "UKR"
    assert dateline("LONDON, Nov 27 (Reuters) - Shares fell", _resolve)[0] == "GBR"
    assert dateline("TORONTO, Ont. - The company said", _resolve)[0] == "CAN"
    assert dateline("KYIV, Ukraine — Officials said", _resolve)[0] == "UKR"


def test_no_dateline_in_an_ordinary_sentence():
    assert dateline("The company said on Monday that profit rose.", _resolve) == (None, 0)


def test_dateline_city_in_a_us_state_is_not_its_english_namesake():
    text = "BIRMINGHAM, Ala., March 12 - Central Bancshares said its unit in Birmingham grew."
    assert top("CENTRAL BANCSHARES UNIT UNVEILS SYSTEM", text) == "USA"


def test_us_company_story_without_a_country_name_is_usa():
    text = ("DETROIT, March 5 - Chrysler Corp said its board declared a three-for-two stock split "
            "and raised the quarterly dividend by seven pct.")
    assert top("CHRYSLER <C> SETS STOCK SPLIT", text) == "USA"


def test_ticker_in_angle_brackets_is_not_a_place():
    text = "NEW YORK, March 4 - Union Carbide Corp said it would look for acquisitions."
    assert [c["code"] for c in classify("CARBIDE <UK> LOOKS TO ACQUISITIONS", text)["countries"]] == ["USA"]


def test_cities_and_states_in_running_text():
    assert city_countries()["Chicago"] == "USA" and city_countries()["Osaka"] == "JPN"
    assert "Mobile" not in city_countries() and regions()["Calif."] == "USA"
    assert top("Plant to close", "The factory in Ohio will shut, workers in Cleveland said.") == "USA"
    assert top("Port reopens", "Cargo resumed at Osaka and Yokohama on Monday.") == "JPN"


def test_georgia_the_state_and_georgia_the_country():
    assert top("Storm hits Atlanta", "A storm hit Atlanta, Georgia, on Monday.") == "USA"
    assert top("Protests in Georgia", "Thousands marched in Tbilisi, Georgia's capital.") == "GEO"


def test_historic_names_and_hong_kong():
    assert top("Soviet grain deal", "The Soviet Union bought grain.") == "RUS"
    assert top("West German output", "West Germany's output rose.") == "DEU"
    assert top("Hong Kong shares", "Hong Kong shares fell on Monday.") == "HKG"


def test_dishes_and_oceans_are_not_countries():
    assert classify("Chips", "French fries and Turkish delight were served.")["countries"] == []
    assert top("Storm", "A cyclone crossed the Indian Ocean toward Madagascar.") == "MDG"


def test_seats_and_central_banks():
    assert top("Rates", "The Bundesbank held rates.") == "DEU"
    assert top("Rates", "The Bank of Japan held rates.") == "JPN"
    assert top("Talks", "Zhongnanhai and the Élysée issued statements.") in {"CHN", "FRA"}
