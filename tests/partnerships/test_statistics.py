"""/statystyki/ (issue 18, point 5): every table counts what the database holds, for the whole
country and for one voivodeship; each downloads as CSV; a hostile query string is a message or
a 404, never a 500; the queries are fixed and the tables computed once per data generation; each
chart is an image with a title and a description beside a real table."""

import csv
import datetime
import io
import re
from collections import Counter, defaultdict

from django.conf import settings
from django.core.cache import cache
from django.test import TestCase, override_settings
from django.utils import translation

from core.cache import invalidate
from events.models import Project
from members.models import SECTOR_OF_KIND, Institution, Sector
from partnerships import statistics
from partnerships.filters import PartnershipFilterSet, StatisticsFilterSet
from partnerships.models import Membership, Partnership, ThematicArea, UnnamedMembers
from tests import builders
from tests.page_checks import count_queries, structure_problems


def table(tables, name: str):
    return next(t for t in tables if t.name == name)


def column(tables, name: str, key: str) -> dict:
    """The first column's label -> the value of ``key``, of the table ``name``."""
    found = table(tables, name)
    label = next(iter(found.columns))
    return {row[label]: row[key] for row in found.rows}


def add_records(count: int) -> None:
    for _ in range(count):
        member = builders.institution(commune="1465011", kind=Institution.Kind.ASSOCIATION)
        builders.partnership(counties=["1432"], members=[member], founded_on=datetime.date(2015, 1, 1))
        builders.event(commune="1465011", start_date=datetime.date(2015, 5, 5))


class StatisticsTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        builders.load_territory()
        labour = ThematicArea.objects.get(slug="rynek-pracy")
        housing = ThematicArea.objects.get(slug="bezdomnosc")
        mops = builders.institution("MOPS Warszawa", commune="1465011", kind=Institution.Kind.MOPS)
        ngo = builders.institution("Stowarzyszenie Wrocławskie", commune="0264011", kind=Institution.Kind.ASSOCIATION)
        gone = builders.institution("Policja dawniej", commune="0264011", kind=Institution.Kind.POLICE)
        project = Project.objects.create(name="Projekt PO KL", programme="PO KL", fund="EFS", operator=mops)
        cls.warsaw = builders.partnership(
            "Partnerstwo warszawskie",
            counties=["1465"],
            members=[mops],
            founded_on=datetime.date(2010, 1, 1),
            founded_precision="year",
            project=project,
        )
        cls.warsaw.thematic_areas.add(labour)
        cls.wroclaw = builders.partnership(
            "Partnerstwo wrocławskie",
            region="02",
            communes=["0264011"],
            members=[ngo, mops],
            founded_on=datetime.date(2010, 6, 1),
        )
        cls.wroclaw.thematic_areas.add(labour, housing)
        Membership.objects.create(
            partnership=cls.wroclaw,
            institution=gone,
            joined_on=datetime.date(2009, 1, 1),
            left_on=datetime.date(2011, 1, 1),
        )
        UnnamedMembers.objects.create(
            partnership=cls.wroclaw, kind="police", sector="public", description="komenda", count=1
        )
        # Working in both voivodeships, founding not recorded, no project.
        cls.both = builders.partnership("Partnerstwo dwóch województw", counties=["1465", "0264"])
        builders.event("Konferencja 1", commune="1465011", start_date=datetime.date(2014, 3, 1))
        builders.event("Konferencja 2", commune="1465011", start_date=datetime.date(2014, 9, 1))
        builders.event("Spotkanie", commune="0264011")


