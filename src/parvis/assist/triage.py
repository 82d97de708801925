"""The triage model: which service, how urgent, in which language, how sure, and why.

Features are word uni/bigrams and character 3–5-grams (inside word boundaries) of the folded
text (no accents, case or elision, see text.fold): words carry the meaning and give readable
explanations, character n-grams survive the typos and missing accents of real emails. The
classifier is linear: with measured equal quality it is the fastest to train and to apply,
and its weights are the explanation. The kinds compared are in CLASSIFIERS; DEFAULT_KIND is
the one that measured best by cross-validation on the training data (bench/assist.py
--compare); the held-out set is only measured, never used to choose.

A model is a plain object saved with joblib; nothing here touches the database."""

import re
import time
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
import sklearn
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.metrics import classification_report, confusion_matrix, f1_score
from sklearn.svm import LinearSVC

from . import text as textlib

# French function words: kept for character n-grams, dropped from word features so that the
# explanation shows "concession, cimetiere" rather than "de, la".
STOP_WORDS = sorted(
    set(
        """a au aux avec ce ces cette dans de des du elle en est et etre il ils je la le les leur
        lui ma mais me meme mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se
        ses son sur ta te tes toi ton tu un une vos votre vous y c d j l m n s t bonjour
        madame monsieur merci cordialement svp bjr plait ai avons avez ont sont suis etait
        fait faire peut pouvez pourriez possible bien tres plus aussi comme si tout tous""".split()
    )
)
MAX_NEIGHBOURS = 20_000
SNIPPET = 160
# What the features read of a message: the request is at the top (99 % of the shipped
# messages are under 500 characters once history and signature are gone); a 100 kB paste
# costs no more to triage than a long email.
FEATURE_CHARS = 3_000


def prepare(raw: str) -> str:
    """The part of a message that says what is asked: the subject and the citizen's own
    text, without quoted history or signature (they talk about other things)."""
    own, _history = textlib.split_message((raw or "")[: textlib.MAX_CHARS])
    return textlib.without_signature(own)[:FEATURE_CHARS]


def make_classifier(kind: str):
    if kind == "logreg":
        return LogisticRegression(C=20.0, max_iter=3000, class_weight="balanced")
    if kind == "linearsvc":
        return CalibratedClassifierCV(
            LinearSVC(C=0.1, class_weight="balanced"), cv=3, method="sigmoid"
        )
    if kind == "sgd":
        return SGDClassifier(
            loss="log_loss", alpha=2e-5, max_iter=50, class_weight="balanced", random_state=0
        )
    raise ValueError(f"unknown classifier kind: {kind}")


CLASSIFIERS = ("logreg", "linearsvc", "sgd")
# Chosen by cross-validation on the training data only, each fold holding out one phrasing
# of every shipped request kind as the held-out set does (LinearSVC scored uncalibrated):
# LinearSVC C=0.1 0.923, C=0.2 0.920 on the shipped corpus; on an earlier 14,000-message
# build LogisticRegression C=10 0.913 vs LinearSVC 0.916 (2× slower to train), and on a
# 8,000-message one C=0.2 0.884, C=0.5 0.881, C=1 0.874, SGD 0.864, ComplementNB 0.865.
# Stemmed words and char 2–5-grams gained 0.003, within the noise, at the cost of readable
# explanations: not kept.
DEFAULT_KIND = "linearsvc"


