import json
from io import StringIO
from pathlib import Path
from tempfile import TemporaryDirectory

from django.core.management import CommandError, call_command
from django.test import TestCase

from territory.boundaries import MAP_HEIGHT, MAP_WIDTH, simplify
from territory.models import County, Voivodeship
from tests.official_data import BOUNDARIES_GEOJSON, TERYT_CSV, VOIVODESHIP_BOUNDARIES_GEOJSON, needs

SQUARE = [[[20.0, 52.0], [20.1, 52.0], [20.1, 52.1], [20.0, 52.1], [20.0, 52.0]]]


def feature(code: str, coordinates=SQUARE, geometry: str = "Polygon", key: str = "teryt") -> dict:
    return {"type": "Feature", "properties": {key: code}, "geometry": {"type": geometry, "coordinates": coordinates}}


class BoundaryFileTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("load_territory", stdout=StringIO())

    def setUp(self):
        directory = TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        self.directory = Path(directory.name)

    def run_import(self, collection) -> tuple[str, str]:
        path = self.directory / "boundaries.geojson"
        path.write_text(collection if isinstance(collection, str) else json.dumps(collection), encoding="utf-8")
        out, err = StringIO(), StringIO()
        call_command("import_boundaries", str(path), stdout=out, stderr=err)
        return out.getvalue(), err.getvalue()

    def test_outline_is_a_compact_svg_path_inside_the_map(self):
        self.run_import({"type": "FeatureCollection", "features": [feature("1432"), feature("14", key="JPT_KOD_JE")]})
        outline = County.objects.get(code="1432").outline
        self.assertRegex(outline, r"^M[0-9. ]+Z$")
        numbers = [float(n) for n in outline[1:-1].split()]
        self.assertEqual(len(numbers), 8)  # four corners; the closing point is implied by Z
        xs, ys = numbers[0::2], numbers[1::2]
        self.assertTrue(all(0 <= x <= MAP_WIDTH for x in xs) and all(0 <= y <= MAP_HEIGHT for y in ys))
        self.assertTrue(Voivodeship.objects.get(code="14").outline.startswith("M"))

    def test_unknown_codes_are_reported_not_dropped_silently(self):
        out, err = self.run_import({"type": "FeatureCollection", "features": [feature("1432"), feature("9999")]})
        self.assertIn("9999", err)
        self.assertIn("powiaty: 1", out.replace("województwa: 0, ", ""))

    def test_multipolygon_keeps_every_part(self):
        island = [[[20.5, 52.5], [20.6, 52.5], [20.6, 52.6], [20.5, 52.5]]]
        self.run_import({"type": "FeatureCollection", "features": [feature("1432", [SQUARE, island], "MultiPolygon")]})
        self.assertEqual(County.objects.get(code="1432").outline.count("M"), 2)

    def test_malformed_file_is_refused_with_its_place_and_changes_nothing(self):
        self.run_import({"type": "FeatureCollection", "features": [feature("1432")]})
        before = County.objects.get(code="1432").outline
        cases = [
            ('{"type": "FeatureCollection",\n "features": [\n  {"type": ', "wiersz 3"),
            ({"type": "Feature"}, "FeatureCollection"),
            ({"type": "FeatureCollection", "features": [feature("1435"), feature("x14")]}, "obiekt 2"),
            ({"type": "FeatureCollection", "features": [feature("1435"), feature("1435")]}, "obiekt 2"),
            ({"type": "FeatureCollection", "features": [feature("1435", [[[637000, 486000]] * 4])]}, "EPSG:4326"),
            ({"type": "FeatureCollection", "features": [feature("1435", [[["a", "b"]] * 4])]}, "obiekt 1"),
            ({"type": "FeatureCollection", "features": [feature("1435", geometry="Point")]}, "Polygon"),
            ({"type": "FeatureCollection", "features": []}, "obiekt"),
        ]
        for collection, message in cases:
            with self.subTest(message=message), self.assertRaisesMessage(CommandError, message):
                self.run_import(collection)
            self.assertEqual(County.objects.get(code="1432").outline, before)
            self.assertEqual(County.objects.get(code="1435").outline, "")

    def test_simplify_drops_points_on_a_straight_line_and_keeps_corners(self):
        line = [(0.0, 0.0), (1.0, 0.01), (2.0, 0.0), (2.0, 5.0)]
        self.assertEqual(simplify(line, 0.1), [(0.0, 0.0), (2.0, 0.0), (2.0, 5.0)])


@needs("TERYT_CSV", "BOUNDARIES_GEOJSON", "VOIVODESHIP_BOUNDARIES_GEOJSON")
class OfficialBoundariesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("import_teryt", str(TERYT_CSV), stdout=StringIO())

    def test_every_one_of_the_380_counties_gets_an_outline(self):
        out = StringIO()
        call_command("import_boundaries", str(BOUNDARIES_GEOJSON), stdout=out, stderr=StringIO())
        self.assertEqual(County.objects.exclude(outline="").count(), 380)
        self.assertIn("380", out.getvalue())
        # Compact: the whole country's counties in well under a megabyte of paths.
        self.assertLess(sum(len(c.outline) for c in County.objects.all()), 400_000)

    def test_every_voivodeship_gets_an_outline(self):
        call_command("import_boundaries", str(VOIVODESHIP_BOUNDARIES_GEOJSON), stdout=StringIO(), stderr=StringIO())
        self.assertEqual(Voivodeship.objects.exclude(outline="").count(), 16)
