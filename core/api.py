"""What every endpoint of the read-only API (/api/v1/, Django REST framework) shares.

- ``FilterSetBackend``: a list's filters are its public page's FilterSet, the same class
  (django-filter's DRF backend), with its errors in Polish and English.
- ``CursorPagination``: pages by a cursor over an indexed unique key, so that the 5,000th page
  costs what the first does; a malformed cursor or page size is a 400.
- ``PerAddressThrottle``: requests a minute per client address (core.clients, as the pages'
  rate limits and the login locks count them), in the default cache every instance shares.
- ``exception_handler``: every error as JSON with its message in Polish and English.
- ``document_errors``: drf-spectacular's postprocessing hook that writes the error answers,
  304 and the licence into the OpenAPI schema.

The pieces DRF's settings name live here, apart from the viewsets (core.api_viewsets): DRF
reads its settings when its views module is first imported, so a module it names must not
import that module. The apps' own ``api.py`` modules hold their serializers and viewsets;
``config.api`` wires them.
"""

import math
import re

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, pagination, throttling
from rest_framework.response import Response

from .clients import client_address

LANGUAGES = ("pl", "en")
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
# Page parameters of every list, besides its filters.
CURSOR, PAGE_SIZE = "cursor", "page_size"
PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX = 20, 100
# A list's FilterSet parameters that the API does not take: the order is the cursor's.
NOT_FILTERS = frozenset({"sortuj", "page", "format"})


def bilingual(message, **params) -> dict[str, str]:
    """``message`` (a lazy translation) in Polish and in English, formatted with ``params``."""
    texts = {}
    for language in LANGUAGES:
        with translation.override(language):
            text = str(message)
            texts[language] = text % params if params else text
    return texts


def metadata() -> dict:
    """The licence and the source credit that every list answer carries (as /dane/ states them)."""
    return {
        "licence": {"name": "CC BY 4.0", "url": LICENCE_URL},
        "attribution": bilingual(_("Source: Rejestr Partnerstw Lokalnych, %(url)s"), url=settings.SITE_URL),
        "territory": bilingual(_("Territorial division (names and TERYT codes): GUS, TERYT")),
        "documentation": settings.SITE_URL + "/dane/",
    }


class BadRequest(exceptions.APIException):
    """A request this API cannot answer as asked: ``errors`` maps each offending parameter to
    its messages in Polish and English."""

    status_code = 400
    default_code = "bad_request"

    def __init__(self, errors: dict[str, dict[str, list[str]]]) -> None:
        super().__init__(detail="bad request")
        self.errors = errors


def parameter_error(name: str, message, **params) -> BadRequest:
    texts = bilingual(message, **params)
    return BadRequest({name: {language: [text] for language, text in texts.items()}})


def printable(value: str, limit: int = 60) -> str:
    """A value typed into a URL, safe to quote back in a message: printable and short."""
    return "".join(c for c in value[:limit] if c.isprintable())


# Errors, in both languages. DRF's own exceptions carry a message in the active language only.
MESSAGES = {
    400: _("The request's parameters are not valid; see “errors”."),
    404: _("Not found."),
    405: _("This method is not allowed: the API is read-only (GET, HEAD, OPTIONS)."),
    406: _("The API answers in JSON only."),
    429: _("Too many requests from your address: try again in %(seconds)d s."),
}


def exception_handler(exc, context) -> Response | None:
    """DRF's handler (the status, ``Retry-After`` of a throttled request), with the body
    replaced by ``{"status", "message": {"pl", "en"}, "errors"?}``."""
    from rest_framework.views import exception_handler as drf_exception_handler

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    status = response.status_code
    body = {"status": status}
    if isinstance(exc, exceptions.Throttled):
        seconds = max(1, math.ceil(exc.wait or 1))
        response["Retry-After"] = str(seconds)
        body["message"] = bilingual(MESSAGES[429], seconds=seconds)
    elif status in MESSAGES:
        body["message"] = bilingual(MESSAGES[status])
    else:
        text = str(exc.detail) if isinstance(exc, exceptions.APIException) else str(exc)
        body["message"] = dict.fromkeys(LANGUAGES, text)
    if isinstance(exc, BadRequest):
        body["errors"] = exc.errors
    elif isinstance(exc, exceptions.ValidationError):
        body["errors"] = {"request": {language: [str(exc.detail)] for language in LANGUAGES}}
    response.data = body
    return response


class FilterSetBackend(DjangoFilterBackend):
    """The list's public FilterSet (``filterset_class``) applied to the view's queryset; an
    invalid value is a 400 naming the parameter, in Polish and English. Every form error is a
    lazy message, rendered in each language from the one validation."""

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            errors = {}
            for language in LANGUAGES:
                with translation.override(language):
                    for name, messages in filterset.form.errors.get_json_data().items():
                        errors.setdefault(name, {})[language] = [m["message"] for m in messages]
            raise BadRequest(errors)
        return filterset.qs

    def get_schema_operation_parameters(self, view):
        # drf-spectacular's extension for django-filter describes the FilterSet; this keeps
        # the filters DRF's own schema generator would list consistent with NOT_FILTERS.
        return [p for p in super().get_schema_operation_parameters(view) if p["name"] not in NOT_FILTERS]


# A cursor's position: the key it stopped at, an integer id or a TERYT code, digits either way.
POSITION = re.compile(r"[0-9]{1,19}")
# What DRF writes as a cursor: URL-safe text of the base64 alphabet.
CURSOR_TEXT = re.compile(r"[A-Za-z0-9+/=]{1,200}")


