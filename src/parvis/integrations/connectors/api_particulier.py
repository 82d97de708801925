"""A client for API Particulier v3 (DINUM): family quotient (CAF & MSA), scholarship student
status (CNOUS), jobseeker status (France Travail).

It follows the published v3 contract: GET with `Authorization: Bearer <token>`, the
mandatory `recipient` (the calling organisation's SIRET), identity parameters
(`nomNaissance`, `prenoms[]`, `anneeDateNaissance`, `moisDateNaissance`,
`jourDateNaissance`, `sexeEtatCivil`, `codeCogInseeCommuneNaissance`), answers as
`{"data": …, "links": {}, "meta": {}}` and errors as `{"errors": [{"code", "title",
"detail", "source", "meta"}]}`.

Every call states its purpose, which is kept with the call (`ConnectorCall`) and in the
access log when it is about a person; answers are cached (`ConnectorCache`); calls are
rate limited by a token bucket below the API's quota (20 calls/s per token); 429, 5xx,
timeouts and malformed answers raise `ConnectorError`s whose message an agent can read.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import httpx
from django.utils import timezone
from django.utils.translation import gettext as _

from parvis.audit.models import AccessLog
from parvis.audit.services import log_access

from ..models import Connector, ConnectorCache, ConnectorCall

QUOTIENT_FAMILIAL = "/v3/dss/quotient_familial/identite"
ETUDIANT_BOURSIER = "/v3/cnous/etudiant_boursier/identite"
STATUT_DEMANDEUR_EMPLOI = "/v3/france_travail/statut/identifiant"


class ConnectorError(Exception):
    outcome = ConnectorCall.Outcome.ERROR

    def __init__(self, message: str, status: int | None = None, code: str = ""):
        super().__init__(message)
        self.status = status
        self.code = code


class NotFound(ConnectorError):
    outcome = ConnectorCall.Outcome.NOT_FOUND


class RateLimited(ConnectorError):
    outcome = ConnectorCall.Outcome.RATE_LIMITED

    def __init__(self, message: str, retry_after: float, status: int = 429):
        super().__init__(message, status)
        self.retry_after = retry_after


class Timeout(ConnectorError):
    outcome = ConnectorCall.Outcome.TIMEOUT


class TokenBucket:
    """At most `rate` calls per second on average, bursts of `capacity`; waits when empty.
    The clock and sleep are injectable so that tests do not depend on time."""

    def __init__(self, rate: float, capacity: float | None = None, clock=None, sleep=None):
        self.rate = rate
        self.capacity = capacity or max(1.0, rate)
        self.tokens = self.capacity
        self.clock = clock or time.monotonic
        self.sleep = sleep or time.sleep
        self.updated = self.clock()
        self.lock = threading.Lock()

    def acquire(self) -> float:
        """Take one token; returns how long it waited."""
        waited = 0.0
        with self.lock:
            while True:
                now = self.clock()
                self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
                self.updated = now
                if self.tokens >= 1:
                    self.tokens -= 1
                    return waited
                pause = (1 - self.tokens) / self.rate
                self.sleep(pause)
                waited += pause


_BUCKETS: dict[str, TokenBucket] = {}


@dataclass
class FamilyQuotient:
    provider: str  # CNAF or MSA
    value: Decimal
    year: int | None
    month: int | None
    recipients: list[dict]
    children: list[dict]


@dataclass
class ScholarshipStatus:
    is_scholarship_holder: bool
    grade: str
    start: date | None
    months: int | None
    institution: str


@dataclass
class JobseekerStatus:
    registered: bool
    category: str
    since: date | None
    until: date | None


def identity_params(person) -> dict:
    """The v3 identity parameters for a person of the base."""
    params: dict = {"nomNaissance": (person.birth_name or person.last_name).upper()}
    params["prenoms[]"] = [p.upper() for p in person.first_names.replace("-", " ").split()]
    if person.birth_date:
        params["anneeDateNaissance"] = person.birth_date.year
        params["moisDateNaissance"] = person.birth_date.month
        params["jourDateNaissance"] = person.birth_date.day
    if person.sex in ("F", "M"):
        params["sexeEtatCivil"] = person.sex
    if person.birth_place_code:
        params["codeCogInseeCommuneNaissance"] = person.birth_place_code
    return params


class ApiParticulier:
    def __init__(self, connector: Connector, transport: httpx.BaseTransport | None = None):
        self.connector = connector
        self.transport = transport
        self.bucket = _BUCKETS.setdefault(
            connector.name, TokenBucket(connector.requests_per_second)
        )

    # --- the three endpoints -----------------------------------------------------------------

    def family_quotient(self, person, *, purpose: str, user=None, year=None, month=None):
        params = identity_params(person)
        if year and month:
            params.update(annee=year, mois=month)
        data = self._get(QUOTIENT_FAMILIAL, params, purpose=purpose, user=user, person=person)
        try:
            qf = data["quotient_familial"]
            return FamilyQuotient(
                provider=str(qf["fournisseur"]),
                value=Decimal(str(qf["valeur"])),
                year=qf.get("annee"),
                month=qf.get("mois"),
                recipients=list(data.get("allocataires") or []),
                children=list(data.get("enfants") or []),
            )
        except (KeyError, TypeError, ArithmeticError, ValueError):
            raise self._malformed() from None

    def scholarship(self, person, *, purpose: str, user=None) -> ScholarshipStatus:
        data = self._get(
            ETUDIANT_BOURSIER, identity_params(person), purpose=purpose, user=user, person=person
        )
        try:
            period = data.get("periode_versement_bourse") or {}
            start = period.get("date_rentree")
            return ScholarshipStatus(
                is_scholarship_holder=bool(data["est_boursier"]),
                grade=str((data.get("echelon_bourse") or {}).get("echelon") or ""),
                start=date.fromisoformat(start) if start else None,
                months=period.get("duree"),
                institution=str(
                    (data.get("etablissement_etudes") or {}).get("nom_etablissement") or ""
                ),
            )
        except (KeyError, TypeError, ValueError):
            raise self._malformed() from None

    def jobseeker_status(self, identifier: str, *, purpose: str, user=None, person=None):
        data = self._get(
            STATUT_DEMANDEUR_EMPLOI,
            {"identifiant": identifier},
            purpose=purpose,
            user=user,
            person=person,
        )
        try:
            registration = data["inscription"]
            start, end = registration.get("date_debut"), registration.get("date_fin")
            until = date.fromisoformat(end) if end else None
            return JobseekerStatus(
                registered=until is None or until >= timezone.localdate(),
                category=str((registration.get("categorie") or {}).get("libelle") or ""),
                since=date.fromisoformat(start) if start else None,
                until=until,
            )
        except (KeyError, TypeError, ValueError):
            raise self._malformed() from None

    # --- one call ------------------------------------------------------------------------------

    def _malformed(self) -> ConnectorError:
        return ConnectorError(_("API Particulier sent an answer that does not follow its schema."))

    def _get(self, path: str, params: dict, *, purpose: str, user, person) -> dict:
        purpose = (purpose or "").strip()
        if not purpose:
            raise ConnectorError(_("Every call to another administration needs its purpose."))
        query = {"recipient": self.connector.recipient, **params}
        key = hashlib.sha256(
            json.dumps([path, query], sort_keys=True, default=str).encode()
        ).hexdigest()
        started = time.monotonic()
        cached = ConnectorCache.objects.filter(
            connector=self.connector, key=key, expires_at__gt=timezone.now()
        ).first()
        if cached:
            self._log(path, purpose, user, person, ConnectorCall.Outcome.CACHED, None, started)
            return cached.response
        token = os.environ.get(self.connector.token_env, "")
        if not token:
            raise ConnectorError(
                _("No token for %(name)s: set the environment variable %(env)s.")
                % {"name": self.connector.name, "env": self.connector.token_env}
            )
        self.bucket.acquire()
        try:
            with httpx.Client(
                base_url=self.connector.base_url,
                timeout=self.connector.timeout_seconds,
                transport=self.transport,
                headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            ) as client:
                response = client.get(path, params=query)
        except httpx.TimeoutException:
            error = Timeout(
                _("%(name)s did not answer within %(s)s s: try again later.")
                % {"name": self.connector.name, "s": self.connector.timeout_seconds}
            )
            self._log(path, purpose, user, person, error.outcome, None, started)
            raise error from None
        except httpx.HTTPError as exc:
            error = ConnectorError(
                _("%(name)s cannot be reached: %(error)s")
                % {"name": self.connector.name, "error": exc}
            )
            self._log(path, purpose, user, person, error.outcome, None, started)
            raise error from None
        error = self._error(response)
        self._log(
            path,
            purpose,
            user,
            person,
            error.outcome if error else ConnectorCall.Outcome.OK,
            response.status_code,
            started,
        )
        if error:
            raise error
        try:
            data = response.json()["data"]
        except (ValueError, KeyError, TypeError):
            raise self._malformed() from None
        ConnectorCache.objects.update_or_create(
            connector=self.connector,
            key=key,
            defaults={
                "response": data,
                "expires_at": timezone.now() + timedelta(seconds=self.connector.cache_seconds),
            },
        )
        return data

    def _error(self, response: httpx.Response) -> ConnectorError | None:
        status = response.status_code
        if status == 200:
            return None
        detail, code = "", ""
        try:
            first = (response.json().get("errors") or [{}])[0]
            detail = first.get("detail") or first.get("title") or ""
            code = str(first.get("code") or "")
        except (ValueError, AttributeError, IndexError):
            pass
        if status == 404:
            return NotFound(detail or _("Nobody was found with these details."), status, code)
        if status == 429:
            try:
                retry_after = float(response.headers.get("Retry-After", "60"))
            except ValueError:
                retry_after = 60.0
            return RateLimited(
                _("%(name)s limits the number of calls: try again in %(s)s s.")
                % {"name": self.connector.name, "s": int(retry_after)},
                retry_after,
            )
        if status >= 500:
            return ConnectorError(
                _("%(name)s is failing (HTTP %(status)s)%(detail)s: try again later.")
                % {
                    "name": self.connector.name,
                    "status": status,
                    "detail": f" — {detail}" if detail else "",
                },
                status,
                code,
            )
        return ConnectorError(
            _("%(name)s refused the call (HTTP %(status)s)%(detail)s.")
            % {
                "name": self.connector.name,
                "status": status,
                "detail": f" — {detail}" if detail else "",
            },
            status,
            code,
        )

    def _log(self, path, purpose, user, person, outcome, status, started) -> None:
        ConnectorCall.objects.create(
            connector=self.connector,
            endpoint=path,
            purpose=purpose[:300],
            user=user if getattr(user, "pk", None) else None,
            person=person if getattr(person, "pk", None) else None,
            outcome=outcome,
            status_code=status,
            duration_ms=int((time.monotonic() - started) * 1000),
        )
        if getattr(person, "pk", None):
            log_access(
                user=user,
                person=person,
                action=f"api_particulier:{path.rsplit('/', 2)[-2]}",
                channel=AccessLog.Channel.SYSTEM,
                reason=purpose,
            )


def record_family_quotient(person, result: FamilyQuotient, *, user=None):
    """Keep the answer as a fact with its source and legal basis."""
    from parvis.people.models import DataSource
    from parvis.people.services import add_fact

    source, _created = DataSource.objects.get_or_create(
        code="api-particulier",
        defaults={"name": "API Particulier (DINUM)", "kind": DataSource.Kind.ADMINISTRATION},
    )
    return add_fact(
        person,
        key="family_quotient",
        value=result.value,
        source=source,
        legal_basis="CRPA, art. L. 114-8 (échanges entre administrations) — "
        f"quotient familial {result.provider}",
        valid_until=timezone.localdate() + timedelta(days=365),
        actor=user,
    )
