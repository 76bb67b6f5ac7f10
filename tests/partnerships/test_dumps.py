"""Dated full dumps of the public registry (issue 18, point 4): the files are read back as a
researcher reads them (the CSV out of its zip, the JSON), their checksums verify against the
manifest and SHA256SUMS, their rows are the database's; the newest N days are kept; the same
day published again replaces itself; /dane/ lists them and serves them; the queries are fixed."""

import csv
import datetime
import hashlib
import io
import json
import os
import tempfile
import zipfile
from unittest import mock

import jsonschema
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext

from core.models import Citation, Source
from events.models import Event, Project
from members.models import Institution
from partnerships import dumps
from partnerships.models import Membership, Partnership
from tests import builders

DAY = datetime.date(2026, 12, 6)
DATASETS = {
    "partnerstwa": "partnerships",
    "instytucje": "institutions",
    "wydarzenia": "events",
    "projekty": "projects",
    "czlonkostwa": "memberships",
    "zrodla": "sources",
}


def add_records(count: int) -> None:
    source = Source.objects.create(key=f"zrodlo-{count}", description="strona internetowa", title="Relacja")
    for _ in range(count):
        member = builders.institution(commune="1465011")
        partnership = builders.partnership(counties=["1432"], communes=["1465011"], members=[member])
        event = builders.event(commune="1465011", start_date=datetime.date(2014, 12, 11))
        event.organisers.add(member)
        Project.objects.create(name=f"Projekt dla {partnership.name}", operator=member, programme="PO KL")
        Citation.objects.create(record=partnership, source=source, field="members", quote="członkowie")


def stored(path: str) -> bytes:
    with default_storage.open(path, "rb") as file:
        return file.read()


def read_dump(day: datetime.date) -> tuple[dict, dict[str, list[dict]], dict[str, list[dict]]]:
    """The day's manifest, and per dataset the rows of its CSV (unzipped) and of its JSON; every
    checksum and size in the manifest and SHA256SUMS checked on the way."""
    folder = f"dumps/{day.isoformat()}"
    manifest = json.loads(stored(f"{folder}/manifest.json"))
    sums = dict(line.split("  ")[::-1] for line in stored(f"{folder}/SHA256SUMS").decode().splitlines())
    csv_rows, json_rows = {}, {}
    for entry in manifest["files"]:
        data = stored(f"{folder}/{entry['name']}")
        assert hashlib.sha256(data).hexdigest() == entry["sha256"] == sums[entry["name"]], entry["name"]
        assert len(data) == entry["bytes"], entry["name"]
        name = entry["name"].split(".")[0]
        if entry["format"] == "csv.zip":
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                (inner,) = entry["contents"]
                assert archive.namelist() == [inner["name"]] == [f"{name}.csv"]
                text = archive.read(inner["name"])
            assert hashlib.sha256(text).hexdigest() == inner["sha256"] and len(text) == inner["bytes"]
            assert text.startswith("\ufeff".encode())
            csv_rows[name] = list(csv.DictReader(io.StringIO(text.decode("utf-8-sig")), delimiter=";"))
            assert len(csv_rows[name]) == entry["rows"], name
        else:
            document = json.loads(data)
            json_rows[name] = document[entry["dataset"]]
            assert len(json_rows[name]) == entry["rows"], name
    return manifest, csv_rows, json_rows


class DumpTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        builders.load_territory()
        add_records(2)
        cls.former = Membership.objects.create(
            partnership=Partnership.objects.first(),
            institution=builders.institution("Dawny członek", commune="1465011"),
            joined_on=datetime.date(2010, 1, 1),
            left_on=datetime.date(2012, 1, 1),
        )
        Citation.objects.create(record=cls.former, source=Source.objects.first(), quote="wystąpił w 2012")

    def setUp(self):
        # Every test stores into a folder of its own, read through the default storage.
        self.media = self.enterContext(tempfile.TemporaryDirectory())
        self.enterContext(override_settings(MEDIA_ROOT=self.media))

    def dates(self) -> list[str]:
        return default_storage.listdir("dumps")[0]


