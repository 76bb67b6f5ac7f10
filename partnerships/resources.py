"""The registry's spreadsheets: which columns a file has, and how each cell is read and written.

One definition serves both ways (django-import-export's ``Resource``): ``export_registry``, the
admin's export and the template write these columns, the import reads them, so an exported file
imports back unchanged. The partnership columns are those of the open data
(``exports.COLUMNS``) that a person can set, under the same labels; each member of a
partnership adds a row in which the partnership's columns are repeated (docs/import.md says why).

A cell is read by its column's widget: ``clean`` turns what an office's spreadsheet holds (a
number where a code was meant, a date as an Excel serial, a NIP with dashes) into the value the
registry stores, or raises ``ValueError`` with a message for the user; ``render`` writes the
value as the import reads it back.
"""

import datetime
import re

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources, widgets

from core.text import search_key
from members.models import Institution
from members.validators import validate_krs, validate_nip, validate_regon

from .exports import COLUMNS
from .models import DatePrecision, Membership, Partnership

# Excel counts days from 30 December 1899 (its 1900 leap-year error included).
EXCEL_EPOCH = datetime.date(1899, 12, 30)
LIST_SEPARATOR = "|"
DAY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
ISO_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")
MONTH = re.compile(r"^(?:(\d{1,2})\.(\d{4})|(\d{4})-(\d{1,2}))$")


