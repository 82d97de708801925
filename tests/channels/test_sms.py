"""SMS: segment counting, STOP keywords, the OVHcloud provider against a stand-in API that
checks signatures like the real one, and the webhooks (SMS in, delivery reports)."""

import json

import pytest
from django.urls import reverse

from parvis.cases import services
from parvis.cases.models import Case, Message
from parvis.channels import adapters, sms
from parvis.channels.messages import DeliveryError, OutgoingMessage
from parvis.channels.sms_providers.brevo import BrevoProvider
from parvis.channels.sms_providers.ovh import OvhProvider, signature
from parvis.people.models import Consent, Purpose

from .fake_sms_server import FakeBrevo, FakeOvh

pytestmark = pytest.mark.django_db

TOKEN = "s3cret-webhook-token"
MOBILE = "+33612345678"  # Élodie's (tests/conftest.py)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # raw webhook payloads are stored


@pytest.fixture
def ovh(settings):
    fake = FakeOvh().start()
    for name, value in fake.settings().items():
        setattr(settings, name, value)
    settings.PARVIS_SMS_WEBHOOK_TOKEN = TOKEN
    settings.PARVIS_SMS_WEBHOOK_IPS = []
    settings.PARVIS_SMS_TIMEOUT = 10
    yield fake
    fake.stop()


def incoming_url(token=TOKEN):
    return reverse("hooks:sms-incoming", args=[token])


def status_url(token=TOKEN):
    return reverse("hooks:sms-status", args=[token])


# --- segments, keywords, numbers --------------------------------------------------------------


@pytest.mark.parametrize(
    "text, encoding, count",
    [
        ("", "GSM-7", 0),
        ("Bonjour", "GSM-7", 1),
        ("a" * 160, "GSM-7", 1),
        ("a" * 161, "GSM-7", 2),
        ("a" * 306, "GSM-7", 2),
        ("a" * 307, "GSM-7", 3),
        ("€" * 80, "GSM-7", 1),  # an extension character takes two septets
        ("€" * 81, "GSM-7", 2),
        ("Votre dossier est prêt", "UCS-2", 1),  # ê is not in GSM-7
        ("é" * 160, "GSM-7", 1),  # é is
        ("ê" * 70, "UCS-2", 1),
        ("ê" * 71, "UCS-2", 2),
        ("ê" * 134, "UCS-2", 2),
        ("ê" * 135, "UCS-2", 3),
        ("🙂" * 35, "UCS-2", 1),  # two UTF-16 units each
        ("🙂" * 36, "UCS-2", 2),
    ],
)
def test_segments(text, encoding, count):
    result = sms.segments(text)
    assert (result.encoding, result.count) == (encoding, count)


def test_an_extension_character_is_not_split_across_parts():
    # 152 + 2 + 152 = 306 septets would fit in two parts of 153 if "€" could be split.
    text = "a" * 152 + "€" + "a" * 152
    assert sms.segments(text).units == 306
    assert sms.segments(text).count == 3


@pytest.mark.parametrize(
    "text, stop",
    [
        ("STOP", True),
        ("  stop ", True),
        ("Stop.", True),
        ("ARRÊT", True),
        ("arret", True),
        ("STOP SMS", True),
        ("stop the roadworks please", False),
        ("Bonjour, STOP aux travaux", False),
        ("", False),
    ],
)
def test_stop_keywords(text, stop):
    assert sms.is_stop(text) is stop


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("+33612345678", MOBILE),
        ("0612345678", MOBILE),
        ("33612345678", MOBILE),
        ("0033612345678", MOBILE),
        ("06 12 34 56 78", MOBILE),
        ("36111", ""),
        ("MAIRIE", ""),
    ],
)
def test_numbers_are_normalised_to_e164(raw, expected):
    assert sms.e164(raw) == expected


# --- sending through OVHcloud -----------------------------------------------------------------


def test_signature_is_the_documented_one():
    # "$1$" + SHA1_HEX(AS+"+"+CK+"+"+METHOD+"+"+QUERY+"+"+BODY+"+"+TSTAMP)
    import hashlib

    clear = "as+ck+POST+https://eu.api.ovh.com/1.0/sms/x/jobs+{}+1700000000"
    expected = "$1$" + hashlib.sha1(clear.encode()).hexdigest()
    assert signature("as", "ck", "post", "https://eu.api.ovh.com/1.0/sms/x/jobs", "{}",
                     "1700000000") == expected  # fmt: skip


