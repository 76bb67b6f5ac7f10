"""Property-based: a TERC or boundary file damaged in any way is either still a valid file or
refused with the line (or feature) named; a refused import leaves the database as it was."""

import json
import tempfile
from io import StringIO
from pathlib import Path

from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from territory.boundaries import BoundaryError, read_outlines
from territory.teryt import TercError, read_register
from tests.builders import SMALL_TERC, territory_snapshot

VALID_TERC = SMALL_TERC + (
    "02;01;02;2;Bolesławiec;gmina wiejska;2025-01-01\r\n02;02;;;dzierżoniowski;powiat;2025-01-01\r\n"
    "02;02;01;1;Bielawa;gmina miejska;2025-01-01\r\n"
)
SQUARE = [[[20.0, 52.0], [20.1, 52.0], [20.1, 52.1], [20.0, 52.1], [20.0, 52.0]]]
VALID_GEOJSON = {
    "type": "FeatureCollection",
    "features": [
        {"type": "Feature", "properties": {"teryt": code}, "geometry": {"type": "Polygon", "coordinates": SQUARE}}
        for code in ("0201", "0202")
    ],
}
NOISE = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=12)
EXAMPLES = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def damaged(draw, text: str) -> str:
    """``text`` with a few random injuries: characters replaced, inserted or deleted, lines cut,
    doubled or swapped, NUL bytes, the file truncated."""
    lines = text.splitlines(keepends=True)
    for _injury in range(draw(st.integers(min_value=1, max_value=3))):
        index = draw(st.integers(min_value=0, max_value=len(lines) - 1))
        line = lines[index]
        position = draw(st.integers(min_value=0, max_value=len(line)))
        kind = draw(st.sampled_from(["replace", "insert", "delete", "cut", "double", "swap", "nul", "drop"]))
        if kind == "replace":
            lines[index] = line[:position] + draw(NOISE) + line[position + 1 :]
        elif kind == "insert":
            lines[index] = line[:position] + draw(NOISE) + line[position:]
        elif kind == "delete":
            lines[index] = line[:position] + line[position + draw(st.integers(1, 10)) :]
        elif kind == "cut":
            lines = [*lines[:index], line[:position]]
        elif kind == "double":
            lines.insert(index, line)
        elif kind == "swap":
            other = draw(st.integers(min_value=0, max_value=len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
        elif kind == "nul":
            lines[index] = line[:position] + "\x00" + line[position:]
        elif len(lines) > 1:
            del lines[index]
        if not lines:
            lines = [""]
    return "".join(lines)


class DamagedFileTests(TestCase):
    def setUp(self):
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        self.directory = Path(directory.name)

    def write(self, name: str, text: str) -> Path:
        path = self.directory / name
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        return path

    @EXAMPLES
    @given(text=damaged(VALID_TERC))
    def test_a_damaged_terc_file_is_read_or_refused_at_a_line(self, text):
        try:
            read_register(self.write("terc.csv", text))
        except TercError as error:
            self.assertGreaterEqual(error.line, 1)
            self.assertLessEqual(error.line, text.count("\n") + 2)
            self.assertTrue(error.message.strip())

    @EXAMPLES
    @given(text=damaged(VALID_TERC))
    def test_a_refused_terc_import_changes_nothing(self, text):
        call_command("import_teryt", str(self.write("valid.csv", VALID_TERC)), stdout=StringIO())
        before = territory_snapshot()
        try:
            call_command("import_teryt", str(self.write("terc.csv", text)), stdout=StringIO())
        except CommandError as error:
            self.assertIn("wiersz", str(error))
            self.assertEqual(territory_snapshot(), before)

    @EXAMPLES
    @given(text=damaged(json.dumps(VALID_GEOJSON, indent=1)))
    def test_a_damaged_boundary_file_is_read_or_refused_at_its_place(self, text):
        try:
            read_outlines(self.write("boundaries.geojson", text))
        except BoundaryError as error:
            self.assertTrue(error.where.strip())
            self.assertTrue(error.message.strip())

    @EXAMPLES
    @given(
        value=st.recursive(
            st.none() | st.booleans() | st.floats(allow_nan=True) | st.integers() | NOISE,
            lambda children: st.lists(children, max_size=4) | st.dictionaries(NOISE, children, max_size=4),
            max_leaves=12,
        ),
        place=st.sampled_from(["features", "geometry", "coordinates", "properties", "type"]),
    )
    # Found by this test: an object where a position was expected failed instead of being refused.
    @example(value=[[{}]], place="coordinates")
    @example(value=[], place="coordinates")
    def test_any_json_in_place_of_a_part_of_the_boundary_file_is_refused_or_read(self, value, place):
        collection = json.loads(json.dumps(VALID_GEOJSON))
        feature = collection["features"][0]
        if place == "features":
            collection["features"] = value
        elif place == "geometry":
            feature["geometry"] = value
        elif place == "coordinates":
            feature["geometry"]["coordinates"] = value
        elif place == "properties":
            feature["properties"] = value
        else:
            collection["type"] = value
        try:
            read_outlines(self.write("boundaries.geojson", json.dumps(collection)))
        except BoundaryError as error:
            self.assertTrue(error.message.strip())
