"""Language detection: the ten languages dyad serves and others, the page's declared language as a
fallback only, text without letters, mixed scripts and determinism. The sentences are written for
these tests."""
import csv
import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from dyad.classify import language
from dyad.classify.language import DETECTOR, HINT, NO_TEXT, detect_language, hint_language
from tests.conftest import CORPUS, REPO

STORIES = {
    "en": ("The central bank raised interest rates by a quarter of a point on Wednesday, citing "
           "persistent inflation in services. Markets had largely expected the move.",
           "Flooding forces thousands from their homes in northern Italy"),
    "de": ("Die Bundesregierung hat am Dienstag ein neues Entlastungspaket für Familien beschlossen. "
           "Die Opposition kritisierte die Pläne als unzureichend.",
           "Streik legt den Bahnverkehr in ganz Deutschland lahm"),
    "fr": ("Le Premier ministre a annoncé jeudi une réforme des retraites qui sera présentée au "
           "Parlement à l'automne. Les syndicats appellent à une grève nationale.",
           "Incendies : des milliers d'hectares brûlés dans le sud de la France"),
    "es": ("El Gobierno aprobó este martes un plan de ayudas para los agricultores afectados por la "
           "sequía. La medida costará unos 500 millones de euros.",
           "Miles de personas protestan en Madrid contra la subida de los alquileres"),
    "pt": ("O governo brasileiro anunciou nesta segunda-feira um novo programa de investimentos em "
           "infraestrutura. O plano prevê a construção de estradas e ferrovias em todo o país.",
           "Chuvas fortes deixam milhares de desalojados no Rio Grande do Sul"),
    "it": ("Il governo ha approvato ieri sera la legge di bilancio, che prevede tagli alle tasse per "
           "le famiglie con figli. L'opposizione ha annunciato battaglia in Parlamento.",
           "Terremoto nelle Marche, nessun ferito ma molta paura tra gli abitanti"),
    "ru": ("Правительство объявило во вторник о новых мерах поддержки малого бизнеса. По словам "
           "министра, программа начнёт работать в следующем месяце.",
           "В Москве открылась крупнейшая за десять лет выставка современного искусства"),
    "zh": ("国务院总理周三在北京会见了来访的德国总理，双方就贸易和气候变化等问题交换了意见。",
           "长江流域遭遇持续强降雨 多地启动防汛应急响应"),
    "ja": ("日本政府は火曜日、物価高騰への対策として新たな経済対策を発表した。総額は約十兆円に上る見通しだ。",
           "東京で記録的な大雪、交通機関に大きな乱れ"),
    "ar": ("أعلنت الحكومة يوم الأحد عن خطة جديدة لدعم الصناعات المحلية وخفض الواردات. وقال وزير "
           "المالية إن الخطة ستوفر آلاف فرص العمل.",
           "الأمم المتحدة تدعو إلى وقف فوري لإطلاق النار في السودان"),
}
# Stories come from everywhere: other languages are named, not forced into the ten.
OTHERS = {
    "nl": "De regering heeft dinsdag nieuwe maatregelen aangekondigd om de woningnood aan te "
          "pakken. De plannen moeten volgend jaar ingaan.",
    "tr": "Merkez Bankası perşembe günü faiz oranlarını sabit tuttu. Ekonomistler kararın "
          "piyasalar tarafından beklendiğini söyledi.",
    "pl": "Rząd przyjął we wtorek projekt ustawy o obniżeniu podatków dla małych firm. Opozycja "
          "zapowiada głosowanie przeciwko.",
    "ko": "정부는 화요일 집값 안정을 위한 새로운 부동산 대책을 발표했다.",
    "uk": "Уряд України у вівторок ухвалив нову програму підтримки фермерів, які постраждали від "
          "посухи.",
}


@pytest.mark.parametrize("code", sorted(STORIES))
def test_each_of_the_ten_languages(code):
    sentences, headline = STORIES[code]
    assert detect_language(sentences) == (code, DETECTOR)
    assert detect_language(headline) == (code, DETECTOR)
    assert detect_language(f"{headline}\n{sentences}", hint=code) == (code, DETECTOR)


@pytest.mark.parametrize("code", sorted(OTHERS))
def test_other_languages_are_not_forced_into_the_ten(code):
    assert detect_language(OTHERS[code]) == (code, DETECTOR)


@pytest.mark.parametrize("code, wrong_hint", [("de", "en-US"), ("en", "de"), ("pt", "es-ES"),
                                              ("zh", "ja"), ("ja", "zh-Hans"), ("ru", "uk")])
def test_a_confident_detection_beats_a_wrong_hint(code, wrong_hint):
    assert detect_language(STORIES[code][0], hint=wrong_hint) == (code, DETECTOR)


@pytest.mark.parametrize("text, hint, expected", [
    ("OK", "pt_BR", "pt"),
    ("Covid-19", "zh-Hant", "zh"),
    ("Donald Trump", "fr-FR", "fr"),
    ("iPhone 16 Pro", "de", "de"),
    # All kanji, as Japanese headings can be: the page's Japanese stands.
    ("日銀総裁 追加緩和示唆", "ja", "ja"),
])
def test_too_short_or_ambiguous_text_takes_the_declared_language(text, hint, expected):
    assert detect_language(text, hint=hint) == (expected, HINT)


