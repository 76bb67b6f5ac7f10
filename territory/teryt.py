"""Reading GUS's TERC register (CSV or XML) and bringing the territory tables in line with it.

The whole file is read and checked before anything is written, and the writes happen in
one transaction: a malformed or truncated file changes nothing.

What is stored: voivodeships, powiats (with cities with county rights) and gminas (RODZ 1,
2, 3). Gmina parts (RODZ 4: the town, 5: the rural area of an urban-rural gmina) and city
districts (RODZ 8: Warsaw's dzielnice, 9: delegatury of Kraków, Łódź, Poznań, Wrocław) are
not units of self-government: a partnership or an institution there belongs to the gmina
that contains it, so they are counted as skipped and not stored.
"""

import csv
import datetime
import io
import re
import xml.parsers.expat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from core.cache import records_changed
from core.text import slugify_pl

from .models import Commune, County, Voivodeship

COLUMNS = ("WOJ", "POW", "GMI", "RODZ", "NAZWA", "NAZWA_DOD", "STAN_NA")
COUNTY_KINDS = {
    "powiat": County.Kind.LAND,
    "miasto na prawach powiatu": County.Kind.CITY,
    "miasto stołeczne, na prawach powiatu": County.Kind.CAPITAL,
}
COMMUNE_KINDS = {"1", "2", "3"}
SKIPPED_KINDS = {"4", "5", "8", "9"}
MAX_NAME_LENGTH = 100
TWO_DIGITS = re.compile(r"[0-9]{2}")


