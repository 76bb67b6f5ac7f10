"""The admin's powiat filter: the powiats of one voivodeship, never all 380 at once."""

from django.core.cache import cache

from members.models import Institution
from tests.builders import DOLNOSLASKIE, MAZOWIECKIE, AdminTestCase, institution

URL = "/admin/members/institution/"


def county_choices(response) -> list[str]:
    for spec in response.context["cl"].filter_specs:
        if getattr(spec, "parameter_name", None) == "powiat":
            return [code for code, _label in spec.lookup_choices]
    return []


class CountyFilterTests(AdminTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.wroclaw = institution("Ośrodek wrocławski", commune="0264011")

    def setUp(self):
        cache.clear()

    def test_a_list_of_every_region_offers_powiats_only_once_a_voivodeship_is_chosen(self):
        self.client.force_login(self.superuser)
        self.assertEqual(county_choices(self.client.get(URL)), [])
        choices = county_choices(self.client.get(URL + f"?wojewodztwo={MAZOWIECKIE}"))
        self.assertIn("1465", choices)
        self.assertTrue(all(code.startswith(MAZOWIECKIE) for code in choices), choices)

    def test_staff_see_the_powiats_of_their_region_as_their_list_opens_and_all_when_they_ask(self):
        self.client.force_login(self.staff)
        choices = county_choices(self.client.get(URL))
        self.assertIn("1465", choices)
        self.assertTrue(all(code.startswith(MAZOWIECKIE) for code in choices), choices)
        self.assertEqual(county_choices(self.client.get(URL + "?zakres=wszystkie")), [])

    def test_a_chosen_powiat_filters_without_its_voivodeship_and_an_unknown_one_finds_nothing(self):
        self.client.force_login(self.superuser)
        response = self.client.get(URL + "?powiat=0264")
        listed = list(response.context["cl"].result_list)
        self.assertIn(self.wroclaw, listed)
        self.assertTrue(all(i.commune_id.startswith("0264") for i in listed), listed)
        self.assertLess(len(listed), Institution.objects.count())
        self.assertIn("0264", county_choices(response))
        self.assertTrue(all(code.startswith(DOLNOSLASKIE) for code in county_choices(response)))
        for hostile in ("9999", "x" * 300, "14"):
            with self.subTest(hostile):
                response = self.client.get(URL, {"powiat": hostile})
                self.assertEqual(response.status_code, 200)
                self.assertEqual(list(response.context["cl"].result_list), [])


class AreaCountyFilterTests(AdminTestCase):
    """The partnerships' "powiat of the area" filter offers powiats as the other lists do."""

    URL = "/admin/partnerships/partnership/"

    def setUp(self):
        from partnerships.models import Partnership

        cache.clear()
        self.working = Partnership.objects.create(
            name="Działa w powiecie ostrowskim", slug="ostrowski", home_voivodeship_id=MAZOWIECKIE
        )
        self.working.area_counties.set(["1416"])
        self.client.force_login(self.superuser)

    def test_one_voivodeships_powiats_and_a_hostile_value_finds_nothing(self):
        self.assertEqual(county_choices(self.client.get(self.URL)), [])
        choices = county_choices(self.client.get(self.URL, {"wojewodztwo": MAZOWIECKIE}))
        self.assertIn("1416", choices)
        self.assertTrue(all(code.startswith(MAZOWIECKIE) for code in choices), choices)
        response = self.client.get(self.URL, {"powiat": "1416"})
        self.assertEqual(list(response.context["cl"].result_list), [self.working])
        for hostile in ("x" * 300, "14", "'; --"):
            with self.subTest(hostile):
                response = self.client.get(self.URL, {"powiat": hostile})
                self.assertEqual(response.status_code, 200)
                self.assertEqual(list(response.context["cl"].result_list), [])


class RegionFilterTests(AdminTestCase):
    """"My region" on records located in a commune reads the commune key's voivodeship prefix."""

    def test_staff_see_their_regions_records_found_without_joining_powiats(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        self.client.force_login(self.staff)
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(URL)
        listed = list(response.context["cl"].result_list)
        self.assertTrue(listed)
        self.assertTrue(all(i.commune_id.startswith(MAZOWIECKIE) for i in listed), listed)
        self.assertNotIn(self.other_institution, listed)
        ids = [q["sql"] for q in queries.captured_queries if 'AS "pk" FROM "members_institution"' in q["sql"]]
        self.assertTrue(ids)
        self.assertNotIn("territory_county", ids[0])
        # Another region's records, for the same user, by the same means.
        others = list(self.client.get(URL, {"zakres": "inne"}).context["cl"].result_list)
        self.assertIn(self.other_institution, others)
        self.assertFalse(any((i.commune_id or "").startswith(MAZOWIECKIE) for i in others))
