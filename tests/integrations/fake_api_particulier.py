"""A local server speaking API Particulier v3's schema, for the connector's tests.

Its answers are the published staging examples; `behaviour` makes it answer 429, 500, a
malformed body, or hang (until the test ends) to exercise the client's errors."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

QF = {
    "data": {
        "allocataires": [
            {
                "nom_naissance": "ROUX",
                "nom_usage": None,
                "prenoms": "JEANNE STEPHANIE",
                "date_naissance": "1987-06-27",
                "sexe": "F",
            }
        ],
        "enfants": [
            {
                "nom_naissance": "ROUX",
                "nom_usage": None,
                "prenoms": "ALEXIS VINCENT",
                "date_naissance": "2006-04-20",
                "sexe": "M",
            }
        ],
        "adresse": {
            "destinataire": "Madame ROUX JEANNE",
            "numero_libelle_voie": "1 RUE MONTORGUEIL",
            "code_postal_ville": "75002 PARIS",
            "pays": "FRANCE",
        },
        "quotient_familial": {
            "fournisseur": "MSA",
            "valeur": 150,
            "annee": 2023,
            "mois": 5,
            "annee_calcul": 2024,
            "mois_calcul": 12,
        },
    },
    "links": {},
    "meta": {},
}
BOURSIER = {
    "data": {
        "est_boursier": True,
        "periode_versement_bourse": {"date_rentree": "2020-09-01", "duree": 12},
        "etablissement_etudes": {"nom_commune": "Evry", "nom_etablissement": "ENSIIE"},
        "echelon_bourse": {"echelon": "5", "echelon_bourse_regionale_provisoire": False},
        "email": "marcel@pagnol.fr",
        "identite": {
            "nom": "PAGNOL",
            "prenoms": ["MARCEL"],
            "date_naissance": "1998-07-12",
            "nom_commune_naissance": "Paris",
            "sexe": "M",
        },
    },
    "links": {},
    "meta": {},
}
STATUT = {
    "data": {
        "identifiant": "123456A",
        "identite": {
            "civilite": "MME",
            "nom_naissance": "Courtet",
            "nom_usage": None,
            "prenom": "Martine",
            "sexe": "Féminin",
            "date_naissance": "1990-01-06",
        },
        "inscription": {
            "date_debut": "2024-01-01",
            "date_fin": None,
            "code_certification_cnav": "VC",
            "categorie": {
                "code": 1,
                "libelle": "PERSONNE SANS EMPLOI DISPONIBLE DUREE INDETERMINEE PLEIN TPS",
            },
        },
    },
    "links": {},
    "meta": {},
}
NOT_FOUND = {
    "errors": [
        {
            "code": "37003",
            "title": "Dossier allocataire absent MSA",
            "detail": "Le dossier allocataire n'a pas été trouvé auprès de la MSA.",
            "source": None,
            "meta": {"provider": "MSA"},
        }
    ]
}
SERVER_ERROR = {
    "errors": [
        {
            "code": "37999",
            "title": "Erreur inconnue",
            "detail": "Erreur inconnue du fournisseur de données",
            "source": None,
            "meta": {"provider": "CNAV"},
        }
    ]
}
RATE = {
    "errors": [
        {
            "code": "00429",
            "title": "Trop de requêtes",
            "detail": "Vous avez effectué trop de requêtes",
            "source": None,
            "meta": {},
        }
    ]
}


class FakeApiParticulier:
    TOKEN = "test-token"

    def __init__(self):
        self.behaviour = "ok"
        self.requests: list[dict] = []
        self.release = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):  # noqa: N802
                url = urlparse(self.path)
                query = parse_qs(url.query)
                fake.requests.append(
                    {"path": url.path, "query": query, "auth": self.headers.get("Authorization")}
                )
                if self.headers.get("Authorization") != f"Bearer {fake.TOKEN}":
                    return self.reply(401, {"errors": [{"code": "00101", "title": "Interdit"}]})
                if "recipient" not in query:
                    return self.reply(400, {"errors": [{"code": "00211", "title": "recipient"}]})
                if fake.behaviour == "hang":
                    fake.release.wait(10)
                    return self.reply(200, QF)
                if fake.behaviour == "429":
                    return self.reply(429, RATE, {"Retry-After": "12"})
                if fake.behaviour == "500":
                    return self.reply(500, SERVER_ERROR)
                if fake.behaviour == "garbage":
                    return self.reply(200, {"data": {"quotient_familial": {"valeur": "x"}}})
                if fake.behaviour == "404":
                    return self.reply(404, NOT_FOUND)
                body = {
                    "/v3/dss/quotient_familial/identite": QF,
                    "/v3/cnous/etudiant_boursier/identite": BOURSIER,
                    "/v3/france_travail/statut/identifiant": STATUT,
                }.get(url.path)
                return self.reply(200 if body else 404, body or NOT_FOUND)

            def reply(self, status, body, headers=None):
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                try:
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