def test_send_posts_a_signed_job(ovh):
    provider_id = OvhProvider().send(MOBILE, "Votre acte de naissance est prêt.")
    assert len(ovh.jobs) == 1
    job = ovh.jobs[0]
    assert provider_id == f"ovh:{job['ids'][0]}"
    assert job["receivers"] == [MOBILE]
    assert job["message"] == "Votre acte de naissance est prêt."
    assert job["coding"] == "8bit"  # "ê": UCS-2
    assert job["noStopClause"] is True
    assert job["senderForResponse"] is True


def test_send_with_a_sender_name_and_gsm_text(ovh, settings):
    settings.PARVIS_OVH_SMS_SENDER = "MAIRIE"
    OvhProvider().send(MOBILE, "Votre dossier avance.")
    assert ovh.jobs[0]["sender"] == "MAIRIE"
    assert ovh.jobs[0]["coding"] == "7bit"
    assert "senderForResponse" not in ovh.jobs[0]


def test_the_sms_adapter_uses_the_configured_provider(ovh):
    provider_id = adapters.send(OutgoingMessage(channel="sms", to=MOBILE, body_text="Bonjour"))
    assert provider_id.startswith("ovh:")
    assert ovh.jobs[0]["message"] == "Bonjour"


def test_a_wrong_secret_is_refused_by_the_api_and_not_retried(ovh, settings):
    settings.PARVIS_OVH_APPLICATION_SECRET = "not-the-secret"
    with pytest.raises(DeliveryError) as error:
        OvhProvider().send(MOBILE, "Bonjour")
    assert error.value.retryable is False
    assert "Invalid signature" in str(error.value)
    assert ovh.jobs == []


def test_a_wrong_consumer_key_is_refused(ovh, settings):
    settings.PARVIS_OVH_CONSUMER_KEY = "revoked"
    with pytest.raises(DeliveryError) as error:
        OvhProvider().send(MOBILE, "Bonjour")
    assert (error.value.retryable, error.value.status) == (False, 403)


@pytest.mark.parametrize(
    "status, retryable",
    [(429, True), (500, True), (502, True), (503, True), (400, False), (402, False),
     (404, False)],
)  # fmt: skip
def test_api_errors_say_whether_to_retry(ovh, status, retryable):
    ovh.fail_next.append((status, {"message": f"error {status}"}))
    with pytest.raises(DeliveryError) as error:
        OvhProvider().send(MOBILE, "Bonjour")
    assert error.value.retryable is retryable
    assert f"HTTP {status}" in str(error.value)


def test_a_timeout_is_retryable(ovh, settings):
    settings.PARVIS_SMS_TIMEOUT = 0.3
    ovh.hang.set()
    try:
        with pytest.raises(DeliveryError) as error:
            OvhProvider().send(MOBILE, "Bonjour")
    finally:
        ovh.release.set()
    assert error.value.retryable is True


def test_an_api_that_is_down_is_retryable(ovh):
    provider = OvhProvider()
    ovh.stop()
    with pytest.raises(DeliveryError) as error:
        provider.send(MOBILE, "Bonjour")
    assert error.value.retryable is True


def test_an_invalid_number_is_not_retried(ovh):
    with pytest.raises(DeliveryError) as error:
        OvhProvider().send("0612", "Bonjour")
    assert error.value.retryable is False


def test_missing_credentials_are_not_retried(ovh, settings, monkeypatch):
    settings.PARVIS_OVH_CONSUMER_KEY = ""
    monkeypatch.delenv("PARVIS_OVH_CONSUMER_KEY", raising=False)
    with pytest.raises(DeliveryError) as error:
        OvhProvider().send(MOBILE, "Bonjour")
    assert error.value.retryable is False
    assert "PARVIS_OVH_CONSUMER_KEY" in str(error.value)


def test_credentials_can_come_from_the_environment(ovh, settings, monkeypatch):
    settings.PARVIS_OVH_APPLICATION_SECRET = ""
    monkeypatch.setenv("PARVIS_OVH_APPLICATION_SECRET", ovh.application_secret)
    assert OvhProvider().send(MOBILE, "Bonjour").startswith("ovh:")


def test_an_answer_on_a_sms_case_leaves_through_ovh(
    ovh, person, agent, client, django_capture_on_commit_callbacks
):
    ovh_id = ovh.add_incoming(MOBILE, "Bonjour, quand est ramassé le verre ?")
    client.post(incoming_url(), {"id": ovh_id})
    case = Case.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        answer = services.reply(case, author=agent, body="Le jeudi matin.")
    answer.refresh_from_db()
    assert answer.delivery == Message.Delivery.SENT
    assert ovh.jobs[-1]["receivers"] == [MOBILE]
    assert ovh.jobs[-1]["message"] == "Le jeudi matin."


