"""The API Particulier client against a local server speaking the v3 schema."""

from datetime import date
from decimal import Decimal

import pytest

from parvis.audit.models import AccessLog
from parvis.integrations.connectors import api_particulier as api
from parvis.integrations.models import Connector, ConnectorCall
from parvis.people import services
from parvis.people.models import Fact

from .fake_api_particulier import FakeApiParticulier

pytestmark = pytest.mark.django_db
PURPOSE = "Tarif social de la cantine (délibération du 12/03/2024)"


@pytest.fixture
def fake(monkeypatch):
    monkeypatch.setenv("PARVIS_TEST_API_PARTICULIER_TOKEN", FakeApiParticulier.TOKEN)
    api._BUCKETS.clear()
    with FakeApiParticulier() as server:
        yield server


@pytest.fixture
def client(fake):
    connector = Connector.objects.create(
        name="api-particulier",
        base_url=fake.url,
        token_env="PARVIS_TEST_API_PARTICULIER_TOKEN",
        recipient="21540084400012",
        timeout_seconds=0.5,
        requests_per_second=1000,
    )
    return api.ApiParticulier(connector)


@pytest.fixture
def jeanne(db):
    return services.create_person(
        first_names="Jeanne Stéphanie", last_name="Roux", birth_date=date(1987, 6, 27), sex="F"
    )


def test_family_quotient_follows_the_schema_and_records_the_purpose(client, fake, jeanne, agent):
    result = client.family_quotient(jeanne, purpose=PURPOSE, user=agent)
    assert (result.provider, result.value, result.year, result.month) == (
        "MSA",
        Decimal(150),
        2023,
        5,
    )
    sent = fake.requests[0]
    assert sent["path"] == "/v3/dss/quotient_familial/identite"
    assert sent["query"]["recipient"] == ["21540084400012"]
    assert sent["query"]["prenoms[]"] == ["JEANNE", "STÉPHANIE"]
    assert sent["query"]["nomNaissance"] == ["ROUX"] and sent["query"]["jourDateNaissance"] == [
        "27"
    ]
    call = ConnectorCall.objects.get()
    assert (call.purpose, call.outcome, call.status_code, call.person) == (
        PURPOSE,
        "ok",
        200,
        jeanne,
    )
    log = AccessLog.objects.get(person_id=jeanne.pk)
    assert log.reason == PURPOSE and log.action.startswith("api_particulier")
    fact = api.record_family_quotient(jeanne, result, user=agent)
    assert Fact.objects.get(pk=fact.pk).source.code == "api-particulier" and fact.legal_basis


def test_answers_are_cached(client, fake, jeanne):
    client.family_quotient(jeanne, purpose=PURPOSE)
    client.family_quotient(jeanne, purpose=PURPOSE)
    assert len(fake.requests) == 1
    assert list(ConnectorCall.objects.order_by("id").values_list("outcome", flat=True)) == [
        "ok",
        "cached",
    ]


def test_scholarship_and_jobseeker(client, jeanne):
    status = client.scholarship(jeanne, purpose=PURPOSE)
    assert status.is_scholarship_holder and status.grade == "5" and status.institution == "ENSIIE"
    jobseeker = client.jobseeker_status("123456A", purpose=PURPOSE)
    assert jobseeker.registered and jobseeker.since == date(2024, 1, 1)


def test_a_purpose_is_required(client, jeanne, fake):
    with pytest.raises(api.ConnectorError, match="purpose|finalité"):
        client.family_quotient(jeanne, purpose="  ")
    assert fake.requests == []


@pytest.mark.parametrize(
    "behaviour, error, outcome, text",
    [
        ("429", api.RateLimited, "rate_limited", "12"),
        ("500", api.ConnectorError, "error", "HTTP 500"),
        ("404", api.NotFound, "not_found", "MSA"),
        ("garbage", api.ConnectorError, "ok", "schema|schéma"),
    ],
)
def test_errors_are_clear(client, fake, jeanne, behaviour, error, outcome, text):
    fake.behaviour = behaviour
    with pytest.raises(error, match=text) as caught:
        client.family_quotient(jeanne, purpose=PURPOSE)
    if behaviour == "429":
        assert caught.value.retry_after == 12
    assert ConnectorCall.objects.get().outcome == outcome


def test_timeout_is_reported(client, fake, jeanne):
    fake.behaviour = "hang"  # the server waits until the test ends: no race on a delay
    with pytest.raises(api.Timeout, match="0.5"):
        client.family_quotient(jeanne, purpose=PURPOSE)
    assert ConnectorCall.objects.get().outcome == "timeout"


def test_missing_token(client, monkeypatch, jeanne):
    monkeypatch.delenv("PARVIS_TEST_API_PARTICULIER_TOKEN")
    with pytest.raises(api.ConnectorError, match="PARVIS_TEST_API_PARTICULIER_TOKEN"):
        client.family_quotient(jeanne, purpose=PURPOSE)


def test_token_bucket_limits_the_rate_without_real_time():
    now = [0.0]
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        now[0] += seconds

    bucket = api.TokenBucket(rate=2, capacity=2, clock=lambda: now[0], sleep=sleep)
    waits = [bucket.acquire() for _ in range(6)]
    assert waits[:2] == [0, 0] and all(w == pytest.approx(0.5) for w in waits[2:])
    assert now[0] == pytest.approx(2.0)  # 6 calls at 2/s with a burst of 2
