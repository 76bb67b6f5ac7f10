import csv
import datetime
import io
import json
from unittest import mock

import jsonschema
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import TestCase

from events.models import Project
from members.models import Institution
from partnerships.models import Agreement, DatePrecision, Membership, Partnership, Signatory, TargetGroup
from territory.models import County
from tests import builders
from tests.builders import PRIVATE
from tests.page_checks import count_queries


class PartnershipListTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        builders.load_territory()
        cls.university = builders.institution("Uniwersytet Łódzki", commune="1061011", kind=Institution.Kind.UNIVERSITY)
        cls.foundation = builders.institution(
            "Fundacja Przykładowa", commune="0264011", kind=Institution.Kind.FOUNDATION
        )
        cls.rakow = builders.partnership(
            "Raków-Reaktywacja",
            region="24",
            declared_member_count=13,
            status=Partnership.Status.ACTIVE,
            founded_on=datetime.date(2014, 10, 28),
        )
        cls.wroclaw = builders.partnership(
            "Aktywne Gajowice",
            region="02",
            communes=["0264011"],
            members=[cls.foundation],
            founded_on=datetime.date(2012, 1, 1),
            founded_precision=DatePrecision.YEAR,
        )
        cls.ostrowski = builders.partnership(
            "Partnerstwo w powiecie ostrowskim",
            counties=["1416"],
            members=[cls.university],
            status=Partnership.Status.FORMING,
            founded_on=datetime.date(2012, 1, 1),
            founded_precision=DatePrecision.YEAR,
        )
        cls.homeless = TargetGroup.objects.get(slug="osoby-bezdomne")
        cls.ostrowski.target_groups.add(cls.homeless)
        cls.project = Project.objects.create(name="Razem dla Mazowsza", programme="PO KL")
        Partnership.objects.filter(pk=cls.ostrowski.pk).update(project=cls.project)

    def names(self, query: str) -> list[str]:
        response = self.client.get(f"/partnerstwa/{query}")
        self.assertEqual(response.status_code, 200)
        return [p.name for p in response.context["paging"].objects]

    def test_list_shows_every_partnership_in_polish_with_the_count(self):
        response = self.client.get("/partnerstwa/")
        self.assertContains(response, "<h1>Partnerstwa lokalne</h1>", html=True)
        self.assertContains(response, "3 partnerstwa")
        for name in ("Raków-Reaktywacja", "Aktywne Gajowice", "Partnerstwo w powiecie ostrowskim"):
            self.assertContains(response, name)
        self.assertContains(response, "13 członków zadeklarowanych, 0 wymienionych z nazwy")

    def test_search_ignores_case_and_diacritics(self):
        self.assertEqual(self.names("?q=rakow"), ["Raków-Reaktywacja"])
        self.assertEqual(self.names("?q=RAKÓW-reak"), ["Raków-Reaktywacja"])

    def test_search_finds_partnerships_by_member_name(self):
        self.assertEqual(self.names("?q=uniwersytet+lodzki"), ["Partnerstwo w powiecie ostrowskim"])

    def test_search_by_member_name_follows_joins_departures_and_renames(self):
        """The members' names are searched in a key kept on the partnership: it must follow
        every change of the memberships and of the institutions' names."""
        partnership = Partnership.objects.get(name="Aktywne Gajowice")
        newcomer = builders.institution("Fundacja Nowo Przyjęta")
        membership = Membership.objects.create(partnership=partnership, institution=newcomer)
        self.assertEqual(self.names("?q=nowo+przyjeta"), ["Aktywne Gajowice"])
        membership.left_on = datetime.date(2024, 1, 1)
        membership.save()
        self.assertEqual(self.names("?q=nowo+przyjeta"), ["Aktywne Gajowice"])  # a former member, too
        newcomer.name = "Fundacja Przemianowana"
        newcomer.save()
        self.assertEqual(self.names("?q=nowo+przyjeta"), [])
        self.assertEqual(self.names("?q=przemianowana"), ["Aktywne Gajowice"])
        membership.delete()
        self.assertEqual(self.names("?q=przemianowana"), [])
        self.assertEqual(self.names("?q=uniwersytet+lodzki"), ["Partnerstwo w powiecie ostrowskim"])

    def test_a_voivodeship_includes_partnerships_working_in_its_communes_and_counties(self):
        self.assertEqual(self.names("?wojewodztwo=02"), ["Aktywne Gajowice"])
        self.assertEqual(self.names("?powiat=0264"), ["Aktywne Gajowice"])
        self.assertEqual(self.names("?gmina=0264011"), ["Aktywne Gajowice"])
        self.assertEqual(self.names("?wojewodztwo=14"), ["Partnerstwo w powiecie ostrowskim"])
        # The other powiat ostrowski, in wielkopolskie: same name, another TERYT code.
        County.objects.create(code="3017", voivodeship_id="30", name="ostrowski", kind="land", slug="ostrowski-3017")
        self.assertEqual(self.names("?powiat=3017"), [])

    def test_filters_by_status_years_target_group_member_kind_and_project(self):
        self.assertEqual(self.names("?status=forming"), ["Partnerstwo w powiecie ostrowskim"])
        self.assertEqual(self.names("?rok_od=2013"), ["Raków-Reaktywacja"])
        self.assertEqual(
            self.names("?rok_od=2012&rok_do=2012"), ["Aktywne Gajowice", "Partnerstwo w powiecie ostrowskim"]
        )
        self.assertEqual(self.names("?grupa=osoby-bezdomne"), ["Partnerstwo w powiecie ostrowskim"])
        self.assertEqual(self.names("?rodzaj_czlonka=foundation"), ["Aktywne Gajowice"])
        self.assertEqual(self.names(f"?projekt={self.project.pk}"), ["Partnerstwo w powiecie ostrowskim"])

    def test_sorting_by_founding_year_and_members(self):
        self.assertEqual(self.names("?sortuj=-rok")[0], "Raków-Reaktywacja")
        self.assertEqual(self.names("?sortuj=-czlonkowie")[-1], "Raków-Reaktywacja")

    def test_active_filters_are_shown_each_with_a_link_that_removes_it(self):
        response = self.client.get("/partnerstwa/?wojewodztwo=02&q=gajowice&page=1")
        self.assertContains(response, "Województwo: dolnośląskie")
        self.assertContains(response, 'href="?q=gajowice"')
        self.assertContains(response, 'href="?wojewodztwo=02"')

    def test_bad_input_gives_a_normal_page_with_the_error_shown(self):
        cases = {
            "?page=abc": "nie jest numerem strony",
            "?page=-1": "numerowane od 1",
            "?page=999999999": "Nie ma strony 999999999",
            "?page=" + "9" * 5000: "nie jest numerem strony",
            "?powiat=XYZ": "Wybierz poprawną wartość",
            "?gmina=12%00": "siedem cyfr",
            "?rok_od=abc": "Wpisz liczbę",
            "?rok_od=1e400": "",
            "?q=" + "ą" * 10_000: "",
            "?q=a%00b": "",
            "?nieznany=1&format=xml": "",
            "?sortuj=haslo": "Wybierz poprawną wartość",
        }
        for query, message in cases.items():
            with self.subTest(query=query[:40]):
                response = self.client.get(f"/partnerstwa/{query}")
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, message)

    def test_list_runs_the_same_number_of_queries_at_5_and_at_50_rows(self):
        for _ in range(2):
            builders.partnership(counties=["1432"], communes=["1465011"], members=[builders.institution()])
        at_5 = count_queries(self.client, "/partnerstwa/?wojewodztwo=14&q=partnerstwo")
        for _ in range(45):
            builders.partnership(counties=["1432"], communes=["1465011"], members=[builders.institution()])
        self.assertEqual(Partnership.objects.count(), 50)
        self.assertEqual(count_queries(self.client, "/partnerstwa/?wojewodztwo=14&q=partnerstwo"), at_5)
        self.assertEqual(
            count_queries(self.client, "/partnerstwa/?page=2"), count_queries(self.client, "/partnerstwa/")
        )


class ExportTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        builders.load_territory()
        cls.rep = builders.person(builders.institution(), **PRIVATE)
        for number in range(25):
            member = builders.institution(f"Członek {number}")
            partnership = builders.partnership(f"Eksport {number:02}", counties=["1432"], members=[member])
            Membership.objects.filter(partnership=partnership).update(represented_by=cls.rep)
        builders.partnership("Poza filtrem", region="02", communes=["0264011"])

    def test_csv_export_has_exactly_the_filtered_rows_of_all_pages(self):
        response = self.client.get("/partnerstwa/?wojewodztwo=14&format=csv")
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        self.assertIn("attachment;", response["Content-Disposition"])
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
        self.assertEqual(len(rows), 25)  # more than one page of the HTML list
        self.assertEqual(rows[0]["name"], "Eksport 00")
        self.assertEqual(rows[0]["area_county_teryt"], "1432")
        self.assertEqual(rows[0]["members"], "Członek 0")
        self.assertEqual(rows[0]["home_voivodeship_teryt"], "14")

    def test_json_export_follows_the_filters_and_is_valid(self):
        response = self.client.get("/partnerstwa/?q=poza&format=json")
        data = json.loads(b"".join(response.streaming_content))
        self.assertEqual([p["name"] for p in data["partnerships"]], ["Poza filtrem"])
        self.assertEqual(data["partnerships"][0]["area_commune_teryt"], ["0264011"])
        self.assertTrue(
            data["partnerships"][0]["url"].endswith("/partnerstwa/" + data["partnerships"][0]["slug"] + "/")
        )

    def test_json_export_matches_its_documented_schema(self):
        schema = json.loads((settings.BASE_DIR / "docs" / "partnerships.schema.json").read_text())
        data = json.loads(b"".join(self.client.get("/partnerstwa/?format=json").streaming_content))
        jsonschema.validate(data, schema, format_checker=jsonschema.FormatChecker())
        self.assertEqual(len(data["partnerships"]), 26)

    def test_csv_columns_are_the_documented_ones(self):
        documented = (settings.BASE_DIR / "docs" / "open-data.md").read_text()
        response = self.client.get("/partnerstwa/?format=csv")
        header = next(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")), delimiter=";"))
        for column in header:
            self.assertIn(f"| `{column}` |", documented)

    def test_exports_never_contain_private_contact_data(self):
        for export_format in ("csv", "json"):
            with self.subTest(export_format):
                content = b"".join(self.client.get(f"/partnerstwa/?format={export_format}").streaming_content).decode()
                for value in PRIVATE.values():
                    self.assertNotIn(value, content)

    def test_export_query_count_is_fixed(self):
        # The list and its five relations, each read as one stream, plus the session's own.
        self.assertEqual(
            count_queries(self.client, "/partnerstwa/?format=csv"),
            count_queries(self.client, "/partnerstwa/?format=csv&wojewodztwo=02"),
        )

    def test_every_row_has_its_own_relations_in_any_order_and_filter(self):
        """The relations are streamed in the list's order beside it: each row must still get
        exactly its own areas, members and terms, whatever the sort and the filter."""
        groups = list(TargetGroup.objects.all()[:2])
        first = Partnership.objects.get(name="Eksport 03")
        first.target_groups.set(groups)
        first.area_communes.add("1465011")
        Membership.objects.create(partnership=first, institution=builders.institution("Aaa Drugi Członek"))
        Membership.objects.create(
            partnership=first, institution=builders.institution("Były Członek"), left_on=datetime.date(2020, 1, 1)
        )
        for query in ("", "sortuj=-czlonkowie", "sortuj=-nazwa", "sortuj=rok&wojewodztwo=14", "q=eksport"):
            with self.subTest(query):
                data = json.loads(b"".join(self.client.get(f"/partnerstwa/?{query}&format=json").streaming_content))
                for row in data["partnerships"]:
                    partnership = Partnership.objects.get(slug=row["slug"])
                    members = partnership.memberships.current().order_by("institution__name")
                    self.assertEqual([m["name"] for m in row["members"]], [m.institution.name for m in members])
                    self.assertEqual(row["area_county_teryt"], [c.code for c in partnership.area_counties.all()])
                    self.assertEqual(row["area_commune_teryt"], [c.code for c in partnership.area_communes.all()])
                    self.assertEqual(row["target_groups"], [t.slug for t in partnership.target_groups.all()])
        self.assertEqual(
            [m["name"] for m in next(r for r in data["partnerships"] if r["name"] == "Eksport 03")["members"]],
            ["Aaa Drugi Członek", "Członek 3"],
        )


class PartnershipDetailTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        builders.load_territory()
        cls.mops = builders.institution("Miejski Ośrodek Pomocy Społecznej we Wrocławiu", commune="0264011")
        cls.police = builders.institution("Komenda Testowa Policji", commune="0264011", kind=Institution.Kind.POLICE)
        cls.church = builders.institution("Parafia Testowa", commune="0264011", kind=Institution.Kind.RELIGIOUS)
        cls.rep = builders.person(cls.mops, function="zastępca kierownika", **PRIVATE)
        cls.partnership = builders.partnership(
            "Aktywne Gajowice",
            region="02",
            communes=["0264011"],
            members=[cls.mops, cls.police, cls.church],
            declared_member_count=13,
            goal="Aktywizacja mieszkańców",
        )
        Membership.objects.filter(institution=cls.mops).update(represented_by=cls.rep, role=Membership.Role.LEADER)
        cls.event = builders.event(
            "Partnerstwo w teorii i praktyce", commune="0264011", start_date=datetime.date(2014, 12, 11)
        )
        agreement = Agreement.objects.create(
            partnership=cls.partnership,
            title="Porozumienie o współpracy",
            signed_on=datetime.date(2014, 12, 11),
            signed_at=cls.event,
        )
        Signatory.objects.create(
            agreement=agreement, person=cls.rep, institution=cls.mops, function="zastępca kierownika"
        )
        County.objects.filter(code="0264").update(outline="M10 10 20 10 20 20Z")

    def test_detail_shows_area_members_by_sector_agreements_and_declared_count(self):
        response = self.client.get(self.partnership.get_absolute_url())
        self.assertContains(response, "<h1>Aktywne Gajowice</h1>", html=True)
        self.assertContains(response, "gmina Wrocław")
        self.assertContains(response, "<h3>Sektor publiczny</h3>", html=True)
        self.assertContains(response, "<h3>Związki wyznaniowe</h3>", html=True)
        self.assertContains(response, "Komenda Testowa Policji")
        self.assertContains(response, "lider")
        self.assertContains(response, "13 członków zadeklarowanych, 3 wymienionych z nazwy")
        self.assertContains(response, "Porozumienie o współpracy")
        self.assertContains(response, "Partnerstwo w teorii i praktyce")
        self.assertContains(response, "zastępca kierownika")
        self.assertContains(response, 'class="area-map__shape area-map__shape--on"')
        self.assertContains(response, "nie zweryfikowano")

    def test_detail_never_shows_private_contact_data(self):
        response = self.client.get(self.partnership.get_absolute_url())
        self.assertContains(response, self.rep.last_name)
        for value in PRIVATE.values():
            self.assertNotContains(response, value)

    def test_unknown_partnership_is_a_helpful_404(self):
        response = self.client.get("/partnerstwa/nie-ma-takiego/")
        self.assertContains(response, "Nie znaleziono strony", status_code=404)
        self.assertContains(response, "Szukaj", status_code=404)

    def test_detail_runs_the_same_number_of_queries_at_5_and_at_50_members(self):
        for _ in range(2):
            Membership.objects.create(partnership=self.partnership, institution=builders.institution(commune="0264011"))
        at_5 = count_queries(self.client, self.partnership.get_absolute_url())
        for _ in range(45):
            Membership.objects.create(partnership=self.partnership, institution=builders.institution(commune="0264011"))
        self.assertEqual(count_queries(self.client, self.partnership.get_absolute_url()), at_5)


class CountyAndHomePageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        builders.load_territory()
        cls.gajowice = builders.partnership("Aktywne Gajowice", region="02", communes=["0264011"])
        cls.ostrowski = builders.partnership("Ostrowskie", counties=["1416"])
        builders.institution("Instytucja we Wrocławiu", commune="0264011")
        builders.event("Konferencja we Wrocławiu", commune="0264011", start_date=datetime.date(2014, 12, 11))

    def test_county_list_shows_voivodeships_with_counties_and_counts(self):
        response = self.client.get("/powiaty/")
        self.assertContains(response, "Województwo dolnośląskie")
        self.assertContains(response, '<a href="/powiaty/0264/">Wrocław</a> <span class="count">(1)</span>', html=True)
        self.assertContains(
            response, '<a href="/powiaty/1416/">powiat ostrowski</a> <span class="count">(1)</span>', html=True
        )

    def test_county_page_shows_partnerships_institutions_and_events_there(self):
        response = self.client.get("/powiaty/0264/")
        self.assertContains(response, "<h1>Wrocław</h1>", html=True)
        self.assertContains(response, "Aktywne Gajowice")
        self.assertContains(response, "Instytucja we Wrocławiu")
        self.assertContains(response, "Konferencja we Wrocławiu")
        self.assertNotContains(response, "Ostrowskie")

    def test_unknown_or_malformed_county_code_is_a_404(self):
        for path in ("/powiaty/9999/", "/powiaty/XYZ/", "/powiaty/14%00/", "/powiaty/14165/"):
            with self.subTest(path):
                self.assertEqual(self.client.get(path).status_code, 404)

    def test_home_shows_counts_latest_events_and_voivodeships_without_a_map(self):
        response = self.client.get("/")
        self.assertContains(response, "<dt>Partnerstwa</dt>", html=True)
        self.assertContains(response, "Konferencja we Wrocławiu")
        self.assertNotContains(response, 'class="country-map"')
        self.assertContains(response, 'href="/powiaty/#woj-02"')

    def test_home_map_colours_counties_links_them_and_repeats_the_numbers_in_a_table(self):
        County.objects.filter(code__in=["0264", "1416", "1432"]).update(outline="M1 1 2 1 2 2Z")
        response = self.client.get("/")
        self.assertContains(response, 'class="country-map"')
        self.assertContains(response, 'aria-label="Wrocław: 1 partnerstwo"')
        self.assertContains(response, '<path d="M1 1 2 1 2 2Z" class="map-class-0" aria-hidden="true"/>', count=1)
        self.assertContains(response, '<td class="num" data-label="Partnerstwa">1</td>', count=2)

    def test_sitemap_lists_partnerships_and_counties(self):
        index = self.client.get("/sitemap.xml")
        self.assertContains(index, "/sitemap-partnerships.xml")
        self.assertContains(index, "/sitemap-counties.xml")
        self.assertContains(index, f"<lastmod>{self.gajowice.updated_at.date().isoformat()}")
        self.assertContains(self.client.get("/sitemap-partnerships.xml"), self.gajowice.get_absolute_url())
        self.assertContains(self.client.get("/sitemap-counties.xml"), "/powiaty/0264/")

    def test_a_sitemap_section_larger_than_a_page_is_split(self):
        from config.sitemaps import PartnershipSitemap

        with mock.patch.object(PartnershipSitemap, "limit", 1):
            index = self.client.get("/sitemap.xml")
            self.assertContains(index, "/sitemap-partnerships.xml?p=2")
            self.assertEqual(self.client.get("/sitemap-partnerships.xml?p=2").status_code, 200)
            self.assertEqual(self.client.get("/sitemap-partnerships.xml?p=999").status_code, 404)


class CertificateFilterTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        from partnerships.certificates import issue_partnership_certificate

        builders.load_territory()
        cls.certified = builders.partnership("Z certyfikatem", counties=["1432"])
        builders.partnership("Bez certyfikatu", counties=["1432"])
        superuser = get_user_model().objects.create_superuser("admin-certyfikaty", password="x-Test-2026-x")
        cls.certificate = issue_partnership_certificate(cls.certified, superuser, "Jan Testowy", "dyrektor")

    def test_the_list_filters_partnerships_holding_a_valid_certificate(self):
        response = self.client.get("/partnerstwa/?certyfikat=true")
        self.assertEqual([p.name for p in response.context["paging"].objects], ["Z certyfikatem"])
        self.assertContains(response, "Ma ważny certyfikat: tak")
        response = self.client.get("/partnerstwa/?certyfikat=false")
        self.assertEqual([p.name for p in response.context["paging"].objects], ["Bez certyfikatu"])

    def test_the_detail_page_lists_the_certificates_but_not_their_verification_codes(self):
        response = self.client.get(self.certified.get_absolute_url())
        self.assertContains(response, self.certificate.number)
        self.assertContains(response, "ważny")
        self.assertNotContains(response, self.certificate.verification_code)
