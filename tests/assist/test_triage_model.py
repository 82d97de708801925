"""The triage model itself (no database): the varied training corpus, the fast scorer, the
neighbour index and the bounded feature text."""

import numpy as np
import pytest

from parvis.assist import corpus, triage, variety


@pytest.fixture(scope="module")
def small():
    examples = variety.generate(720, seed=3)
    return examples, [e.text for e in examples], [e.label for e in examples]


@pytest.fixture(scope="module")
def model(small):
    examples, texts, labels = small
    return triage.TriageModel().fit(texts, labels, [e.urgency for e in examples])


def test_varied_corpus_is_deterministic_and_covers_the_services(small):
    examples, texts, labels = small
    assert [e.text for e in variety.generate(720, seed=3)] == texts
    assert len(set(labels)) == len(corpus.SERVICES) >= 10
    assert min(labels.count(label) for label in set(labels)) == 60
    assert len(set(texts)) > 0.95 * len(texts)  # composed, not repeated
    assert any(e.urgency == "urgent" for e in examples)


def test_varied_corpus_never_changes_the_held_out_set():
    """The held-out messages are the same with or without the varied training requests."""
    _train, plain = corpus.generate(count=120, seed=4, varied=0)
    train, varied = corpus.generate(count=120, seed=4, varied=240)
    assert [e.text for e in plain] == [e.text for e in varied]
    assert sum(e.source.startswith("variety:") for e in train) == 240
    assert not any(e.source.startswith("variety:") for e in varied)


@pytest.mark.parametrize("kind", ["linearsvc", "logreg"])
def test_fast_scorer_gives_sklearn_probabilities(small, kind):
    examples, texts, labels = small
    model = triage.TriageModel(kind).fit(texts[:360], labels[:360])
    assert model.scorer().kind in ("calibrated", "softmax")
    for text in texts[360:400]:
        features, _words = model._features([triage.prepare(text)])
        expected = model.service.predict_proba(features)[0]
        assert np.allclose(model.scorer().predict_proba(features), expected, atol=1e-6)


def test_urgency_score_is_the_logistic_probability(model, small):
    _examples, texts, _labels = small
    for text in texts[:20]:
        features, _words = model._features([triage.prepare(text)])
        classes = list(model.urgency.classes_)
        expected = model.urgency.predict_proba(features)[0][classes.index("urgent")]
        assert model.predict(text, explain=False).urgency_score == pytest.approx(expected, abs=1e-6)


def test_neighbours_are_the_most_similar_past_requests(model, small):
    _examples, texts, _labels = small
    query = "Je voudrais renouveler la concession de la tombe familiale au cimetière."
    _features, words = model._features([triage.prepare(query)])
    found = model.similar(words, 5)
    brute = (words @ model.neighbour_matrix).toarray().ravel()
    best = np.sort(brute)[::-1][:5]
    assert [n["similarity"] for n in found] == [round(float(s), 3) for s in best]
    assert found[0]["label"] == "cimetiere"


def test_a_saved_model_keeps_its_scorer_out_of_the_file(model, tmp_path):
    import joblib

    model.predict("Mon bac à ordures est cassé")  # builds the caches
    joblib.dump(model, tmp_path / "m.joblib")
    loaded = joblib.load(tmp_path / "m.joblib")
    assert getattr(loaded, "_scorer", None) is None
    text = "Le lampadaire de ma rue est en panne depuis une semaine"
    assert loaded.predict(text).ranking == model.predict(text).ranking


def test_100_kb_is_cut_for_the_features_and_still_triaged(model):
    request = (
        "Bonjour, je voudrais renouveler la concession funéraire de mes grands-parents au "
        "cimetière communal, elle arrive à échéance."
    )
    body = request + "\n" + ("Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 2000)
    assert len(body) > 100_000
    assert len(triage.prepare(body)) == triage.FEATURE_CHARS
    prediction = model.predict(body)
    assert prediction.label == "cimetiere"
    assert not prediction.empty and prediction.neighbours
