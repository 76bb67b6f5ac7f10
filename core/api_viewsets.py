"""The viewsets of the read-only API's public records, and the fields they share.

- ``PublicReadOnlyViewSet``: GET, HEAD and OPTIONS only; the query parameters a view reads and
  nothing else (an unknown one is a 400, never silently ignored); ``ETag`` and
  ``Last-Modified`` from the data generation (core.cache), so that a client's repeat request is
  answered 304 without a query; the licence linked from every answer.
- ``PageUrlField``: a record's public page; ``SourceSerializer`` with ``attach_sources``: the
  sources cited for each record, one query per page.
"""

import hashlib
import math
import time
from collections.abc import Iterable

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from django.http import HttpRequest
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, viewsets
from rest_framework.decorators import api_view

from .api import CURSOR, LICENCE_URL, NOT_FILTERS, PAGE_SIZE, BadRequest, bilingual, printable
from .cache import generation, generation_started
from .models import Citation


def conditional_validators(request: HttpRequest) -> tuple[str, float | None]:
    """The ``ETag`` of the answer to ``request`` and its ``Last-Modified`` (Unix seconds, or None).

    Both come from the data generation read before any row: an answer reflects at least the
    data of its generation, and every change to a record starts a new one, so an unchanged tag
    means unchanged data. The tag covers the path and the query (each page its own). The date
    has whole seconds: it is left out while its generation is less than a second old, so that a
    change within the same second can never be answered 304 to ``If-Modified-Since``."""
    value = generation()
    tag = hashlib.sha256(f"{value}\n{request.get_full_path()}".encode()).hexdigest()[:32]
    started = generation_started(value)
    last_modified = None
    if started is not None and time.time() >= math.floor(started) + 1:
        last_modified = math.floor(started)
    return f'"{tag}"', last_modified


class PublicViewSetMixin:
    """What every endpoint of public records does: GET, HEAD and OPTIONS only; the
    ``query_parameters`` it reads and no other (a list's: its FilterSet's filters, NOT_FILTERS
    aside, and the page parameters; a detail's: none); 304 to a repeat (``conditional``); the
    licence linked from every answer; the sources of each record where ``with_sources``."""

    http_method_names = ["get", "head", "options"]
    conditional = True
    # Whether each record carries the sources cited for it (``api_sources``, SourceSerializer).
    with_sources = False

    def query_parameters(self) -> set[str]:
        if self.action != "list":
            return set()
        names = {CURSOR, PAGE_SIZE}
        filterset_class = getattr(self, "filterset_class", None)
        if filterset_class is not None:
            names |= set(filterset_class.base_filters) - NOT_FILTERS
        return names

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method == "OPTIONS":
            return
        known = self.query_parameters()
        unknown = sorted(name for name in request.query_params if name not in known)
        if unknown:
            raise BadRequest(
                {
                    printable(name): {
                        language: [text]
                        for language, text in bilingual(
                            _("Unknown parameter. This address takes: %(names)s."),
                            names=", ".join(sorted(known)) or "–",
                        ).items()
                    }
                    for name in unknown
                }
            )

    def not_modified(self, request):
        """A 304 when the client's ``If-None-Match``/``If-Modified-Since`` still hold; None otherwise."""
        if not self.conditional:
            return None
        self.validators = conditional_validators(request._request)
        tag, last_modified = self.validators
        return get_conditional_response(request._request, etag=tag, last_modified=last_modified)

    def attach(self, records: list) -> list:
        """What the records of a page (or the one record of a detail) carry that is read for
        all of them at once: their sources where ``with_sources``."""
        return attach_sources(records) if self.with_sources else records

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return self.attach(page) if page is not None else page

    def get_object(self):
        return self.attach([super().get_object()])[0]

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        validators = getattr(self, "validators", None)
        if validators and response.status_code in (200, 304):
            tag, last_modified = validators
            response["ETag"] = tag
            if last_modified is not None:
                response["Last-Modified"] = http_date(last_modified)
            # Any cache may keep it, and must ask again (a 304 is cheap) before reusing it.
            response["Cache-Control"] = "public, no-cache"
        response["Link"] = f'<{LICENCE_URL}>; rel="license", <{settings.SITE_URL}/dane/>; rel="describedby"'
        return response


class PublicReadOnlyViewSet(PublicViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """A list and a detail of public records, read-only."""

    def list(self, request, *args, **kwargs):
        return self.not_modified(request) or super().list(request, *args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        return self.not_modified(request) or super().retrieve(request, *args, **kwargs)


def absolute(path: str) -> str:
    """An address on the public site: ``SITE_URL`` and the path, never the request's host."""
    return settings.SITE_URL + path if path else ""


@extend_schema_field(OpenApiTypes.URI)
class PageUrlField(serializers.ReadOnlyField):
    """The record's public page, from its ``get_absolute_url``."""

    def __init__(self, **kwargs):
        kwargs["source"] = "*"
        super().__init__(**kwargs)

    def to_representation(self, value: Model) -> str:
        return absolute(value.get_absolute_url())


def attach_sources(records: Iterable[Model]) -> list[Model]:
    """The sources cited for each record, as ``record.api_sources`` (a list of Citation with its
    Source): one query for all of them, whatever their number."""
    records = list(records)
    if not records:
        return records
    content_type = ContentType.objects.get_for_model(records[0])
    by_record: dict[int, list[Citation]] = {record.pk: [] for record in records}
    citations = Citation.objects.filter(content_type=content_type, object_id__in=list(by_record))
    for citation in citations.select_related("source").order_by("object_id", "pk"):
        by_record[citation.object_id].append(citation)
    for record in records:
        record.api_sources = by_record[record.pk]
    return records


class SourceSerializer(serializers.Serializer):
    """A source cited for a record: the document and the passage that supports the fact."""

    title = serializers.CharField(
        source="source.title", help_text=_("As the document gives it; empty when it has none.")
    )
    description = serializers.CharField(source="source.description")
    publisher = serializers.CharField(source="source.publisher")
    published_on = serializers.DateField(source="source.published_on", allow_null=True)
    published_precision = serializers.CharField(source="source.published_precision")
    address = serializers.CharField(source="source.url")
    field = serializers.CharField(help_text=_("The fact it supports; empty for the record as a whole."))
    quote = serializers.CharField()
    page = serializers.CharField()


@extend_schema(exclude=True)
@api_view(["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"])
def api_not_found(request, *args, **kwargs):
    """An address under /api/ that names no endpoint: a JSON 404, as any other API error."""
    raise exceptions.NotFound
