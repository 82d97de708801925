"""Set a fact on the person (with Parvis as its source and the journey as its basis)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from . import Batch, Field, Outcome, StepError, StepKind, register, require


@register
class SetFactStep(StepKind):
    kind = "set_fact"
    label = _lazy("Set a fact")
    fields = [Field("key", _lazy("Fact")), Field("value", _lazy("Value"))]

    def validate(self, step, path):
        from parvis.people.models import FactKey
        from parvis.people.services import parse_fact_value

        key = str(require(step, "key", path)).strip()
        fact_key = FactKey.objects.filter(key=key).first()
        if fact_key is None:
            raise StepError(f"{path}.key", _("Unknown fact key “%(k)s”.") % {"k": key[:60]})
        try:
            value = parse_fact_value(fact_key, require(step, "value", path))
        except ValidationError as exc:
            raise StepError(f"{path}.value", " ".join(exc.messages)) from None
        return {"key": key, "value": str(value)}

    def summary(self, step):
        return _("Set %(k)s = %(v)s") % {"k": step["key"], "v": step["value"]}

    def run(self, batch: Batch):
        from parvis.people.models import DataSource, Fact, FactKey
        from parvis.people.services import parse_fact_value

        fact_key = FactKey.objects.get(key=batch.step["key"])
        value = parse_fact_value(fact_key, batch.step["value"])
        source = DataSource.objects.get(code="parvis")
        basis = _("Journey “%(j)s”") % {"j": batch.version.journey.name}
        Fact.objects.bulk_create(
            [
                Fact(
                    person_id=e.person_id,
                    key=fact_key,
                    source=source,
                    legal_basis=basis[:300],
                    collected_at=batch.now,
                    **Fact.value_columns(fact_key.value_type, value),
                )
                for e in batch.enrolments
            ],
            batch_size=2000,
        )
        for enrolment in batch.enrolments:
            batch.set(enrolment, Outcome(batch.default_next(), "fact_set"))