# --- SMS in -----------------------------------------------------------------------------------


def test_an_sms_from_a_known_mobile_opens_a_case_for_that_person(ovh, person, client):
    ovh_id = ovh.add_incoming(MOBILE, "Bonjour, le lampadaire de ma rue est cassé.")
    response = client.post(incoming_url(), {"id": ovh_id})
    assert response.status_code == 200
    assert response.json()["results"][0]["outcome"] == "created"
    message = Message.objects.get()
    assert message.case.person == person
    assert message.channel == "sms"
    assert message.sender == MOBILE
    assert message.body_text == "Bonjour, le lampadaire de ma rue est cassé."
    assert message.message_id == f"ovh:in:{ovh_id}"
    assert message.created_at.isoformat() == "2026-03-02T08:15:00+00:00"
    assert json.loads(message.raw.read())["id"] == ovh_id
    assert person.interactions.filter(kind="message_in", channel="sms").exists()


def test_the_callback_may_come_as_a_get_with_the_id_in_the_query(ovh, person, client):
    ovh_id = ovh.add_incoming(MOBILE, "Bonjour")
    response = client.get(incoming_url(), {"id": ovh_id})
    assert response.status_code == 200
    assert Message.objects.filter(message_id=f"ovh:in:{ovh_id}").exists()


def test_an_unknown_number_opens_a_case_with_a_proposed_person(ovh, person, client):
    ovh_id = ovh.add_incoming("+33698765432", "Bonjour, je viens d'emménager.")
    client.post(incoming_url(), {"id": ovh_id})
    case = Case.objects.get()
    assert case.person is None
    assert case.proposed_person == {"phone": "+33698765432"}


def test_the_same_webhook_twice_stores_one_message(ovh, person, client):
    ovh_id = ovh.add_incoming(MOBILE, "Bonjour")
    first = client.post(incoming_url(), {"id": ovh_id})
    again = client.post(incoming_url(), {"id": ovh_id})
    assert [first.json()["results"][0]["outcome"], again.json()["results"][0]["outcome"]] == [
        "created",
        "duplicate",
    ]
    assert Message.objects.count() == 1


def test_an_answer_to_our_sms_continues_its_case(ovh, person, agent, client):
    ovh_id = ovh.add_incoming(MOBILE, "Ma poubelle n'a pas été ramassée.")
    client.post(incoming_url(), {"id": ovh_id})
    case = Case.objects.get()
    services.reply(case, author=agent, body="Quelle adresse ?")
    again = client.post(incoming_url(), {"id": ovh.add_incoming(MOBILE, "12 rue des Lilas")})
    assert again.json()["results"][0] == {"outcome": "threaded", "case": case.reference}
    assert Case.objects.count() == 1


@pytest.mark.parametrize("token", ["wrong-token", TOKEN[:-1], TOKEN + "x", "é"])
def test_a_wrong_token_is_forbidden_and_nothing_is_read(ovh, person, client, token):
    ovh_id = ovh.add_incoming(MOBILE, "Bonjour")
    response = client.post(incoming_url(token), {"id": ovh_id})
    assert response.status_code == 403
    assert response.json() == {"error": "forbidden"}
    assert Message.objects.count() == 0
    assert not any("/incoming/" in path for _method, path in ovh.requests)
    assert client.post(status_url(token), {"id": "1", "ptt": "4"}).status_code == 403


def test_without_a_configured_token_the_webhooks_are_off(ovh, settings, client):
    settings.PARVIS_SMS_WEBHOOK_TOKEN = ""
    assert client.post(reverse("hooks:sms-incoming", args=["x"]), {"id": "1"}).status_code == 403


def test_the_ip_allow_list(ovh, person, settings, client):
    settings.PARVIS_SMS_WEBHOOK_IPS = ["213.186.32.0/19"]  # not the test client's address
    ovh_id = ovh.add_incoming(MOBILE, "Bonjour")
    assert client.post(incoming_url(), {"id": ovh_id}).status_code == 403
    settings.PARVIS_SMS_WEBHOOK_IPS = ["213.186.32.0/19", "127.0.0.1"]
    assert client.post(incoming_url(), {"id": ovh_id}).status_code == 200


@pytest.mark.parametrize(
    "kwargs",
    [
        {"data": {}},
        {"data": {"id": "abc"}},
        {"data": {"id": "999"}},  # OVHcloud knows no such SMS
        {"data": "{not json", "content_type": "application/json"},
        {"data": "[1, 2]", "content_type": "application/json"},
        {"data": b"\xff\xfe", "content_type": "application/json"},
    ],
)
def test_malformed_calls_are_400_with_a_json_error(ovh, client, kwargs):
    response = client.post(incoming_url(), **kwargs)
    assert response.status_code == 400
    assert response.json()["error"].startswith("malformed call")
    assert Message.objects.count() == 0


