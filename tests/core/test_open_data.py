"""Open data of every list: CSV (semicolons, BOM), JSON (valid against its served schema) and
XLSX, streamed with the same number of queries whatever the number of rows; /dane/ states the
licence and documents every column (issue 17, point 8)."""

import csv
import io
import json

import jsonschema
from django.test import TestCase
from openpyxl import load_workbook

from events.exports import COLUMNS as EVENT_COLUMNS
from members.exports import COLUMNS as INSTITUTION_COLUMNS
from members.models import Institution
from partnerships.certificates import issue_partnership_certificate
from partnerships.exports import COLUMNS as PARTNERSHIP_COLUMNS
from tests import builders
from tests.page_checks import count_queries

LISTS = {
    "/partnerstwa/": ("partnerships", PARTNERSHIP_COLUMNS),
    "/instytucje/": ("institutions", INSTITUTION_COLUMNS),
    "/wydarzenia/": ("events", EVENT_COLUMNS),
}


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def add_records(count: int) -> None:
    for _ in range(count):
        member = builders.institution(commune="1465011")
        builders.partnership(counties=["1432"], communes=["1465011"], members=[member])
        event = builders.event(commune="1465011")
        event.organisers.add(member)


class OpenDataTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        builders.load_territory()
        cls.foreign = builders.institution('=HYPERLINK("https://zly.example")', commune=None, country="GB")
        cls.member = builders.institution("Ośrodek Pomocy Społecznej", commune="1465011", email="ops@example.org")
        cls.partnership = builders.partnership(
            "Partnerstwo warszawskie", counties=["1432"], communes=["1465011"], members=[cls.member]
        )
        cls.event = builders.event("Konferencja", commune="1465011")
        cls.event.organisers.add(cls.member)
        superuser = builders.get_user_model().objects.create_superuser("admin-dane", password="hasło-testowe-długie")
        cls.certificate = issue_partnership_certificate(cls.partnership, superuser, "Dyrektor testowy", "dyrektor")

    def test_every_format_of_every_list_streams_with_a_fixed_number_of_queries(self):
        urls = [f"{url}?format={fmt}" for url in LISTS for fmt in ("csv", "json", "xlsx")]
        urls += [f"{url}?q=warszawa&format={fmt}" for url in LISTS for fmt in ("csv", "json", "xlsx")]
        before = {url: count_queries(self.client, url) for url in urls}
        add_records(25)
        after = {url: count_queries(self.client, url) for url in urls}
        self.assertEqual(after, before)
        for url in ("/instytucje/?format=csv", "/wydarzenia/?format=csv"):
            self.assertTrue(self.client.get(url).streaming, url)

    def test_csv_has_semicolons_a_bom_names_beside_codes_and_no_formula(self):
        for url, (_records, columns) in LISTS.items():
            with self.subTest(url):
                response = self.client.get(f"{url}?format=csv")
                self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
                content = body(response)
                self.assertTrue(content.startswith("\ufeff".encode()))
                rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
                self.assertEqual(list(rows[0]), list(columns))
        rows = list(
            csv.DictReader(
                io.StringIO(body(self.client.get("/partnerstwa/?format=csv")).decode("utf-8-sig")), delimiter=";"
            )
        )
        self.assertEqual(rows[0]["area_commune_teryt"], "1465011")
        self.assertEqual(rows[0]["area_communes"], "Warszawa")
        self.assertEqual(rows[0]["area_counties"], "warszawski zachodni")
        self.assertEqual(rows[0]["certificate_status"], "valid")
        self.assertEqual(rows[0]["certificate_number"], self.certificate.number)
        institutions = list(
            csv.DictReader(
                io.StringIO(body(self.client.get("/instytucje/?format=csv")).decode("utf-8-sig")), delimiter=";"
            )
        )
        foreign = next(row for row in institutions if row["country"] == "GB")
        self.assertEqual(foreign["country_name"], "Wielka Brytania")
        self.assertTrue(foreign["name"].startswith("'="))  # shown as text, never run
        ops = next(row for row in institutions if row["name"] == "Ośrodek Pomocy Społecznej")
        self.assertEqual(
            (ops["commune_teryt"], ops["commune"], ops["voivodeship"]), ("1465011", "Warszawa", "mazowieckie")
        )
        self.assertEqual(ops["kind_name"], "miejski ośrodek pomocy społecznej (MOPS)")

    def test_xlsx_has_the_csv_rows_and_no_formula(self):
        for url, (_records, columns) in LISTS.items():
            with self.subTest(url):
                response = self.client.get(f"{url}?format=xlsx")
                self.assertEqual(
                    response["Content-Type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                )
                self.assertIn("attachment;", response["Content-Disposition"])
                sheet = load_workbook(io.BytesIO(body(response)), read_only=True).active
                rows = list(sheet.iter_rows(values_only=True))
                self.assertEqual(list(rows[0]), list(columns))
                csv_rows = list(
                    csv.reader(
                        io.StringIO(body(self.client.get(f"{url}?format=csv")).decode("utf-8-sig")), delimiter=";"
                    )
                )
                self.assertEqual(len(rows), len(csv_rows))
        sheet = load_workbook(io.BytesIO(body(self.client.get("/instytucje/?format=xlsx")))).active
        for row in sheet.iter_rows():
            for cell in row:
                self.assertNotEqual(cell.data_type, "f")

    def test_json_of_every_list_is_valid_against_its_served_schema(self):
        for url, (records, _columns) in LISTS.items():
            with self.subTest(url):
                schema_response = self.client.get(f"/dane/{records}.schema.json")
                self.assertEqual(schema_response["Content-Type"], "application/schema+json")
                schema = json.loads(schema_response.content)
                data = json.loads(body(self.client.get(f"{url}?format=json")))
                jsonschema.validate(data, schema, format_checker=jsonschema.FormatChecker())
                self.assertTrue(data[records])
        self.assertEqual(self.client.get("/dane/secrets.schema.json").status_code, 404)
        self.assertEqual(self.client.get("/dane/..%2Fsettings.schema.json").status_code, 404)

    def test_the_filters_select_the_rows_of_every_download(self):
        builders.institution("Fundacja we Wrocławiu", commune="0264011", kind=Institution.Kind.FOUNDATION)
        data = json.loads(body(self.client.get("/instytucje/?wojewodztwo=02&format=json")))
        self.assertEqual([row["name"] for row in data["institutions"]], ["Fundacja we Wrocławiu"])
        data = json.loads(body(self.client.get("/wydarzenia/?gmina=Warszawa&format=json")))
        self.assertEqual([row["title"] for row in data["events"]], ["Konferencja"])
        self.assertEqual(data["events"][0]["organisers"], ["Ośrodek Pomocy Społecznej"])

    def test_the_open_data_page_states_the_licence_the_source_and_every_column(self):
        response = self.client.get("/dane/")
        self.assertContains(response, "CC BY 4.0")
        self.assertContains(response, "Źródło: GUS, TERYT")
        for _url, (records, columns) in LISTS.items():
            self.assertContains(response, f'href="/dane/{records}.schema.json"')
            for key in columns:
                self.assertContains(response, f"<code>{key}</code>", html=True)
        self.assertContains(self.client.get("/partnerstwa/"), 'href="/dane/"')