class VoivodeshipReadOnceTests(StatisticsTestCase):
    """A voivodeship's partnerships are read once as ids (``ids_working_in``) and limit every
    table's rows by that list (``among``, ``rows_of``): the same partnerships as the list's
    filter selects, the same rows as the semi-join gives."""

    def test_the_ids_are_those_the_lists_filter_selects(self):
        for code in ("14", "02", "30", "1465", "0264", "1432", "1465011", "0264011", "3064011"):
            with self.subTest(code):
                self.assertEqual(
                    Partnership.objects.ids_working_in(code),
                    sorted(Partnership.objects.working_in(code).values_list("pk", flat=True)),
                )
        self.assertEqual(Partnership.objects.ids_working_in("14"), sorted([self.warsaw.pk, self.both.pk]))
        self.assertEqual(Partnership.objects.ids_working_in("0264011"), sorted([self.wroclaw.pk, self.both.pk]))
        self.assertEqual(Partnership.objects.ids_working_in("30"), [])

    def test_the_pages_filter_is_the_lists_voivodeship_filter(self):
        # The same choices, the same message for a code that is not one, the same rows.
        for code in ("14", "02", "30", "99", "1465"):
            with self.subTest(code):
                page, listing = StatisticsFilterSet({"wojewodztwo": code}), PartnershipFilterSet({"wojewodztwo": code})
                self.assertEqual(page.is_valid(), listing.is_valid())
                self.assertEqual(page.form.errors.get("wojewodztwo"), listing.form.errors.get("wojewodztwo"))
                self.assertEqual(page.form.fields["wojewodztwo"].choices, listing.form.fields["wojewodztwo"].choices)
                if page.is_valid():
                    self.assertEqual(
                        sorted(page.qs.values_list("pk", flat=True)), sorted(listing.qs.values_list("pk", flat=True))
                    )
        self.assertFalse(StatisticsFilterSet({"wojewodztwo": "99"}).is_valid())
        self.assertEqual(
            sorted(StatisticsFilterSet({"wojewodztwo": "14"}).qs.values_list("pk", flat=True)),
            sorted([self.warsaw.pk, self.both.pk]),
        )

    def test_rows_are_limited_by_the_list_as_by_the_semi_join(self):
        through = Partnership.thematic_areas.through
        ids = [self.wroclaw.pk, self.both.pk]
        among = Partnership.objects.all().among(ids)
        by_list = among.rows_of(through.objects.all())
        by_semi_join = Partnership.objects.filter(pk__in=ids).rows_of(through.objects.all())
        self.assertEqual(
            sorted(by_list.values_list("pk", flat=True)), sorted(by_semi_join.values_list("pk", flat=True))
        )
        self.assertEqual({row.partnership_id for row in by_list}, {self.wroclaw.pk})
        # A queryset derived from it keeps its own condition too.
        narrowed = among.filter(name__startswith="Partnerstwo dwóch")
        self.assertEqual(list(narrowed.rows_of(through.objects.all())), [])
        self.assertEqual(narrowed.counts_by_place(), ({"1465": 1, "0264": 1}, {"14": 1, "02": 1}))
        # No ids, no rows, and nothing counted.
        self.assertEqual(list(Partnership.objects.all().among([]).rows_of(through.objects.all())), [])
        self.assertEqual(Partnership.objects.all().among([]).counts_by_place(), ({}, {}))


class StatisticsNumbersTests(StatisticsTestCase):
    def test_every_table_of_the_country_counts_the_database(self):
        with translation.override("pl"):
            tables = statistics.tables(None)
        self.assertEqual(
            [t.name for t in tables],
            [
                "rok-zalozenia",
                "wojewodztwa",
                "powiaty",
                "sektory",
                "rodzaje-czlonkow",
                "finansowanie",
                "obszary",
                "wydarzenia-rok",
            ],
        )
        self.assertEqual(column(tables, "rok-zalozenia", "partnerships"), {"2010": 2, "nie odnotowano": 1})
        by_voivodeship = column(tables, "wojewodztwa", "partnerships")
        self.assertEqual(len(by_voivodeship), 16)
        self.assertEqual((by_voivodeship["mazowieckie"], by_voivodeship["dolnośląskie"]), (2, 2))
        self.assertEqual(by_voivodeship["opolskie"], 0)
        counties = column(tables, "powiaty", "partnerships")
        self.assertEqual(counties, {"Warszawa": 2, "Wrocław": 2})
        # Current members only: the police that left is not counted; the unnamed police is.
        self.assertEqual(column(tables, "sektory", "partnerships"), {"sektor publiczny": 2, "sektor pozarządowy": 1})
        self.assertEqual(column(tables, "sektory", "members"), {"sektor publiczny": 2, "sektor pozarządowy": 1})
        self.assertEqual(column(tables, "sektory", "unnamed"), {"sektor publiczny": 1, "sektor pozarządowy": 0})
        kinds = table(tables, "rodzaje-czlonkow")
        by_kind = {row["kind"]: (row["partnerships"], row["members"], row["unnamed"]) for row in kinds.rows}
        self.assertEqual(
            by_kind,
            {
                "miejski ośrodek pomocy społecznej (MOPS)": (2, 2, 0),
                "stowarzyszenie": (1, 1, 0),
                "jednostka policji": (0, 0, 1),
            },
        )
        self.assertEqual(
            column(tables, "finansowanie", "partnerships"), {"nie odnotowano projektu": 2, "PO KL, EFS": 1}
        )
        self.assertEqual(
            column(tables, "obszary", "partnerships"),
            {"rynek pracy i zatrudnienie": 2, "przeciwdziałanie bezdomności": 1},
        )
        self.assertEqual(column(tables, "wydarzenia-rok", "events"), {"2014": 2, "nie odnotowano": 1})

    def test_a_voivodeship_selects_what_the_lists_select(self):
        with translation.override("pl"):
            tables = statistics.tables("14")
        self.assertNotIn("wojewodztwa", [t.name for t in tables])
        self.assertEqual(column(tables, "rok-zalozenia", "partnerships"), {"2010": 1, "nie odnotowano": 1})
        # Every county of the voivodeship, those without a partnership too, the most first.
        counties = table(tables, "powiaty").rows
        self.assertEqual(
            counties[0], {"county": "Warszawa", "teryt": "1465", "voivodeship": "mazowieckie", "partnerships": 2}
        )
        self.assertTrue(all(row["voivodeship"] == "mazowieckie" for row in counties))
        self.assertEqual(column(tables, "wydarzenia-rok", "events"), {"2014": 2})
        # The list of the same voivodeship shows the same two partnerships.
        listed = self.client.get("/partnerstwa/?wojewodztwo=14")
        self.assertContains(listed, "Partnerstwo warszawskie")
        self.assertContains(listed, "Partnerstwo dwóch województw")
        self.assertNotContains(listed, "Partnerstwo wrocławskie")

    def test_english_names_of_areas_in_english(self):
        with translation.override("en"):
            tables = statistics.tables(None)
        self.assertEqual(
            column(tables, "obszary", "partnerships"), {"labour market and employment": 2, "homelessness": 1}
        )


