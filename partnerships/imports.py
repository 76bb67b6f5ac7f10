"""A spreadsheet brought into the registry: first a preview of what every row would do, then,
once a person confirms, the writing of all of it in one transaction, or of nothing.

``preview(name, data, user)`` reads the file (``core.tabular``) with the columns of
``partnerships.resources``, finds what each row means (``members.matching``'s rules: a
register's number, else a very similar name in the same gmina, which the user confirms or
turns into a new institution; places by TERYT code or by name; partnerships by slug or by
name within their home voivodeship), checks the user's region, and compares the result with
the records as they are. Nothing is written. ``apply(preview, run)`` writes it, each record
with a history row whose reason names the file and the row; ``undo(run)`` puts everything
back if nothing has changed the records since.

The existing records a file names are read in bulk, one query per kind of key and batch of
rows, never per row: a voivodeship's file of 15,000 member rows costs a few dozen queries.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, ProtectedError
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from simple_history.utils import bulk_create_with_history

from core.tabular import Sheet, SpreadsheetError, TooManyRows, Workbook, read_workbook
from core.text import search_key, slugify_pl
from events.models import Project
from members.matching import CommuneNames, comparable_name
from members.models import POLAND, Institution
from members.scope import is_unrestricted, region_of
from territory.models import Commune, County, Voivodeship

from .exports import COLUMNS
from .models import DatePrecision, ImportedRecord, ImportRun, Membership, Partnership, TargetGroup, ThematicArea
from .resources import InstitutionResource, PartnershipResource, RegistryResource

NEW, CHANGED, UNCHANGED, ERROR = "new", "changed", "unchanged", "error"
SAME, AS_NEW = "same", "new"
STATE_LABELS = {
    NEW: pgettext_lazy("import row", "new"),
    CHANGED: pgettext_lazy("import row", "changed"),
    UNCHANGED: pgettext_lazy("import row", "unchanged"),
    ERROR: pgettext_lazy("import row", "error"),
}
BATCH = 2000
# Rows checked between two reports of a preview's progress (a large file's, in the worker).
PROGRESS_ROWS = 500
# Fields an institution read from a row is not checked for again: the slug is made when it is
# written, the commune was found among the units already (a check would query each).
NOT_CHECKED = ["slug", "logo", "logo_thumbnail", "search_text", "commune"]
PARTNERSHIP_M2M = {"area_county_teryt": "area_counties", "area_commune_teryt": "area_communes"}
TERM_M2M = {"target_groups": TargetGroup, "thematic_areas": ThematicArea}


@dataclass
class Change:
    column: str
    old: str
    new: str


@dataclass
class Record:
    """What one row does to one record."""

    model: type
    state: str
    label: str
    instance: object = None
    changes: list[Change] = field(default_factory=list)
    values: dict = field(default_factory=dict)  # field name -> new value
    m2m: dict = field(default_factory=dict)  # relation -> list of keys
    before: dict = field(default_factory=dict)  # field name -> old value (for undo)
    reason: str = ""  # why it is this existing record
    score: float = 0.0
    similar: Institution | None = None  # a match by name only, to be confirmed
    given: str = ""  # the name the row gives, where it found an existing record
    first_row: int = 0

    @property
    def kind_label(self) -> str:
        return str(self.model._meta.verbose_name)

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])


@dataclass
class Row:
    number: int
    sheet: str = ""
    records: list[Record] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column, message)

    @property
    def state(self) -> str:
        if self.errors:
            return ERROR
        states = {record.state for record in self.records if record.first_row == self.number}
        for state in (NEW, CHANGED):
            if state in states:
                return state
        return UNCHANGED

    @property
    def to_confirm(self) -> list[Record]:
        return [record for record in self.records if record.similar is not None]

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])

    @property
    def key(self) -> str:
        """How a decision about the row's match by name names it (``preview``'s ``decisions``)."""
        return f"{self.sheet}:{self.number}" if self.sheet else str(self.number)


@dataclass
class Preview:
    file_name: str
    kind: str = ""  # "partnerships" or "institutions"
    workbook: Workbook | None = None
    rows: list[Row] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # about the whole file
    records: list[Record] = field(default_factory=list)  # each once, in the order to write

    def counts(self) -> dict[str, int]:
        counts = {NEW: 0, CHANGED: 0, UNCHANGED: 0}
        for record in self.records:
            counts[record.state] += 1
        counts[ERROR] = sum(1 for row in self.rows if row.errors) + len(self.errors)
        return counts

    @property
    def has_errors(self) -> bool:
        return bool(self.errors) or any(row.errors for row in self.rows)

    @property
    def to_confirm(self) -> list[tuple[Row, Record]]:
        return [(row, record) for row in self.rows for record in row.to_confirm]

    def undecided(self, decisions: dict) -> list[tuple[Row, Record]]:
        return [(row, record) for row, record in self.to_confirm if decisions.get(row.key) not in {SAME, AS_NEW}]


class Places:
    """The territorial units, read once (three queries): by code, and by folded name."""

    def __init__(self) -> None:
        self.voivodeships = dict(Voivodeship.objects.values_list("code", "name"))
        self.voivodeship_by_name = {search_key(name): code for code, name in self.voivodeships.items()}
        self.counties = {
            code: (name, str(kind)) for code, name, kind in County.objects.values_list("code", "name", "kind")
        }
        self.communes = {}
        self.by_name = {County: defaultdict(list), Commune: defaultdict(list)}
        for code, name in self.counties.items():
            self.by_name[County][search_key(name[0])].append(code)
        for code, name, kind in Commune.objects.values_list("code", "name", "kind"):
            self.communes[code] = (name, kind)
            self.by_name[Commune][search_key(name)].append(code)
        self.kind_labels = dict(Commune.Kind.choices)

    def voivodeship(self, text: str) -> str:
        """The code of a voivodeship given by code or name ("mazowieckie", "województwo mazowieckie")."""
        if not text:
            return ""
        folded = search_key(text).removeprefix("wojewodztwo ").strip()
        if folded.isdigit() and folded.zfill(2) in self.voivodeships:
            return folded.zfill(2)
        if folded in self.voivodeship_by_name:
            return self.voivodeship_by_name[folded]
        raise ValueError(_("There is no voivodeship “%(value)s”.") % {"value": text})

    def describe(self, model, code: str) -> str:
        if model is County:
            return f"{code} {self.counties[code][0]} ({self.voivodeships[code[:2]]})"
        name, kind = self.communes[code]
        county = self.counties.get(code[:4], (code[:4],))[0]
        return f"{code} {name} ({self.kind_labels[kind]}, {_('county')} {county}, {self.voivodeships[code[:2]]})"

    def unit(self, model, value: str, within: str = "") -> str:
        """The code of the county or commune ``value`` (a code, or a name looked up within the
        voivodeship ``within`` first); a name that fits several units is an error naming them."""
        known = self.counties if model is County else self.communes
        if value.isdigit():
            if value not in known:
                raise ValueError(_("There is no unit with the TERYT code %(code)s.") % {"code": value})
            return value
        candidates = self.by_name[model].get(search_key(value), [])
        inside = [code for code in candidates if code.startswith(within)] if within else []
        found = inside or candidates
        if len(found) == 1:
            return found[0]
        if not found:
            raise ValueError(_("There is no unit named “%(value)s”.") % {"value": value})
        raise ValueError(
            _("“%(value)s” fits several units: %(candidates)s. Give the TERYT code.")
            % {"value": value, "candidates": "; ".join(self.describe(model, code) for code in sorted(found))}
        )


class Institutions:
    """The existing institutions the file names by a slug or a register's number, read in bulk,
    and the gminas' names for matching by name (``members.matching.CommuneNames``)."""

    KEYS = ("nip", "regon", "krs", "slug")

    def __init__(self, values: dict[str, set[str]]) -> None:
        self.by = {key: {} for key in self.KEYS}
        for key in self.KEYS:
            wanted = sorted(value for value in values.get(key, ()) if value)
            for start in range(0, len(wanted), BATCH):
                for institution in Institution.objects.filter(**{f"{key}__in": wanted[start : start + BATCH]}):
                    for other in self.KEYS:
                        if getattr(institution, other):
                            self.by[other][getattr(institution, other)] = institution
        self.names = CommuneNames()
        self.new: dict[tuple, Record] = {}  # institutions added by this file, by their keys
        self.listed: set[int] = set()  # existing institutions already in the preview's records

    def match(self, values: dict) -> tuple[Institution | None, str, float]:
        labels = {
            "nip": _("the same NIP"),
            "regon": _("the same REGON"),
            "krs": _("the same KRS number"),
            "slug": _("the same slug"),
        }
        for key in self.KEYS:
            found = self.by[key].get(values.get(key) or "")
            if found is not None:
                return found, str(labels[key]), 100.0
        if values.get("name") and values.get("commune_id"):
            alike = self.names.alike(values["name"], values["commune_id"], limit=1)
            if alike:
                pk, score = alike[0]
                reason = _("a very similar name in the same gmina (%(score)d%%)") % {"score": round(score)}
                return Institution.objects.get(pk=pk), str(reason), score
        return None, "", 0.0


