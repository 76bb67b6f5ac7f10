"""Open data: the filtered partnership list as CSV or JSON, streamed row by row.

The columns are documented in docs/open-data.md and the JSON in docs/partnerships.schema.json;
change the three together. Rows are read in chunks with their relations prefetched, so memory
stays flat and the number of queries grows with the chunks, not the rows.
"""

import csv
import json
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.db.models import Prefetch
from django.http import StreamingHttpResponse
from django.utils import timezone

from territory.models import Commune, County

from .models import Membership, Partnership, TargetGroup, ThematicArea

CHUNK_SIZE = 500
COLUMNS = [
    "slug",
    "name",
    "status",
    "stage",
    "founded",
    "founded_precision",
    "home_voivodeship_teryt",
    "home_voivodeship",
    "area_county_teryt",
    "area_commune_teryt",
    "declared_member_count",
    "listed_member_count",
    "members",
    "target_groups",
    "thematic_areas",
    "project",
    "website",
    "last_verified_on",
    "url",
]


def export_queryset(queryset):
    """The queryset an export reads: the filtered rows with everything a row needs, prefetched."""
    # Only the columns a row writes: at 20,000 partnerships and 300,000 memberships, building
    # and parsing the rest (descriptions, dates of every member) is most of an export's time.
    current_members = (
        Membership.objects.current()
        .select_related("institution")
        .only("partnership_id", "role", "institution__name", "institution__slug")
        .order_by("institution__name")
    )
    return queryset.select_related("home_voivodeship", "project").prefetch_related(
        Prefetch("area_counties", queryset=County.objects.only("code")),
        Prefetch("area_communes", queryset=Commune.objects.only("code")),
        Prefetch("target_groups", queryset=TargetGroup.objects.only("slug")),
        Prefetch("thematic_areas", queryset=ThematicArea.objects.only("slug")),
        Prefetch("memberships", queryset=current_members, to_attr="current_memberships"),
    )


def row_of(partnership: Partnership) -> dict:
    """One partnership as open data: codes and plain values only, never personal data."""
    return {
        "slug": partnership.slug,
        "name": partnership.name,
        "status": partnership.status,
        "stage": partnership.stage or None,
        "founded": _founded(partnership),
        "founded_precision": partnership.founded_precision if partnership.founded_on else None,
        "home_voivodeship_teryt": partnership.home_voivodeship_id,
        "home_voivodeship": partnership.home_voivodeship.name,
        "area_county_teryt": [c.code for c in partnership.area_counties.all()],
        "area_commune_teryt": [c.code for c in partnership.area_communes.all()],
        "declared_member_count": partnership.declared_member_count,
        "listed_member_count": len(partnership.current_memberships),
        "members": [
            {"name": m.institution.name, "slug": m.institution.slug, "role": m.role}
            for m in partnership.current_memberships
        ],
        "target_groups": [t.slug for t in partnership.target_groups.all()],
        "thematic_areas": [t.slug for t in partnership.thematic_areas.all()],
        "project": partnership.project.name if partnership.project else None,
        "website": partnership.website or None,
        "last_verified_on": partnership.last_verified_on.isoformat() if partnership.last_verified_on else None,
        "url": settings.SITE_URL + partnership.get_absolute_url(),
    }


def _founded(partnership: Partnership) -> str | None:
    """ISO 8601 as precise as known: "2010", "2014-10", "2014-10-28"."""
    if not partnership.founded_on:
        return None
    length = {"year": 4, "month": 7}.get(partnership.founded_precision, 10)
    return partnership.founded_on.isoformat()[:length]


def _rows(queryset) -> Iterator[dict]:
    for partnership in export_queryset(queryset).iterator(chunk_size=CHUNK_SIZE):
        yield row_of(partnership)


class _Echo:
    """A file-like object whose write returns the line, so csv.writer can feed a stream."""

    def write(self, value: str) -> str:
        return value


def _csv_lines(rows: Iterable[dict]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # a BOM, so that spreadsheets open the UTF-8 file with its diacritics
    yield writer.writerow(COLUMNS)
    for row in rows:
        row = dict(row)
        row["members"] = [m["name"] for m in row["members"]]
        yield writer.writerow(
            ["|".join(value) if isinstance(value, list) else ("" if value is None else value) for value in row.values()]
        )


def _json_chunks(rows: Iterable[dict]) -> Iterator[str]:
    yield '{"generated_at": ' + json.dumps(timezone.now().isoformat()) + ', "partnerships": ['
    for index, row in enumerate(rows):
        yield ("," if index else "") + "\n" + json.dumps(row, ensure_ascii=False)
    yield "\n]}\n"


def stream(queryset, export_format: str) -> StreamingHttpResponse:
    """A streamed download of the partnerships in ``queryset`` (already filtered) as CSV or JSON."""
    stamp = timezone.localdate().isoformat()
    if export_format == "csv":
        response = StreamingHttpResponse(_csv_lines(_rows(queryset)), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="partnerstwa-{stamp}.csv"'
    else:
        response = StreamingHttpResponse(_json_chunks(_rows(queryset)), content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="partnerstwa-{stamp}.json"'
    return response
