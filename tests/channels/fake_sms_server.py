"""Stand-ins for SMS operators' APIs, on loopback, speaking their documented schemas and
checking credentials as they do (see parvis.channels.sms_providers for the documentation).

- FakeOvh: the OVHcloud API: application key, consumer key, timestamp and "$1$" signature
  checked; GET /auth/time, POST /sms/{service}/jobs, GET /sms/{service}/incoming/{id}.
- FakeBrevo: Brevo's API v3: the `api-key` header checked; POST /transactionalSMS/send.

Tests queue failures (`fail_next`), make a call hang (`hang`/`release`) and read what was
sent (`jobs`)."""

import hashlib
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A client that gave up (the timeout tests) leaves a broken pipe: not an error here.
        pass


class _LoopbackApi:
    prefix = ""

    def __init__(self):
        self.jobs: list[dict] = []
        self.requests: list[tuple[str, str]] = []
        self.fail_next: list[tuple[int, dict]] = []  # (status, JSON body) for the next calls
        self.hang = threading.Event()  # set: the next send request waits for `release`
        self.release = threading.Event()
        self._next_id = 264000000
        self._lock = threading.Lock()
        self.server = _QuietServer(("127.0.0.1", 0), self._handler())
        self.base_url = f"http://127.0.0.1:{self.server.server_port}{self.prefix}"
        # A short poll interval: shutdown() waits for it, once per test.
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self.release.set()
        if self._thread.is_alive():
            self.server.shutdown()
        self.server.server_close()

    def new_id(self) -> int:
        with self._lock:
            self._next_id += 1
            return self._next_id

    def _handler(self):  # pragma: no cover - each API has its own
        raise NotImplementedError


class _JsonHandler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # quiet test output
        pass

    def _answer(self, status: int, payload):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _read_body(self) -> str:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length).decode("utf-8") if length else ""


class FakeOvh(_LoopbackApi):
    prefix = "/1.0"

    def __init__(self, application_key="ak-test", application_secret="as-test",
                 consumer_key="ck-test", service="sms-ab12345-1"):  # fmt: skip
        self.application_key = application_key
        self.application_secret = application_secret
        self.consumer_key = consumer_key
        self.service = service
        self.incoming: dict[int, dict] = {}
        super().__init__()

    def add_incoming(self, sender: str, message: str, when="2026-03-02T09:15:00+01:00") -> int:
        sms_id = self.new_id()
        self.incoming[sms_id] = {
            "id": sms_id,
            "sender": sender,
            "message": message,
            "creationDatetime": when,
            "credits": 0,
            "tag": "",
        }
        return sms_id

    def settings(self) -> dict:
        return {
            "PARVIS_SMS_PROVIDER": "parvis.channels.sms_providers.ovh.OvhProvider",
            "PARVIS_SMS_API_URL": self.base_url,
            "PARVIS_OVH_APPLICATION_KEY": self.application_key,
            "PARVIS_OVH_APPLICATION_SECRET": self.application_secret,
            "PARVIS_OVH_CONSUMER_KEY": self.consumer_key,
            "PARVIS_OVH_SMS_SERVICE": self.service,
        }

    # --- the HTTP side --------------------------------------------------------------------

    def _handler(self):
        fake = self

        class Handler(_JsonHandler):
            def _error(self, status: int, code: str, message: str):
                self._answer(
                    status, {"errorCode": code, "httpCode": f"{status}", "message": message}
                )

            def _authenticated(self, body: str) -> bool:
                h = self.headers
                if h.get("X-Ovh-Application") != fake.application_key:
                    self._error(403, "INVALID_KEY", "This application key is invalid")
                    return False
                if h.get("X-Ovh-Consumer") != fake.consumer_key:
                    self._error(403, "INVALID_CREDENTIAL", "This credential is not valid")
                    return False
                stamp = h.get("X-Ovh-Timestamp") or ""
                if not stamp.isdigit() or abs(int(stamp) - int(time.time())) > 300:
                    self._error(400, "INVALID_SIGNATURE", "Invalid timestamp")
                    return False
                url = f"http://127.0.0.1:{fake.server.server_port}{self.path}"
                clear = "+".join(
                    [fake.application_secret, fake.consumer_key, self.command, url, body, stamp]
                )
                expected = "$1$" + hashlib.sha1(clear.encode("utf-8")).hexdigest()
                if h.get("X-Ovh-Signature") != expected:
                    self._error(400, "INVALID_SIGNATURE", "Invalid signature")
                    return False
                return True

            def do_GET(self):
                fake.requests.append(("GET", self.path))
                if self.path == "/1.0/auth/time":
                    return self._answer(200, int(time.time()))
                match = re.fullmatch(r"/1\.0/sms/([^/]+)/incoming/(\d+)", self.path)
                if not match:
                    return self._error(404, "", f"Got an invalid (or empty) URL {self.path}")
                if not self._authenticated(""):
                    return
                if match[1] != fake.service:
                    return self._error(404, "", "This service does not exist")
                sms = fake.incoming.get(int(match[2]))
                if sms is None:
                    return self._error(
                        404, "", f"The requested object (id = {match[2]}) does not exist"
                    )
                self._answer(200, sms)

            def do_POST(self):
                fake.requests.append(("POST", self.path))
                body = self._read_body()
                match = re.fullmatch(r"/1\.0/sms/([^/]+)/jobs", self.path)
                if not match:
                    return self._error(404, "", f"Got an invalid (or empty) URL {self.path}")
                if not self._authenticated(body):
                    return
                if fake.fail_next:
                    status, payload = fake.fail_next.pop(0)
                    return self._answer(status, payload)
                if fake.hang.is_set():
                    fake.release.wait(30)
                    return self._error(503, "", "Too late")
                if match[1] != fake.service:
                    return self._error(404, "", "This service does not exist")
                try:
                    job = json.loads(body)
                except ValueError:
                    return self._error(400, "", "Invalid JSON received")
                if not isinstance(job.get("message"), str) or not job["message"]:
                    return self._error(400, "", "Missing parameter(s): message")
                receivers = job.get("receivers")
                if not isinstance(receivers, list) or not receivers:
                    return self._error(400, "", "Missing parameter(s): receivers")
                if "sender" not in job and not job.get("senderForResponse"):
                    return self._error(400, "", "A sender or senderForResponse is required")
                valid = [r for r in receivers if re.fullmatch(r"\+\d{8,15}", str(r))]
                invalid = [r for r in receivers if r not in valid]
                ids = [fake.new_id() for _ in valid]
                fake.jobs.append({**job, "ids": ids})
                self._answer(
                    200,
                    {
                        "ids": ids,
                        "validReceivers": valid,
                        "invalidReceivers": invalid,
                        "totalCreditsRemoved": len(valid),
                        "tag": job.get("tag", ""),
                    },
                )

        return Handler


