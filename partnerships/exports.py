"""Open data: the filtered partnership list as CSV, JSON or XLSX (core.opendata), row by row.

The columns are documented in docs/open-data.md and the JSON in docs/partnerships.schema.json;
change the three together. Rows are read as plain values, streamed with their relations (a fixed
number of queries, whatever the number of rows), so memory stays flat.
"""

import contextlib
from collections.abc import Iterator

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core import opendata
from core.models import Citation

from .models import Certificate, Membership, Partnership, UnnamedMembers

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
    "area_counties": _("counties of the area"),
    "area_commune_teryt": _("TERYT codes of the communes of the area"),
    "area_communes": _("communes of the area"),
    "declared_member_count": _("declared number of members"),
    "listed_member_count": _("number of members listed"),
    "members": _("members"),
    "unnamed_members": _("members known only by kind"),
    "target_groups": _("target groups"),
    "thematic_areas": _("thematic areas"),
    "project": _("project"),
    "website": _("website"),
    "last_verified_on": _("last verified on"),
    "certificate_status": _("status of the partnership certificate"),
    "certificate_number": _("number of the partnership certificate"),
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


def rows(queryset) -> Iterator[dict]:
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


# Per stream: the relation, the through table's value column and its own order (the reference
# terms' one).
RELATED = {
    "area_counties": ("area_counties", "county_id", ["county_id"]),
    "area_county_names": ("area_counties", "county__name", ["county_id"]),
    "area_communes": ("area_communes", "commune_id", ["commune_id"]),
    "area_commune_names": ("area_communes", "commune__name", ["commune_id"]),
    "target_groups": ("target_groups", "targetgroup__slug", ["targetgroup__order", "targetgroup__name"]),
    "thematic_areas": ("thematic_areas", "thematicarea__slug", ["thematicarea__order", "thematicarea__name"]),
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
    for name, (relation, column, own_order) in RELATED.items():
        table = getattr(Partnership, relation).through.objects.filter(partnership__in=listed)
        streams[name] = table.order_by(*order, *own_order).values_list("partnership_id", column)
    members = Membership.objects.current().filter(partnership__in=listed).order_by(*order, "institution__name", "id")
    streams["members"] = members.values_list("partnership_id", "institution__name", "institution__slug", "role")
    # The newest partnership certificate says the status: valid, revoked or superseded.
    certificates = Certificate.objects.filter(partnership__in=listed, kind=Certificate.Kind.PARTNERSHIP)
    streams["certificates"] = certificates.order_by(*order, "-issued_on", "-number").values_list(
        "partnership_id", "status", "number"
    )
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
    certificate = related["certificates"][0] if related["certificates"] else None
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
        "area_counties": related["area_county_names"],
        "area_commune_teryt": related["area_communes"],
        "area_communes": related["area_commune_names"],
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
        "certificate_status": certificate[0] if certificate else None,
        "certificate_number": certificate[1] if certificate else None,
        "url": before + values["slug"] + after,
        "sources": related["sources"],
    }


def _founded(founded_on, precision: str) -> str | None:
    """ISO 8601 as precise as known: "2010", "2014-10", "2014-10-28"."""
    if not founded_on:
        return None
    length = {"year": 4, "month": 7}.get(precision, 10)
    return founded_on.isoformat()[:length]


def flat_row(row: dict) -> dict:
    """A row as CSV and XLSX cells: the members by name, the unnamed ones and the sources as
    short texts. (The admin's export is the import's format, ``partnerships.resources``, whose
    partnership columns are these.)"""
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
    return row


def json_row(row: dict) -> dict:
    row["members"] = [{"name": name, "slug": slug, "role": role} for name, slug, role in row["members"]]
    return row


# Memberships and the sources cited for records, as open data: only in the dated full dumps
# (partnerships.dumps). A membership has no address of its own, so its id identifies it; the
# sources name the record they support by its kind and identifier.
MEMBERSHIP_COLUMNS = {
    "id": _("identifier of the membership"),
    "partnership_slug": _("identifier of the partnership"),
    "partnership": _("partnership"),
    "institution_slug": _("identifier of the institution"),
    "institution": _("institution"),
    "role": _("role"),
    "joined_on": _("joined on"),
    "left_on": _("left on"),
}
MEMBERSHIP_FIELDS = ("id", "partnership__slug", "partnership__name", "institution__slug", "institution__name")


