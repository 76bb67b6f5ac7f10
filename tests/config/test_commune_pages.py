"""/gminy/<TERYT>/: a gmina's partnerships, institutions and events; its powiat lists its gminas
with counts; breadcrumbs województwo → powiat → gmina (issue 17, point 2)."""

from django.test import TestCase

from tests import builders
from tests.page_checks import count_queries
from tests.partnerships.test_place_search import MYSZYNIEC, OSTROLECKI, add_myszyniec


class CommunePageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        builders.load_territory()
        add_myszyniec()
        cls.only_myszyniec = builders.partnership("Razem na Kurpiach", communes=[MYSZYNIEC])
        cls.whole_powiat = builders.partnership("Powiat ostrołęcki dla rodzin", counties=[OSTROLECKI])
        cls.elsewhere = builders.partnership("Aktywne Gajowice", region="02", communes=["0264011"])
        cls.institution = builders.institution("Gminny Ośrodek Pomocy Społecznej w Myszyńcu", commune=MYSZYNIEC)
        cls.event = builders.event("Spotkanie w Myszyńcu", commune=MYSZYNIEC)

    def test_a_partnership_placed_only_in_myszyniec_is_listed_on_its_gmina_page(self):
        response = self.client.get(f"/gminy/{MYSZYNIEC}/")
        self.assertContains(response, "<h1>Gmina Myszyniec</h1>", html=True)
        self.assertContains(response, "Razem na Kurpiach")
        self.assertContains(response, "Powiat ostrołęcki dla rodzin")  # works in the whole powiat
        self.assertNotContains(response, "Aktywne Gajowice")
        self.assertContains(response, "2 partnerstwa działające tutaj")
        self.assertContains(response, self.institution.name)
        self.assertContains(response, self.event.title)

    def test_breadcrumbs_go_voivodeship_county_commune(self):
        response = self.client.get(f"/gminy/{MYSZYNIEC}/")
        self.assertEqual(
            [label for label, _url in response.context["breadcrumbs"]],
            ["Powiaty", "Województwo mazowieckie", "powiat ostrołęcki", "gmina Myszyniec"],
        )
        self.assertContains(response, '<a href="/powiaty/#woj-14">Województwo mazowieckie</a>', html=True)
        self.assertContains(response, f'<a href="/powiaty/{OSTROLECKI}/">powiat ostrołęcki</a>', html=True)
        county = self.client.get(f"/powiaty/{OSTROLECKI}/")
        self.assertEqual(
            [label for label, _url in county.context["breadcrumbs"]],
            ["Powiaty", "Województwo mazowieckie", "powiat ostrołęcki"],
        )

    def test_the_county_page_lists_its_gminas_with_counts_and_links(self):
        response = self.client.get(f"/powiaty/{OSTROLECKI}/")
        self.assertContains(response, f'href="/gminy/{MYSZYNIEC}/"')
        rows = {commune.code: counts for commune, *counts in response.context["communes"]}
        self.assertEqual(rows[MYSZYNIEC], [2, 1, 1])

    def test_unknown_or_malformed_codes_are_404s(self):
        for path in ("/gminy/1415089/", "/gminy/9999991/", "/gminy/141508/", "/gminy/1415083x/", "/gminy/14150%00/"):
            with self.subTest(path):
                self.assertEqual(self.client.get(path).status_code, 404)

    def test_gminas_are_in_the_sitemap(self):
        response = self.client.get("/sitemap-communes.xml")
        self.assertContains(response, f"/gminy/{MYSZYNIEC}/")
        self.assertContains(self.client.get("/sitemap.xml"), "sitemap-communes.xml")

    def test_the_pages_cost_the_same_queries_whatever_the_number_of_records(self):
        at_few = (
            count_queries(self.client, f"/gminy/{MYSZYNIEC}/"),
            count_queries(self.client, f"/powiaty/{OSTROLECKI}/"),
        )
        for _ in range(10):
            builders.partnership(communes=[MYSZYNIEC])
            builders.institution(commune=MYSZYNIEC)
            builders.event(commune=MYSZYNIEC)
        at_more = (
            count_queries(self.client, f"/gminy/{MYSZYNIEC}/"),
            count_queries(self.client, f"/powiaty/{OSTROLECKI}/"),
        )
        self.assertEqual(at_more, at_few)
