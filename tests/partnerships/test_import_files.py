"""Files as Polish offices have them (issue 14, point 2), each made here and imported."""

import datetime

from members.models import Institution
from partnerships import imports
from partnerships.models import Membership, Partnership
from tests.builders import AdminTestCase

from .import_files import csv_bytes, rows_of, xlsx

ROW = {
    "name": "Partnerstwo Łódź–Wrocław",
    "home_voivodeship_teryt": "2",  # a number that lost its leading zero
    "status": "aktywne",
    "status_stated_on": "10.2014",  # a known status is as of a date (issue 16)
    "founded": "28.10.2014",
    "area_county_teryt": "264",
    "member_name": "Miejski Ośrodek Pomocy Społecznej we Wrocławiu",
    "member_kind": "MOPS",
    "member_nip": "896-10-03-179",
    "member_commune_teryt": "264011",
    "member_role": "Lider",
}


class FileFlavourTests(AdminTestCase):
    def preview(self, name: str, data: bytes, user=None) -> imports.Preview:
        result = imports.preview(name, data, user or self.other_staff)
        self.assertFalse(result.has_errors, [result.errors, [r.errors for r in result.rows]])
        return result

    def written(self, result: imports.Preview) -> Partnership:
        run = imports.ImportRun.objects.create(file_name="plik", user=self.superuser)
        imports.apply(result, run, self.superuser)
        return Partnership.objects.get(name=ROW["name"])

    def assert_row_read(self, result: imports.Preview) -> None:
        partnership = next(r for r in result.records if r.model is Partnership)
        self.assertEqual(partnership.instance.home_voivodeship_id, "02")
        self.assertEqual(partnership.instance.founded_on, datetime.date(2014, 10, 28))
        self.assertEqual(partnership.m2m["area_counties"], ["0264"])
        institution = next(r for r in result.records if r.model is Institution)
        self.assertEqual(institution.instance.nip, "8961003179")
        self.assertEqual(institution.instance.commune_id, "0264011")
        self.assertEqual(institution.instance.name, ROW["member_name"])

    def test_xlsx(self):
        result = self.preview("plik.xlsx", xlsx(*rows_of([ROW])))
        self.assertEqual(result.workbook.file_format, "xlsx")
        self.assert_row_read(result)

    def test_xlsx_with_numbers_where_codes_are_and_a_date_cell(self):
        row = {
            **ROW,
            "home_voivodeship_teryt": 2,
            "area_county_teryt": 264,
            "member_commune_teryt": 264011,
            "founded": datetime.datetime(2014, 10, 28),
            "member_nip": 8961003179,
        }
        self.assert_row_read(self.preview("plik.xlsx", xlsx(*rows_of([row]))))

    def test_csv_utf8_without_bom_separated_by_semicolons(self):
        result = self.preview("plik.csv", csv_bytes(*rows_of([ROW]), delimiter=";"))
        self.assertEqual((result.workbook.encoding, result.workbook.delimiter), ("UTF-8", ";"))
        self.assert_row_read(result)

    def test_csv_utf8_with_bom_separated_by_commas(self):
        result = self.preview("plik.csv", csv_bytes(*rows_of([ROW]), delimiter=",", bom=True))
        self.assertEqual((result.workbook.encoding, result.workbook.delimiter), ("UTF-8 (BOM)", ","))
        self.assert_row_read(result)

    def test_csv_windows_1250(self):
        data = csv_bytes(*rows_of([ROW]), encoding="cp1250")
        self.assertNotIn("Ł".encode(), data)
        result = self.preview("plik.csv", data)
        self.assertEqual(result.workbook.encoding, "Windows-1250")
        self.assert_row_read(result)

    def test_the_separator_and_encoding_are_shown_in_the_preview(self):
        self.client.force_login(self.other_staff)
        from django.core.files.uploadedfile import SimpleUploadedFile
        from django.urls import reverse

        data = csv_bytes(*rows_of([ROW]), encoding="cp1250", delimiter=",")
        response = self.client.post(
            reverse("admin:partnerships_importrun_add"), {"file": SimpleUploadedFile("plik.csv", data)}, follow=True
        )
        self.assertContains(response, "CSV w kodowaniu Windows-1250, komórki rozdzielone znakiem „,”")

    def test_dates_in_every_form_with_their_precision(self):
        cases = {
            "41940": (datetime.date(2014, 10, 28), "day"),  # an Excel serial, as a CSV holds it
            "28.10.2014": (datetime.date(2014, 10, 28), "day"),
            "2014-10-28": (datetime.date(2014, 10, 28), "day"),
            "10.2014": (datetime.date(2014, 10, 1), "month"),
            "2010": (datetime.date(2010, 1, 1), "year"),
        }
        for text, expected in cases.items():
            with self.subTest(text):
                result = self.preview("plik.csv", csv_bytes(*rows_of([{**ROW, "founded": text}])))
                partnership = next(r for r in result.records if r.model is Partnership).instance
                self.assertEqual((partnership.founded_on, partnership.founded_precision), expected)
        result = self.preview("plik.xlsx", xlsx(*rows_of([{**ROW, "founded": 41940}])))
        self.assertEqual(
            next(r for r in result.records if r.model is Partnership).instance.founded_on, datetime.date(2014, 10, 28)
        )

    def test_a_known_status_is_stored_with_its_date_its_precision_and_who_stated_it(self):
        partnership = self.written(self.preview("plik.csv", csv_bytes(*rows_of([ROW]))))
        self.assertEqual(
            (partnership.status, partnership.status_stated_on, partnership.status_stated_precision),
            ("active", datetime.date(2014, 10, 1), "month"),
        )
        # The file does not say who stated it: the staff who import it do.
        self.assertEqual(partnership.status_stated_by, Partnership.StatusStatedBy.STAFF)
        self.assertEqual(partnership.status_stated_display, "Październik 2014")

    def test_a_status_stated_by_a_source_a_founding_kind_and_an_unknown_status(self):
        row = {
            **ROW,
            "status_stated_on": 41940,
            "status_stated_by": "źródło",
            "founding_kind": "rozpoczęcie budowania partnerstwa",
        }
        partnership = self.written(self.preview("plik.xlsx", xlsx(*rows_of([row]))))
        self.assertEqual(
            (partnership.status_stated_on, partnership.status_stated_precision, partnership.status_stated_by),
            (datetime.date(2014, 10, 28), "day", "source"),
        )
        self.assertEqual(partnership.founding_kind, Partnership.FoundingKind.BUILDING_STARTED)
        Partnership.objects.all().delete()
        # An unknown or empty status needs no date, and the import makes up none.
        for status in ("nieznany", ""):
            with self.subTest(status=status):
                row = {key: value for key, value in ROW.items() if key != "status_stated_on"}
                partnership = self.written(self.preview("plik.csv", csv_bytes(*rows_of([{**row, "status": status}]))))
                self.assertEqual(
                    (partnership.status, partnership.status_stated_on, partnership.status_stated_by),
                    ("unknown", None, ""),
                )
                self.assertEqual(partnership.founding_kind, Partnership.FoundingKind.FOUNDED)
                Partnership.objects.all().delete()

    def test_a_bare_year_is_stored_with_the_year_precision(self):
        partnership = self.written(self.preview("plik.csv", csv_bytes(*rows_of([{**ROW, "founded": "2010"}]))))
        self.assertEqual((partnership.founded_on, partnership.founded_precision), (datetime.date(2010, 1, 1), "year"))
        self.assertEqual(partnership.founded_display, "2010")
        membership = Membership.objects.get(partnership=partnership)
        self.assertEqual(membership.role, "leader")

    def test_nip_with_spaces_and_a_bad_nip(self):
        result = self.preview("plik.csv", csv_bytes(*rows_of([{**ROW, "member_nip": "896 100 31 79"}])))
        self.assertEqual(next(r for r in result.records if r.model is Institution).instance.nip, "8961003179")
        result = imports.preview(
            "plik.csv", csv_bytes(*rows_of([{**ROW, "member_nip": "896-10-03-178"}])), self.superuser
        )
        self.assertEqual(result.rows[0].errors[0][0], "Członek: NIP")
