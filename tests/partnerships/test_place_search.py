"""Finding partnerships by the place people live in: a gmina's name in ``q`` (with or without
diacritics), the gmina picker, the powiats of the chosen voivodeship, and what to drop when
nothing matches (issue 17, point 1)."""

from django.test import TestCase

from members.models import Institution
from partnerships.models import Partnership
from territory.models import Commune, County
from tests import builders
from tests.official_data import needs
from tests.page_checks import count_queries

# Facts of the TERYT register (TERC, state 2025-01-01): powiat ostrołęcki and its gmina Myszyniec.
OSTROLECKI, MYSZYNIEC = "1415", "1415083"


def add_myszyniec() -> None:
    """Powiat ostrołęcki and gmina Myszyniec, as the official register has them (the built-in
    units do not include them)."""
    County.objects.get_or_create(
        code=OSTROLECKI, defaults={"voivodeship_id": "14", "name": "ostrołęcki", "kind": "land", "slug": "ostrolecki"}
    )
    Commune.objects.get_or_create(
        code=MYSZYNIEC, defaults={"county_id": OSTROLECKI, "name": "Myszyniec", "kind": "3", "slug": "myszyniec"}
    )


class PlaceSearchTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        builders.load_territory()
        add_myszyniec()
        cls.only_myszyniec = builders.partnership("Razem na Kurpiach", communes=[MYSZYNIEC])
        cls.whole_powiat = builders.partnership("Powiat ostrołęcki dla rodzin", counties=[OSTROLECKI])
        cls.elsewhere = builders.partnership("Aktywne Gajowice", region="02", communes=["0264011"])
        seated = builders.institution("Fundacja Kurpiowska", commune=MYSZYNIEC, kind=Institution.Kind.FOUNDATION)
        cls.by_member = builders.partnership("Partnerstwo z członkiem z Myszyńca", counties=["1432"], members=[seated])

    def names(self, query: str) -> list[str]:
        response = self.client.get(f"/partnerstwa/{query}")
        self.assertEqual(response.status_code, 200)
        return sorted(p.name for p in response.context["paging"].objects)

    def test_a_partnership_placed_only_in_myszyniec_is_found_by_the_gminas_name(self):
        expected = sorted(["Razem na Kurpiach", "Powiat ostrołęcki dla rodzin", "Partnerstwo z członkiem z Myszyńca"])
        for query in ("myszyniec", "Myszyniec", "MYSZYNIEC", "gmina Myszyniec"):
            with self.subTest(query):
                self.assertEqual(self.names(f"?q={query}"), expected)
        self.assertNotIn("Aktywne Gajowice", self.names("?q=myszyniec"))

    def test_a_powiats_name_finds_the_partnerships_of_its_gminas_and_of_the_whole_powiat(self):
        self.assertEqual(
            self.names("?q=ostrolecki"),
            sorted(["Razem na Kurpiach", "Powiat ostrołęcki dla rodzin", "Partnerstwo z członkiem z Myszyńca"]),
        )

    def test_a_place_name_is_a_whole_name_not_a_part_of_one(self):
        # A part of the name finds no place (only records whose own texts contain it).
        self.assertNotIn("Razem na Kurpiach", self.names("?q=myszyn"))
        self.assertEqual(self.names("?q=wroclaw"), ["Aktywne Gajowice"])  # Wrocław, without diacritics

    def test_the_gmina_filter_takes_a_name_or_a_code_and_shows_the_gmina_with_its_powiat(self):
        for value in (MYSZYNIEC, "Myszyniec", "myszyniec", f"Myszyniec (gmina miejsko-wiejska), TERYT {MYSZYNIEC}"):
            with self.subTest(value):
                response = self.client.get("/partnerstwa/", {"gmina": value})
                self.assertEqual(
                    sorted(p.name for p in response.context["paging"].objects),
                    ["Powiat ostrołęcki dla rodzin", "Razem na Kurpiach"],
                )
                self.assertContains(response, "Myszyniec (gmina miejsko-wiejska, powiat ostrołęcki, woj. mazowieckie)")

    def test_an_unknown_or_shared_gmina_name_is_a_clear_error_and_filters_nothing(self):
        response = self.client.get("/partnerstwa/", {"gmina": "Atlantyda"})
        self.assertContains(response, "Żadna gmina nie nazywa się „Atlantyda”")
        self.assertEqual(response.context["paging"].page.paginator.count, Partnership.objects.count())
        Commune.objects.create(code="1415092", county_id=OSTROLECKI, name="Myszyniec", kind="2", slug="myszyniec-2")
        response = self.client.get("/partnerstwa/", {"gmina": "myszyniec"})
        self.assertContains(response, "Kilka gmin nazywa się „myszyniec”")
        self.assertContains(response, "TERYT 1415083")
        self.assertContains(response, "TERYT 1415092")

    def test_the_picker_suggests_gminas_by_the_beginning_of_their_names_with_powiat_and_voivodeship(self):
        data = self.client.get("/miejsca/", {"q": "mysz"}).json()
        self.assertEqual([r["code"] for r in data["results"]], [MYSZYNIEC])
        self.assertEqual(
            data["results"][0]["label"], "Myszyniec (gmina miejsko-wiejska, powiat ostrołęcki, woj. mazowieckie)"
        )
        self.assertEqual(self.client.get("/miejsca/", {"q": "m"}).json(), {"results": []})
        self.assertEqual(self.client.get("/miejsca/", {"q": "zzzz"}).json(), {"results": []})
        self.assertEqual(self.client.get("/miejsca/", {"q": "a\x00" * 500}).status_code, 200)

    def test_the_list_pages_load_the_picker_from_our_own_static_files(self):
        for url in ("/partnerstwa/", "/instytucje/", "/wydarzenia/"):
            with self.subTest(url):
                response = self.client.get(url)
                self.assertContains(response, 'src="/static/js/place-picker.js"')
                self.assertContains(response, 'class="place-picker"')
                self.assertContains(response, 'data-suggestions="/miejsca/"')
                self.assertNotContains(response, "https://cdn")

    def test_the_search_by_place_costs_the_same_queries_whatever_the_number_of_rows(self):
        at_4 = count_queries(self.client, "/partnerstwa/?q=myszyniec")
        for _ in range(20):
            builders.partnership(communes=[MYSZYNIEC], members=[builders.institution(commune=MYSZYNIEC)])
        self.assertEqual(count_queries(self.client, "/partnerstwa/?q=myszyniec"), at_4)