class DumpContentTests(DumpTestCase):
    def test_the_checksums_verify_and_the_rows_are_the_databases(self):
        manifest = dumps.publish(keep=7, day=DAY)
        stored_manifest, csv_rows, json_rows = read_dump(DAY)
        self.assertEqual(stored_manifest, manifest)
        self.assertEqual(manifest["date"], "2026-12-06")
        self.assertEqual(manifest["licence"]["name"], "CC BY 4.0")
        self.assertEqual(manifest["licence"]["territorial_division"], "Źródło: GUS, TERYT")
        self.assertEqual({e["name"] for e in manifest["files"]}, dumps.file_names() - {"manifest.json", "SHA256SUMS"})
        self.assertEqual(set(csv_rows), set(DATASETS))
        self.assertEqual(set(json_rows), set(DATASETS))

        expected = {
            "partnerstwa": set(Partnership.objects.values_list("slug", flat=True)),
            "instytucje": set(Institution.objects.values_list("slug", flat=True)),
            "wydarzenia": set(Event.objects.values_list("slug", flat=True)),
            "projekty": set(Project.objects.values_list("slug", flat=True)),
        }
        for name, slugs in expected.items():
            with self.subTest(name):
                self.assertEqual(len(json_rows[name]), len(slugs))
                self.assertEqual({row["slug"] for row in json_rows[name]}, slugs)
                self.assertEqual({row["slug"] for row in csv_rows[name]}, slugs)
        self.assertEqual(
            {row["id"] for row in json_rows["czlonkostwa"]}, set(Membership.objects.values_list("pk", flat=True))
        )
        self.assertEqual(len(csv_rows["czlonkostwa"]), Membership.objects.count())
        former = next(row for row in json_rows["czlonkostwa"] if row["id"] == self.former.pk)
        self.assertEqual((former["joined_on"], former["left_on"]), ("2010-01-01", "2012-01-01"))
        self.assertEqual(len(json_rows["zrodla"]), Citation.objects.count())
        cited = next(row for row in json_rows["zrodla"] if row["record_kind"] == "membership")
        self.assertEqual(cited["membership_id"], self.former.pk)
        self.assertEqual(cited["record_slug"], self.former.partnership.slug)
        self.assertEqual(cited["quote"], "wystąpił w 2012")

    def test_the_rows_are_those_of_the_downloads_with_their_columns(self):
        dumps.publish(keep=7, day=DAY)
        _manifest, csv_rows, json_rows = read_dump(DAY)
        download = self.client.get("/partnerstwa/?format=json")
        listed = json.loads(b"".join(download.streaming_content))["partnerships"]
        by_slug = {row["slug"]: row for row in json_rows["partnerstwa"]}
        for row in listed:
            self.assertEqual(by_slug[row["slug"]], row)
        from partnerships.exports import COLUMNS

        self.assertEqual(list(csv_rows["partnerstwa"][0]), list(COLUMNS))
        # Lists are joined by "|" in CSV and stay lists in JSON, as in the downloads.
        member_row = next(r for r in csv_rows["partnerstwa"] if r["slug"] == self.former.partnership.slug)
        self.assertIn("Instytucja testowa", member_row["members"])
        self.assertIsInstance(by_slug[self.former.partnership.slug]["members"], list)

    def test_the_json_of_each_list_is_valid_against_its_published_schema(self):
        dumps.publish(keep=7, day=DAY)
        for name, records in (
            ("partnerstwa", "partnerships"),
            ("instytucje", "institutions"),
            ("wydarzenia", "events"),
        ):
            with self.subTest(name):
                document = json.loads(stored(f"dumps/2026-12-06/{name}.json"))
                schema = json.loads((settings.BASE_DIR / "docs" / f"{records}.schema.json").read_text())
                jsonschema.validate(document, schema, format_checker=jsonschema.FormatChecker())

    def test_no_cell_runs_as_a_formula(self):
        builders.institution('=HYPERLINK("https://zly.example")', commune=None, country="GB")
        dumps.publish(keep=7, day=DAY)
        _manifest, csv_rows, _json = read_dump(DAY)
        names = [row["name"] for row in csv_rows["instytucje"]]
        self.assertIn('\'=HYPERLINK("https://zly.example")', names)

    def test_the_dump_runs_the_same_number_of_queries_whatever_the_number_of_rows(self):
        dumps.publish(keep=7, day=DAY)  # content types and the like, cached once per process
        with CaptureQueriesContext(connection) as small:
            dumps.publish(keep=7, day=DAY)
        add_records(20)
        with CaptureQueriesContext(connection) as large:
            dumps.publish(keep=7, day=DAY)
        self.assertEqual(len(large), len(small))
        # Partnerships: the list, 9 relations and their sources (11); institutions 1; events and
        # their organisers 2; projects 1; memberships 1; sources, one per kind of record 5.
        self.assertEqual(len(large), 21)


