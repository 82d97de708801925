"""The set-based gate (`people=` subquery) and the column-wise decision log decide and record
exactly what the per-id gate does: the same reasons, every refusal logged; and the lean
column-wise INSERT refuses to guess a per-row default."""

from datetime import date, timedelta

import pytest

from parvis.channels import gate
from parvis.geo.models import Alert, AlertRecipient
from parvis.journeys import bulk
from parvis.journeys.models import Dispatch, GateDecision
from parvis.people import services as people
from parvis.people.models import Person

from .conftest import NIGHT, NOW, at, resident, street

pytestmark = pytest.mark.django_db


@pytest.fixture
def crowd():
    road = street("Rue Joffre")
    out = {
        "ok": resident("Ok", at(road, 1, 49.32, 5.83), email="ok@example.org", consents=["email"]),
        "none": resident("Sans", at(road, 2, 49.32, 5.83)),
        "noconsent": resident("Non", at(road, 3, 49.32, 5.83), email="nc@example.org"),
        "refused": resident("Refus", at(road, 4, 49.32, 5.83), email="rf@example.org"),
        "suppressed": resident(
            "Supp", at(road, 5, 49.32, 5.83), email="sp@example.org", consents=["email"]
        ),
        "dead": resident("Mort", at(road, 6, 49.32, 5.83), email="dd@example.org"),
    }
    people.record_consent(
        out["refused"],
        purpose="alerts",
        channel="email",
        granted=False,
        method="portal",
        at=NOW - timedelta(days=1),
    )
    gate.suppress("email", "sp@example.org", "unsubscribed")
    Person.objects.filter(pk=out["dead"].pk).update(deceased_on=date(2024, 1, 1))
    return out


@pytest.mark.parametrize("safety, when", [(False, NOW), (True, NOW), (False, NIGHT)])
def test_the_subquery_gate_decides_as_the_per_id_gate(crowd, safety, when):
    alert = Alert.objects.create(
        title="t", topic="safety", channels=["email"], selection={}, definition={}
    )
    AlertRecipient.objects.bulk_create(
        AlertRecipient(alert=alert, person=p) for p in crowd.values()
    )
    recipients = AlertRecipient.objects.filter(alert=alert).values("person_id")

    def decide(**extra):
        requests = [gate.Request(p.pk, "email") for p in crowd.values()]
        gate.check_many(requests, "alerts", safety=safety, at=when, source="t", **extra)
        return [(r.decision.allowed, r.decision.reason, r.decision.address) for r in requests]

    per_id = decide()
    assert decide(people=recipients) == per_id
    reasons = dict(zip(crowd, (reason for _a, reason, _addr in per_id), strict=True))
    assert reasons["dead"] == "deceased" and reasons["none"] == "no_contact"
    assert reasons["refused"] == "consent_withdrawn" and reasons["suppressed"] == "suppressed"
    assert reasons["noconsent"] == ("ok" if safety else "no_consent")
    quiet = not safety and when == NIGHT  # a Sunday night: the holiday rule comes first
    assert reasons["ok"] == ("holiday" if quiet else "ok")
    # Both runs logged every decision, refusals with their reason, in the log's columns.
    logged = GateDecision.objects.filter(source="t")
    assert logged.count() == 2 * len(crowd)
    row = logged.filter(person=crowd["refused"]).first()
    assert (row.allowed, row.reason, row.channel, row.safety) == (
        False,
        "consent_withdrawn",
        "email",
        safety,
    )
    assert row.detail and row.at == when
    deferred = logged.filter(person=crowd["ok"]).first()
    assert (deferred.defer_until is not None) == (when == NIGHT and not safety)


def test_column_wise_insert_needs_the_per_row_defaults(crowd):
    with pytest.raises(ValueError, match="token"):
        bulk.insert_columns(Dispatch, {"person_id": [crowd["ok"].pk], "channel": ["email"]})
    rows = bulk.insert_columns(
        Dispatch,
        {"person_id": [crowd["ok"].pk], "channel": ["email"], "token": ["t1"]},
        constants={"purpose": "alerts"},
        returning=("id", "token"),
    )
    saved = Dispatch.objects.get()
    assert rows == [(saved.pk, "t1")] and saved.status == "queued" and saved.created_at
    with pytest.raises(ValueError, match="length"):
        bulk.insert_columns(Dispatch, {"person_id": [1, 2], "token": ["x"]})
    assert bulk.insert_columns(Dispatch, {"person_id": []}) == []
