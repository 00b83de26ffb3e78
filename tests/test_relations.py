"""Relations between the two countries of a story: event, quad class, score and direction."""
import datetime as dt
from pathlib import Path

import pytest

from dyad.classify import classify
from dyad.classify.relations import compile_pattern, events, sentence_event
from tests.conftest import needs

SEED = Path(__file__).parents[2] / "shared" / "seed" / "china-russia-defence-call.txt"
DAY = dt.date(2026, 1, 27)

# Sentences written for these tests: one of each quad class, in each direction.
CASES = [
    ("Japan pledged to expand cooperation with India on clean energy.", "JPN", "IND",
     "verbal_cooperation"),
    ("India pledged to expand cooperation with Japan on clean energy.", "IND", "JPN",
     "verbal_cooperation"),
    ("Germany will supply fuel and food aid to Ukraine this winter.", "DEU", "UKR",
     "material_cooperation"),
    ("Ukraine will supply grain aid to Germany under the new scheme.", "UKR", "DEU",
     "material_cooperation"),
    ("Brazil condemned Argentina over the seizure of its fishing boats.", "BRA", "ARG",
     "verbal_conflict"),
    ("Argentina condemned Brazil over the closure of the border crossing.", "ARG", "BRA",
     "verbal_conflict"),
    ("Pakistani jets bomb militant hideouts near the Afghan border.", "PAK", "AFG",
     "material_conflict"),
    ("Afghan forces shelled Pakistani border posts overnight.", "AFG", "PAK", "material_conflict"),
]


@pytest.mark.parametrize("sentence, source, target, quad", CASES)
def test_each_quad_class_in_each_direction(sentence, source, target, quad):
    found = sentence_event(sentence, "en", DAY)
    assert (found["source"], found["target"], found["quad_class"]) == (source, target, quad)
    assert (found["score"] > 0) == quad.endswith("cooperation")


def test_a_passive_verb_turns_the_direction_round():
    found = sentence_event("The Russian embassy was attacked by Ukrainian protesters.", "en", DAY)
    assert (found["event"], found["source"], found["target"]) == ("ASSAULT", "UKR", "RUS")


def test_a_negated_cooperation_verb_is_a_rejection():
    found = sentence_event("France will not provide weapons to Mali after the coup.", "en", DAY)
    assert (found["event"], found["quad_class"], found["source"], found["target"]) == (
        "REJECT", "verbal_conflict", "FRA", "MLI")


def test_two_countries_named_before_the_verb_act_together():
    found = sentence_event("Chile and Peru signed a trade agreement in Lima.", "en", DAY)
    assert (found["event"], {found["source"], found["target"]}) == ("AGREE", {"CHL", "PER"})


def test_the_verb_between_the_two_countries_is_taken():
    # "released" (a report released) comes first, but "accused" links the two countries.
    found = sentence_event("A report released in the Kenyan capital accused Uganda of arming "
                           "the rebels.", "en", DAY)
    assert (found["event"], found["source"], found["target"]) == ("DISAPPROVE", "KEN", "UGA")


def test_spanish_patterns():
    found = sentence_event("Colombia condenó a Venezuela por el cierre de la frontera.", "es", DAY)
    assert (found["event"], found["source"], found["target"]) == ("DISAPPROVE", "COL", "VEN")


def test_no_relation_without_two_countries_or_an_event():
    assert sentence_event("Japan pledged to expand its solar industry.", "en", DAY) is None
    assert sentence_event("Japan and India are both in Asia.", "en", DAY) is None
    assert sentence_event("Japan and India condemned it.", "xx", DAY) is None  # no patterns
    story = classify("Floods in Chile", "Heavy rain hit the south of Chile on Monday.")
    assert story["relation"] is None


def test_a_story_relation_joins_its_pair_and_is_in_the_row():
    story = classify("Egypt hosts Ethiopia for talks on the Nile dam",
                     "Egypt and Ethiopia met in Cairo on Monday to discuss the dam's filling.",
                     published_at=DAY)
    assert story["country_pair"] == "EGY-ETH"
    relation = story["relation"]
    assert (relation["event"], relation["source"], relation["target"]) == ("CONSULT", "EGY", "ETH")
    assert relation["evidence"].startswith("Egypt hosts Ethiopia") and relation["confidence"] == 0.8


@needs(str(SEED))
def test_the_seed_is_verbal_cooperation_between_china_and_russia():
    title, _, body = SEED.read_text(encoding="utf-8").partition("\n")
    story = classify(title, body, published_at=DAY)
    relation = story["relation"]
    assert story["country_pair"] == "CHN-RUS"
    assert relation["quad_class"] == "verbal_cooperation" and relation["score"] > 0
    assert {relation["source"], relation["target"]} == {"CHN", "RUS"}


def test_patterns_and_event_table():
    assert compile_pattern("sign* ~ agreement|deal").search("they signed a new trade deal")
    assert not compile_pattern("aid").search("they said")
    assert len(events()) == 18
    assert {e.quad_class for e in events().values()} == {
        "verbal_cooperation", "material_cooperation", "verbal_conflict", "material_conflict"}
