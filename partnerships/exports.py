"""Open data: the filtered partnership list as CSV or JSON, streamed row by row.

The columns are documented in docs/open-data.md and the JSON in docs/partnerships.schema.json;
change the three together. Rows are read as plain values, streamed with their relations (six
queries, whatever the number of rows), so memory stays flat.
"""

import contextlib
import json
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.models import Citation
from core.spreadsheet import Echo, SafeWriter

from .models import Membership, Partnership, UnnamedMembers

CHUNK_SIZE = 2000
# The columns of every export of partnerships: the key (the open data's header and JSON field)
# and the label, the header of the admin's export and of the import (partnerships.resources,
# which takes the columns a person can set from here).
COLUMNS = {
    "slug": _("slug"),
    "name": _("name"),
    "status": _("status"),
    # "Stan na dzień" of the admin's form would be a column of its own in a sheet.
    "status_stated_on": pgettext_lazy("spreadsheet column", "status stated on"),
    "status_stated_by": _("status stated by"),
    "stage": _("stage"),
    "founded": _("founded"),
    "founded_precision": _("precision of the founding date"),
    "founding_kind": _("what the date marks"),
    "home_voivodeship_teryt": _("TERYT code of the home voivodeship"),
    "home_voivodeship": _("home voivodeship"),
    "area_county_teryt": _("TERYT codes of the counties of the area"),
    "area_commune_teryt": _("TERYT codes of the communes of the area"),
    "declared_member_count": _("declared number of members"),
    "listed_member_count": _("number of members listed"),
    "members": _("members"),
    "unnamed_members": _("members known only by kind"),
    "target_groups": _("target groups"),
    "thematic_areas": _("thematic areas"),
    "project": _("project"),
    "website": _("website"),
    "last_verified_on": _("last verified on"),
    "url": _("address of the public page"),
    "sources": _("sources"),
}


# The partnership columns a row is built from, read as plain tuples: at 20,000 partnerships
# and 300,000 memberships, building model instances was most of an export's time.
FIELDS = (
    "id",
    "slug",
    "name",
    "status",
    "status_stated_on",
    "status_stated_precision",
    "status_stated_by",
    "stage",
    "founded_on",
    "founded_precision",
    "founding_kind",
    "home_voivodeship_id",
    "home_voivodeship__name",
    "declared_member_count",
    "project__name",
    "website",
    "last_verified_on",
)


def _rows(queryset) -> Iterator[dict]:
    """The rows of ``queryset`` in its order, each with its relations.

    The list and each relation are read as one stream in the list's order, walked side by
    side: no id lists, no query per chunk, constant memory. The streams must see the same
    rows, so on PostgreSQL they share one repeatable-read snapshot; on SQLite the list's open
    statement keeps a single read transaction for all of them.
    """
    # One reverse() for all rows: the slug is the only part of the address that varies.
    marker = "--slug--"
    before, after = (settings.SITE_URL + reverse("partnerships:partnership_detail", args=[marker])).split(marker)
    # SQLite's transactions here begin IMMEDIATE, taking the write lock: an export must not
    # hold it, and its open statement gives it the one snapshot anyway.
    snapshot = connection.vendor == "postgresql" and not connection.in_atomic_block
    with transaction.atomic() if snapshot else contextlib.nullcontext():
        if snapshot:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                # The members' stream sorts 300,000 rows: in the default 4 MB PostgreSQL sorts
                # them on disk (0.5 s of a national export).
                cursor.execute("SET LOCAL work_mem = '64MB'")
        streams = {name: _walk(stream) for name, stream in _relations(queryset).items()}
        sources = _sources(queryset)
        for row in queryset.values_list(*FIELDS).iterator(chunk_size=CHUNK_SIZE):
            values = dict(zip(FIELDS, row, strict=True))
            related = {name: walk(values["id"]) for name, walk in streams.items()}
            related["sources"] = sources.get(values["id"], [])
            yield _row(values, related, before, after)


# Per relation: the through table's value column and its own order (the reference terms' one).
RELATED = {
    "area_counties": ("county_id", ["county_id"]),
    "area_communes": ("commune_id", ["commune_id"]),
    "target_groups": ("targetgroup__slug", ["targetgroup__order", "targetgroup__name"]),
    "thematic_areas": ("thematicarea__slug", ["thematicarea__order", "thematicarea__name"]),
}


def _relations(queryset) -> dict[str, Iterator[tuple]]:
    """Per relation, its rows as (partnership id, value) in the order of ``queryset``."""
    # The list's order seen from a related row: "-name" becomes "-partnership__name".
    order = []
    for field in queryset.query.order_by:
        if not isinstance(field, str):
            raise TypeError(f"An export follows an order by field names only, not {field!r}.")
        order.append(("-" if field.startswith("-") else "") + "partnership__" + field.removeprefix("-"))
    listed = queryset.order_by().values("pk")
    streams = {}
    for name, (column, own_order) in RELATED.items():
        table = getattr(Partnership, name).through.objects.filter(partnership__in=listed)
        streams[name] = table.order_by(*order, *own_order).values_list("partnership_id", column)
    members = Membership.objects.current().filter(partnership__in=listed).order_by(*order, "institution__name", "id")
    streams["members"] = members.values_list("partnership_id", "institution__name", "institution__slug", "role")
    unnamed = UnnamedMembers.objects.filter(partnership__in=listed).order_by(*order, "order", "id")
    streams["unnamed_members"] = unnamed.values_list(
        "partnership_id", "kind", "sector", "description", "count_kind", "count"
    )
    return {name: stream.iterator(chunk_size=CHUNK_SIZE) for name, stream in streams.items()}