class LinearScorer:
    """The fitted classifier's probabilities as one sparse × dense product.

    sklearn's predict_proba validates its input at every call of every sub-estimator (3
    calibrated LinearSVCs × 12 per-class sigmoids for the default kind): 5–10 ms for one
    message, 100 ms on a loaded machine, for a few thousand multiply-adds. This computes the
    same numbers (tested against predict_proba) from the fitted weights: all the linear
    models stacked in one (features × outputs) matrix, then each calibrator's sigmoid,
    normalised per model and averaged, exactly as CalibratedClassifierCV does."""

    def __init__(self, classifier):
        self.kind = "sklearn"
        self.classifier = classifier
        calibrated = getattr(classifier, "calibrated_classifiers_", None)
        n_classes = len(classifier.classes_)
        if (
            calibrated
            and all(
                c.method == "sigmoid"
                and hasattr(c.estimator, "coef_")
                and list(c.estimator.classes_) == list(classifier.classes_)
                for c in calibrated
            )
            and n_classes > 2
        ):
            self.kind = "calibrated"
            self.weights = np.ascontiguousarray(
                np.vstack([c.estimator.coef_ for c in calibrated]).T, dtype=np.float64
            )
            self.intercepts = np.concatenate([c.estimator.intercept_ for c in calibrated])
            self.a = np.array([cal.a_ for c in calibrated for cal in c.calibrators])
            self.b = np.array([cal.b_ for c in calibrated for cal in c.calibrators])
            self.models = len(calibrated)
            self.n_classes = n_classes
        elif (
            isinstance(classifier, LogisticRegression)
            and n_classes > 2
            and getattr(classifier, "multi_class", "auto") in ("auto", "multinomial")
        ):
            self.kind = "softmax"
            self.weights = np.ascontiguousarray(classifier.coef_.T, dtype=np.float64)
            self.intercepts = classifier.intercept_

    def _decision(self, row) -> np.ndarray:
        """row: a 1 × features CSR matrix."""
        return row.data @ self.weights[row.indices] + self.intercepts

    def predict_proba(self, row) -> np.ndarray:
        if self.kind == "sklearn":
            return self.classifier.predict_proba(row)[0]
        scores = self._decision(row)
        if self.kind == "softmax":
            scores = np.exp(scores - scores.max())
            return scores / scores.sum()
        proba = 1.0 / (1.0 + np.exp(self.a * scores + self.b))
        proba = proba.reshape(self.models, self.n_classes)
        sums = proba.sum(axis=1, keepdims=True)
        proba = np.where(sums > 0, proba / np.where(sums > 0, sums, 1), 1.0 / self.n_classes)
        return proba.mean(axis=0)


def _coefficients(classifier) -> np.ndarray:
    """(classes × features) weights, for any of the linear kinds."""
    if hasattr(classifier, "calibrated_classifiers_"):
        return np.mean([c.estimator.coef_ for c in classifier.calibrated_classifiers_], axis=0)
    return classifier.coef_


@dataclass
class Prediction:
    label: str
    confidence: float
    ranking: list[tuple[str, float]]
    urgency: str
    urgency_score: float
    language: str
    language_votes: dict
    words: list[tuple[str, float]] = field(default_factory=list)
    neighbours: list[dict] = field(default_factory=list)
    empty: bool = False

    def as_output(self) -> dict:
        return {
            "service": self.label,
            "confidence": round(self.confidence, 3),
            "ranking": [[label, round(p, 3)] for label, p in self.ranking],
            "urgency": self.urgency,
            "urgency_score": round(self.urgency_score, 3),
            "language": self.language,
            "empty": self.empty,
        }

    def as_explanation(self) -> dict:
        return {
            "words": [[w, round(v, 3)] for w, v in self.words],
            "neighbours": self.neighbours,
            "language_votes": self.language_votes,
            "urgency_cues": [],
        }


