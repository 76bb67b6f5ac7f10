"""Open data: the filtered institution list as CSV, JSON or XLSX (core.opendata), row by row.

The columns are documented in docs/open-data.md and on /dane/, the JSON in
docs/institutions.schema.json; change them together. An institution's record holds only what
the institution itself makes public (its own address, e-mail and telephone); people's data is
never exported. One query, whatever the number of rows.
"""

from collections.abc import Iterator

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from core import opendata

from .models import SECTOR_OF_KIND, Institution

CHUNK_SIZE = 2000
COLUMNS = {
    "slug": _("slug"),
    "name": _("name"),
    "short_name": _("short name or acronym"),
    "kind": _("kind (code)"),
    "kind_name": _("kind"),
    "sector": _("sector"),
    "nip": _("NIP"),
    "regon": _("REGON"),
    "krs": _("KRS number"),
    "commune_teryt": _("TERYT code of the commune"),
    "commune": _("commune"),
    "county_teryt": _("TERYT code of the county"),
    "county": _("county"),
    "voivodeship_teryt": _("TERYT code of the voivodeship"),
    "voivodeship": _("voivodeship"),
    "country": _("country (ISO 3166 code)"),
    "country_name": _("country"),
    "address": _("address"),
    "website": _("website"),
    "email": _("public e-mail of the institution"),
    "phone": _("public telephone of the institution"),
    "last_verified_on": _("last verified on"),
    "url": _("address of the public page"),
}
FIELDS = (
    "slug",
    "name",
    "short_name",
    "kind",
    "nip",
    "regon",
    "krs",
    "commune_id",
    "commune__name",
    "commune__county_id",
    "commune__county__name",
    "commune__county__voivodeship_id",
    "commune__county__voivodeship__name",
    "country",
    "address",
    "website",
    "email",
    "phone",
    "last_verified_on",
)


def rows(queryset) -> Iterator[dict]:
    marker = "--slug--"
    before, after = (settings.SITE_URL + reverse("members:institution_detail", args=[marker])).split(marker)
    kinds = {kind.value: str(kind.label) for kind in Institution.Kind}
    for row in queryset.values_list(*FIELDS).iterator(chunk_size=CHUNK_SIZE):
        v = dict(zip(FIELDS, row, strict=True))
        yield {
            "slug": v["slug"],
            "name": v["name"],
            "short_name": v["short_name"] or None,
            "kind": v["kind"],
            "kind_name": kinds.get(v["kind"]),
            "sector": SECTOR_OF_KIND.get(v["kind"]),
            "nip": v["nip"] or None,
            "regon": v["regon"] or None,
            "krs": v["krs"] or None,
            "commune_teryt": v["commune_id"],
            "commune": v["commune__name"],
            "county_teryt": v["commune__county_id"],
            "county": v["commune__county__name"],
            "voivodeship_teryt": v["commune__county__voivodeship_id"],
            "voivodeship": v["commune__county__voivodeship__name"],
            "country": v["country"],
            "country_name": countries.name(v["country"]) or v["country"],
            "address": v["address"] or None,
            "website": v["website"] or None,
            "email": v["email"] or None,
            "phone": v["phone"] or None,
            "last_verified_on": v["last_verified_on"].isoformat() if v["last_verified_on"] else None,
            "url": before + v["slug"] + after,
        }


def stream(queryset, export_format: str):
    """A download of the institutions in ``queryset`` (already filtered)."""
    return opendata.download(export_format, "instytucje", "institutions", COLUMNS, lambda: rows(queryset))
