from io import StringIO

from django.core.management import call_command
from django.test import TestCase

from tests.official_data import BOUNDARIES_GEOJSON, TERYT_CSV, needs


@needs("TERYT_CSV", "BOUNDARIES_GEOJSON")
class HomeMapWithOfficialBoundariesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        for command, path in (("import_teryt", TERYT_CSV), ("import_boundaries", BOUNDARIES_GEOJSON)):
            call_command(command, str(path), stdout=StringIO(), stderr=StringIO())
        call_command("load_demo", stdout=StringIO())

    def test_the_map_draws_all_380_counties_and_links_those_with_demo_partnerships(self):
        response = self.client.get("/")
        content = response.content.decode()
        self.assertEqual(content.count('<path d="M'), 380)
        # Each of the 24 Mazowsze powiats has one partnership; the other ostrowski (3017) has none.
        self.assertIn('href="/powiaty/1416/" aria-label="powiat ostrowski: 1 partnerstwo"', content)
        self.assertNotIn('href="/powiaty/3017/"', content)
        self.assertGreaterEqual(content.count('class="map-class-1"'), 24)
        self.assertContains(response, "Liczba partnerstw:")