class FakeBrevo(_LoopbackApi):
    prefix = "/v3"

    def __init__(self, api_key="xkeysib-test"):
        self.api_key = api_key
        super().__init__()

    def settings(self) -> dict:
        return {
            "PARVIS_SMS_PROVIDER": "parvis.channels.sms_providers.brevo.BrevoProvider",
            "PARVIS_SMS_API_URL": self.base_url,
            "PARVIS_BREVO_API_KEY": self.api_key,
            "PARVIS_BREVO_SMS_SENDER": "MAIRIE",
        }

    def _handler(self):
        fake = self

        class Handler(_JsonHandler):
            def do_POST(self):
                fake.requests.append(("POST", self.path))
                body = self._read_body()
                if self.path != "/v3/transactionalSMS/send":
                    return self._answer(404, {"code": "not_found", "message": "Not found"})
                if self.headers.get("api-key") != fake.api_key:
                    return self._answer(401, {"code": "unauthorized", "message": "Key not found"})
                if fake.fail_next:
                    status, payload = fake.fail_next.pop(0)
                    return self._answer(status, payload)
                if fake.hang.is_set():
                    fake.release.wait(30)
                    return self._answer(503, {"code": "unavailable", "message": "Too late"})
                try:
                    sms = json.loads(body)
                except ValueError:
                    return self._answer(400, {"code": "bad_request", "message": "Invalid JSON"})
                missing = [k for k in ("sender", "recipient", "content") if not sms.get(k)]
                if missing:
                    return self._answer(
                        400, {"code": "missing_parameter", "message": f"{missing[0]} is missing"}
                    )
                if not re.fullmatch(r"\d{8,15}", str(sms["recipient"])):
                    return self._answer(
                        400, {"code": "invalid_parameter", "message": "Invalid phone number"}
                    )
                message_id = fake.new_id()
                fake.jobs.append({**sms, "messageId": message_id})
                self._answer(201, {"messageId": message_id})

        return Handler