class DumpStorageTests(DumpTestCase):
    def test_only_the_newest_days_are_kept(self):
        for offset in range(4):
            dumps.publish(keep=2, day=DAY + datetime.timedelta(days=offset))
        self.assertEqual(sorted(self.dates()), ["2026-12-08", "2026-12-09"])
        # Nothing of the older days is left, not even an empty folder.
        self.assertFalse(default_storage.exists("dumps/2026-12-06"))
        self.assertEqual([m["date"] for m in dumps.published()], ["2026-12-09", "2026-12-08"])

    def test_publishing_again_the_same_day_replaces_that_day(self):
        dumps.publish(keep=7, day=DAY)
        builders.partnership("Partnerstwo dopisane później")
        dumps.publish(keep=7, day=DAY)
        self.assertEqual(self.dates(), ["2026-12-06"])
        manifest, _csv, json_rows = read_dump(DAY)
        self.assertIn("Partnerstwo dopisane później", [row["name"] for row in json_rows["partnerstwa"]])
        self.assertEqual(
            set(default_storage.listdir("dumps/2026-12-06")[1]),
            {e["name"] for e in manifest["files"]} | {"manifest.json", "SHA256SUMS"},
        )

    def test_a_failure_midway_leaves_the_stored_dump_as_it_was(self):
        dumps.publish(keep=7, day=DAY)
        before = stored("dumps/2026-12-06/manifest.json")
        with (
            mock.patch("members.exports.rows", side_effect=RuntimeError("baza niedostępna")),
            self.assertRaises(RuntimeError),
        ):
            dumps.publish(keep=7, day=DAY)
        self.assertEqual(stored("dumps/2026-12-06/manifest.json"), before)
        read_dump(DAY)

    def test_a_day_without_its_manifest_is_not_listed(self):
        dumps.publish(keep=7, day=DAY)
        default_storage.delete("dumps/2026-12-06/manifest.json")
        self.assertEqual(dumps.published(), [])
        self.assertNotContains(self.client.get("/dane/"), "/dane/zrzuty/2026-12-06/")

    def test_the_command_publishes_today_and_refuses_to_keep_nothing(self):
        out = io.StringIO()
        call_command("publish_dumps", "--keep", "3", stdout=out)
        self.assertIn("partnerstwa.csv.zip", out.getvalue())
        self.assertEqual(len(dumps.published()), 1)
        with self.assertRaises(CommandError):
            call_command("publish_dumps", "--keep", "0", stdout=io.StringIO())


class DumpPageTests(DumpTestCase):
    def test_open_data_page_lists_each_file_with_its_size_checksum_and_link(self):
        response = self.client.get("/dane/")
        self.assertContains(response, "Nie opublikowano jeszcze żadnego zrzutu")
        manifest = dumps.publish(keep=7, day=DAY)
        response = self.client.get("/dane/")
        self.assertContains(response, "6 grudnia 2026")
        self.assertContains(response, "Raz dziennie cały rejestr")
        for entry in manifest["files"]:
            url = f"/dane/zrzuty/2026-12-06/{entry['name']}"
            self.assertContains(response, f'href="{url}"')
            self.assertContains(response, entry["sha256"])
            download = self.client.get(url)
            self.assertEqual(download.status_code, 200)
            self.assertEqual(download["Content-Disposition"], f'attachment; filename="{entry["name"]}"')
            self.assertEqual(hashlib.sha256(b"".join(download.streaming_content)).hexdigest(), entry["sha256"])
        self.assertContains(response, 'href="/dane/zrzuty/2026-12-06/SHA256SUMS"')
        english = self.client.get("/en/dane/")
        self.assertContains(english, "Dump of Dec. 6, 2026")

    def test_only_the_files_a_dump_writes_are_served(self):
        dumps.publish(keep=7, day=DAY)
        for url in (
            "/dane/zrzuty/2026-12-06/nieznane.json",
            "/dane/zrzuty/2026-12-05/partnerstwa.json",
            "/dane/zrzuty/2026-13-45/partnerstwa.json",
            "/dane/zrzuty/2026-12-06/../../partnerstwa.json",
            "/dane/zrzuty/2026-12-06/%2e%2e%2fpartnerstwa.json",
            "/dane/zrzuty/2026-12-06/partnerstwa.csv",
        ):
            with self.subTest(url):
                self.assertEqual(self.client.get(url).status_code, 404)


class NamedStorageTests(DumpTestCase):
    def test_a_storage_named_dumps_is_used_when_configured(self):
        with tempfile.TemporaryDirectory() as own:
            storages = {
                "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
                "dumps": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": own}},
                "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
            }
            with override_settings(STORAGES=storages):
                dumps.publish(keep=1, day=DAY)
                self.assertEqual(os.listdir(own), ["dumps"])
                self.assertEqual(os.listdir(self.media), [])
                self.assertEqual(self.client.get("/dane/zrzuty/2026-12-06/SHA256SUMS").status_code, 200)
