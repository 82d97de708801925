"""Wait: a duration, until a date relative to a fact ("the day before the appointment, at
9:00"), or until a weekday/hour window ("a weekday between 9:00 and 12:00")."""

from datetime import datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from . import Batch, Field, Outcome, StepError, StepKind, as_int, register

MODES = ["duration", "fact", "window"]


def parse_weekdays(value, path):
    if isinstance(value, str):
        value = [v for v in value.replace(" ", "").split(",") if v]
    if not isinstance(value, list) or not value:
        raise StepError(path, _("Give the days as numbers, Monday = 0 (e.g. 0,1,2,3,4)."))
    return sorted({as_int(v, path, 0, 6) for v in value})


@register
class WaitStep(StepKind):
    kind = "wait"
    label = _lazy("Wait")
    fields = [
        Field(
            "mode",
            _lazy("Until"),
            "select",
            [
                ("duration", _lazy("a duration")),
                ("fact", _lazy("a date from a fact")),
                ("window", _lazy("a day and hour window")),
            ],
        ),
        Field("days", _lazy("Days"), "number"),
        Field("hours", _lazy("Hours"), "number"),
        Field("key", _lazy("Fact (date)"), "text", help=_lazy("e.g. passport_expires_on")),
        Field("offset_days", _lazy("Days from that date (negative: before)"), "number"),
        Field("at_hour", _lazy("At (hour)"), "number"),
        Field("weekdays", _lazy("Weekdays (0 = Monday)"), "text"),
        Field("from_hour", _lazy("From (hour)"), "number"),
        Field("to_hour", _lazy("To (hour)"), "number"),
    ]

    def validate(self, step, path):
        mode = step.get("mode") or "duration"
        if mode not in MODES:
            raise StepError(f"{path}.mode", _("Unknown wait mode."))
        if mode == "duration":
            days = as_int(step.get("days") or 0, f"{path}.days", 0, 3650)
            hours = as_int(step.get("hours") or 0, f"{path}.hours", 0, 24 * 365)
            if not days and not hours:
                raise StepError(f"{path}.days", _("Wait at least one hour."))
            return {"mode": mode, "days": days, "hours": hours}
        if mode == "fact":
            from parvis.people.models import FactKey

            key = str(step.get("key") or "").strip()
            fact_key = FactKey.objects.filter(key=key).first()
            if fact_key is None or fact_key.value_type != "date":
                raise StepError(f"{path}.key", _("Choose a fact holding a date."))
            return {
                "mode": mode,
                "key": key,
                "offset_days": as_int(
                    step.get("offset_days") or 0, f"{path}.offset_days", -3650, 3650
                ),
                "at_hour": as_int(
                    step.get("at_hour") if step.get("at_hour") not in (None, "") else 9,
                    f"{path}.at_hour",
                    0,
                    23,
                ),
            }
        weekdays = parse_weekdays(step.get("weekdays", [0, 1, 2, 3, 4]), f"{path}.weekdays")
        start = as_int(step.get("from_hour", 9), f"{path}.from_hour", 0, 23)
        end = as_int(step.get("to_hour", 18), f"{path}.to_hour", 1, 24)
        if end <= start:
            raise StepError(f"{path}.to_hour", _("The window ends before it starts."))
        return {"mode": mode, "weekdays": weekdays, "from_hour": start, "to_hour": end}

    def summary(self, step):
        if step["mode"] == "duration":
            return _("Wait %(d)s d %(h)s h") % {"d": step["days"], "h": step["hours"]}
        if step["mode"] == "fact":
            return _("Wait until %(key)s %(off)+d d, %(h)s:00") % {
                "key": step["key"],
                "off": step["offset_days"],
                "h": step["at_hour"],
            }
        return _("Wait for days %(w)s, %(a)s:00-%(b)s:00") % {
            "w": ",".join(map(str, step["weekdays"])),
            "a": step["from_hour"],
            "b": step["to_hour"],
        }

    def run(self, batch: Batch):
        step, now = batch.step, batch.now
        dates = {}
        if step["mode"] == "fact":
            from parvis.people.models import Fact

            rows = (
                Fact.objects.filter(
                    person_id__in=[e.person_id for e in batch.enrolments],
                    key_id=step["key"],
                    value_date__isnull=False,
                )
                .order_by("collected_at", "id")
                .values_list("person_id", "value_date")
            )
            dates = dict(rows)  # the latest collected wins
        for enrolment in batch.enrolments:
            base = enrolment.step_entered_at or now
            if step["mode"] == "duration":
                until = base + timedelta(days=step["days"], hours=step["hours"])
            elif step["mode"] == "fact":
                day = dates.get(enrolment.person_id)
                if day is None:
                    batch.set(enrolment, Outcome(batch.default_next(), "no_date"))
                    continue
                day = day + timedelta(days=step["offset_days"])
                until = timezone.make_aware(datetime.combine(day, time(step["at_hour"])))
            else:
                until = next_window(now, step["weekdays"], step["from_hour"], step["to_hour"])
            if until <= now:
                batch.set(enrolment, Outcome(batch.default_next(), "waited"))
            else:
                batch.set(enrolment, Outcome(step["id"], "waiting", wait_until=until))


def next_window(now, weekdays, start, end):
    local = timezone.localtime(now)
    for offset in range(8):
        day = local.date() + timedelta(days=offset)
        if day.weekday() not in weekdays:
            continue
        opening = timezone.make_aware(datetime.combine(day, time(start)))
        closing = opening + timedelta(hours=end - start)
        if local < opening:
            return opening
        if local < closing:
            return now
    return now  # pragma: no cover - weekdays is never empty