class DependentCountyTests(TestCase):
    """Without JavaScript: the form sent with a voivodeship comes back with its powiats only."""

    @classmethod
    def setUpTestData(cls):
        builders.load_territory()

    def county_options(self, query: str) -> list[str]:
        response = self.client.get(f"/partnerstwa/{query}")
        return [code for code, _label in response.context["filterset"].form.fields["powiat"].choices if code]

    def test_a_chosen_voivodeship_leaves_only_its_powiats(self):
        everywhere = self.county_options("")
        self.assertIn("0264", everywhere)
        self.assertIn("1416", everywhere)
        mazowieckie = self.county_options("?wojewodztwo=14")
        self.assertIn("1416", mazowieckie)
        self.assertTrue(all(code.startswith("14") for code in mazowieckie))
        response = self.client.get("/partnerstwa/?wojewodztwo=14")
        self.assertContains(response, '<option value="1416">')
        self.assertNotContains(response, '<option value="0264">')

    def test_a_powiat_of_another_voivodeship_is_refused_with_the_reason(self):
        response = self.client.get("/partnerstwa/?wojewodztwo=14&powiat=0264")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Ten powiat nie leży w wybranym województwie")
        self.assertEqual(self.county_options("?wojewodztwo=99"), self.county_options(""))  # no such voivodeship

    def test_every_list_has_the_dependent_powiats(self):
        for url in ("/instytucje/", "/wydarzenia/"):
            with self.subTest(url):
                response = self.client.get(f"{url}?wojewodztwo=02")
                self.assertContains(response, '<option value="0264">')
                self.assertNotContains(response, '<option value="1416">')


class EmptyResultSuggestionTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        builders.load_territory()
        builders.partnership("Raków-Reaktywacja", region="24", counties=["2474"])
        builders.partnership("Partnerstwo ostrowskie", counties=["1416"])
        builders.partnership("Drugie ostrowskie", counties=["1416"])

    def test_an_empty_result_names_each_filter_to_drop_with_the_count_it_would_give(self):
        response = self.client.get("/partnerstwa/?wojewodztwo=14&powiat=1416&q=rakow")
        self.assertContains(response, "0 partnerstw")
        suggestions = response.context["suggestions"]
        # Without the search: the two of powiat ostrowski; without the powiat, none (still in
        # mazowieckie), so it is not suggested; without the voivodeship, none either.
        self.assertEqual([(s.filter.name, s.count) for s in suggestions], [("q", 2)])
        self.assertContains(response, "bez „Szukaj: rakow”: 2 wyniki")
        self.assertContains(response, '<a href="?powiat=1416&amp;wojewodztwo=14">bez „Szukaj: rakow”')

    def test_dropping_either_of_two_filters_is_suggested_most_results_first(self):
        response = self.client.get("/partnerstwa/?powiat=1416&q=rakow")
        self.assertEqual([(s.filter.name, s.count) for s in response.context["suggestions"]], [("q", 2), ("powiat", 1)])
        self.assertContains(response, "bez „Szukaj: rakow”: 2 wyniki")
        self.assertContains(response, "bez „Powiat: powiat ostrowski (mazowieckie)”: 1 wynik")

    def test_no_suggestion_when_something_matches_or_nothing_would(self):
        response = self.client.get("/partnerstwa/?powiat=1416")
        self.assertEqual(response.context["suggestions"], [])
        self.assertNotContains(response, "Bez jednego z nich")
        response = self.client.get("/partnerstwa/?q=atlantyda")
        # Without the search: every partnership.
        self.assertEqual([(s.filter.name, s.count) for s in response.context["suggestions"]], [("q", 3)])
        response = self.client.get("/partnerstwa/?q=atlantyda&status=dissolved")
        self.assertEqual([(s.filter.name, s.count) for s in response.context["suggestions"]], [])


@needs("TERYT_CSV")
class OfficialRegisterPlaceSearchTests(TestCase):
    """With the whole official register: the names the issue names, found among 2,479 gminas."""

    @classmethod
    def setUpTestData(cls):
        from io import StringIO

        from django.core.management import call_command

        from tests.official_data import TERYT_CSV

        call_command("import_teryt", str(TERYT_CSV), stdout=StringIO())
        cls.myszyniec = builders.partnership("Razem na Kurpiach", communes=[MYSZYNIEC])
        cls.ostroleka = builders.partnership("Ostrołęka razem", communes=["1461011"])

    def test_myszyniec_and_ostroleka_are_found_by_name(self):
        names = lambda q: [p.name for p in self.client.get("/partnerstwa/", {"q": q}).context["paging"].objects]  # noqa: E731
        self.assertEqual(names("myszyniec"), ["Razem na Kurpiach"])
        self.assertEqual(names("ostroleka"), ["Ostrołęka razem"])
        self.assertEqual(names("Ostrołęka"), ["Ostrołęka razem"])
        self.assertEqual(self.client.get("/gminy/1415083/").status_code, 200)