def test_the_final_slash_is_optional(ovh, person, client):
    for url in (f"/hooks/sms/{TOKEN}/incoming/", f"/hooks/sms/{TOKEN}/incoming"):
        response = client.post(url, {"id": ovh.add_incoming(MOBILE, "Bonjour")})
        assert response.status_code == 200
    assert Message.objects.count() == 2


def test_other_methods_are_refused(ovh, client):
    assert client.put(incoming_url()).status_code == 405


def test_an_unreachable_api_is_503_so_that_the_operator_retries(ovh, client):
    ovh_id = ovh.add_incoming(MOBILE, "Bonjour")
    ovh.stop()
    response = client.post(incoming_url(), {"id": ovh_id})
    assert response.status_code == 503
    assert Message.objects.count() == 0


def test_stop_withdraws_sms_consents_and_opens_no_case(ovh, person, client):
    response = client.post(incoming_url(), {"id": ovh.add_incoming(MOBILE, "Stop")})
    assert response.json()["results"] == [{"outcome": "unsubscribed", "persons": 1}]
    assert Case.objects.count() == 0
    assert Message.objects.count() == 0
    for purpose in Purpose.values:
        latest = person.consents.filter(purpose=purpose, channel="sms").first()
        assert latest.granted is False
        assert latest.method == Consent.Method.UNSUBSCRIBE
    assert person.consents.filter(channel="email").count() == 0
    count = person.consents.count()
    client.post(incoming_url(), {"id": ovh.add_incoming(MOBILE, "ARRET")})
    assert person.consents.count() == count  # already withdrawn: nothing new


def test_stop_from_an_unknown_number_opens_nothing(ovh, client, db):
    response = client.post(incoming_url(), {"id": ovh.add_incoming("+33698765432", "STOP")})
    assert response.json()["results"] == [{"outcome": "unsubscribed", "persons": 0}]
    assert Case.objects.count() == 0


def test_a_sender_that_is_not_a_phone_number_is_ignored(ovh, client, db):
    response = client.post(incoming_url(), {"id": ovh.add_incoming("36180", "Info")})
    assert response.json()["results"][0]["outcome"] == "ignored"
    assert Case.objects.count() == 0


# --- delivery reports ---------------------------------------------------------------------------


@pytest.fixture
def sent_sms(person, agent):
    case = Case.objects.create(reference="2026-000042", subject="Voirie", channel="sms")
    return Message.objects.create(
        case=case,
        direction=Message.Direction.OUT,
        channel="sms",
        recipient=MOBILE,
        body_text="Le jeudi matin.",
        message_id="ovh:264000123",  # the id OvhProvider.send returned
        delivery=Message.Delivery.QUEUED,
    )


@pytest.mark.parametrize(
    "params, delivery",
    [
        ({"id": "264000123", "ptt": "4", "date": "2026-03-02 10:00:00"}, "sent"),
        ({"id": "264000123", "ptt": "5", "description": "Unknown subscriber"}, "failed"),
        ({"id": "264000123", "ptt": "1"}, "queued"),  # still on its way
        ({"id": "264000123", "dlr": "1"}, "sent"),
        ({"id": "264000123", "dlr": "16"}, "failed"),
        ({"id": "264000123", "dlr": "8"}, "queued"),
    ],
)
def test_a_delivery_report_updates_the_message(ovh, client, sent_sms, params, delivery):
    response = client.get(status_url(), params)
    assert response.status_code == 200
    sent_sms.refresh_from_db()
    assert sent_sms.delivery == delivery
    if delivery == "failed":
        assert sent_sms.delivery_error


def test_a_failure_report_keeps_the_operator_reason(ovh, client, sent_sms):
    client.post(status_url(), {"id": "264000123", "ptt": "5", "description": "Absent"})
    sent_sms.refresh_from_db()
    assert (sent_sms.delivery, sent_sms.delivery_error) == ("failed", "Absent")


def test_a_report_about_an_unknown_sms_changes_nothing(ovh, client, sent_sms):
    response = client.post(status_url(), {"id": "1", "ptt": "4"})
    assert response.json() == {"updated": 0}


@pytest.mark.parametrize("data", [{}, {"id": "264000123"}, {"ptt": "4"}])
def test_malformed_reports_are_400(ovh, client, sent_sms, data):
    response = client.post(status_url(), data)
    assert response.status_code == 400
    assert "error" in response.json()


# --- the generic format of the default provider ----------------------------------------------


