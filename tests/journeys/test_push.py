"""Web push against a push service on loopback: VAPID-signed, RFC 8291-encrypted (decrypted
here with the browser's keys), a gone subscription is forgotten; bad subscriptions refused."""

import base64
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import http_ece
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.urls import reverse
from py_vapid import Vapid

from parvis.channels import adapters
from parvis.channels.messages import DeliveryError, OutgoingMessage
from parvis.journeys.models import PushSubscription
from parvis.journeys.push import subscribe

pytestmark = pytest.mark.django_db


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class PushService(BaseHTTPRequestHandler):
    received: list = []
    status = 201

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        PushService.received.append(
            (self.path, {k.lower(): v for k, v in self.headers.items()}, body)
        )
        self.send_response(PushService.status)
        self.send_header("Location", "/msg/1")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def push_service(monkeypatch):
    vapid = Vapid()
    vapid.generate_keys()
    raw = vapid.private_key.private_numbers().private_value.to_bytes(32, "big")
    monkeypatch.setenv("PARVIS_VAPID_PRIVATE_KEY", b64(raw))
    monkeypatch.setenv("PARVIS_VAPID_SUBJECT", "mailto:mairie@example.fr")
    server = HTTPServer(("127.0.0.1", 0), PushService)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    PushService.received, PushService.status = [], 201
    yield f"http://127.0.0.1:{server.server_port}", vapid
    server.shutdown()


def browser_keys():
    private = ec.generate_private_key(ec.SECP256R1())
    public = private.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return private, b64(public), os.urandom(16)


def test_push_is_signed_encrypted_and_gone_subscriptions_are_forgotten(person, push_service):
    base, _vapid = push_service
    private, p256dh, auth = browser_keys()
    subscription = subscribe(
        person, {"endpoint": f"{base}/push/abc", "keys": {"p256dh": p256dh, "auth": b64(auth)}}
    )
    provider_id = adapters.send(
        OutgoingMessage(
            channel="push", to=subscription.endpoint, subject="Passeport", body_text="Il est prêt"
        )
    )
    assert provider_id == "/msg/1"
    path, headers, body = PushService.received[0]
    assert path == "/push/abc" and headers["content-encoding"] == "aes128gcm"
    assert headers["authorization"].startswith("vapid t=") and "k=" in headers["authorization"]
    clear = http_ece.decrypt(body, private_key=private, auth_secret=auth, version="aes128gcm")
    assert json.loads(clear) == {"title": "Passeport", "body": "Il est prêt"}

    PushService.status = 410
    with pytest.raises(DeliveryError) as caught:
        adapters.send(
            OutgoingMessage(channel="push", to=subscription.endpoint, subject="x", body_text="y")
        )
    assert not caught.value.retryable
    subscription.refresh_from_db()
    assert not subscription.active


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"endpoint": "ftp://push.example/x", "keys": {}}, "https"),
        ({"endpoint": "http://push.example.com/x", "keys": {}}, "https"),
        (
            {"endpoint": "https://push.example.com/x", "keys": {"p256dh": "!!!", "auth": "x"}},
            "base64url",
        ),
        (
            {
                "endpoint": "https://push.example.com/x",
                "keys": {"p256dh": b64(b"\x04" * 10), "auth": b64(b"a" * 16)},
            },
            "P-256",
        ),
        (
            {
                "endpoint": "https://push.example.com/x",
                "keys": {"p256dh": b64(b"\x04" * 65), "auth": b64(b"a" * 3)},
            },
            "16 bytes",
        ),
        ("not an object", "JSON object"),
    ],
)
def test_bad_subscriptions_are_refused(person, data, message):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        subscribe(person, data)
    assert message in str(caught.value)
    assert not PushSubscription.objects.exists()


def test_the_subscribe_endpoint_is_for_confirmed_citizens_only(client, person, agent):
    _private, p256dh, auth = browser_keys()
    payload = {
        "subscription": {
            "endpoint": "https://push.example.com/x",
            "keys": {"p256dh": p256dh, "auth": b64(auth)},
        }
    }
    url = reverse("journeys-track:push-subscribe")
    assert client.post(url, payload, content_type="application/json").status_code == 302
    client.force_login(agent)  # an agent has no citizen file
    assert client.post(url, payload, content_type="application/json").status_code == 403
    from parvis.portal.models import PortalAccount

    PortalAccount.objects.create(user=agent, person=person, email="e@example.org")
    assert client.post(url, "{bad", content_type="application/json").status_code == 400
    response = client.post(url, payload, content_type="application/json")
    assert response.status_code == 201
    assert person.consents.filter(channel="push", granted=True).count() == 2
