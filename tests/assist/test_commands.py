"""`parvis assist evaluate | train | import-kb | search-eval` and their bad inputs."""

import csv
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from parvis.assist import corpus
from parvis.assist.models import Article, ModelVersion

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("assist", *args, stdout=out)
    return out.getvalue()


def write_csv(path, rows, header=("text", "label")):
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_evaluate_the_current_model_on_the_shipped_test_set(triage_model):
    report = json.loads(run("evaluate", str(corpus.TEST_CSV), "--json"))
    assert 0.5 < report["macro_f1"] <= 1
    assert report["macro_f1"] == triage_model.metrics["macro_f1"]
    assert set(report["per_class"]) >= {"etat-civil", "voirie", "ecoles"}
    text = run("evaluate", str(corpus.TEST_CSV))
    assert "confusion matrix" in text and "macro-F1" in text


def test_evaluate_with_train_measures_the_method_on_any_corpus(tmp_path, db):
    train = write_csv(
        tmp_path / "train.csv",
        [(f"le chat numero {i} miaule", "chat") for i in range(20)]
        + [(f"le chien numero {i} aboie", "chien") for i in range(20)],
    )
    test = write_csv(tmp_path / "test.csv", [("un chat qui miaule", "chat"),
                                              ("un chien qui aboie fort", "chien")])  # fmt: skip
    report = json.loads(run("evaluate", str(test), "--train", str(train), "--json"))
    assert report["macro_f1"] == 1.0
    assert not ModelVersion.objects.exists()  # measured, not installed


def test_evaluate_bad_files(tmp_path, db):
    with pytest.raises(CommandError, match="no such file"):
        run("evaluate", str(tmp_path / "missing.csv"))
    bad = write_csv(tmp_path / "bad.csv", [("x", "y")], header=("message", "service"))
    with pytest.raises(CommandError, match="missing column"):
        run("evaluate", str(bad))
    empty = write_csv(tmp_path / "empty.csv", [])
    with pytest.raises(CommandError, match="no labelled row"):
        run("evaluate", str(empty))


def test_train_command_adds_a_version_with_metrics(triage_model, settings, monkeypatch):
    from parvis.assist import versions

    # A small shipped set keeps the test short; the command is the same.
    small = corpus.read_csv(corpus.TRAIN_CSV)[:400]
    monkeypatch.setattr(versions.corpus, "read_csv", lambda path: small)
    out = run("train")
    version = ModelVersion.objects.filter(name="retrained").get()
    assert "macro_f1=" in out and version.metrics["macro_f1"] > 0
    assert version.metrics["closed_cases"] == 0


def test_import_kb_is_idempotent_and_takes_a_newer_dump(tmp_path, town_services):
    dump = tmp_path / "fiches.jsonl"
    rows = [
        {"id": "F1", "title": "Carte d'identité", "theme": "Papiers", "sous_theme": "",
         "dossier": "Carte d'identité", "url": "https://www.service-public.fr/F1",
         "text": "La carte nationale d'identité est gratuite."},
        {"id": "F2", "title": "Permis de construire", "theme": "Logement", "sous_theme": "",
         "dossier": "Autorisations d'urbanisme", "url": "", "text": "Un permis est nécessaire."},
    ]  # fmt: skip
    dump.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n")
    assert "created=2" in run("import-kb", str(dump))
    assert "unchanged=2" in run("import-kb", str(dump))
    article = Article.objects.get(external_id="F1")
    assert article.source.startswith("service-public.fr") and "Licence Ouverte" in article.licence
    assert list(article.services.values_list("slug", flat=True)) == ["etat-civil"]
    rows[0]["text"] = "La carte nationale d'identité est gratuite, sauf en cas de perte (25 €)."
    dump.write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in rows)
        + "\n{broken json\n"
        + json.dumps({"id": "F3", "title": ""})
        + "\n"
    )
    out = run("import-kb", str(dump))
    assert "created=0 updated=1 unchanged=1 errors=2" in out
    assert "25 €" in Article.objects.get(external_id="F1").body
    assert Article.objects.count() == 2


def test_search_eval(town_services, tmp_path):
    from parvis.assist import kb

    kb.import_town_articles()
    questions = write_csv(
        tmp_path / "q.csv",
        [("combien coûte la cantine ?", "mb-cantine"),
         ("rendez-vous pour un passeport", "mb-cni-passeport"),
         ("une question sans réponse connue", "nope")],
        header=("question", "article_id"),
    )  # fmt: skip
    result = json.loads(run("search-eval", str(questions), "--json"))
    assert result["n"] == 3 and result["unknown_articles"] == 1
    assert result["top1"] == pytest.approx(2 / 3, abs=0.01)
    assert result["top3"] >= result["top1"]
    with pytest.raises(CommandError, match="missing column"):
        run("search-eval", str(write_csv(tmp_path / "x.csv", [("a", "b")])))