def cell_text(value) -> str:
    """A cell as text: a whole number written by a spreadsheet as 1416011.0 loses its ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    # The apostrophe the registry's CSV puts before a formula-like text (core.spreadsheet).
    if text[:1] == "'" and text[1:2] in {"=", "+", "-", "@"}:
        text = text[1:]
    return text


class TextWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return cell_text(value)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class TerytWidget(widgets.Widget):
    """A TERYT code of ``length`` digits; a spreadsheet that took it for a number dropped its
    leading zeros (0264 → 264), which are put back."""

    def __init__(self, length: int):
        super().__init__()
        self.length = length

    def clean(self, value, row=None, **kwargs):
        return teryt_code(value, self.length)

    def render(self, value, obj=None, **kwargs):
        return value or ""


def teryt_code(value, length: int) -> str:
    text = cell_text(value).replace(" ", "")
    if not text:
        return ""
    if not text.isdigit() or len(text) > length:
        raise ValueError(_("“%(value)s” is not a TERYT code of %(length)d digits.") % {"value": text, "length": length})
    return text.zfill(length)


class PlacesWidget(widgets.Widget):
    """Units of the area, separated by "|": each a TERYT code (leading zeros put back) or a name,
    which the import looks up (``partnerships.imports``)."""

    def __init__(self, length: int):
        super().__init__()
        self.length = length

    def clean(self, value, row=None, **kwargs):
        items = [item.strip() for item in re.split(r"[|;\n]", cell_text(value)) if item.strip()]
        return [teryt_code(item, self.length) if item.replace(" ", "").isdigit() else item for item in items]

    def render(self, value, obj=None, **kwargs):
        return LIST_SEPARATOR.join(value or [])


class TermsWidget(PlacesWidget):
    """Names of reference terms (target groups, thematic areas), separated by "|"."""

    def __init__(self):
        super().__init__(0)

    def clean(self, value, row=None, **kwargs):
        return [item.strip() for item in re.split(r"[|;\n]", cell_text(value)) if item.strip()]


class ChoiceWidget(widgets.Widget):
    """One of ``choices``, written as its Polish label (the template's drop-down list offers
    them), read as the label or the stored value, in any case and with or without diacritics."""

    def __init__(self, choices):
        super().__init__()
        self.choices = choices
        self.folded = {}  # per language: folded label or value -> value

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            return ""
        language = translation.get_language()
        if language not in self.folded:
            self.folded[language] = {
                key: stored for stored, label in self.choices for key in (search_key(stored), search_key(str(label)))
            }
        found = self.folded[language].get(search_key(text))
        if found is not None:
            return found
        with translation.override("pl"):
            allowed = ", ".join(f"„{label}”" for _stored, label in self.choices)
        raise ValueError(_("“%(value)s” is not one of: %(allowed)s.") % {"value": text, "allowed": allowed})

    def render(self, value, obj=None, **kwargs):
        return str(dict(self.choices).get(value, value or ""))


class PartialDateWidget(widgets.Widget):
    """A date as precisely as a source gives it, as (date, precision): an Excel serial or a
    date cell, "28.10.2014" or "2014-10-28" (day); "10.2014" or "2014-10" (month); "2010" (year)."""

    def clean(self, value, row=None, **kwargs):
        return partial_date(value)

    def render(self, value, obj=None, **kwargs):
        if not value or not value[0]:
            return ""
        day, precision = value
        return day.isoformat()[: {DatePrecision.YEAR: 4, DatePrecision.MONTH: 7}.get(precision, 10)]


def partial_date(value) -> tuple[datetime.date | None, str]:
    if isinstance(value, datetime.datetime):
        return value.date(), DatePrecision.DAY
    if isinstance(value, datetime.date):
        return value, DatePrecision.DAY
    text = cell_text(value)
    if not text:
        return None, DatePrecision.DAY
    try:
        if re.fullmatch(r"\d{4}", text):
            return datetime.date(int(text), 1, 1), DatePrecision.YEAR
        if re.fullmatch(r"\d{5}(\.\d+)?", text):
            return EXCEL_EPOCH + datetime.timedelta(days=int(float(text))), DatePrecision.DAY
        if match := DAY.match(text):
            day, month, year = map(int, match.groups())
            return datetime.date(year, month, day), DatePrecision.DAY
        if match := ISO_DAY.match(text):
            year, month, day = map(int, match.groups())
            return datetime.date(year, month, day), DatePrecision.DAY
        if match := MONTH.match(text):
            month, year = (match[1], match[2]) if match[1] else (match[4], match[3])
            return datetime.date(int(year), int(month), 1), DatePrecision.MONTH
    except ValueError:
        pass
    raise ValueError(_("“%(value)s” is not a date: write 28.10.2014, 2014-10-28, 10.2014 or 2014.") % {"value": text})


class DateWidget(PartialDateWidget):
    """A date of a day; a year or month alone stands for its first day."""

    def clean(self, value, row=None, **kwargs):
        return partial_date(value)[0]

    def render(self, value, obj=None, **kwargs):
        return value.isoformat() if value else ""


class CountWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            return None
        if not text.isdigit():
            raise ValueError(_("“%(value)s” is not a whole number.") % {"value": text})
        return int(text)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class RegisterNumberWidget(widgets.Widget):
    """A NIP, REGON or KRS number, written with dashes or spaces or as a number; checked."""

    VALIDATORS = {"nip": validate_nip, "regon": validate_regon, "krs": validate_krs}

    def __init__(self, register: str):
        super().__init__()
        self.register = register

    def clean(self, value, row=None, **kwargs):
        text = re.sub(r"[\s-]", "", cell_text(value))
        if text.upper().startswith("PL"):
            text = text[2:]
        if not text:
            return ""
        if self.register == "krs" and text.isdigit():
            text = text.zfill(10)
        try:
            self.VALIDATORS[self.register](text)
        except ValidationError as error:
            raise ValueError(" ".join(error.messages)) from error
        return text

    def render(self, value, obj=None, **kwargs):
        return value or ""


def _column(key: str, widget: widgets.Widget, label=None) -> fields.Field:
    return fields.Field(attribute=key, column_name=label or COLUMNS[key], widget=widget)


class RegistryResource(resources.Resource):
    """Rows are dicts keyed by the fields' attributes (``export``); headers are Polish labels."""

    REQUIRED: tuple[str, ...] = ()

    def columns(self) -> dict[str, fields.Field]:
        """The fields by their header as a file has it (in Polish), and by their key."""
        with translation.override("pl"):
            found = {}
            for field in self.get_export_fields():
                found[search_key(capfirst(str(field.column_name)))] = field
                found[search_key(field.attribute)] = field
        return found

    def headers(self) -> list[str]:
        with translation.override("pl"):
            return [capfirst(str(field.column_name)) for field in self.get_export_fields()]


