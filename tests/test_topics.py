"""Topic lexicons and matching (dyad.classify.topics) in every language dyad reads, and the
topics the model gives sentences written for these tests."""
import pytest

from dyad.classify import topics
from dyad.classify.normalize import fold
from dyad.classify.topic_model import score_topics
from dyad.classify.topics import LANGUAGES, TOPICS_BY_LABEL

# Sentences written for these tests: (language, expected top topic, sentence).
SENTENCES = [
    ("en", "defence", "The defence minister inspected troops and new missiles during army drills."),
    ("en", "economy", "Inflation rose and the central bank raised interest rates as exports fell."),
    ("en", "sport", "The striker scored twice and the team won the league match."),
    ("de", "defence", "Der Verteidigungsminister besuchte die Truppen der Bundeswehr beim Manöver."),
    ("de", "economy", "Die Inflation stieg, und die Zentralbank erhöhte die Zinsen, während die "
                      "Exporte sanken."),
    ("de", "sport", "Der Stürmer traf zweimal, und die Mannschaft gewann das Ligaspiel."),
    ("fr", "defence", "Le ministre de la Défense a inspecté les troupes et les nouveaux missiles "
                      "de l'armée."),
    ("fr", "economy", "L'inflation a augmenté et la banque centrale a relevé ses taux d'intérêt, "
                      "tandis que les exportations reculaient."),
    ("fr", "sport", "L'attaquant a marqué deux buts et l'équipe a remporté le match de championnat."),
    ("es", "defence", "El ministro de Defensa visitó a las tropas del ejército durante unas "
                      "maniobras con misiles."),
    ("es", "economy", "La inflación subió y el banco central elevó los tipos de interés mientras "
                      "caían las exportaciones."),
    ("es", "sport", "El delantero marcó dos goles y el equipo ganó el partido de liga."),
    ("pt", "defence", "O ministro da Defesa visitou as tropas do Exército durante exercícios "
                      "militares com mísseis."),
    ("pt", "economy", "A inflação subiu e o banco central elevou a taxa de juros enquanto as "
                      "exportações caíam."),
    ("pt", "sport", "O atacante marcou dois gols e o time venceu a partida do campeonato."),
    ("it", "defence", "Il ministro della Difesa ha visitato le truppe dell'esercito durante le "
                      "esercitazioni con i missili."),
    ("it", "economy", "L'inflazione è salita e la banca centrale ha alzato i tassi d'interesse "
                      "mentre le esportazioni calavano."),
    ("it", "sport", "L'attaccante ha segnato due gol e la squadra ha vinto la partita di "
                    "campionato."),
    ("ru", "defence", "Министр обороны посетил учения армии, где войска испытали новые ракеты."),
    ("ru", "economy", "Инфляция выросла, и центральный банк повысил ключевую ставку, а экспорт "
                      "сократился."),
    ("ru", "sport", "Нападающий забил два гола, и команда выиграла матч чемпионата."),
    ("zh", "defence", "国防部长视察了军队演习，部队试射了新型导弹。"),
    ("zh", "economy", "通货膨胀上升，央行上调利率，出口下降。"),
    ("zh", "sport", "前锋打进两球，球队赢得了联赛比赛。"),
    ("ja", "defence", "防衛相は自衛隊の演習を視察し、部隊は新型ミサイルを発射した。"),
    ("ja", "economy", "インフレが進み、中央銀行は金利を引き上げ、輸出は減少した。"),
    ("ja", "sport", "フォワードが2得点を挙げ、チームはリーグの試合に勝利した。"),
    ("ar", "defence", "تفقد وزير الدفاع مناورات الجيش حيث أطلقت القوات صواريخ جديدة."),
    ("ar", "economy", "ارتفع التضخم ورفع البنك المركزي أسعار الفائدة بينما تراجعت الصادرات."),
    ("ar", "sport", "سجل المهاجم هدفين وفاز الفريق في مباراة الدوري."),
]


def topic(text, language=None, title=""):
    """The top topic the model gives."""
    scores = score_topics(title, text, language)
    return scores[0].label if scores else None


def top(text, language=None, title=""):
    """The label with the most weighted lexicon hits."""
    code = topics.lexicon_language(language, title, text)
    weights = topics.lexicon_weights(topics.normalize(title), topics.normalize(text), code)
    return max(weights, key=weights.get) if weights else None