def is_large(name: str, data: bytes) -> bool:
    """Whether a sheet of the file has more than ``IMPORT_INLINE_ROWS`` data rows: too many to
    preview within a request (``partnerships.tasks.preview_import`` does it). Reads at most one
    row past the limit. A file that cannot be read is not large: its preview, in the request,
    says at once what is wrong with it."""
    try:
        read_workbook(name, data, max_rows=settings.IMPORT_INLINE_ROWS)
    except TooManyRows:
        return True
    except SpreadsheetError:
        return False
    return False


def preview(
    name: str,
    data: bytes,
    user,
    decisions: dict | None = None,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> Preview:
    """What importing the file would do; writes nothing. ``decisions``: a row's key -> ``SAME``
    or ``AS_NEW`` for the rows whose institution matched by name only. ``progress(done, total)``
    is told how many of the file's rows are checked, every ``PROGRESS_ROWS`` rows."""
    result = Preview(name)
    with translation.override("pl"):
        try:
            result.workbook = read_workbook(name, data)
        except SpreadsheetError as error:
            result.errors.append(str(error))
            return result
        region = None if is_unrestricted(user) else region_of(user)
        if region is None and not is_unrestricted(user):
            result.errors.append(_("Your account belongs to no regional centre, so it can import nothing."))
            return result
        planner = Planner(result, region, decisions or {})
        found = [(sheet, *planner.identify(sheet)) for sheet in result.workbook.sheets]
        found = [(sheet, resource, known) for sheet, resource, known in found if resource is not None]
        if result.errors:
            return result
        if not found:
            result.errors.append(_("No sheet of the file has the registry's columns; start from the template."))
            return result
        many = len(result.workbook.sheets) > 1
        read = [(resource, planner.read(sheet, resource, known, many)) for sheet, resource, known in found]
        identifiers = defaultdict(set)
        for resource, rows in read:
            prefix = "member_" if isinstance(resource, PartnershipResource) else ""
            for key, values in planner.identifiers(rows, prefix).items():
                identifiers[key] |= values
        planner.institutions = Institutions(identifiers)
        total = sum(len(rows) for _resource, rows in read)
        planner.progress = lambda done: progress(done, total)
        progress(0, total)
        # Institutions first, so that a member row finds an institution its file adds.
        for resource, rows in sorted(read, key=lambda item: isinstance(item[0], PartnershipResource)):
            if isinstance(resource, PartnershipResource):
                planner.plan_partnerships(rows)
            else:
                planner.plan_institutions(rows)
        kinds = {"partnerships" if isinstance(r, PartnershipResource) else "institutions" for r, _rows in read}
        result.kind = "partnerships" if kinds == {"partnerships"} else "institutions" if len(kinds) == 1 else "registry"
        progress(total, total)
    return result


def summary(result: Preview) -> dict:
    """What the preview page shows of ``result``, as JSON: kept by the job that previews a large
    file, and shown from it (``shown_summary``) without reading the file again."""

    def record(record: Record) -> dict:
        return {
            "model": record.model._meta.label_lower,
            "label": str(record.label),
            "state": record.state,
            "reason": str(record.reason),
            "similar": str(record.similar) if record.similar is not None else "",
            "given": str(record.given),
            "changes": [{"column": str(c.column), "old": str(c.old), "new": str(c.new)} for c in record.changes],
        }

    workbook = result.workbook
    return {
        "file_name": result.file_name,
        "workbook": workbook
        and {"file_format": workbook.file_format, "encoding": workbook.encoding, "delimiter": workbook.delimiter},
        "errors": [str(error) for error in result.errors],
        "has_errors": result.has_errors,
        "counts": result.counts(),
        "rows": [
            {
                "number": row.number,
                "sheet": row.sheet,
                "key": row.key,
                "state": row.state,
                "errors": [[str(column), str(message)] for column, message in row.errors],
                "records": [record(r) for r in row.records],
            }
            for row in result.rows
        ],
    }


def shown_summary(stored: dict) -> dict:
    """A ``summary`` as the preview's template reads a ``Preview``: the same names, the labels
    in the language of the page."""
    kinds = {}
    for row in stored["rows"]:
        row["state_label"] = str(STATE_LABELS[row["state"]])
        for record in row["records"]:
            record["state_label"] = str(STATE_LABELS[record["state"]])
            if record["model"] not in kinds:
                kinds[record["model"]] = str(apps.get_model(record["model"])._meta.verbose_name)
            record["kind_label"] = kinds[record["model"]]
    stored["to_confirm"] = [(row, record) for row in stored["rows"] for record in row["records"] if record["similar"]]
    return stored


def stored_undecided(stored: dict, decisions: dict) -> bool:
    """Whether a match by name of a ``shown_summary`` is left without a decision."""
    return any(decisions.get(row["key"]) not in {SAME, AS_NEW} for row, _record in stored["to_confirm"])


class Planner:
    def __init__(self, result: Preview, region: str | None, decisions: dict) -> None:
        self.result = result
        self.region = region
        self.decisions = decisions
        self.places = Places()
        # The memberships of the file's existing partnerships: partnership -> institution -> list.
        self.memberships = defaultdict(lambda: defaultdict(list))
        self.progress: Callable[[int], None] = lambda done: None
        self.checked = 0

    def tick(self) -> None:
        """One more row checked; the progress told every ``PROGRESS_ROWS``."""
        self.checked += 1
        if not self.checked % PROGRESS_ROWS:
            self.progress(self.checked)

    def identify(self, sheet: Sheet):
        """Which resource the sheet's header is of, and the column of each header; None when
        the sheet is not one of the registry's (an explanation sheet, say)."""
        prefix = f"{sheet.name}: " if len(self.result.workbook.sheets) > 1 else ""
        candidates = []
        for resource in (PartnershipResource(), InstitutionResource()):
            columns = resource.columns()
            known = [columns.get(search_key(header)) for header in sheet.headers]
            keys = {column.attribute for column in known if column}
            candidates.append((len(keys), isinstance(resource, PartnershipResource), resource, known, keys))
        # The resource more of whose columns the header names (partnerships on a tie).
        count, _partnerships, resource, known, keys = max(candidates, key=lambda item: item[:2])
        if count >= 2:
            missing = [
                capfirst(str(field.column_name))
                for field in resource.get_export_fields()
                if field.attribute in resource.REQUIRED and field.attribute not in keys
            ]
            if missing:
                self.result.errors.append(
                    prefix
                    + _("Missing columns: %(columns)s.") % {"columns": ", ".join(f"„{name}”" for name in missing)}
                )
                return None, None
            unknown = [
                header or f"({index + 1})"
                for index, (header, column) in enumerate(zip(sheet.headers, known, strict=False))
                if column is None
            ]
            if unknown:
                self.result.errors.append(
                    prefix
                    + _("Unknown columns: %(columns)s. Use the headers of the template.")
                    % {"columns": ", ".join(f"„{header}”" for header in unknown)}
                )
                return None, None
            return resource, known
        if len(self.result.workbook.sheets) == 1:
            self.result.errors.append(
                _("The header row has none of the registry's columns: %(columns)s. Start from the template.")
                % {"columns": ", ".join(f"„{header}”" for header in sheet.headers if header)[:300]}
            )
        return None, None

    def read(self, sheet: Sheet, resource: RegistryResource, known: list, many: bool) -> list[tuple[Row, dict, dict]]:
        """Each data row's cells cleaned by their columns' widgets: (row, values, headers)."""
        rows = []
        headers = {column.attribute: capfirst(str(column.column_name)) for column in known if column}
        for number, cells in sheet.rows:
            row = Row(number, sheet.name if many else "")
            values = {}
            for column, cell in zip(known, cells, strict=False):
                if column is None:
                    continue
                try:
                    values[column.attribute] = column.widget.clean(cell)
                except ValueError as error:
                    row.errors.append((headers[column.attribute], str(error)))
            for column in filter(None, known):
                values.setdefault(column.attribute, column.widget.clean(None))
            self.result.rows.append(row)
            rows.append((row, values, headers))
        return rows

    # Scope ---------------------------------------------------------------------------------

    def refuse_region(self, row: Row, column: str, region: str | None) -> bool:
        if self.region is None or region == self.region:
            return False
        row.errors.append(
            (
                column,
                _("You keep the records of the voivodeship %(own)s only; this one belongs to %(other)s.")
                % {
                    "own": self.places.voivodeships.get(self.region, self.region),
                    "other": self.places.voivodeships.get(region, _("no voivodeship"))
                    if region
                    else _("no voivodeship"),
                },
            )
        )
        return True

    # Institutions --------------------------------------------------------------------------

    def institution_values(self, row: Row, values: dict, headers: dict, prefix: str) -> dict:
        """The institution's fields from a row's cells named ``prefix + key``."""
        wanted = {}
        for key in (
            "slug",
            "name",
            "short_name",
            "kind",
            "nip",
            "regon",
            "krs",
            "country",
            "address",
            "website",
            "email",
            "phone",
            "last_verified_on",
        ):
            if prefix + key in values:
                wanted[key] = values[prefix + key]
        if "country" in wanted:
            wanted["country"] = (wanted["country"] or POLAND).upper()
        code, name = values.get(prefix + "commune_teryt", ""), values.get(prefix + "commune", "")
        try:
            within = self.places.voivodeship(values.get(prefix + "voivodeship", ""))
            if code:
                wanted["commune_id"] = self.places.unit(Commune, code)
            elif name:
                wanted["commune_id"] = self.places.unit(Commune, name, within)
            elif prefix + "commune_teryt" in values or prefix + "commune" in values:
                wanted["commune_id"] = None
        except ValueError as error:
            column = headers.get(prefix + "commune_teryt") if code else headers.get(prefix + "commune")
            row.errors.append((column or headers.get(prefix + "voivodeship", ""), str(error)))
        return wanted

    def institution_record(self, row: Row, wanted: dict, headers: dict, prefix: str, *, update: bool) -> Record | None:
        existing, reason, score = self.institutions.match(wanted)
        similar = None
        if existing is not None and score < 100:
            decision = self.decisions.get(row.key)
            similar = existing
            if decision == AS_NEW:
                existing, reason, similar = None, "", None
            elif decision == SAME:
                similar = None
        if existing is None:
            key = self.new_key(wanted)
            if key in self.institutions.new:
                record = self.institutions.new[key]
                row.records.append(record)
                return record
            missing = [k for k in ("name", "kind") if not wanted.get(k)]
            if missing:
                for key_name in missing:
                    row.errors.append(
                        (headers.get(prefix + key_name, key_name), _("A new institution needs this column."))
                    )
                return None
            instance = Institution(**{k: v for k, v in wanted.items() if k != "slug"})
            instance.slug = wanted.get("slug") or ""
            if self.refuse_region(
                row, headers.get(prefix + "commune_teryt", ""), region_of_commune(instance.commune_id)
            ):
                return None
            if not self.valid(row, instance, headers, prefix, exclude=NOT_CHECKED):
                return None
            record = Record(Institution, NEW, instance.name, instance, values=wanted, first_row=row.number)
            self.institutions.new[key] = record
            row.records.append(record)
            self.result.records.append(record)
            return record
        record = Record(
            Institution, UNCHANGED, existing.name, existing, reason=reason, score=score, first_row=row.number
        )
        record.similar = similar
        record.given = wanted.get("name", "")
        if similar is not None:
            record.label = f"„{record.given}” → {existing.name}"
        if update:
            self.compare(record, wanted, headers, prefix)
            if record.state == CHANGED:
                if self.refuse_region(row, headers.get(prefix + "name", ""), region_of_commune(existing.commune_id)):
                    return None
                changed = Institution(**{**self.field_values(existing), **wanted, "pk": existing.pk})
                if self.refuse_region(
                    row, headers.get(prefix + "commune_teryt", ""), region_of_commune(changed.commune_id)
                ):
                    return None
                if not self.valid(row, changed, headers, prefix, exclude=NOT_CHECKED):
                    return None
        if existing.pk not in self.institutions.listed:
            self.institutions.listed.add(existing.pk)
            self.result.records.append(record)
        else:
            record.first_row = 0  # counted with the row that named it first
        row.records.append(record)
        return record

    @staticmethod
    def new_key(wanted: dict) -> tuple:
        for key in ("nip", "regon", "krs"):
            if wanted.get(key):
                return (key, wanted[key])
        return ("name", comparable_name(wanted.get("name", "")), wanted.get("commune_id"), wanted.get("country"))

    @staticmethod
    def field_values(instance) -> dict:
        return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields if not f.primary_key}

    def valid(self, row: Row, instance, headers: dict, prefix: str, exclude: list) -> bool:
        try:
            instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                column = headers.get(prefix + name.removesuffix("_id")) or headers.get(prefix + "name", name)
                row.errors.extend((column, message) for message in messages)
            return False
        return True

    def compare(self, record: Record, wanted: dict, headers: dict, prefix: str) -> None:
        instance = record.instance
        for key, value in wanted.items():
            attname = key
            old = getattr(instance, attname)
            if key == "slug" and not value:
                continue
            if (old or None) != (value or None):
                record.changes.append(
                    Change(headers.get(prefix + key.removesuffix("_id"), key), _shown(old), _shown(value))
                )
                record.values[attname] = value
                record.before[attname] = old
        if record.changes:
            record.state = CHANGED

    def plan_institutions(self, rows: list) -> None:
        for row, values, headers in rows:
            self.tick()
            if row.errors:
                continue
            wanted = self.institution_values(row, values, headers, "")
            if row.errors:
                continue
            self.institution_record(row, wanted, headers, "", update=True)

    @staticmethod
    def identifiers(rows, prefix: str) -> dict[str, set]:
        found = defaultdict(set)
        for _row, values, _headers in rows:
            for key in Institutions.KEYS:
                if values.get(prefix + key):
                    found[key].add(values[prefix + key])
        return found

    # Partnerships --------------------------------------------------------------------------

    def plan_partnerships(self, rows: list) -> None:
        # The existing partnerships the file names, by slug or by name within their home
        # voivodeship, read in batches with the relations the comparison needs.
        regions = {values.get("home_voivodeship_teryt") or self.region for _r, values, _h in rows} - {None, ""}
        by_name = {}
        for pk, home, name in Partnership.objects.filter(home_voivodeship__in=regions).values_list(
            "pk", "home_voivodeship", "name"
        ):
            by_name.setdefault((home, search_key(name)), pk)
        slugs = sorted({values["slug"] for _row, values, _headers in rows if values.get("slug")})
        named = sorted(
            {
                by_name[key]
                for _row, values, _headers in rows
                if not values.get("slug")
                and (key := (values.get("home_voivodeship_teryt") or self.region, search_key(values.get("name", ""))))
                in by_name
            }
        )
        relations = [*PARTNERSHIP_M2M.values(), *TERM_M2M]
        existing, existing_by_pk = {}, {}
        for key_name, wanted in (("slug", slugs), ("pk", named)):
            for start in range(0, len(wanted), BATCH):
                chunk = Partnership.objects.filter(**{f"{key_name}__in": wanted[start : start + BATCH]})
                for partnership in chunk.prefetch_related(*relations):
                    existing[partnership.slug] = existing_by_pk[partnership.pk] = partnership
        pks = sorted(existing_by_pk)
        for start in range(0, len(pks), BATCH):
            for membership in Membership.objects.filter(partnership__in=pks[start : start + BATCH]):
                self.memberships[membership.partnership_id][membership.institution_id].append(membership)
        self.terms = {
            key: {
                search_key(getattr(t, attr)): t.pk
                for t in model.objects.all()
                for attr in ("name", "slug", "name_en")
                if getattr(t, attr)
            }
            for key, model in TERM_M2M.items()
        }
        self.projects = {search_key(name): pk for pk, name in Project.objects.values_list("pk", "name")}
        planned: dict[object, Record] = {}
        rows_of: dict[object, list] = defaultdict(list)
        for row, values, headers in rows:
            self.tick()
            if row.errors:
                continue
            home = values.get("home_voivodeship_teryt") or self.region or ""
            key = ("slug", values["slug"]) if values.get("slug") else ("name", home, search_key(values.get("name", "")))
            if key not in planned:
                found = existing.get(values.get("slug")) if values.get("slug") else None
                reason = str(_("the same slug")) if found else ""
                if found is None and not values.get("slug"):
                    pk = by_name.get((home, search_key(values.get("name", ""))))
                    if pk:
                        found, reason = existing_by_pk[pk], str(_("the same name in the voivodeship"))
                record = self.partnership_record(row, values, headers, found, home)
                if record is None:
                    continue
                record.reason = reason
                planned[key] = record
                rows_of[key].append((row, values))
                self.result.records.append(record)
            else:
                record = planned[key]
                first_row, first_values = rows_of[key][0]
                differing = [
                    headers[k]
                    for k in PartnershipResource.PARTNERSHIP_KEYS
                    if k in values and values[k] != first_values.get(k) and (values[k] or k not in ("slug",))
                ]
                if differing:
                    row.errors.append(
                        (
                            differing[0],
                            _("The partnership's columns differ from its row %(row)d: %(columns)s.")
                            % {"row": first_row.number, "columns": ", ".join(differing)},
                        )
                    )
                    continue
                rows_of[key].append((row, values))
            row.records.append(record)
            self.plan_member(row, values, headers, planned[key])

    def partnership_record(self, row: Row, values: dict, headers: dict, found, home: str) -> Record | None:
        wanted = {"name": values.get("name", "")}
        if not wanted["name"]:
            row.errors.append((headers["name"], _("The name is required.")))
            return None
        if home not in self.places.voivodeships:
            row.errors.append(
                (headers.get("home_voivodeship_teryt", ""), _("Give the TERYT code of the home voivodeship."))
            )
            return None
        wanted["home_voivodeship_id"] = home
        if (values.get("status") or found is None) and not self.status_values(row, values, headers, found, wanted):
            return None
        for key in ("stage", "website", "declared_member_count", "last_verified_on"):
            if key in values:
                wanted[key] = values[key]
        if "founded" in values:
            wanted["founded_on"], wanted["founded_precision"] = values["founded"]
        if "founding_kind" in values:
            wanted["founding_kind"] = values["founding_kind"] or Partnership.FoundingKind.FOUNDED
        if values.get("project"):
            pk = self.projects.get(search_key(values["project"]))
            if pk is None:
                row.errors.append(
                    (headers["project"], _("There is no project “%(value)s”.") % {"value": values["project"]})
                )
                return None
            wanted["project_id"] = pk
        elif "project" in values:
            wanted["project_id"] = None
        m2m = {}
        for key, relation in PARTNERSHIP_M2M.items():
            if key in values:
                model = County if relation == "area_counties" else Commune
                codes = []
                for item in values[key]:
                    try:
                        codes.append(self.places.unit(model, item, home))
                    except ValueError as error:
                        row.errors.append((headers[key], str(error)))
                m2m[relation] = sorted(set(codes))
        for key in TERM_M2M:
            if key in values:
                pks = []
                for item in values[key]:
                    pk = self.terms[key].get(search_key(item))
                    if pk is None:
                        row.errors.append((headers[key], _("There is no term “%(value)s”.") % {"value": item}))
                    pks.append(pk)
                m2m[key] = sorted(set(pks) - {None})
        if row.errors:
            return None
        if self.refuse_region(row, headers.get("home_voivodeship_teryt", headers["name"]), home):
            return None
        if found is not None and self.refuse_region(row, headers["name"], found.home_voivodeship_id):
            return None
        if found is None:
            instance = Partnership(**wanted)
            instance.slug = values.get("slug") or ""
            instance.clean()
            record = Record(Partnership, NEW, instance.name, instance, values=wanted, m2m=m2m, first_row=row.number)
            return record
        record = Record(Partnership, UNCHANGED, found.name, found, first_row=row.number)
        self.compare(record, wanted, headers, "")
        for relation, keys in m2m.items():
            old = sorted(unit.pk for unit in getattr(found, relation).all())  # prefetched
            if old != keys:
                column = headers[{v: k for k, v in PARTNERSHIP_M2M.items()}.get(relation, relation)]
                record.changes.append(Change(column, "|".join(map(str, old)), "|".join(map(str, keys))))
                record.m2m[relation] = keys
                record.before[relation] = old
                record.state = CHANGED
        return record

    def status_values(self, row: Row, values: dict, headers: dict, found, wanted: dict) -> bool:
        """The status with its date and who stated it into ``wanted``; False (a row error) when a
        known status has no date. A status is unknown unless the file says otherwise (issue 16):
        the import never makes one up, nor the day it held."""
        status = values.get("status") or Partnership.Status.UNKNOWN
        stated_on, precision = values.get("status_stated_on") or (None, DatePrecision.DAY)
        if status != Partnership.Status.UNKNOWN and stated_on is None:
            # The header as the file has it (in Polish), or would have it when the column is missing.
            with translation.override("pl"):
                column = headers.get("status_stated_on") or capfirst(str(COLUMNS["status_stated_on"]))
            label = Partnership.Status(status).label
            row.errors.append(
                (
                    column,
                    _("The status “%(status)s” needs the date as of which it was stated (column “%(column)s”).")
                    % {"status": label, "column": column},
                )
            )
            return False
        stated_by = values.get("status_stated_by", "")
        unchanged = found is not None and (found.status, found.status_stated_on, found.status_stated_precision) == (
            status,
            stated_on,
            precision,
        )
        if not stated_by and stated_on is not None:
            # A file that does not say who stated the status: the staff importing it did, unless
            # it only repeats what is held, which keeps its own author.
            stated_by = (found.status_stated_by if unchanged else "") or Partnership.StatusStatedBy.STAFF
        wanted.update(
            status=status, status_stated_on=stated_on, status_stated_precision=precision, status_stated_by=stated_by
        )
        return True

    def plan_member(self, row: Row, values: dict, headers: dict, partnership: Record) -> None:
        if not any(
            values.get(key) for key in ("member_name", "member_slug", "member_nip", "member_regon", "member_krs")
        ):
            return
        wanted = self.institution_values(row, values, headers, "member_")
        if row.errors:
            return
        institution = self.institution_record(row, wanted, headers, "member_", update=False)
        if institution is None:
            return
        fields_ = {
            "role": values.get("member_role") or Membership.Role.PARTNER,
            "joined_on": values.get("member_joined_on"),
            "left_on": values.get("member_left_on"),
        }
        current = None
        if partnership.instance.pk and institution.instance.pk and institution.similar is None:
            memberships = self.memberships[partnership.instance.pk].get(institution.instance.pk, [])
            current = next(
                (m for m in memberships if m.joined_on == fields_["joined_on"] and m.left_on == fields_["left_on"]),
                None,
            )
            current = current or next((m for m in memberships if m.left_on is None), None)
        label = f"{institution.label} – {partnership.label}"
        if current is None:
            membership = Membership(**fields_)
            record = Record(Membership, NEW, label, membership, values=fields_, first_row=row.number)
            record.partnership, record.institution = partnership, institution
            if fields_["left_on"] and fields_["joined_on"] and fields_["left_on"] < fields_["joined_on"]:
                row.errors.append(
                    (headers["member_left_on"], _("The date of leaving cannot be before the date of joining."))
                )
                return
        else:
            record = Record(Membership, UNCHANGED, label, current, first_row=row.number)
            self.compare(record, fields_, headers, "member_")
        row.records.append(record)
        self.result.records.append(record)


