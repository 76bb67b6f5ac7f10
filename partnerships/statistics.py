"""The statistics of /statystyki/: tables counted from the public records, the whole country's
or one voivodeship's, each drawn as a chart (core.charts) beside its table and downloadable.

A voivodeship selects what the lists select for ``wojewodztwo``: the partnerships working there
(``PartnershipQuerySet.working_in``, read once as ids), the events held there
(``EventQuerySet.in_region``, which the events' FilterSet applies; the FilterSet itself is not
built, since it would read the choices of its other filters).
The tables are aggregates (a fixed number of queries, whatever the number of records), computed
once per data generation, voivodeship and language (core.cache).
"""

from dataclasses import dataclass

from django.http import Http404, HttpResponse
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core import opendata
from core.cache import cached
from events.models import Event
from members.models import Institution, Sector
from territory.models import County, Voivodeship

from .models import Partnership

# The counties a country-wide table shows: the most partnerships first.
TOP_COUNTIES = 20


@dataclass
class Table:
    """One table of the page: ``name`` is its address (``?tabela=``), ``columns`` its keys (the
    CSV's header) and headers, the first the rows' label; ``chart`` the key of the column its
    chart draws (None: a table only)."""

    name: str
    title: str
    description: str
    columns: dict[str, str]
    rows: list[dict]
    chart: str | None = None

    def header(self) -> list[tuple[str, bool]]:
        """(header, numeric) of each column, the header capitalised as it heads the column and
        labels each of its cells on a phone; a numeric column is right-aligned."""
        return [
            (capfirst(header), bool(self.rows) and all(isinstance(row[key], int) for row in self.rows))
            for key, header in self.columns.items()
        ]

    def body(self) -> list[list[tuple[str, object, bool]]]:
        """Each row as (header, value, numeric) cells in the columns' order."""
        columns = list(zip(self.columns, self.header(), strict=True))
        return [[(header, row[key], numeric) for key, (header, numeric) in columns] for row in self.rows]

    def chart_items(self) -> list[tuple[str, int]]:
        label = next(iter(self.columns))
        return [(str(row[label]), row[self.chart]) for row in self.rows]

    def summary(self) -> str:
        """What the chart shows, in words: its <desc>."""
        items = self.chart_items()
        if not items:
            return _("No data.")
        label, value = max(items, key=lambda item: item[1])
        return _("%(description)s Most: %(label)s (%(value)d). The same numbers are in the table beside the chart.") % {
            "description": self.description,
            "label": label,
            "value": value,
        }


def _year_rows(counts: list[tuple[int | None, int]], key: str) -> list[dict]:
    return [{"year": str(year) if year is not None else _("not recorded"), key: n} for year, n in counts]