def test_the_log_provider_reads_the_generic_format(settings, client, person):
    settings.PARVIS_SMS_PROVIDER = "parvis.channels.sms.LogProvider"
    settings.PARVIS_SMS_WEBHOOK_TOKEN = TOKEN
    payload = {"id": "m-1", "from": "06 12 34 56 78", "text": "Bonjour",
               "received_at": "2026-03-02T10:00:00+01:00"}  # fmt: skip
    response = client.post(incoming_url(), payload, content_type="application/json")
    assert response.json()["results"][0]["outcome"] == "created"
    message = Message.objects.get()
    assert (message.message_id, message.sender, message.case.person) == ("log:m-1", MOBILE, person)
    bad = client.post(incoming_url(), {"text": 3}, content_type="application/json")
    assert bad.status_code == 400


# --- Brevo: another operator, another module -------------------------------------------------


@pytest.fixture
def brevo(settings):
    fake = FakeBrevo().start()
    for name, value in fake.settings().items():
        setattr(settings, name, value)
    settings.PARVIS_SMS_WEBHOOK_TOKEN = TOKEN
    settings.PARVIS_SMS_WEBHOOK_IPS = []
    yield fake
    fake.stop()


def test_brevo_sends_a_transactional_sms(brevo):
    provider_id = adapters.send(OutgoingMessage(channel="sms", to=MOBILE, body_text="Prêt 🙂"))
    job = brevo.jobs[0]
    assert provider_id == f"brevo:{job['messageId']}"
    assert (job["recipient"], job["sender"], job["type"]) == ("33612345678", "MAIRIE",
                                                              "transactional")  # fmt: skip
    assert job["unicodeEnabled"] is True


@pytest.mark.parametrize("status, retryable", [(429, True), (500, True), (400, False)])
def test_brevo_errors_say_whether_to_retry(brevo, status, retryable):
    brevo.fail_next.append((status, {"code": "x", "message": f"error {status}"}))
    with pytest.raises(DeliveryError) as error:
        BrevoProvider().send(MOBILE, "Bonjour")
    assert error.value.retryable is retryable


def test_brevo_refuses_a_wrong_key(brevo, settings):
    settings.PARVIS_BREVO_API_KEY = "xkeysib-wrong"
    with pytest.raises(DeliveryError) as error:
        BrevoProvider().send(MOBILE, "Bonjour")
    assert (error.value.status, error.value.retryable) == (401, False)
    assert "Key not found" in str(error.value)


def test_brevo_timeout_is_retryable(brevo, settings):
    settings.PARVIS_SMS_TIMEOUT = 0.3
    brevo.hang.set()
    try:
        with pytest.raises(DeliveryError) as error:
            BrevoProvider().send(MOBILE, "Bonjour")
    finally:
        brevo.release.set()
    assert error.value.retryable is True


@pytest.mark.parametrize(
    "status, delivery", [("delivered", "sent"), ("hard_bounce", "failed"), ("sent", "queued")]
)
def test_brevo_delivery_reports(brevo, client, sent_sms, status, delivery):
    sent_sms.message_id = "brevo:1511882900176220"
    sent_sms.save()
    payload = {"id": 26570, "to": "33612345678", "sms_count": 1, "credits_used": 1.5,
               "messageId": 1511882900176220, "remaining_credit": 100.0,
               "msg_status": status, "date": "2026-03-02 10:00:00", "type": "transactional",
               "reference": "ab1cde2fgh3i4jklmno"}  # fmt: skip
    response = client.post(status_url(), payload, content_type="application/json")
    assert response.status_code == 200
    sent_sms.refresh_from_db()
    assert sent_sms.delivery == delivery


def test_brevo_has_no_incoming_webhook(brevo, client):
    response = client.post(incoming_url(), {"messageId": 1}, content_type="application/json")
    assert response.status_code == 400


def test_a_sent_sms_keeps_the_operator_id_so_that_its_report_finds_it(
    settings, person, agent, django_capture_on_commit_callbacks
):
    from parvis.cases import services as case_services

    settings.PARVIS_SMS_PROVIDER = "parvis.channels.sms.LogProvider"
    case = Case.objects.create(
        reference="2026-000043", subject="Voirie", channel="sms", person=person
    )
    Message.objects.create(
        case=case, direction=Message.Direction.IN, channel="sms", sender=MOBILE,
        body_text="Quand passe la balayeuse ?", message_id="log:in-1",
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        answer = case_services.reply(case, author=agent, body="Le jeudi matin.")
    answer.refresh_from_db()
    assert answer.delivery == "sent"
    assert answer.message_id.startswith("log:")