def membership_rows(queryset) -> Iterator[dict]:
    """The memberships of ``queryset``, former ones too (``left_on``), in its order: one query,
    streamed. Never who represents the member, nor the staff's notes."""
    fields = (*MEMBERSHIP_FIELDS, "role", "joined_on", "left_on")
    for row in queryset.values_list(*fields).iterator(chunk_size=CHUNK_SIZE):
        v = dict(zip(fields, row, strict=True))
        yield {
            "id": v["id"],
            "partnership_slug": v["partnership__slug"],
            "partnership": v["partnership__name"],
            "institution_slug": v["institution__slug"],
            "institution": v["institution__name"],
            "role": v["role"],
            "joined_on": v["joined_on"].isoformat() if v["joined_on"] else None,
            "left_on": v["left_on"].isoformat() if v["left_on"] else None,
        }


SOURCE_COLUMNS = {
    "record_kind": _("kind of record (partnership, institution, event, project, membership)"),
    "record_slug": _("identifier of the record (of the partnership, for a membership)"),
    "membership_id": _("identifier of the membership"),
    "field": _("the fact it supports (empty: the record as a whole)"),
    "quote": _("quote"),
    "page": _("page or place in the document"),
    "source_key": _("identifier of the source"),
    "source_title": _("title of the source"),
    "source_description": _("what the source is"),
    "source_publisher": _("publisher"),
    "source_published": _("date of publication"),
    "source_date_note": _("about the date"),
    "source_url": _("address of the source"),
}
CITATION_FIELDS = (
    "object_id",
    "record_slug",
    "field",
    "quote",
    "page",
    "source__key",
    "source__title",
    "source__description",
    "source__publisher",
    "source__published_on",
    "source__published_precision",
    "source__date_note",
    "source__url",
)


def source_rows(records: dict[str, tuple]) -> Iterator[dict]:
    """The citations of the public records: ``records`` maps a kind of record to (its public
    queryset, the path from it to the slug that names it). One query per kind, streamed; the
    cited record's identifier is read in the same query (a citation points at its record
    through a generic relation, which no join follows)."""
    for kind, (public, slug_path) in records.items():
        slug = public.model.objects.filter(pk=OuterRef("object_id")).values(slug_path)[:1]
        citations = (
            Citation.objects.filter(
                content_type=ContentType.objects.get_for_model(public.model),
                object_id__in=public.order_by().values("pk"),
            )
            .annotate(record_slug=Subquery(slug))
            .order_by("pk")
        )
        for row in citations.values_list(*CITATION_FIELDS).iterator(chunk_size=CHUNK_SIZE):
            v = dict(zip(CITATION_FIELDS, row, strict=True))
            yield {
                "record_kind": kind,
                "record_slug": v["record_slug"],
                "membership_id": v["object_id"] if kind == "membership" else None,
                "field": v["field"] or None,
                "quote": v["quote"] or None,
                "page": v["page"] or None,
                "source_key": v["source__key"],
                "source_title": v["source__title"] or None,
                "source_description": v["source__description"],
                "source_publisher": v["source__publisher"] or None,
                "source_published": _founded(v["source__published_on"], v["source__published_precision"]),
                "source_date_note": v["source__date_note"] or None,
                "source_url": v["source__url"] or None,
            }


def stream(queryset, export_format: str):
    """A download of the partnerships in ``queryset`` (already filtered) as CSV, JSON or XLSX
    (core.opendata), streamed."""
    return opendata.download(
        export_format,
        "partnerstwa",
        "partnerships",
        COLUMNS,
        lambda: map(json_row, rows(queryset)) if export_format == "json" else rows(queryset),
        csv_row=None if export_format == "json" else flat_row,
    )