@pytest.mark.parametrize("language,label,sentence", SENTENCES)
def test_a_sentence_gets_its_topic(language, label, sentence):
    assert top(sentence, language) == label
    assert topic(sentence, language) == label


@pytest.mark.parametrize("language,label,sentence",
                         [s for s in SENTENCES if s[0] in ("en", "ru", "zh", "ja", "ar")])
def test_the_script_picks_the_lexicon_without_a_language(language, label, sentence):
    assert top(sentence) == label
    assert topic(sentence) == label


def test_every_language_has_a_lexicon_for_every_label():
    for language in LANGUAGES:
        labels = {label for label, _, _ in topics.read_lexicon(language)}
        assert labels == set(TOPICS_BY_LABEL), language


def one_character_terms(language):
    """Chinese and Japanese terms match anywhere, so one character would be part of too many
    words; nor does a stem mean anything there."""
    bad = []
    for _, _, term in topics.read_lexicon(language):
        key, prefix, inside, mode = topics._key(term)
        if mode == topics.UNSPACED and (len(key) < 2 or prefix or inside):
            bad.append(term)
    return bad


def test_no_chinese_or_japanese_term_is_a_single_character():
    for language in LANGUAGES:
        assert one_character_terms(language) == [], language


def test_the_check_catches_a_single_character(tmp_path, monkeypatch):
    (tmp_path / "zh.tsv").write_text("# a test lexicon\ndefence\t1\t军\ndefence\t1\t军事\n",
                                     encoding="utf-8")
    monkeypatch.setattr(topics, "LEXICON_DIR", tmp_path)
    assert one_character_terms("zh") == ["军"]


def test_terms_are_well_formed_and_not_repeated():
    for language in LANGUAGES:
        seen = set()
        for label, weight, term in topics.read_lexicon(language):
            assert 0 < weight <= 3 and "*" not in term.strip("*"), (language, term)
            key = topics._key(term)
            assert (label, key) not in seen, (language, label, term)
            seen.add((label, key))


@pytest.mark.parametrize("word", ["الجيش", "جيش", "والجيش", "فالجيش", "بالجيش", "للجيش",
                                  "وللجيش", "كالجيش", "وجيش"])
def test_arabic_takes_proclitics_and_the_article(word):
    assert top(word, "ar") == "defence"


@pytest.mark.parametrize("word", ["صحيفة",   # newspaper: starts like صحي (health) but is longer
                                  "بين",     # between: not ب + ين (yen), which is too short
                                  "مجيش"])   # م is no proclitic
def test_arabic_matches_no_part_of_another_word(word):
    assert top(word, "ar") is None


def test_russian_stems_take_case_endings():
    for form in ("армия", "армии", "армией", "армию"):
        assert top(form, "ru") == "defence"


def test_german_compounds_end_in_a_term():
    assert top("Der Zweite Weltkrieg endete 1945.", "de") == "armed_conflict"
    assert top("Die Bundesregierung beschloss das Gesetz.", "de") == "politics"


def test_a_word_of_one_language_is_not_read_in_another():
    # German "war" is "was", not the English noun.
    assert top("Das Wetter war schön.", "de") is None
    assert top("The war was long.", "en") == "armed_conflict"


def test_a_region_code_in_the_language_is_ignored_and_unknown_languages_use_the_script():
    sentence = dict(((lang, label), s) for lang, label, s in SENTENCES)[("de", "defence")]
    assert top(sentence, "de-AT") == "defence"
    assert score_topics("", "Министр обороны посетил учения армии.", "xx") == \
        score_topics("", "Министр обороны посетил учения армии.", "ru")


def test_latin_text_without_a_language_is_read_as_english():
    assert top("Troops and missiles.") == top("Troops and missiles.", "en") == "defence"


def test_text_is_folded_like_the_gazetteer():
    text = "Ёлка Défense ﻿ＡＢＣ الأَمْنُ Ｍｉｓｓｉｌｅｓ ’"
    assert topics.normalize(text) == fold(text).lower()


def test_diacritics_and_case_do_not_matter():
    assert top("DÉFENSE: le ministre de la defense", "fr") == "defence"
    assert top("ЁЖ военные учения", "ru") == "defence"