class TriageModel:
    def __init__(self, kind: str = DEFAULT_KIND):
        self.kind = kind
        self.words = TfidfVectorizer(
            preprocessor=textlib.fold,
            ngram_range=(1, 2),
            min_df=1,
            max_df=0.5,
            sublinear_tf=True,
            stop_words=STOP_WORDS,
            token_pattern=r"(?u)\b[a-z][a-z0-9]+\b",
            max_features=200_000,
            dtype=np.float32,
        )
        self.chars = TfidfVectorizer(
            preprocessor=textlib.fold,
            analyzer="char_wb",
            ngram_range=(3, 5),
            min_df=2,
            sublinear_tf=True,
            max_features=300_000,
            dtype=np.float32,
        )
        self.service = make_classifier(kind)
        self.urgency = LogisticRegression(C=5.0, max_iter=2000, class_weight="balanced")
        self.labels: list[str] = []
        self.neighbour_matrix = None
        self.neighbour_refs: list[dict] = []
        self.train_seconds = 0.0
        self.training_size = 0

    # --- training ------------------------------------------------------------------------

    def _features(self, texts: list[str], fit: bool = False):
        if fit:
            words = self.words.fit_transform(texts)
            chars = self.chars.fit_transform(texts)
        else:
            words = self.words.transform(texts)
            chars = self.chars.transform(texts)
        return sp.hstack([words, chars], format="csr"), words

    def fit(self, texts: list[str], labels: list[str], urgencies=None, refs=None) -> "TriageModel":
        started = time.perf_counter()
        prepared = [prepare(t) for t in texts]
        features, words = self._features(prepared, fit=True)
        self.service.fit(features, labels)
        self.labels = [str(c) for c in self.service.classes_]
        urgencies = list(urgencies or [])
        if urgencies and len(set(urgencies)) > 1:
            self.urgency.fit(features, urgencies)
        else:
            self.urgency = None
        keep = min(len(prepared), MAX_NEIGHBOURS)
        # Stored transposed (features × past requests): one message's few words select a
        # few rows, instead of multiplying against every past request.
        self.neighbour_matrix = words[:keep].T.tocsr()
        self._scorer = None
        refs = list(refs or [{} for _ in prepared])
        # A past case is shown by its reference only: its text is someone else's request.
        self.neighbour_refs = [
            {
                "label": labels[i],
                "text": ""
                if str(refs[i].get("source", "")).startswith("case:")
                else textlib.redact_contacts(" ".join(prepared[i].split())[:SNIPPET]),
                **refs[i],
            }
            for i in range(keep)
        ]
        self.training_size = len(prepared)
        self.train_seconds = time.perf_counter() - started
        return self

    # --- applying ------------------------------------------------------------------------

    def _coef_cache(self) -> np.ndarray:
        # Computed once per loaded model: building them costs more than a prediction.
        if getattr(self, "_coefficients", None) is None:
            self._coefficients = _coefficients(self.service)
        return self._coefficients

    def _names_cache(self):
        if getattr(self, "_names", None) is None:
            self._names = self.words.get_feature_names_out()
        return self._names

    def scorer(self) -> LinearScorer:
        if getattr(self, "_scorer", None) is None:
            self._scorer = LinearScorer(self.service)
        return self._scorer

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_coefficients", None)
        state.pop("_names", None)
        state.pop("_scorer", None)
        return state

    def predict_labels(self, texts: list[str]) -> list[str]:
        features, _words = self._features([prepare(t) for t in texts])
        return [str(label) for label in self.service.predict(features)]

    def predict(self, raw: str, explain: bool = True, neighbours: int = 3) -> Prediction:
        # One string at a time: sklearn's input validation costs more than the prediction.
        with sklearn.config_context(assume_finite=True, skip_parameter_validation=True):
            return self._predict(raw, explain, neighbours)

    def _predict(self, raw: str, explain: bool, neighbours: int) -> Prediction:
        prepared = prepare(raw)
        language, _share, votes = textlib.detect_language(raw)
        features, words = self._features([prepared])
        probabilities = self.scorer().predict_proba(features)
        order = np.argsort(probabilities)[::-1]
        ranking = [(self.labels[i], float(probabilities[i])) for i in order[:3]]
        best = int(order[0])
        urgency, urgency_score = "normal", 0.0
        if self.urgency is not None:
            classes = list(self.urgency.classes_)
            # Binary logistic regression: P(classes_[1]) = sigmoid(w·x + b).
            decision = float(
                features.data @ self.urgency.coef_[0][features.indices] + self.urgency.intercept_[0]
            )
            positive = 1.0 / (1.0 + np.exp(-decision))
            urgency_score = positive if classes.index("urgent") == 1 else 1.0 - positive
            urgency = "urgent" if urgency_score >= 0.5 else "normal"
        prediction = Prediction(
            label=self.labels[best],
            confidence=float(probabilities[best]),
            ranking=ranking,
            urgency=urgency,
            urgency_score=urgency_score,
            language=language,
            language_votes={k: v for k, v in votes.items() if v},
            empty=not textlib.has_request(raw),
        )
        if prediction.empty:
            prediction.confidence = 0.0
        if explain:
            prediction.words = self.top_words(words, best)
            prediction.neighbours = self.similar(words, neighbours)
        return prediction

    def top_words(self, words_row, class_index: int, count: int = 8) -> list[tuple[str, float]]:
        """The words (and word pairs) of this message that pushed most towards the class."""
        coefficients = self._coef_cache()
        if coefficients.shape[0] == 1:  # binary problem: one row for the second class
            sign = 1 if class_index == 1 else -1
            row = coefficients[0] * sign
        else:
            row = coefficients[class_index]
        row = row[: len(self.words.vocabulary_)]
        words_row = words_row.tocsr()
        contributions = words_row.data * row[words_row.indices]
        names = self._names_cache()
        order = np.argsort(contributions)[::-1]
        return [
            (str(names[words_row.indices[i]]), float(contributions[i]))
            for i in order[:count]
            if contributions[i] > 0
        ]

    def similar(self, words_row, count: int = 3) -> list[dict]:
        """The most similar past requests (cosine on the word tf-idf)."""
        if self.neighbour_matrix is None or count <= 0 or words_row.nnz == 0:
            return []
        index = self.neighbour_matrix
        if index.shape[0] != words_row.shape[1]:  # a model saved before the index was transposed
            index = self.neighbour_matrix = index.T.tocsr()
        scores = (words_row @ index).tocsr()  # 1 × past requests, only those sharing a word
        if scores.nnz == 0:
            return []
        take = min(count, scores.nnz)
        best = np.argpartition(-scores.data, take - 1)[:take]
        best = best[np.argsort(-scores.data[best], kind="stable")]
        return [
            {
                **self.neighbour_refs[scores.indices[i]],
                "similarity": round(float(scores.data[i]), 3),
            }
            for i in best
            if scores.data[i] > 0
        ]