def region_of_commune(code: str | None) -> str | None:
    """The voivodeship of a gmina: the first two digits of its TERYT code (the register's rule,
    a constraint of ``Commune``), without a query per row."""
    return code[:2] if code else None


def _shown(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


# Writing -------------------------------------------------------------------------------------


def reason_for(run: ImportRun, row: int) -> str:
    """The history's reason of a record written from ``row`` (history keeps 100 characters)."""
    name = run.file_name if len(run.file_name) <= 40 else run.file_name[:37] + "…"
    return _("Import no. %(run)d from “%(file)s”, row %(row)d") % {"run": run.pk, "file": name, "row": row}


class ImportRefused(Exception):
    """The import cannot be written or undone; the message says why."""


def check_can_apply(result: Preview, decisions: dict | None = None) -> None:
    """Raise ``ImportRefused`` if ``apply`` would refuse the preview: errors, or matches undecided."""
    if result.has_errors:
        raise ImportRefused(_("The file has errors; nothing was written."))
    if result.undecided(decisions or {}):
        raise ImportRefused(_("Confirm or reject each match by a similar name first."))


def apply(result: Preview, run: ImportRun, user, decisions: dict | None = None) -> None:
    """Write everything ``result`` plans, in one transaction; nothing if any row is in error.

    New records are created in bulk with their history rows (simple-history's
    ``bulk_create_with_history``; a new partnership's relations copied into its history row as
    simple-history copies them on a save), changed ones saved one by one: a voivodeship's file
    adds thousands of records, and a save with its history costs a dozen queries.
    """
    check_can_apply(result, decisions)
    written = [record for record in result.records if record.state != UNCHANGED]
    with transaction.atomic(), translation.override("pl"):
        taken = _taken_slugs(result.records)
        for record in written:
            instance = record.instance
            instance._change_reason = reason_for(run, record.first_row or 0)  # simple-history's documented way
            instance._history_user = user
            if record.state == NEW and record.model is not Membership and not instance.slug:
                instance.slug = _free_slug(slugify_pl(instance.name)[:100] or "rekord", taken)
        new = defaultdict(list)
        for record in written:
            if record.state == NEW:
                new[record.model].append(record)
        for record in new[Institution]:
            record.instance.set_search_text()
        bulk_create_with_history(
            [r.instance for r in new[Institution]], Institution, batch_size=BATCH, default_user=user
        )
        _create_partnerships(new[Partnership], user)
        for record in written:
            if record.state != CHANGED:
                continue
            for attname, value in record.values.items():
                setattr(record.instance, attname, value)
            if record.m2m:
                # The relations first, without history rows of their own; the save then writes
                # one history row holding them.
                record.instance.skip_history_when_saving = True
                for relation, keys in record.m2m.items():
                    getattr(record.instance, relation).set(keys)
                del record.instance.skip_history_when_saving
            record.instance.save()
        for record in new[Membership]:
            record.instance.partnership = record.partnership.instance
            record.instance.institution = record.institution.instance
        bulk_create_with_history([r.instance for r in new[Membership]], Membership, batch_size=BATCH, default_user=user)
        touched = {r.instance.partnership_id for r in written if r.model is Membership}
        touched_list = sorted(touched)
        for start in range(0, len(touched_list), BATCH):
            Partnership.objects.filter(pk__in=touched_list[start : start + BATCH]).refresh_member_fields()
        _record(run, written)
        run.counts = result.counts()
        run.state = ImportRun.State.DONE
        run.save()


def _create_partnerships(records: list[Record], user) -> None:
    """New partnerships, their relations, and one history row each holding those relations."""
    if not records:
        return
    instances = [record.instance for record in records]
    for instance in instances:
        instance.set_search_text()
    Partnership.objects.bulk_create(instances, batch_size=BATCH)
    through_rows = defaultdict(list)
    for record in records:
        for relation, keys in record.m2m.items():
            descriptor = getattr(Partnership, relation)
            own, other = descriptor.field.m2m_field_name(), descriptor.field.m2m_reverse_field_name()
            through_rows[relation].extend(
                descriptor.through(**{f"{own}_id": record.instance.pk, f"{other}_id": key}) for key in keys
            )
    for relation, rows in through_rows.items():
        getattr(Partnership, relation).through.objects.bulk_create(rows, batch_size=BATCH)
    history = Partnership.history.bulk_history_create(instances, batch_size=BATCH, default_user=user)
    row_of = {row.id: row for row in history}
    # simple-history keeps a copy of each relation's rows per history row (m2m_fields), which
    # the restore of a deleted partnership reads (partnerships.history).
    copies = {related.related_model: related for related in Partnership.history.model._meta.related_objects}
    for relation, rows in through_rows.items():
        through = getattr(Partnership, relation).through
        copy_model = next(model for model in copies if model._meta.model_name.endswith("_" + relation))
        names = [field.attname for field in through._meta.concrete_fields]
        copy_model.objects.bulk_create(
            [
                copy_model(history=row_of[row.partnership_id], **{name: getattr(row, name) for name in names})
                for row in rows
            ],
            batch_size=BATCH,
        )


def _taken_slugs(records: list[Record]) -> dict[type, set]:
    """The slugs new records could collide with: those their bases already are (one query per
    batch), and the numbered ones of the few bases that are taken."""
    taken = {}
    for model in (Institution, Partnership):
        bases = sorted({slugify_pl(r.instance.name)[:100] for r in records if r.model is model and r.state == NEW})
        found = set()
        for start in range(0, len(bases), BATCH):
            found.update(model.objects.filter(slug__in=bases[start : start + BATCH]).values_list("slug", flat=True))
        for base in sorted(found):
            found.update(model.objects.filter(slug__startswith=base + "-").values_list("slug", flat=True))
        taken[model] = found
    return taken


def _free_slug(base: str, taken: dict) -> str:
    slug, number = base, 2
    all_taken = set().union(*taken.values())
    while slug in all_taken:
        slug, number = f"{base}-{number}", number + 1
    for found in taken.values():
        found.add(slug)
    return slug


def _record(run: ImportRun, written: list[Record]) -> None:
    """Note every record written and its history row, so that the whole import can be undone."""
    latest = {}
    by_model = defaultdict(list)
    for record in written:
        by_model[record.model].append(record.instance.pk)
    for model, pks in by_model.items():
        for start in range(0, len(pks), BATCH):
            rows = model.history.filter(id__in=pks[start : start + BATCH]).values("id").annotate(last=Max("history_id"))
            latest.update({(model, row["id"]): row["last"] for row in rows})
    ImportedRecord.objects.bulk_create(
        [
            ImportedRecord(
                run=run,
                model=record.model._meta.label_lower,
                object_id=record.instance.pk,
                created=record.state == NEW,
                history_id=latest.get((record.model, record.instance.pk)),
                before=_json(record.before),
            )
            for record in written
        ],
        batch_size=BATCH,
    )


def _json(values: dict) -> dict:
    return {k: v.isoformat() if isinstance(v, datetime.date) else v for k, v in values.items()}


MODELS = {model._meta.label_lower: model for model in (Institution, Partnership, Membership)}
UNDO_ORDER = ["partnerships.membership", "partnerships.partnership", "members.institution"]


def changed_since(run: ImportRun) -> list[str]:
    """The records of ``run`` that something has changed after it (their latest history row is
    not the import's): undo would overwrite that change, so it is refused."""
    changed = []
    for label, model in MODELS.items():
        records = {r.object_id: r.history_id for r in run.records.filter(model=label)}
        if not records:
            continue
        pks = list(records)
        seen = set()
        for start in range(0, len(pks), BATCH):
            rows = model.history.filter(id__in=pks[start : start + BATCH]).values("id").annotate(last=Max("history_id"))
            for row in rows:
                seen.add(row["id"])
                if row["last"] != records[row["id"]]:
                    changed.append(f"{model._meta.verbose_name} {row['id']}")
        changed.extend(f"{model._meta.verbose_name} {pk}" for pk in pks if pk not in seen)
    return changed


def undo(run: ImportRun, user) -> None:
    """Take back everything ``run`` wrote, in one transaction; refused if anything changed since."""
    if run.state != ImportRun.State.DONE:
        raise ImportRefused(_("Only a finished import can be undone."))
    if not is_unrestricted(user) and region_of(user) != run.voivodeship_id:
        raise ImportRefused(_("Only staff of the region that imported the file can undo it."))
    changed = changed_since(run)
    if changed:
        raise ImportRefused(
            _("The records were changed after the import, so it cannot be undone: %(records)s.")
            % {"records": ", ".join(changed[:10])}
        )
    reason = _("Undo of import no. %(run)d") % {"run": run.pk}
    touched = set()
    try:
        with transaction.atomic():
            for label in UNDO_ORDER:
                model = MODELS[label]
                records = list(run.records.filter(model=label))
                instances = model.objects.in_bulk([r.object_id for r in records])
                for record in records:
                    instance = instances.get(record.object_id)
                    if instance is None:
                        continue
                    instance._change_reason = reason
                    instance._history_user = user
                    if model is Membership:
                        touched.add(instance.partnership_id)
                    if record.created:
                        instance.delete()
                        continue
                    for name, value in record.before.items():
                        if name in {f.name for f in model._meta.many_to_many}:
                            getattr(instance, name).set(value)
                        else:
                            setattr(instance, name, model._meta.get_field(name).to_python(value))
                    instance.save()
            Partnership.objects.filter(pk__in=touched).refresh_member_fields()
            run.state = ImportRun.State.UNDONE
            run.save(update_fields=["state"])
    except ProtectedError as error:
        raise ImportRefused(
            _("Records added since point at the imported ones, so the import cannot be undone.")
        ) from error