class PartnershipResource(RegistryResource):
    """One row per member of a partnership (a partnership without members has one row with the
    member's columns empty)."""

    slug = _column("slug", TextWidget())
    name = _column("name", TextWidget())
    status = _column("status", ChoiceWidget(Partnership.Status.choices))
    # A known status is as of a date (as precise as its source gives it) and says who stated it.
    status_stated_on = _column("status_stated_on", PartialDateWidget())
    status_stated_by = _column("status_stated_by", ChoiceWidget(Partnership.StatusStatedBy.choices))
    stage = _column("stage", ChoiceWidget(Partnership.Stage.choices))
    founded = _column("founded", PartialDateWidget())
    founding_kind = _column("founding_kind", ChoiceWidget(Partnership.FoundingKind.choices))
    home_voivodeship_teryt = _column("home_voivodeship_teryt", TerytWidget(2))
    area_county_teryt = _column("area_county_teryt", PlacesWidget(4))
    area_commune_teryt = _column("area_commune_teryt", PlacesWidget(7))
    declared_member_count = _column("declared_member_count", CountWidget())
    target_groups = _column("target_groups", TermsWidget())
    thematic_areas = _column("thematic_areas", TermsWidget())
    project = _column("project", TextWidget())
    website = _column("website", TextWidget())
    last_verified_on = _column("last_verified_on", DateWidget())
    member_slug = _column("member_slug", TextWidget(), gettext_lazy("member's slug"))
    member_name = _column("member_name", TextWidget(), gettext_lazy("member's name"))
    member_kind = _column("member_kind", ChoiceWidget(Institution.Kind.choices), gettext_lazy("member's kind"))
    member_nip = _column("member_nip", RegisterNumberWidget("nip"), gettext_lazy("member's NIP"))
    member_regon = _column("member_regon", RegisterNumberWidget("regon"), gettext_lazy("member's REGON"))
    member_krs = _column("member_krs", RegisterNumberWidget("krs"), gettext_lazy("member's KRS number"))
    member_commune_teryt = _column(
        "member_commune_teryt", TerytWidget(7), gettext_lazy("TERYT code of the member's commune")
    )
    member_commune = _column("member_commune", TextWidget(), gettext_lazy("member's commune"))
    member_voivodeship = _column("member_voivodeship", TextWidget(), gettext_lazy("member's voivodeship"))
    member_country = _column("member_country", TextWidget(), gettext_lazy("member's country"))
    member_role = _column("member_role", ChoiceWidget(Membership.Role.choices), gettext_lazy("member's role"))
    member_joined_on = _column("member_joined_on", DateWidget(), gettext_lazy("member joined on"))
    member_left_on = _column("member_left_on", DateWidget(), gettext_lazy("member left on"))

    REQUIRED = ("name",)
    PARTNERSHIP_KEYS = (
        "slug",
        "name",
        "status",
        "status_stated_on",
        "status_stated_by",
        "stage",
        "founded",
        "founding_kind",
        "home_voivodeship_teryt",
        "area_county_teryt",
        "area_commune_teryt",
        "declared_member_count",
        "target_groups",
        "thematic_areas",
        "project",
        "website",
        "last_verified_on",
    )


class InstitutionResource(RegistryResource):
    """One row per institution."""

    slug = fields.Field(attribute="slug", column_name=gettext_lazy("slug"), widget=TextWidget())
    name = fields.Field(attribute="name", column_name=gettext_lazy("name"), widget=TextWidget())
    short_name = fields.Field(
        attribute="short_name", column_name=gettext_lazy("short name or acronym"), widget=TextWidget()
    )
    kind = fields.Field(
        attribute="kind", column_name=gettext_lazy("kind"), widget=ChoiceWidget(Institution.Kind.choices)
    )
    nip = fields.Field(attribute="nip", column_name=gettext_lazy("NIP"), widget=RegisterNumberWidget("nip"))
    regon = fields.Field(attribute="regon", column_name=gettext_lazy("REGON"), widget=RegisterNumberWidget("regon"))
    krs = fields.Field(attribute="krs", column_name=gettext_lazy("KRS number"), widget=RegisterNumberWidget("krs"))
    commune_teryt = fields.Field(
        attribute="commune_teryt", column_name=gettext_lazy("TERYT code of the commune"), widget=TerytWidget(7)
    )
    commune = fields.Field(attribute="commune", column_name=gettext_lazy("commune"), widget=TextWidget())
    voivodeship = fields.Field(attribute="voivodeship", column_name=gettext_lazy("voivodeship"), widget=TextWidget())
    country = fields.Field(attribute="country", column_name=gettext_lazy("country"), widget=TextWidget())
    address = fields.Field(attribute="address", column_name=gettext_lazy("address"), widget=TextWidget())
    website = fields.Field(attribute="website", column_name=gettext_lazy("website"), widget=TextWidget())
    email = fields.Field(
        attribute="email", column_name=gettext_lazy("public e-mail of the institution"), widget=TextWidget()
    )
    phone = fields.Field(
        attribute="phone", column_name=gettext_lazy("public telephone of the institution"), widget=TextWidget()
    )
    last_verified_on = fields.Field(
        attribute="last_verified_on", column_name=gettext_lazy("last verified on"), widget=DateWidget()
    )

    REQUIRED = ("name", "kind")