# --- measuring ---------------------------------------------------------------------------------


def evaluate(model: TriageModel, texts: list[str], labels: list[str]) -> dict:
    predicted = model.predict_labels(texts) if texts else []
    names = sorted(set(labels) | set(predicted))
    report = classification_report(
        labels, predicted, labels=names, output_dict=True, zero_division=0
    )
    matrix = confusion_matrix(labels, predicted, labels=names) if texts else []
    return {
        "n": len(texts),
        "macro_f1": round(float(f1_score(labels, predicted, average="macro", zero_division=0)), 4)
        if texts
        else 0.0,
        "accuracy": round(float(report.get("accuracy", 0.0)), 4) if texts else 0.0,
        "per_class": {
            name: {
                "precision": round(report[name]["precision"], 4),
                "recall": round(report[name]["recall"], 4),
                "f1": round(report[name]["f1-score"], 4),
                "support": int(report[name]["support"]),
            }
            for name in names
        },
        "confusion": {
            "labels": names,
            "matrix": [[int(v) for v in row] for row in matrix],
        },
    }


def format_report(result: dict) -> str:
    lines = [f"{'label':<22}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>9}"]
    for name, row in result["per_class"].items():
        lines.append(
            f"{name:<22}{row['precision']:>10.3f}{row['recall']:>10.3f}{row['f1']:>10.3f}"
            f"{row['support']:>9}"
        )
    lines.append(
        f"\nmacro-F1 {result['macro_f1']:.4f}   accuracy {result['accuracy']:.4f}   n={result['n']}"
    )
    labels = result["confusion"]["labels"]
    if labels:
        short = [re.sub(r"[^a-z]", "", label)[:6] for label in labels]
        lines.append("\nconfusion matrix (rows: true, columns: predicted)")
        lines.append(" " * 22 + "".join(f"{s:>7}" for s in short))
        for name, row in zip(labels, result["confusion"]["matrix"], strict=True):
            lines.append(f"{name:<22}" + "".join(f"{v:>7}" for v in row))
    return "\n".join(lines)
