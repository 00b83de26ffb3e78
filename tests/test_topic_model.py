"""The topic model (dyad.classify.topic_model), its features (topic_features) and its training
(dyad.training.topics), on text written for these tests."""
import numpy as np
import pytest

from dyad.classify import topic_features, topic_model, topics
from dyad.classify.topic_model import CODES, MODEL_PATH, TopicModel, model, score_topics
from dyad.evaluation.topic_sets import TUNE, Example, iptc_codes
from dyad.training import topics as training


def test_the_shipped_model_loads_with_the_taxonomy_codes():
    loaded = model()
    assert set(CODES) == {t.iptc for t in topics.TAXONOMY}
    assert loaded.weights.shape == (len(loaded.vocabulary) + 1, len(CODES))
    assert not loaded.weights[0].any()   # row 0 is no feature's
    assert all(f"lexicon:{t.label}" in loaded.vocabulary for t in topics.TAXONOMY)
    assert MODEL_PATH.stat().st_size < 50 * 2 ** 20


def test_features_by_script():
    text = topics.normalize("Wirtschaftspolitik 国防部 والجيش")
    features = topic_features.text_features(text)
    assert {"wirtschaftspolitik", "wirts~", "国", "国防", "防部", "والجيش", "جيش"} <= features
    # single letters and digits say nothing
    assert topic_features.text_features("a 1999 b") == set()


def test_the_opening_only_is_read():
    body = "The striker scored. " + "Filler words here. " * 1000 + "inflation"
    features, lexicon = topic_features.story_features("", body, "en")
    assert "striker" in features and "inflation" not in features and "economy" not in lexicon


@pytest.mark.parametrize("title,text", [("", ""), ("", "zzqx vvbw"),
                                        ("", "Das Wetter war schön.")])
def test_no_evidence_gives_no_topic(title, text):
    assert score_topics(title, text, "de") == []


def test_scores_are_probabilities_and_the_top_code_comes_first():
    text = ("The central bank raised interest rates as inflation rose; the finance minister "
            "said exports and the stock market would recover.")
    scores = score_topics("Markets fall as rates rise", text, "en")
    assert scores[0].label == "economy" and scores[0].iptc == "medtop:04000000"
    assert 0 < sum(s.score for s in scores) <= 1.0001
    assert all(0.05 <= s.score <= 1 for s in scores)
    assert [s.score for s in scores[1:]] == sorted((s.score for s in scores[1:]), reverse=True)


def test_a_code_s_labels_share_its_probability_by_their_lexicon_hits():
    text = ("Defence ministers inspected troops, warships and missiles at joint military "
            "drills, and their foreign ministers held talks on a treaty.")
    scores = score_topics("", text, "en")
    assert [s.label for s in scores[:2]] == ["defence", "diplomacy"]
    assert scores[0].iptc == scores[1].iptc == "medtop:11000000"


def written_examples():
    sport = ["The striker scored a goal and the team won the match",
             "The goalkeeper saved a penalty in the cup final",
             "The league champions won the match with a late goal"]
    money = ["The bank raised interest rates as inflation rose",
             "Shares fell on the stock market as profits dropped",
             "The company reported profits and its shares rose"]
    return ([Example("bbc", "en", "", s, "sport", TUNE) for s in sport]
            + [Example("bbc", "en", "", s, "business", TUNE) for s in money])


def train_written(monkeypatch):
    monkeypatch.setattr(training, "MIN_DOCUMENTS", 1)
    monkeypatch.setattr(training, "MAX_SHARE", 1.0)
    examples = written_examples()
    features = [training.example_features(e) for e in examples]
    matrix, vocabulary = training.design(features, training.LEXICON_SCALE,
                                         languages=[e.language for e in examples])
    w, b = training.fit(matrix, training.target_matrix([e.codes for e in examples]),
                        training.group_weights(examples), training.lexicon_prior(vocabulary),
                        training.feature_penalties(vocabulary), iterations=50)
    return vocabulary, w, b


def test_training_is_deterministic_and_learns_the_labels(monkeypatch, tmp_path):
    pytest.importorskip("scipy")
    first, second = train_written(monkeypatch), train_written(monkeypatch)
    assert first[0] == second[0]
    assert np.array_equal(first[1], second[1]) and np.array_equal(first[2], second[2])
    path = tmp_path / "model.npz"
    training.save(path, *first, training.LEXICON_SCALE, ["written: 6 stories"])
    loaded = TopicModel.load(path)
    for example in written_examples():
        features, lexicon = topic_features.story_features("", example.text, "en")
        p = loaded.probabilities(features, lexicon)
        assert CODES[int(np.argmax(p))] in example.codes


def test_a_partial_label_lets_the_lexicon_choose_within_its_set(monkeypatch):
    pytest.importorskip("scipy")
    monkeypatch.setattr(training, "MIN_DOCUMENTS", 1)
    # "world" news allows politics, conflict, crime, disaster, society: the data cannot tell
    # them apart, so the lexicon's vote decides (earthquake → disaster).
    examples = [Example("nlpcc", "en", "", text, "world", TUNE) for text in
                ("An earthquake killed dozens and rescuers searched the rubble",
                 "The floods forced thousands to flee as rescuers arrived")]
    features = [training.example_features(e) for e in examples]
    matrix, vocabulary = training.design(features, training.LEXICON_SCALE,
                                         languages=["en", "en"])
    w, b = training.fit(matrix, training.target_matrix([e.codes for e in examples]),
                        training.group_weights(examples), training.lexicon_prior(vocabulary),
                        training.feature_penalties(vocabulary), iterations=50)
    logits = matrix.toarray()[0] @ w + b
    assert CODES[int(np.argmax(logits))] == "medtop:03000000"
    assert iptc_codes(3) <= examples[0].codes


def test_the_loader_refuses_a_model_of_other_codes(tmp_path):
    path = tmp_path / "model.npz"
    np.savez(path, vocabulary=np.frombuffer(b"a", np.uint8), weights=np.zeros((1, 2)),
             bias=np.zeros(2), codes=np.array(["medtop:01000000", "medtop:02000000"]),
             lexicon_scale=np.float64(0.5))
    with pytest.raises(ValueError, match="codes"):
        topic_model.TopicModel.load(path)


def test_the_shipped_model_is_what_make_model_trains():
    from tests.conftest import CORPUS
    from pathlib import Path
    if not (Path(CORPUS) / "topics").is_dir():
        pytest.skip("../shared/corpus is absent")
    pytest.importorskip("scipy")
    vocabulary, w, b, _, matrix = training.train(Path(CORPUS))
    shipped = model()
    assert {name: i + 1 for name, i in vocabulary.items()} == shipped.vocabulary
    # Bit-identical on one kind of CPU. Another kind rounds exp, log and the BLAS sums
    # differently (SIMD paths chosen at run time), and 300 L-BFGS steps carry that along:
    # retrained with AVX2 switched off here, the weights moved by 0.0017 on average and 1 of
    # 15,408 training stories changed its top code. So the test compares what the weights decide.
    retrained = w.astype(np.float16).astype(np.float32)
    assert np.abs(retrained - shipped.weights[1:]).mean() < 0.01
    assert np.abs(b - shipped.bias).max() < 0.1
    top = (matrix @ retrained + b).argmax(axis=1)
    shipped_top = (matrix @ shipped.weights[1:] + shipped.bias).argmax(axis=1)
    assert (top == shipped_top).mean() >= 0.999