def partnership_rows(queryset) -> list[dict]:
    """Rows of ``PartnershipResource`` for the partnerships of ``queryset``: one per membership,
    one for a partnership without members. Seven queries, whatever the number of rows."""
    queryset = queryset.select_related("project").prefetch_related(
        "area_counties",
        "area_communes",
        "target_groups",
        "thematic_areas",
        Prefetch(
            "memberships",
            Membership.objects.select_related("institution__commune__county__voivodeship").order_by(
                "institution__name", "pk"
            ),
        ),
    )
    rows = []
    for partnership in queryset.order_by("name", "pk"):
        common = {
            "slug": partnership.slug,
            "name": partnership.name,
            "status": partnership.status,
            "status_stated_on": (partnership.status_stated_on, partnership.status_stated_precision),
            "status_stated_by": partnership.status_stated_by,
            "stage": partnership.stage,
            "founded": (partnership.founded_on, partnership.founded_precision),
            # The default kind is written only with a date: alone it says nothing.
            "founding_kind": partnership.founding_kind
            if partnership.founded_on or partnership.founding_kind != Partnership.FoundingKind.FOUNDED
            else "",
            "home_voivodeship_teryt": partnership.home_voivodeship_id,
            "area_county_teryt": [unit.pk for unit in partnership.area_counties.all()],
            "area_commune_teryt": [unit.pk for unit in partnership.area_communes.all()],
            "declared_member_count": partnership.declared_member_count,
            "target_groups": [term.name for term in partnership.target_groups.all()],
            "thematic_areas": [term.name for term in partnership.thematic_areas.all()],
            "project": partnership.project.name if partnership.project else "",
            "website": partnership.website,
            "last_verified_on": partnership.last_verified_on,
        }
        memberships = list(partnership.memberships.all())
        if not memberships:
            rows.append(common)
        for membership in memberships:
            rows.append({**common, **_member(membership)})
    return rows


def _member(membership: Membership) -> dict:
    institution = membership.institution
    return {
        "member_" + key: value
        for key, value in {
            **institution_row(institution),
            "role": membership.role,
            "joined_on": membership.joined_on,
            "left_on": membership.left_on,
        }.items()
    }


def institution_row(institution: Institution) -> dict:
    commune = institution.commune
    return {
        "slug": institution.slug,
        "name": institution.name,
        "short_name": institution.short_name,
        "kind": institution.kind,
        "nip": institution.nip,
        "regon": institution.regon,
        "krs": institution.krs,
        "commune_teryt": commune.pk if commune else "",
        "commune": commune.name if commune else "",
        "voivodeship": commune.county.voivodeship.name if commune else "",
        "country": institution.country,
        "address": institution.address,
        "website": institution.website,
        "email": institution.email,
        "phone": institution.phone,
        "last_verified_on": institution.last_verified_on,
    }


def institution_rows(queryset) -> list[dict]:
    queryset = queryset.select_related("commune__county__voivodeship").order_by("name", "pk")
    return [institution_row(institution) for institution in queryset]


def sheet(resource: RegistryResource, rows: list[dict]) -> tuple[list[str], list[list]]:
    """The headers (in Polish) and the rendered rows of ``rows``."""
    with translation.override("pl"):
        dataset = resource.export(rows)
        return resource.headers(), [list(row) for row in dataset]


SHEET_TITLES = {"partnerships": gettext_lazy("partnerships"), "institutions": gettext_lazy("institutions")}


def export_file(path_or_stream, file_format: str, *, partnerships=None, institutions=None) -> None:
    """The registry as the import reads it: XLSX with a sheet of partnerships (with their
    members) and one of institutions; a CSV holds one of them (partnerships if both given)."""
    from core.tabular import write_csv, write_xlsx

    sheets = []
    with translation.override("pl"):
        if partnerships is not None:
            sheets.append(
                (str(SHEET_TITLES["partnerships"]), *sheet(PartnershipResource(), partnership_rows(partnerships)))
            )
        if institutions is not None:
            sheets.append(
                (str(SHEET_TITLES["institutions"]), *sheet(InstitutionResource(), institution_rows(institutions)))
            )
    if file_format == "xlsx":
        write_xlsx(path_or_stream, sheets)
    else:
        write_csv(path_or_stream, sheets[0][1], sheets[0][2])
