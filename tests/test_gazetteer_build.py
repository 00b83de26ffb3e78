"""The gazetteer's built data files (dyad.gazetteer.places_build, forms_build): the shipped files
are what a fresh build gives, and the build's rules hold."""
from dyad.classify.gazetteer import COUNTRY_NAMES, FORMS, read_forms
from dyad.classify.places import PLACES
from dyad.gazetteer import forms_build, places_build


def test_shipped_places_and_forms_equal_a_fresh_build(tmp_path):
    # A hand file edited without `make gazetteer` fails here, naming the file to rebuild.
    assert places_build.build_text() == PLACES.read_text(encoding="utf-8"), "rebuild places.tsv"
    path, rows = forms_build.write(tmp_path)
    assert rows > 100_000
    assert path.read_text(encoding="utf-8") == FORMS.read_text(encoding="utf-8"), \
        "rebuild forms.tsv: make gazetteer"
    assert (tmp_path / COUNTRY_NAMES.name).read_text(encoding="utf-8") == \
        COUNTRY_NAMES.read_text(encoding="utf-8")


def test_build_rules():
    forms = dict(read_forms())
    # Common words among GeoNames' alternate names are left out (مدينة "city"), big cities kept.
    assert "مدينه" not in forms and forms["موسكو"].codes == ("RUS",)
    # Antarctica is no country; a lower-case adjective's capitalised twin waits for a sentence start.
    assert not any("ATA" in f.codes for f in forms.values())
    assert forms["Chinesisch"].initial_only and not forms["chinesisch"].initial_only
    # Chinese-only and Japanese-only Han forms are marked; shared ones are not.
    assert forms["米国"].language == "ja" and forms["美国"].language == "zh"
    assert forms["中国"].language == ""
    # First-level subdivisions; one two countries share (Punjab) is left out.
    assert forms["Kerala"].codes == ("IND",) and "Punjab" not in forms
    # Arabic forms with the article also match after ل (للصين).
    assert forms["للصين"].codes == ("CHN",)