def test_unsure_without_a_hint_is_still_the_best_guess():
    code, provenance = detect_language("日銀総裁 追加緩和示唆")
    assert (code, provenance) == ("zh", DETECTOR)
    assert detect_language("Covid-19", hint="x-default")[1] == DETECTOR


@pytest.mark.parametrize("text", ["", None, "   \n\t ", "2024-05-01 12:00", "123 456 – 7,89 %",
                                  "★ ✓ → ©", "12:30", "+49 (0)30 1234-567"])
def test_no_letters_no_language(text):
    assert detect_language(text) == (None, NO_TEXT)
    assert detect_language(text, hint="en") == (None, NO_TEXT)


@pytest.mark.parametrize("text, code", [
    ("Компания Apple представила в Купертино новый iPhone 16 Pro и обновлённые MacBook.", "ru"),
    ("トヨタはラスベガスで開かれたCES 2025で新型EVのコンセプトカーを公開した。", "ja"),
    ("苹果公司周二在加州发布了新款iPhone手机和Apple Watch手表。", "zh"),
    ("وقعت شركة Siemens عقدا بقيمة 2.5 مليار دولار لبناء محطة كهرباء في العراق.", "ar"),
    ("삼성전자는 올해 3분기 영업이익이 10조 원을 넘었다고 밝혔다.", "ko"),
    ("美国前总统唐纳德・特朗普周五抵达伦敦", "zh"),  # a katakana middle dot is no kana
    ("Die Regierung in Berlin hat am Dienstag \ud800 ein neues Gesetz beschlossen.", "de"),
    ("BREAKING: EARTHQUAKE OF MAGNITUDE 7.1 HITS SOUTHERN TURKEY, BUILDINGS COLLAPSE", "en"),
])
def test_mixed_scripts_capitals_and_bad_characters(text, code):
    assert detect_language(text) == (code, DETECTOR)


def test_only_the_start_of_a_long_text_is_read():
    german = " ".join([STORIES["de"][0]] * 6)
    english = " ".join([STORIES["en"][0]] * 200)
    assert len(german) > language.SAMPLE_CHARS
    assert detect_language(f"{german} {english}") == ("de", DETECTOR)
    assert detect_language(english) == ("en", DETECTOR)


@pytest.mark.parametrize("tag, code", [
    ("en-US", "en"), ("pt_BR", "pt"), ("zh-Hans", "zh"), ("ZH-hant", "zh"), ("de", "de"),
    ("deu", "de"), ("ger", "de"), ("iw", "he"), ("yue-HK", "zh"), (" fr ", "fr"),
    ("x-default", None), ("", None), (None, None), ("xx", None), ("english", None), ("*", None),
])
def test_declared_language_tags(tag, code):
    assert hint_language(tag) == code


def test_every_model_label_comes_out_as_an_iso_639_code():
    labels = [label.removeprefix("__label__")
              for label in language._model().predict("x", k=-1, threshold=-1.0)[0]]
    assert len(labels) == 176 and {"en", "nl", "tr", "zh", "wuu", "arz"} <= set(labels)
    assert set(language.MACROLANGUAGE) <= set(labels)
    for label in labels:
        code = language.MACROLANGUAGE.get(label, label)
        assert code.isascii() and code.islower() and len(code) in (2, 3), label


def test_same_answers_in_fresh_processes_and_no_model_at_import():
    texts = [s for pair in STORIES.values() for s in pair] + list(OTHERS.values())
    script = ("import json, sys; import dyad.classify.language as L; "
              "assert 'fasttext' not in sys.modules; "
              "print(json.dumps([L.detect_language(t) for t in json.loads(sys.stdin.read())]))")
    runs = [subprocess.run([sys.executable, "-c", script], input=json.dumps(texts), cwd=REPO,
                           capture_output=True, text=True, check=True, timeout=120).stdout
            for _ in range(2)]
    assert runs[0] == runs[1]
    assert [tuple(r) for r in json.loads(runs[0])] == [detect_language(t) for t in texts]


def test_picklable_and_warm_up():
    restored = pickle.loads(pickle.dumps(detect_language))
    language.warm_up()
    assert restored(STORIES["fr"][0]) == ("fr", DETECTOR)


def test_sib200_train_sentences():
    root = Path(CORPUS) / "topics" / "sib200"
    if not root.is_dir():
        pytest.skip("../shared/corpus is absent")
    folders = {"en": "eng_Latn", "de": "deu_Latn", "fr": "fra_Latn", "es": "spa_Latn",
               "pt": "por_Latn", "it": "ita_Latn", "ru": "rus_Cyrl", "zh": "zho_Hans",
               "ja": "jpn_Jpan", "ar": "arb_Arab"}
    for code, folder in folders.items():
        with open(os.path.join(root, folder, "train.tsv"), encoding="utf-8") as f:
            rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
        right = sum(detect_language(row["text"])[0] == code for row in rows)
        # Measured: 99.4% for Portuguese (some read as Spanish), 99.9–100% for the others.
        assert right / len(rows) >= 0.99, (code, right, len(rows))
