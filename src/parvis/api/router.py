"""The HTTP API: one NinjaAPI, each domain adding its router. OpenAPI at /api/docs."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from parvis.people.api import router as people_router

from .auth import AUTH

api = NinjaAPI(
    title="Parvis API",
    version="1",
    description="People, facts, consents and timeline. Authenticate with `Authorization: "
    "Bearer <token>` (tokens are issued with `parvis create-api-token`).",
    auth=AUTH,
    urls_namespace="api",
)


def _field(loc) -> str:
    """The field a client sent, as it sent it: `birth_date`, not `body.payload.birth_date`."""
    parts = [str(p) for p in loc[1:]]  # loc[0] is where it came from: body, query, path
    if loc and loc[0] == "body" and parts:
        parts = parts[1:]  # the view's parameter name (`payload`), unknown to the client
    return ".".join(parts) or "body"


@api.exception_handler(ValidationError)
def malformed_payload(request, exc: ValidationError):
    errors = [{"field": _field(e.get("loc", [])), "message": e.get("msg")} for e in exc.errors]
    return api.create_response(
        request, {"detail": "Invalid request.", "errors": errors}, status=400
    )


@api.exception_handler(DjangoValidationError)
def invalid_data(request, exc: DjangoValidationError):
    if hasattr(exc, "error_dict"):
        errors = [
            {"field": field, "message": " ".join(messages)}
            for field, messages in exc.message_dict.items()
        ]
    else:
        errors = [{"field": "", "message": " ".join(exc.messages)}]
    return api.create_response(request, {"detail": "Invalid data.", "errors": errors}, status=400)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    response = api.create_response(request, {"detail": "Authentication required."}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="parvis"'  # RFC 9110: a 401 names its scheme
    return response


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": "Not found."}, status=404)


api.add_router("/people", people_router)
