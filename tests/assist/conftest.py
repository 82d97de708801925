import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from parvis.assist import kb, setup, versions
from parvis.cases.models import Service


@pytest.fixture(autouse=True)
def _assist_media(settings, tmp_path_factory):
    """One media folder for the session: the cold-start model file is the same in every
    test, so it is loaded once (the cache folder keeps it across runs)."""
    settings.MEDIA_ROOT = tmp_path_factory.getbasetemp() / "assist-media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.PARVIS_ASSIST_ROUTE_THRESHOLD = 0.5
    settings.PARVIS_LLM_URL = ""


@pytest.fixture
def town_services(db):
    setup.ensure_demo_services()
    return {s.slug: s for s in Service.objects.all()}


@pytest.fixture
def triage_model(town_services):
    """The cold-start model, active, and the town's own articles in the knowledge base."""
    version = versions.ensure_cold_start()
    kb.import_town_articles()
    return version


class FakeLLM:
    """A local server speaking OpenAI's /v1/chat/completions, with a mode per test."""

    def __init__(self):
        self.mode = "ok"
        self.answer = (
            "Bonjour, pour inscrire votre enfant à la cantine, faites la demande sur le "
            "portail famille avant le 15 juillet, avec un justificatif de domicile "
            "(article : Inscrire son enfant à la cantine scolaire)."
        )
        self.requests: list[dict] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                try:
                    fake.requests.append(json.loads(body))
                except ValueError:
                    fake.requests.append({"raw": body.decode(errors="replace")})
                if fake.mode == "slow":
                    time.sleep(3)
                if fake.mode == "error":
                    self.send_response(500)
                    self.end_headers()
                    self.wfile.write(b"internal error")
                    return
                if fake.mode == "garbage":
                    payload = b"{not json at all"
                elif fake.mode == "empty":
                    payload = json.dumps(
                        {"choices": [{"message": {"role": "assistant", "content": ""}}]}
                    ).encode()
                elif fake.mode == "wrong-shape":
                    payload = json.dumps({"result": "ok"}).encode()
                else:
                    payload = json.dumps(
                        {
                            "id": "chatcmpl-1",
                            "object": "chat.completion",
                            "model": "fake-souverain-7b",
                            "choices": [
                                {
                                    "index": 0,
                                    "message": {"role": "assistant", "content": fake.answer},
                                    "finish_reason": "stop",
                                }
                            ],
                        }
                    ).encode()
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake_llm(settings):
    server = FakeLLM()
    settings.PARVIS_LLM_URL = server.url
    settings.PARVIS_LLM_TIMEOUT = 1.0
    yield server
    server.close()


@pytest.fixture
def receive_now(django_capture_on_commit_callbacks):
    """intake.receive with its on-commit reactions (the triage task) run at once."""
    from parvis.cases import intake

    def receive(incoming, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return intake.receive(incoming, **kwargs)

    return receive
