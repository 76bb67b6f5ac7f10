"""Open data: the filtered event list as CSV, JSON or XLSX (core.opendata), row by row.

The columns are documented in docs/open-data.md and on /dane/, the JSON in
docs/events.schema.json; change them together. Two queries, whatever the number of rows: the
organisers of the listed events, then the events, streamed.
"""

import contextlib
from collections.abc import Iterator

from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core import opendata

from .models import Event

CHUNK_SIZE = 2000
COLUMNS = {
    "slug": _("slug"),
    "title": _("title"),
    "kind": _("kind (code)"),
    "kind_name": _("kind"),
    "start_date": _("start date"),
    "end_date": _("end date"),
    "venue": _("venue"),
    "commune_teryt": _("TERYT code of the commune"),
    "commune": _("commune"),
    "county_teryt": _("TERYT code of the county"),
    "county": _("county"),
    "voivodeship_teryt": _("TERYT code of the voivodeship"),
    "voivodeship": _("voivodeship"),
    "participant_count": _("number of participants"),
    "participant_count_qualifier": _("the number is"),
    "organisers": _("organisers"),
    "organiser_slugs": _("identifiers of the organisers"),
    "project": _("project"),
    "url": _("address of the public page"),
}
FIELDS = (
    "id",
    "slug",
    "title",
    "kind",
    "start_date",
    "end_date",
    "venue",
    "commune_id",
    "commune__name",
    "commune__county_id",
    "commune__county__name",
    "commune__county__voivodeship_id",
    "commune__county__voivodeship__name",
    "participant_count",
    "participant_count_qualifier",
    "project__name",
)


def rows(queryset) -> Iterator[dict]:
    marker = "--slug--"
    before, after = (settings.SITE_URL + reverse("events:event_detail", args=[marker])).split(marker)
    kinds = {kind.value: str(kind.label) for kind in Event.Kind}
    listed = queryset.order_by().values("pk")
    # The list's order (newest first, undated last) is an expression a related row cannot
    # follow, so the organisers of the listed events are read first into a map by event: a
    # few short names per event, small beside the rows, which are streamed.
    snapshot = connection.vendor == "postgresql" and not connection.in_atomic_block
    with transaction.atomic() if snapshot else contextlib.nullcontext():
        if snapshot:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        through = Event.organisers.through.objects.filter(event__in=listed)
        organisers = {}
        for event_id, name, slug in (
            through.order_by("institution__name", "pk")
            .values_list("event_id", "institution__name", "institution__slug")
            .iterator(chunk_size=CHUNK_SIZE)
        ):
            organisers.setdefault(event_id, []).append((name, slug))
        for row in queryset.values_list(*FIELDS).iterator(chunk_size=CHUNK_SIZE):
            v = dict(zip(FIELDS, row, strict=True))
            own = organisers.get(v["id"], [])
            yield {
                "slug": v["slug"],
                "title": v["title"],
                "kind": v["kind"],
                "kind_name": kinds.get(v["kind"]),
                "start_date": v["start_date"].isoformat() if v["start_date"] else None,
                "end_date": v["end_date"].isoformat() if v["end_date"] else None,
                "venue": v["venue"] or None,
                "commune_teryt": v["commune_id"],
                "commune": v["commune__name"],
                "county_teryt": v["commune__county_id"],
                "county": v["commune__county__name"],
                "voivodeship_teryt": v["commune__county__voivodeship_id"],
                "voivodeship": v["commune__county__voivodeship__name"],
                "participant_count": v["participant_count"],
                "participant_count_qualifier": v["participant_count_qualifier"] if v["participant_count"] else None,
                "organisers": [name for name, _slug in own],
                "organiser_slugs": [slug for _name, slug in own],
                "project": v["project__name"],
                "url": before + v["slug"] + after,
            }


# The projects (funding lines) as open data: only in the dated full dumps (partnerships.dumps),
# which list them beside the partnerships that name them.
PROJECT_COLUMNS = {
    "slug": _("slug"),
    "name": _("name"),
    "code": _("project code"),
    "programme": _("programme"),
    "priority": _("priority"),
    "priority_name": _("name of the priority"),
    "measure": _("measure"),
    "sub_measure": _("sub-measure"),
    "sub_measure_name": _("name of the sub-measure"),
    "fund": _("fund"),
    "operator": _("operating institution"),
    "operator_slug": _("identifier of the operating institution"),
    "start_year": _("first year"),
    "end_year": _("last year"),
    "website": _("website"),
    "description": _("description"),
    "url": _("address of the public page"),
}
PROJECT_FIELDS = (
    "slug",
    "name",
    "code",
    "programme",
    "priority",
    "priority_name",
    "measure",
    "sub_measure",
    "sub_measure_name",
    "fund",
    "operator__name",
    "operator__slug",
    "start_year",
    "end_year",
    "website",
    "description",
)


def project_rows(queryset) -> Iterator[dict]:
    """The projects of ``queryset`` as open data, in its order: one query, streamed."""
    marker = "--slug--"
    before, after = (settings.SITE_URL + reverse("projects:project_detail", args=[marker])).split(marker)
    for row in queryset.values_list(*PROJECT_FIELDS).iterator(chunk_size=CHUNK_SIZE):
        v = dict(zip(PROJECT_FIELDS, row, strict=True))
        yield {
            "slug": v["slug"],
            "name": v["name"],
            "code": v["code"] or None,
            "programme": v["programme"] or None,
            "priority": v["priority"] or None,
            "priority_name": v["priority_name"] or None,
            "measure": v["measure"] or None,
            "sub_measure": v["sub_measure"] or None,
            "sub_measure_name": v["sub_measure_name"] or None,
            "fund": v["fund"] or None,
            "operator": v["operator__name"],
            "operator_slug": v["operator__slug"],
            "start_year": v["start_year"],
            "end_year": v["end_year"],
            "website": v["website"] or None,
            "description": v["description"] or None,
            # Every project gets a slug when saved; one without (older rows) has no page.
            "url": before + v["slug"] + after if v["slug"] else None,
        }


def stream(queryset, export_format: str):
    """A download of the events in ``queryset`` (already filtered)."""
    return opendata.download(export_format, "wydarzenia", "events", COLUMNS, lambda: rows(queryset))