class CursorPagination(pagination.CursorPagination):
    """Pages of ``page_size`` rows (1–100, 20 by default) in the order of ``ordering``, an
    indexed unique key that never changes (the id; a territorial unit's code): each page is
    ``WHERE key > position ORDER BY key LIMIT n``, whatever its depth. No count is made."""

    ordering = "pk"
    page_size = PAGE_SIZE_DEFAULT
    page_size_query_param = PAGE_SIZE
    max_page_size = PAGE_SIZE_MAX
    cursor_query_param = CURSOR

    def paginate_queryset(self, queryset, request, view=None):
        page = super().paginate_queryset(queryset, request, view)
        # The next and previous pages' addresses on the public site, never the request's host.
        self.base_url = settings.SITE_URL + request.get_full_path()
        return page

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(PAGE_SIZE)
        if raw is None:
            return self.page_size
        if not (raw.isascii() and raw.isdigit() and len(raw) <= 3 and 1 <= int(raw) <= self.max_page_size):
            raise parameter_error(
                PAGE_SIZE,
                _("“%(value)s” is not a page size: give a whole number from 1 to %(max)d."),
                value=printable(raw),
                max=self.max_page_size,
            )
        return int(raw)

    def decode_cursor(self, request):
        raw = request.query_params.get(CURSOR)
        # Base64 decoding skips what is not of its alphabet: "%00" would read as no cursor at all.
        if raw is not None and not CURSOR_TEXT.fullmatch(raw):
            raise parameter_error(
                CURSOR, _("This cursor is not valid: follow the “next” and “previous” addresses the API gives.")
            )
        try:
            cursor = super().decode_cursor(request)
        except exceptions.NotFound:
            cursor = None
        else:
            if cursor is None or cursor.position is None or POSITION.fullmatch(str(cursor.position)):
                return cursor
        raise parameter_error(
            CURSOR, _("This cursor is not valid: follow the “next” and “previous” addresses the API gives.")
        )

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == PAGE_SIZE:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
            elif parameter["name"] == CURSOR:
                parameter["schema"] = {"type": "string", "pattern": f"^{CURSOR_TEXT.pattern}$"}
        return parameters

    def get_paginated_response(self, data):
        return Response(
            {"meta": metadata(), "next": self.get_next_link(), "previous": self.get_previous_link(), "results": data}
        )

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["properties"] = {"meta": {"$ref": "#/components/schemas/Metadata"}, **response["properties"]}
        response["required"] = ["meta", "next", "previous", "results"]
        return response


class CodeCursorPagination(CursorPagination):
    """Territorial units, paged by their TERYT code (their primary key)."""

    ordering = "code"


class PerAddressThrottle(throttling.SimpleRateThrottle):
    """``API_REQUESTS_PER_MINUTE`` requests a minute per client address, counted in the default
    cache (shared by every instance where it is Redis). A request without an address (a Unix
    socket, no proxy count) is let through, as the pages' rate limits do."""

    scope = "api"

    def get_rate(self) -> str:
        return f"{settings.API_REQUESTS_PER_MINUTE}/min"

    def get_cache_key(self, request, view) -> str | None:
        address = client_address(request._request)
        if not address:
            return None
        return self.cache_format % {"scope": self.scope, "ident": address}


def document_errors(result: dict, generator, request, public) -> dict:
    """drf-spectacular postprocessing hook: every operation documents the errors it may answer
    (400 for a bad parameter, 404, 429 with Retry-After), a GET its 304, and no parameter the
    API refuses (NOT_FILTERS); the schemas of the error body and of the licence metadata are
    added once."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    texts = {"type": "object", "properties": {lang: {"type": "string"} for lang in LANGUAGES}}
    components["Error"] = {
        "type": "object",
        "properties": {
            "status": {"type": "integer"},
            "message": texts,
            "errors": {
                "type": "object",
                "additionalProperties": {
                    "type": "object",
                    "properties": {lang: {"type": "array", "items": {"type": "string"}} for lang in LANGUAGES},
                },
            },
        },
        "required": ["status", "message"],
    }
    components["Metadata"] = {
        "type": "object",
        "properties": {
            "licence": {
                "type": "object",
                "properties": {"name": {"type": "string"}, "url": {"type": "string", "format": "uri"}},
            },
            "attribution": texts,
            "territory": texts,
            "documentation": {"type": "string", "format": "uri"},
        },
        "required": ["licence", "attribution"],
    }
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    retry = {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait / sekundy do odczekania"}}
    for path in result.get("paths", {}).values():
        for method, operation in path.items():
            # The FilterSet's order, which the API does not take (the cursor has its own).
            parameters = [p for p in operation.get("parameters", []) if p.get("name") not in NOT_FILTERS]
            for parameter in parameters:
                if parameter.get("in") == "query" and parameter["name"] not in (CURSOR, PAGE_SIZE):
                    # A filter given empty is no filter, as the page's "(all)" choice is.
                    parameter["schema"] = {"anyOf": [parameter["schema"], {"type": "string", "maxLength": 0}]}
            if parameters:
                operation["parameters"] = parameters
            responses = operation.setdefault("responses", {})
            for status, description in (("400", "Bad request"), ("404", "Not found"), ("405", "Not allowed")):
                responses.setdefault(status, {"description": description, **error})
            responses.setdefault("406", {"description": "Not acceptable", **error})
            responses.setdefault("429", {"description": "Too many requests", "headers": retry, **error})
            if method == "get":
                responses.setdefault("304", {"description": "Not modified since the ETag or date given"})
    return result