class TercError(Exception):
    """The file is not a usable TERC register; ``line`` is 1-based, as an editor shows it."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message

    def __str__(self) -> str:
        return _("line %(line)d: %(message)s") % {"line": self.line, "message": self.message}


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    kind: str
    line: int


@dataclass
class Register:
    """The units of one TERC file, checked and keyed by code."""

    voivodeships: dict[str, Unit] = field(default_factory=dict)
    counties: dict[str, Unit] = field(default_factory=dict)
    communes: dict[str, Unit] = field(default_factory=dict)
    skipped: int = 0
    state_date: datetime.date | None = None


@dataclass
class LevelReport:
    created: int = 0
    updated: int = 0
    deactivated: int = 0
    unchanged: int = 0


@dataclass
class ImportReport:
    state_date: datetime.date | None
    skipped: int
    levels: dict[str, LevelReport]

    @property
    def changed(self) -> bool:
        return any(r.created or r.updated or r.deactivated for r in self.levels.values())


# Reading


def read_register(path: Path | str) -> Register:
    """Read and check a TERC file in either published form; raise TercError naming the line."""
    data = Path(path).read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise TercError(line, _("the file is not UTF-8 text.")) from None
    if "\x00" in text:
        raise TercError(text[: text.index("\x00")].count("\n") + 1, _("the file contains a NUL byte."))
    rows = _xml_rows(text) if text.lstrip().startswith("<") else _csv_rows(text)
    register = Register()
    for line, row in rows:
        _add_row(register, line, row)
    _check_complete(register)
    return register


def _csv_rows(text: str) -> Iterator[tuple[int, dict[str, str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    try:
        header = next(reader, None)
        if header is None or tuple(h.strip() for h in header) != COLUMNS:
            raise TercError(1, _("the header must be %(columns)s.") % {"columns": ";".join(COLUMNS)})
        for values in reader:
            line = reader.line_num
            if not values or values == [""]:
                continue
            if len(values) != len(COLUMNS):
                raise TercError(
                    line,
                    _("expected %(expected)d columns, found %(found)d (is the file truncated?).")
                    % {"expected": len(COLUMNS), "found": len(values)},
                )
            yield line, dict(zip(COLUMNS, (v.strip() for v in values), strict=True))
    except csv.Error as error:
        raise TercError(reader.line_num, str(error)) from None


def _xml_rows(text: str) -> list[tuple[int, dict[str, str]]]:
    """Rows of ``<teryt><catalog><row><WOJ>…</row>`` with the line each row starts on."""
    rows: list[tuple[int, dict[str, str]]] = []
    current: dict[str, str] | None = None
    row_line = 0
    field_name: str | None = None
    parser = xml.parsers.expat.ParserCreate()

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal current, row_line, field_name
        if name == "row":
            current, row_line = {}, parser.CurrentLineNumber
        elif current is not None and name in COLUMNS:
            field_name = name
            current[name] = ""

    def end(name: str) -> None:
        nonlocal current, field_name
        if name == "row" and current is not None:
            missing = [c for c in COLUMNS if c not in current]
            if missing:
                raise TercError(row_line, _("the row lacks %(fields)s.") % {"fields": ", ".join(missing)})
            rows.append((row_line, {k: v.strip() for k, v in current.items()}))
            current = None
        field_name = None

    def characters(data: str) -> None:
        if current is not None and field_name is not None:
            current[field_name] += data

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = characters
    # Entities could expand a small file into a huge one; a register has no use for them.
    parser.EntityDeclHandler = lambda *args: _refuse_entities(parser)
    try:
        parser.Parse(text, True)
    except xml.parsers.expat.ExpatError as error:
        raise TercError(
            error.lineno, _("the XML is malformed: %(error)s.") % {"error": xml.parsers.expat.ErrorString(error.code)}
        ) from None
    return rows


def _refuse_entities(parser) -> None:
    raise TercError(parser.CurrentLineNumber, _("the XML declares entities, which a TERC file never does."))


def _add_row(register: Register, line: int, row: dict[str, str]) -> None:
    woj, pow_, gmi, rodz = row["WOJ"], row["POW"], row["GMI"], row["RODZ"]
    name, kind = row["NAZWA"], row["NAZWA_DOD"]
    if not TWO_DIGITS.fullmatch(woj):
        raise TercError(line, _("WOJ must be two digits, not “%(value)s”.") % {"value": woj})
    for label, value in (("POW", pow_), ("GMI", gmi)):
        if value and not TWO_DIGITS.fullmatch(value):
            raise TercError(
                line, _("%(field)s must be two digits, not “%(value)s”.") % {"field": label, "value": value}
            )
    if (gmi and not pow_) or (rodz and not gmi) or (gmi and not rodz):
        raise TercError(line, _("the code columns WOJ, POW, GMI, RODZ do not form a TERYT code."))
    if not name:
        raise TercError(line, _("NAZWA is empty."))
    if len(name) > MAX_NAME_LENGTH:
        raise TercError(line, _("NAZWA is longer than %(max)d characters.") % {"max": MAX_NAME_LENGTH})
    try:
        state_date = datetime.date.fromisoformat(row["STAN_NA"])
    except ValueError:
        raise TercError(
            line, _("STAN_NA must be a date YYYY-MM-DD, not “%(value)s”.") % {"value": row["STAN_NA"]}
        ) from None
    if register.state_date is None or state_date > register.state_date:
        register.state_date = state_date

    if not pow_:
        if kind != "województwo":
            raise TercError(line, _("a voivodeship row must say “województwo”, not “%(value)s”.") % {"value": kind})
        _put(register.voivodeships, Unit(woj, name.lower(), "", line))
    elif not gmi:
        if kind not in COUNTY_KINDS:
            raise TercError(line, _("unknown kind of county “%(value)s”.") % {"value": kind})
        if woj not in register.voivodeships:
            raise TercError(line, _("the county's voivodeship %(code)s is not listed before it.") % {"code": woj})
        _put(register.counties, Unit(woj + pow_, name, COUNTY_KINDS[kind], line))
    elif rodz in COMMUNE_KINDS:
        if woj + pow_ not in register.counties:
            raise TercError(line, _("the commune's county %(code)s is not listed before it.") % {"code": woj + pow_})
        _put(register.communes, Unit(woj + pow_ + gmi + rodz, name, rodz, line))
    elif rodz in SKIPPED_KINDS:
        register.skipped += 1
    else:
        raise TercError(line, _("unknown RODZ “%(value)s”.") % {"value": rodz})


def _put(units: dict[str, Unit], unit: Unit) -> None:
    if unit.code in units:
        raise TercError(
            unit.line,
            _("TERYT code %(code)s is already on line %(line)d.") % {"code": unit.code, "line": units[unit.code].line},
        )
    units[unit.code] = unit


def _check_complete(register: Register) -> None:
    """Catch a file cut short: every voivodeship has counties and every county communes."""
    if not register.voivodeships:
        raise TercError(1, _("the file lists no voivodeship."))
    with_counties = {code[:2] for code in register.counties}
    with_communes = {code[:4] for code in register.communes}
    for unit in register.voivodeships.values():
        if unit.code not in with_counties:
            raise TercError(
                unit.line, _("voivodeship %(code)s has no counties: is the file truncated?") % {"code": unit.code}
            )
    for unit in register.counties.values():
        if unit.code not in with_communes:
            raise TercError(
                unit.line, _("county %(code)s has no communes: is the file truncated?") % {"code": unit.code}
            )


# Writing


def import_register(path: Path | str) -> ImportReport:
    """Bring the territory tables in line with a TERC file: add, update, deactivate, never delete."""
    register = read_register(path)
    with transaction.atomic():
        levels = {
            "voivodeships": _sync(Voivodeship, register.voivodeships, lambda u: {"name": u.name}),
            "counties": _sync(
                County, register.counties, lambda u: {"name": u.name, "kind": u.kind, "voivodeship_id": u.code[:2]}
            ),
            "communes": _sync(
                Commune, register.communes, lambda u: {"name": u.name, "kind": u.kind, "county_id": u.code[:4]}
            ),
        }
        records_changed.send(sender=Commune)
    return ImportReport(state_date=register.state_date, skipped=register.skipped, levels=levels)


def _slug(model, unit: Unit) -> str:
    # Voivodeship names are unique; county and commune names repeat, their codes don't.
    return slugify_pl(unit.name) if model is Voivodeship else f"{slugify_pl(unit.name)}-{unit.code}"


def _sync(model, units: dict[str, Unit], values_of) -> LevelReport:
    report = LevelReport()
    existing = {obj.code: obj for obj in model.objects.all()}
    to_create, to_update = [], []
    fields = ["is_active", "slug", *values_of(next(iter(units.values()))).keys()]
    for code, unit in units.items():
        wanted = {**values_of(unit), "is_active": True, "slug": _slug(model, unit)}
        obj = existing.get(code)
        if obj is None:
            to_create.append(model(code=code, **wanted))
        elif any(getattr(obj, name) != value for name, value in wanted.items()):
            for name, value in wanted.items():
                setattr(obj, name, value)
            to_update.append(obj)
        else:
            report.unchanged += 1
    for code, obj in existing.items():
        if code in units:
            continue
        if obj.is_active:
            obj.is_active = False
            to_update.append(obj)
            report.deactivated += 1
        else:
            report.unchanged += 1
    report.created = len(to_create)
    report.updated = len(to_update) - report.deactivated
    model.objects.bulk_create(to_create, batch_size=500)
    model.objects.bulk_update(to_update, fields, batch_size=500)
    return report