class MembersTablesTests(TestCase):
    """The tables by kind and by sector of members are what a plain count of the memberships
    gives, for the country and for a voivodeship: partnerships with a current member of each
    kind (sector) listed by name, those members, and partnerships with members of that kind
    (sector) known only by count."""

    @classmethod
    def setUpTestData(cls):
        builders.load_territory()
        K = Institution.Kind
        kinds = [K.MOPS, K.GOPS, K.POLICE, K.SCHOOL, K.ASSOCIATION, K.FOUNDATION, K.BUSINESS, K.RELIGIOUS, K.OTHER]
        institutions = [
            builders.institution(commune="1465011" if n % 2 else "0264011", kind=kind)
            for n, kind in enumerate(kinds * 2)
        ]
        places = [{"counties": ["1465"]}, {"communes": ["0264011"]}, {"counties": ["1465", "0264"]}, {}]
        for n in range(8):
            members = institutions[n : n + 3 + n % 4]
            partnership = builders.partnership(f"Partnerstwo {n}", members=members, **places[n % 4])
            if n % 3 == 0:
                # A member that left is counted nowhere.
                Membership.objects.create(
                    partnership=partnership,
                    institution=institutions[-1 - n],
                    joined_on=datetime.date(2010, 1, 1),
                    left_on=datetime.date(2012, 1, 1),
                )
            if n % 2 == 0:
                UnnamedMembers.objects.create(
                    partnership=partnership, kind=K.POLICE, sector="public", description="komenda", count=1
                )
                UnnamedMembers.objects.create(partnership=partnership, sector="ngo", description="organizacje", count=2)

    def plain_counts(self, voivodeship: str | None) -> tuple[dict, dict]:
        """(kind -> (partnerships, members, unnamed)), and the same per sector, counted row by row."""
        partnerships = Partnership.objects.working_in(voivodeship) if voivodeship else Partnership.objects.all()
        ids = set(partnerships.values_list("pk", flat=True))
        kind_partnerships, sector_partnerships = defaultdict(set), defaultdict(set)
        kind_members, sector_members = Counter(), Counter()
        for membership in Membership.objects.current().select_related("institution"):
            if membership.partnership_id in ids:
                kind, sector = membership.institution.kind, SECTOR_OF_KIND[membership.institution.kind]
                kind_partnerships[kind].add(membership.partnership_id)
                sector_partnerships[sector].add(membership.partnership_id)
                kind_members[kind] += 1
                sector_members[sector] += 1
        kind_unnamed, sector_unnamed = defaultdict(set), defaultdict(set)
        for unnamed in UnnamedMembers.objects.all():
            if unnamed.partnership_id in ids:
                if unnamed.kind:
                    kind_unnamed[unnamed.kind].add(unnamed.partnership_id)
                sector_unnamed[unnamed.sector].add(unnamed.partnership_id)

        def table(partnerships, members, unnamed, labels):
            return {
                str(labels[key]): (len(partnerships[key]), members[key], len(unnamed[key]))
                for key in set(partnerships) | set(unnamed)
            }

        return (
            table(kind_partnerships, kind_members, kind_unnamed, dict(Institution.Kind.choices)),
            table(sector_partnerships, sector_members, sector_unnamed, dict(Sector.choices)),
        )

    def test_the_kind_and_sector_tables_equal_a_plain_count(self):
        for voivodeship in (None, "14", "02"):
            with self.subTest(voivodeship=voivodeship), translation.override("pl"):
                tables = statistics.tables(voivodeship)
                kinds, sectors = self.plain_counts(voivodeship)
                self.assertGreater(len(kinds), 4)
                columns = ("partnerships", "members", "unnamed")
                by_kind = {
                    row["kind"]: tuple(row[c] for c in columns) for row in table(tables, "rodzaje-czlonkow").rows
                }
                by_sector = {row["sector"]: tuple(row[c] for c in columns) for row in table(tables, "sektory").rows}
                self.assertEqual(by_kind, kinds)
                self.assertEqual(by_sector, sectors)

    def test_a_member_leaving_or_changing_kind_changes_the_tables(self):
        membership = Membership.objects.current().select_related("institution").order_by("pk").first()
        before = self.plain_counts(None)
        membership.left_on = datetime.date(2020, 1, 1)
        membership.save()
        institution = Institution.objects.filter(memberships__left_on__isnull=True).order_by("pk").first()
        institution.kind = Institution.Kind.UNIVERSITY
        institution.save()
        with translation.override("pl"):
            tables = statistics.tables(None)
        kinds, sectors = self.plain_counts(None)
        self.assertNotEqual(kinds, before[0])
        self.assertIn("uczelnia lub instytut badawczy", kinds)
        by_kind = {row["kind"]: row["partnerships"] for row in table(tables, "rodzaje-czlonkow").rows}
        self.assertEqual(by_kind, {kind: counts[0] for kind, counts in kinds.items()})
        by_sector = {row["sector"]: row["partnerships"] for row in table(tables, "sektory").rows}
        self.assertEqual(by_sector, {sector: counts[0] for sector, counts in sectors.items()})


