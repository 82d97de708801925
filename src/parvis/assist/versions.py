"""Training, storing and loading triage model versions.

A version is a joblib file under MEDIA_ROOT/assist/models and a ModelVersion row holding
its measured quality on the shipped held-out set. Exactly one triage version is active."""

import hashlib
import json
import logging
import shutil
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import joblib
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import conf, corpus, triage
from .models import ModelVersion

logger = logging.getLogger(__name__)

# Bumped when the features or the training change, so that cached cold-start models of an
# older code are not reused.
CODE_VERSION = "triage-4"

_loaded: OrderedDict[str, triage.TriageModel] = OrderedDict()
_lock = threading.Lock()


@dataclass
class _Trained:
    """What register() needs to know of a model that is not loaded."""

    kind: str
    training_size: int
    train_seconds: float


def data_hash(paths: list[Path]) -> str:
    digest = hashlib.sha256(CODE_VERSION.encode())
    for path in paths:
        digest.update(path.read_bytes() if path.exists() else b"-")
    return digest.hexdigest()


def _relative(path: Path) -> str:
    return str(path.relative_to(settings.MEDIA_ROOT))


def _save(model: triage.TriageModel, name: str) -> Path:
    folder = conf.model_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}-{timezone.now():%Y%m%d%H%M%S%f}.joblib"
    joblib.dump(model, path, compress=3)
    return path


def register(
    model,
    *,
    name: str,
    metrics: dict,
    notes: str = "",
    path: Path | None = None,
    data: str = "",
    activate: bool = True,
) -> ModelVersion:
    path = path or _save(model, name)
    with transaction.atomic():
        version = ModelVersion.objects.create(
            kind=ModelVersion.Kind.TRIAGE,
            name=name,
            algorithm=f"tf-idf word 1-2 + char 3-5 → {model.kind}",
            file=_relative(path),
            data_hash=data,
            training_size=model.training_size,
            train_seconds=round(model.train_seconds, 2),
            metrics=metrics,
            notes=notes,
        )
        if activate:
            activate_version(version)
    return version


def activate_version(version: ModelVersion) -> None:
    ModelVersion.objects.filter(kind=version.kind, is_active=True).exclude(pk=version.pk).update(
        is_active=False
    )
    if not version.is_active:
        version.is_active = True
        version.save(update_fields=["is_active"])


def active_triage() -> ModelVersion | None:
    return ModelVersion.objects.filter(kind=ModelVersion.Kind.TRIAGE, is_active=True).first()


def load(version: ModelVersion) -> triage.TriageModel:
    path = str(Path(settings.MEDIA_ROOT) / version.file)
    with _lock:
        if path in _loaded:
            _loaded.move_to_end(path)
            return _loaded[path]
    model = joblib.load(path)
    with _lock:
        _loaded[path] = model
        while len(_loaded) > 3:
            _loaded.popitem(last=False)
    return model


def train(
    examples: list[corpus.Example],
    *,
    kind: str = triage.DEFAULT_KIND,
    test: list[corpus.Example] | None = None,
) -> tuple[triage.TriageModel, dict]:
    model = triage.TriageModel(kind).fit(
        [e.text for e in examples],
        [e.label for e in examples],
        [e.urgency for e in examples],
        refs=[{"source": e.source} for e in examples],
    )
    metrics = {"train_seconds": round(model.train_seconds, 2)}
    if test:
        result = triage.evaluate(model, [e.text for e in test], [e.label for e in test])
        metrics.update(
            macro_f1=result["macro_f1"],
            accuracy=result["accuracy"],
            test_size=result["n"],
            per_class=result["per_class"],
            test_set="shipped held-out set (phrasings never trained on)",
        )
    return model, metrics


def ensure_cold_start() -> ModelVersion:
    """The active triage model; the one trained from the shipped examples if none is."""
    version = active_triage()
    if version is not None:
        return version
    digest = data_hash([corpus.TRAIN_CSV, corpus.TEST_CSV])
    cached = conf.cache_dir() / f"coldstart-{digest[:16]}.joblib"
    sidecar = cached.with_suffix(".json")
    if cached.exists() and sidecar.exists():
        # Only the figures are read here; the model itself is loaded when first used.
        facts = json.loads(sidecar.read_text())
        metrics, model = facts["metrics"], _Trained(**facts["model"])
    else:
        model, metrics = train(
            corpus.read_csv(corpus.TRAIN_CSV), test=corpus.read_csv(corpus.TEST_CSV)
        )
        cached.parent.mkdir(parents=True, exist_ok=True)
        joblib.dump(model, cached, compress=3)
        sidecar.write_text(
            json.dumps(
                {
                    "metrics": metrics,
                    "model": {
                        "kind": model.kind,
                        "training_size": model.training_size,
                        "train_seconds": model.train_seconds,
                    },
                }
            )
        )
    folder = conf.model_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"coldstart-{digest[:16]}.joblib"
    if not path.exists():
        shutil.copyfile(cached, path)
    logger.info("Cold-start triage model ready (macro-F1 %s)", metrics.get("macro_f1"))
    return register(
        model,
        name="coldstart",
        metrics=metrics,
        notes="Trained from the shipped French examples (service-public.fr titles, town-hall "
        "articles and generated emails).",
        path=path,
        data=digest,
    )


def examples_from_cases(limit: int = 50_000) -> list[corpus.Example]:
    """The administration's own closed cases, labelled by the service that handled them."""
    from parvis.cases.models import Case, Message

    examples = []
    cases = (
        Case.objects.filter(
            status__in=[Case.Status.RESOLVED, Case.Status.CLOSED],
            service__isnull=False,
            merged_into__isnull=True,
        )
        .select_related("service")
        .order_by("-closed_at")[:limit]
    )
    first_in: dict[int, Message] = {}
    for message in Message.objects.filter(case__in=cases, direction=Message.Direction.IN).order_by(
        "created_at", "id"
    ):
        first_in.setdefault(message.case_id, message)
    for case in cases:
        message = first_in.get(case.pk)
        if message is None:
            continue
        urgent = case.priority >= case.Priority.HIGH
        examples.append(
            corpus.Example(
                f"{message.subject or case.subject}\n{message.body_text}",
                case.service.slug,
                "urgent" if urgent else "normal",
                f"case:{case.reference}",
            )
        )
    return examples


def retrain(*, kind: str = triage.DEFAULT_KIND, activate_if_not_worse: bool = True) -> ModelVersion:
    """Shipped examples + the administration's closed cases; measured on the shipped held-out
    set; made active unless it measures worse than the active one."""
    from_cases = examples_from_cases()
    examples = corpus.read_csv(corpus.TRAIN_CSV) + from_cases
    test = corpus.read_csv(corpus.TEST_CSV)
    model, metrics = train(examples, kind=kind, test=test)
    metrics["closed_cases"] = len(from_cases)
    current = active_triage()
    better = (
        current is None
        or not activate_if_not_worse
        or metrics.get("macro_f1", 0) >= current.metrics.get("macro_f1", 0) - 0.01
    )
    return register(
        model,
        name="retrained",
        metrics=metrics,
        notes=f"Shipped examples and {len(from_cases)} closed cases.",
        activate=better,
    )