def tables(voivodeship: str | None) -> list[Table]:
    """Every table of the page, of ``voivodeship`` (a valid code) or of the whole country, in
    the current language."""
    partnerships, events = Partnership.objects.public(), Event.objects.public()
    if voivodeship:
        # The partnerships the list's filter selects (``working_in``), read once: the filter's
        # condition is made for the list's first page, and repeated in each table below it cost
        # 15-25 ms a table at national scale.
        partnerships = partnerships.among(Partnership.objects.ids_working_in(voivodeship))
        events = events.in_region(voivodeship)
    result = [
        Table(
            "rok-zalozenia",
            _("Partnerships by year of founding"),
            _("Partnerships by the year they were founded or began to be built."),
            {"year": _("year"), "partnerships": _("partnerships")},
            _year_rows(partnerships.counts_by_founding_year(), "partnerships"),
            chart="partnerships",
        )
    ]
    by_county, by_voivodeship = partnerships.counts_by_place()
    if voivodeship:
        counties = County.objects.active().filter(voivodeship=voivodeship).select_related("voivodeship")
        counties = counties.only(*County.LABEL_FIELDS)
        county_rows = sorted(((c, by_county.get(c.code, 0)) for c in counties), key=lambda r: (-r[1], r[0].code))
        county_title = _("Partnerships by county")
    else:
        result.append(
            Table(
                "wojewodztwa",
                _("Partnerships by voivodeship"),
                _("Partnerships working in each voivodeship (one working in two is counted in both)."),
                {"voivodeship": _("voivodeship"), "teryt": _("TERYT code"), "partnerships": _("partnerships")},
                [
                    {"voivodeship": v.name, "teryt": v.code, "partnerships": by_voivodeship.get(v.code, 0)}
                    # TERYT codes follow the Polish alphabet, which the database's collation may not.
                    for v in Voivodeship.objects.active().only("code", "name").order_by("code")
                ],
                chart="partnerships",
            )
        )
        top = sorted(by_county.items(), key=lambda item: (-item[1], item[0]))[:TOP_COUNTIES]
        named = County.objects.select_related("voivodeship").only(*County.LABEL_FIELDS).in_bulk([c for c, _n in top])
        county_rows = [(named[code], n) for code, n in top if code in named]
        county_title = _("The %(count)d counties with the most partnerships") % {"count": TOP_COUNTIES}
    result.append(
        Table(
            "powiaty",
            county_title,
            _("Partnerships working in the county or in one of its communes."),
            {
                "county": _("county"),
                "teryt": _("TERYT code"),
                "voivodeship": _("voivodeship"),
                "partnerships": _("partnerships"),
            },
            [
                {"county": str(c), "teryt": c.code, "voivodeship": c.voivodeship.name, "partnerships": n}
                for c, n in county_rows
            ],
        )
    )
    # Short headers: what each counts is said in the table's description.
    member_columns = {
        "partnerships": _("partnerships"),
        "members": _("members by name"),
        "unnamed": _("partnerships (count only)"),
    }
    by_sector, by_kind = partnerships.counts_by_member_sector_and_kind()
    sectors = {row["sector"]: row for row in by_sector}
    result.append(
        Table(
            "sektory",
            _("Partnerships by sector of their members"),
            _(
                "Partnerships with a current member of each sector listed by name, the members so listed, and "
                "partnerships whose members of that sector are known only by count (the chart shows the first)."
            ),
            {"sector": _("sector"), **member_columns},
            [
                {"sector": str(sector.label), **{k: sectors[sector][k] for k in member_columns}}
                for sector in Sector
                if sector in sectors
            ],
            chart="partnerships",
        )
    )
    kinds = sorted(by_kind, key=lambda row: (-row["partnerships"], -row["unnamed"], row["kind"]))
    labels = dict(Institution.Kind.choices)
    result.append(
        Table(
            "rodzaje-czlonkow",
            _("Partnerships by kind of their members"),
            _(
                "Partnerships with a current member of each kind listed by name, the members so listed, and "
                "partnerships whose members of that kind are known only by count (the chart shows the first)."
            ),
            {"kind": _("kind of institution"), **member_columns},
            [
                {"kind": str(labels.get(row["kind"], row["kind"])), **{k: row[k] for k in member_columns}}
                for row in kinds
            ],
            chart="partnerships",
        )
    )
    funding = []
    for programme, fund, n in partnerships.counts_by_funding_line():
        if programme is None:
            line = _("no project recorded")
        else:
            line = ", ".join(filter(None, [programme or _("programme not named"), fund]))
        funding.append({"funding_line": line, "programme": programme, "fund": fund, "partnerships": n})
    result.append(
        Table(
            "finansowanie",
            _("Partnerships by funding line"),
            _("Partnerships by the programme and fund of their project."),
            {
                "funding_line": _("funding line"),
                "programme": _("programme"),
                "fund": _("fund"),
                "partnerships": _("partnerships"),
            },
            funding,
            chart="partnerships",
        )
    )
    english = get_language() == "en"
    result.append(
        Table(
            "obszary",
            _("Partnerships by thematic area"),
            _("Partnerships working in each thematic area (one may work in several)."),
            {"area": _("thematic area"), "slug": _("identifier"), "partnerships": _("partnerships")},
            [
                {"area": (name_en if english and name_en else name), "slug": slug, "partnerships": n}
                for slug, name, name_en, n in partnerships.counts_by_thematic_area()
            ],
            chart="partnerships",
        )
    )
    result.append(
        Table(
            "wydarzenia-rok",
            _("Events by year"),
            _("Events by the year they began."),
            {"year": _("year"), "events": _("events")},
            _year_rows(events.counts_by_year(), "events"),
            chart="events",
        )
    )
    return result


def cached_tables(voivodeship: str | None) -> list[Table]:
    """``tables``, computed once per data generation, voivodeship and language."""
    return cached(f"statistics:{voivodeship or ''}:{get_language()}", lambda: tables(voivodeship))


def download(name: str, voivodeship: str | None, export_format: str) -> HttpResponse:
    """The table ``name`` as a download (core.opendata: CSV with ``;`` and a BOM, JSON or XLSX),
    its names in Polish whatever the page's language; a 404 for a table there is not."""
    with translation.override("pl"):
        table = next((t for t in cached_tables(voivodeship) if t.name == name), None)
    if table is None:
        raise Http404
    filename = f"statystyki-{name}" + (f"-{voivodeship}" if voivodeship else "")
    return opendata.download(export_format, filename, name, table.columns, lambda: table.rows)