class StatisticsPageTests(StatisticsTestCase):
    def test_the_page_shows_every_table_with_its_chart_and_download(self):
        response = self.client.get("/statystyki/")
        self.assertContains(response, "<h1>Statystyki</h1>", html=False)
        html = response.content.decode()
        self.assertEqual(structure_problems(html), [])
        for name in ("rok-zalozenia", "wojewodztwa", "sektory", "rodzaje-czlonkow", "finansowanie", "obszary"):
            self.assertIn(f'id="{name}"', html)
            self.assertIn(f'href="?tabela={name}&amp;format=csv"', html)
            # An image with its title and description, beside a table with a caption.
            section = html.split(f'id="{name}"', 1)[1].split("</section>", 1)[0]
            svg = re.search(r"<svg [^>]*>", section)[0]
            self.assertIn('role="img"', svg)
            self.assertIn(f'aria-labelledby="chart-{name}-title chart-{name}-desc"', svg)
            self.assertIn(f'<title id="chart-{name}-title">', section)
            self.assertRegex(section, rf'<desc id="chart-{name}-desc">[^<]*Najwięcej: ')
            self.assertIn("<caption>", section)
            self.assertIn('fill="currentColor"', section)
        # The county table has no chart.
        counties = html.split('id="powiaty"', 1)[1].split("</section>", 1)[0]
        self.assertNotIn("<svg", counties)
        self.assertIn('<th scope="row">Warszawa</th>', counties)
        self.assertContains(self.client.get("/en/statystyki/"), "Partnerships by year of founding")

    def test_the_page_is_linked_from_every_page_and_listed_in_the_sitemap(self):
        self.assertContains(self.client.get("/"), 'href="/statystyki/"')
        self.assertContains(self.client.get("/dane/"), 'href="/statystyki/"', count=2)
        self.assertIn("/statystyki/</loc>", self.client.get("/sitemap-pages.xml").content.decode())

    def test_the_charts_are_readable_in_high_contrast_mode_and_have_contrast(self):
        css = (settings.BASE_DIR / "static" / "css" / "site.css").read_text()
        forced = (
            "@media (forced-colors: active) {\n"
            "  .chart .chart__bar { fill: CanvasText; }\n"
            "  .chart text { fill: CanvasText; }\n}"
        )
        self.assertIn(forced, css)
        # The bars are the link colour, against the white page: at least 3:1 (WCAG 1.4.11).
        self.assertIn(".chart { color: var(--link);", css)
        link = re.search(r"--link: (#[0-9a-f]{6});", css)[1]
        self.assertGreaterEqual(contrast(link, "#ffffff"), 3.0)

    def test_each_table_downloads_as_csv_with_semicolons_and_a_bom(self):
        response = self.client.get("/statystyki/?tabela=sektory&format=csv")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        self.assertIn('filename="statystyki-sektory-', response["Content-Disposition"])
        body = b"".join(response.streaming_content)
        self.assertTrue(body.startswith("\ufeff".encode()))
        rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
        self.assertEqual(rows[0], ["sector", "partnerships", "members", "unnamed"])
        self.assertEqual(rows[1:], [["sektor publiczny", "2", "2", "1"], ["sektor pozarządowy", "1", "1", "0"]])
        # In Polish from the English page too; of one voivodeship with its filter.
        english = self.client.get("/en/statystyki/?tabela=rok-zalozenia&format=csv&wojewodztwo=14")
        rows = list(csv.reader(io.StringIO(b"".join(english.streaming_content).decode("utf-8-sig")), delimiter=";"))
        self.assertEqual(rows, [["year", "partnerships"], ["2010", "1"], ["nie odnotowano", "1"]])
        self.assertIn("statystyki-rok-zalozenia-14-", english["Content-Disposition"])

    def test_the_filter_narrows_every_table_and_keeps_the_downloads(self):
        response = self.client.get("/statystyki/?wojewodztwo=14")
        self.assertContains(response, "Statystyki: województwo mazowieckie")
        self.assertContains(response, 'href="?wojewodztwo=14&amp;tabela=powiaty&amp;format=csv"')
        self.assertContains(response, '<option value="14" selected>mazowieckie</option>', html=True)
        self.assertNotContains(response, 'id="wojewodztwa"')

    def test_hostile_query_strings_are_a_message_or_a_404(self):
        for query in ("?wojewodztwo=99", "?wojewodztwo=a%00b", "?wojewodztwo=" + "1" * 10_000, "?wojewodztwo=14%27--"):
            with self.subTest(query[:40]):
                response = self.client.get("/statystyki/" + query)
                self.assertContains(response, "Wybierz poprawną wartość", status_code=200)
                self.assertContains(response, "Pokazano liczby dla całego kraju")
                self.assertContains(response, 'id="wojewodztwa"')
        for query in ("?tabela=nie-ma-takiej", "?tabela=%00", "?tabela=" + "x" * 10_000):
            with self.subTest(query[:40]):
                self.assertEqual(self.client.get("/statystyki/" + query).status_code, 404)
        # An unknown format of a known table is its CSV; an unknown format alone is the page.
        self.assertEqual(
            self.client.get("/statystyki/?tabela=obszary&format=xml")["Content-Type"], "text/csv; charset=utf-8"
        )
        self.assertContains(self.client.get("/statystyki/?format=xml"), "<h1>Statystyki</h1>", html=False)

    def test_the_page_uncached_costs_a_fixed_number_of_queries(self):
        # The country: the voivodeships to choose from (1), partnerships by founding year (1),
        # by place (1), the voivodeships and the top counties (2), members by sector and kind,
        # named (1) and unnamed (2), by funding line (1), by thematic area and the areas' names
        # (2), events by year (1). A voivodeship: its partnerships' ids, read once (1), and its
        # counties instead of the voivodeships and the top counties (1). No list's other
        # choices: the page filters by the voivodeship alone.
        # Uncached as bench.dumps measures it: a cache, emptied before the request.
        with override_settings(CACHES=builders.local_cache("statistics-uncached")):
            for url, expected in (("/statystyki/", 12), ("/statystyki/?wojewodztwo=14", 12)):
                with self.subTest(url):
                    cache.clear()
                    self.assertEqual(count_queries(self.client, url), expected)

    def test_the_page_runs_the_same_queries_whatever_the_number_of_records(self):
        urls = ["/statystyki/", "/statystyki/?wojewodztwo=14", "/statystyki/?tabela=powiaty&format=csv"]
        before = {url: count_queries(self.client, url) for url in urls}
        add_records(15)
        self.assertEqual({url: count_queries(self.client, url) for url in urls}, before)

    def test_the_tables_are_computed_once_per_data_generation(self):
        with override_settings(CACHES=builders.local_cache("statistics")):
            first = count_queries(self.client, "/statystyki/")
            again = count_queries(self.client, "/statystyki/")
            self.assertLess(again, first - 8)
            with self.captureOnCommitCallbacks(execute=True):
                builders.partnership("Nowe partnerstwo", counties=["1465"], founded_on=datetime.date(2020, 1, 1))
                invalidate()
            self.assertEqual(count_queries(self.client, "/statystyki/"), first)
            self.assertContains(self.client.get("/statystyki/"), "2020")


def contrast(first: str, second: str) -> float:
    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)