def _sources(queryset) -> dict[int, list[dict]]:
    """The citations of the listed partnerships, by partnership id. A citation points at its
    record through a generic relation, which the list's order cannot follow, so they are read
    into memory: a few per partnership, small beside the rows themselves."""
    citations = Citation.objects.filter(
        content_type=ContentType.objects.get_for_model(Partnership), object_id__in=queryset.order_by().values("pk")
    ).order_by("object_id", "pk")
    by_partnership: dict[int, list[dict]] = {}
    columns = ("object_id", "field", "quote", "source__title", "source__description", "source__published_on")
    for object_id, field, quote, title, description, published_on in citations.values_list(*columns):
        by_partnership.setdefault(object_id, []).append(
            {
                "title": title or None,
                "description": description,
                "published_on": published_on.isoformat() if published_on else None,
                "field": field or None,
                "quote": quote,
            }
        )
    return by_partnership


def _walk(stream: Iterator[tuple]):
    """A function giving the values of the next partnership in ``stream``: called with each
    listed partnership's id in order, it returns the rows of that id and moves past them."""
    head = next(stream, None)

    def values_of(partnership_id: int) -> list:
        nonlocal head
        values = []
        while head is not None and head[0] == partnership_id:
            values.append(head[1] if len(head) == 2 else head[1:])
            head = next(stream, None)
        return values

    return values_of


def _row(values: dict, related: dict[str, list], before: str, after: str) -> dict:
    """One partnership as open data: codes and plain values only, never personal data."""
    founded_on, verified_on = values["founded_on"], values["last_verified_on"]
    members = related["members"]  # (name, slug, role): the CSV writes the names only
    return {
        "slug": values["slug"],
        "name": values["name"],
        "status": values["status"],
        "status_stated_on": _founded(values["status_stated_on"], values["status_stated_precision"]),
        "status_stated_by": values["status_stated_by"] or None,
        "stage": values["stage"] or None,
        "founded": _founded(founded_on, values["founded_precision"]),
        "founded_precision": values["founded_precision"] if founded_on else None,
        "founding_kind": values["founding_kind"] if founded_on else None,
        "home_voivodeship_teryt": values["home_voivodeship_id"],
        "home_voivodeship": values["home_voivodeship__name"],
        "area_county_teryt": related["area_counties"],
        "area_commune_teryt": related["area_communes"],
        "declared_member_count": values["declared_member_count"],
        "listed_member_count": len(members),
        "members": members,
        "unnamed_members": [
            {"kind": kind or None, "sector": sector, "description": words, "count_kind": count_kind, "count": count}
            for kind, sector, words, count_kind, count in related["unnamed_members"]
        ],
        "target_groups": related["target_groups"],
        "thematic_areas": related["thematic_areas"],
        "project": values["project__name"],
        "website": values["website"] or None,
        "last_verified_on": verified_on.isoformat() if verified_on else None,
        "url": before + values["slug"] + after,
        "sources": related["sources"],
    }


def _founded(founded_on, precision: str) -> str | None:
    """ISO 8601 as precise as known: "2010", "2014-10", "2014-10-28"."""
    if not founded_on:
        return None
    length = {"year": 4, "month": 7}.get(precision, 10)
    return founded_on.isoformat()[:length]


def _csv_lines(rows: Iterable[dict]) -> Iterator[str]:
    """Open data has the keys as its header and commas between cells. (The admin's export is
    the import's format, ``partnerships.resources``, whose partnership columns are these.)"""
    writer = SafeWriter(Echo(), delimiter=",")
    yield "\ufeff"  # a BOM, so that spreadsheets open the UTF-8 file with its diacritics
    yield writer.writerow(COLUMNS)
    for row in rows:
        row["members"] = [name for name, _slug, _role in row["members"]]
        # Named and unnamed members apart: "lokalna komenda Policji: 1", "szkoły: several".
        row["unnamed_members"] = [
            f"{m['description']}: {m['count'] if m['count_kind'] == 'exact' else m['count_kind']}"
            for m in row["unnamed_members"]
        ]
        row["sources"] = [
            " – ".join(x for x in (s["title"] or f"[{s['description']}]", s["published_on"], s["field"]) if x)
            for s in row["sources"]
        ]
        yield writer.writerow(["|".join(value) if isinstance(value, list) else value for value in row.values()])


def _json_chunks(rows: Iterable[dict]) -> Iterator[str]:
    yield '{"generated_at": ' + json.dumps(timezone.now().isoformat()) + ', "partnerships": ['
    for index, row in enumerate(rows):
        row["members"] = [{"name": name, "slug": slug, "role": role} for name, slug, role in row["members"]]
        yield ("," if index else "") + "\n" + json.dumps(row, ensure_ascii=False)
    yield "\n]}\n"


def _in_blocks(pieces: Iterable[str], rows: int = 200) -> Iterator[str]:
    """The file in blocks of a few hundred rows: the server sends each block the stream
    yields on its own, and 20,000 one-row writes cost more than the rows."""
    block = []
    for piece in pieces:
        block.append(piece)
        if len(block) >= rows:
            yield "".join(block)
            block = []
    if block:
        yield "".join(block)


def stream(queryset, export_format: str) -> StreamingHttpResponse:
    """A streamed download of the partnerships in ``queryset`` (already filtered) as CSV or JSON."""
    stamp = timezone.localdate().isoformat()
    if export_format == "csv":
        pieces, content_type = _csv_lines(_rows(queryset)), "text/csv; charset=utf-8"
    else:
        pieces, content_type = _json_chunks(_rows(queryset)), "application/json"
    response = StreamingHttpResponse(_in_blocks(pieces), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="partnerstwa-{stamp}.{export_format}"'
    return response
