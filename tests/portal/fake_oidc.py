"""A minimal OpenID provider on loopback speaking FranceConnect v2's protocol: RS256-signed
ID token with the nonce, userinfo answered as a signed JWT (application/jwt), JWKS endpoint.
FranceConnect itself cannot be reached from the tests; everything on our side is real."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

KID = "fake-fc-key"
_KEY = []


def signing_key():
    # One key for the whole run: generating an RSA key costs a good part of a second.
    if not _KEY:
        _KEY.append(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    return _KEY[0]


class FakeOpenIDProvider:
    def __init__(self, client_id: str, client_secret: str):
        self.client_id, self.client_secret = client_id, client_secret
        self.key = signing_key()
        self.codes: dict[str, dict] = {}  # code -> {"nonce", "claims", "redirect_uri"}
        self.tokens: dict[str, dict] = {}  # access token -> claims
        self.requests: list[tuple[str, str]] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}/api/v2"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def sign(self, payload: dict) -> str:
        return jwt.encode(payload, self.key, algorithm="RS256", headers={"kid": KID})

    def jwks(self) -> dict:
        jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**jwk, "kid": KID, "alg": "RS256", "use": "sig"}]}

    def _handler(self):
        op = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status: int, body: str, content_type="application/json"):
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                path = urlparse(self.path).path
                op.requests.append(("GET", path))
                if path.endswith("/jwks"):
                    return self._send(200, json.dumps(op.jwks()))
                if path.endswith("/userinfo"):
                    token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                    claims = op.tokens.get(token)
                    if claims is None:
                        return self._send(401, "{}")
                    now = int(time.time())
                    payload = {**claims, "iss": op.base, "aud": op.client_id, "iat": now}
                    return self._send(200, op.sign(payload), "application/jwt")
                return self._send(404, "{}")

            def do_POST(self):
                path = urlparse(self.path).path
                op.requests.append(("POST", path))
                length = int(self.headers.get("Content-Length", "0"))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                if not path.endswith("/token"):
                    return self._send(404, "{}")
                grant = op.codes.pop(form.get("code", ""), None)
                if (
                    grant is None
                    or form.get("client_id") != op.client_id
                    or form.get("client_secret") != op.client_secret
                    or form.get("grant_type") != "authorization_code"
                    or form.get("redirect_uri") != grant["redirect_uri"]
                ):
                    return self._send(400, json.dumps({"error": "invalid_grant"}))
                now = int(time.time())
                id_token = op.sign(
                    {
                        "iss": op.base, "aud": op.client_id, "sub": grant["claims"]["sub"],
                        "nonce": grant["nonce"], "acr": "eidas1", "iat": now, "exp": now + 60,
                    }
                )  # fmt: skip
                access = f"access-{len(op.tokens)}"
                op.tokens[access] = grant["claims"]
                body = {"access_token": access, "id_token": id_token, "token_type": "Bearer",
                        "expires_in": 60}  # fmt: skip
                return self._send(200, json.dumps(body))

        return Handler
