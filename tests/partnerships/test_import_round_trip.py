"""An exported file imports back unchanged; one changed cell is one changed record."""

import datetime
import io
import tempfile
from pathlib import Path

import openpyxl
from django.core.management import CommandError, call_command

from members.models import Institution
from partnerships.models import Membership, Partnership, TargetGroup
from tests.builders import AdminTestCase

from .import_files import header


class RoundTripTests(AdminTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.own_partnership.target_groups.add(TargetGroup.objects.first())
        cls.own_partnership.area_counties.add("1416")
        Membership.objects.create(partnership=cls.own_partnership, institution=cls.own_institution, role="leader")
        Membership.objects.create(partnership=cls.own_partnership, institution=cls.mcps)
        # A status a source stated as of a month, and a year that marks only the start of building
        # (issue 16): each must come back as it was, not as the staff's or as a founding.
        Partnership.objects.filter(pk=cls.own_partnership.pk).update(
            status=Partnership.Status.ACTIVE,
            status_stated_on=datetime.date(2014, 10, 1),
            status_stated_precision="month",
            status_stated_by=Partnership.StatusStatedBy.SOURCE,
            founded_on=datetime.date(2012, 1, 1),
            founded_precision="year",
            founding_kind=Partnership.FoundingKind.BUILDING_STARTED,
        )

    def setUp(self):
        self.directory = Path(tempfile.mkdtemp())

    def run_command(self, *args) -> tuple[str, str, bool]:
        out, err = io.StringIO(), io.StringIO()
        try:
            call_command(*args, stdout=out, stderr=err)
        except CommandError:
            return out.getvalue(), err.getvalue(), False
        return out.getvalue(), err.getvalue(), True

    def test_exported_xlsx_imports_back_unchanged(self):
        path = self.directory / "rejestr.xlsx"
        call_command("export_registry", str(path), stdout=io.StringIO())
        out, err, ok = self.run_command("import_registry", str(path), "--dry-run", "--user", self.superuser.username)
        self.assertTrue(ok, err)
        self.assertIn("nowe: 0, zmienione: 0", out)

    def test_exported_csv_imports_back_unchanged(self):
        path = self.directory / "rejestr.csv"
        call_command("export_registry", str(path), stdout=io.StringIO())
        out, err, ok = self.run_command("import_registry", str(path), "--dry-run", "--user", self.superuser.username)
        self.assertTrue(ok, err)
        self.assertIn("nowe: 0, zmienione: 0", out)
        self.assertIn("separator „;”", out)

    def test_one_changed_name_is_one_changed_record_and_is_written_only_without_dry_run(self):
        path = self.directory / "rejestr.xlsx"
        call_command("export_registry", str(path), "--only", "partnerships", stdout=io.StringIO())
        book = openpyxl.load_workbook(path)
        sheet = book.active
        names = [cell.value for cell in sheet[1]].index(header("name")) + 1
        for row in range(2, sheet.max_row + 1):
            if sheet.cell(row, names).value == self.own_partnership.name:
                sheet.cell(row, names).value = "Partnerstwo testowe mazowieckie – nowa nazwa"
        book.save(path)
        out, err, ok = self.run_command("import_registry", str(path), "--dry-run", "--user", self.superuser.username)
        self.assertTrue(ok, err)
        self.assertIn("nowe: 0, zmienione: 1,", out)
        self.assertEqual(Partnership.objects.get(pk=self.own_partnership.pk).name, "Partnerstwo testowe mazowieckie")
        out, err, ok = self.run_command("import_registry", str(path), "--user", self.superuser.username)
        self.assertTrue(ok, err)
        self.assertEqual(
            Partnership.objects.get(pk=self.own_partnership.pk).name, "Partnerstwo testowe mazowieckie – nowa nazwa"
        )
        self.assertEqual(Institution.objects.count(), 4)


class AdminExportRoundTripTests(AdminTestCase):
    def test_the_admins_xlsx_export_imports_back_unchanged(self):
        from django.contrib.admin import helpers

        from partnerships import imports
        from tests.builders import admin_url

        Membership.objects.create(partnership=self.own_partnership, institution=self.own_institution)
        self.client.force_login(self.superuser)
        pks = [self.own_partnership.pk, self.other_partnership.pk]
        response = self.client.post(
            admin_url(Partnership, "changelist"), {"action": "export_xlsx", helpers.ACTION_CHECKBOX_NAME: pks}
        )
        self.assertEqual(response.status_code, 200)
        result = imports.preview("partnerstwa.xlsx", response.content, self.superuser)
        self.assertFalse(result.has_errors, result.errors)
        self.assertEqual(result.counts(), {"new": 0, "changed": 0, "unchanged": 6, "error": 0})


class UndoTests(AdminTestCase):
    def test_undo_puts_back_changed_values_and_relations(self):
        from partnerships import imports
        from partnerships.models import ImportRun

        from .import_files import csv_bytes, rows_of

        self.own_partnership.website = "https://stara.example.org/"
        self.own_partnership.save()
        self.own_partnership.area_counties.set(["1416"])
        row = {
            "slug": self.own_partnership.slug,
            "name": self.own_partnership.name,
            "website": "https://nowa.example.org/",
            "area_county_teryt": "1434|1412",
        }
        result = imports.preview("zmiany.csv", csv_bytes(*rows_of([row])), self.staff)
        self.assertEqual(result.counts()["changed"], 1)
        run = ImportRun.objects.create(file_name="zmiany.csv", user=self.staff, voivodeship_id="14")
        imports.apply(result, run, self.staff)
        partnership = Partnership.objects.get(pk=self.own_partnership.pk)
        self.assertEqual(partnership.website, "https://nowa.example.org/")
        self.assertEqual(sorted(partnership.area_counties.values_list("pk", flat=True)), ["1412", "1434"])
        # One history row for the change, holding the new area.
        latest = partnership.history.latest()
        self.assertEqual(sorted(latest.area_counties.values_list("county_id", flat=True)), ["1412", "1434"])
        with self.assertRaisesMessage(imports.ImportRefused, "pracownik regionu"):
            imports.undo(run, self.other_staff)
        imports.undo(run, self.staff)
        partnership.refresh_from_db()
        self.assertEqual(partnership.website, "https://stara.example.org/")
        self.assertEqual(list(partnership.area_counties.values_list("pk", flat=True)), ["1416"])
        self.assertEqual(ImportRun.objects.get(pk=run.pk).state, ImportRun.State.UNDONE)
        with self.assertRaisesMessage(imports.ImportRefused, "Cofnąć można tylko zakończony import."):
            imports.undo(run, self.staff)


class PreviewQueryTests(AdminTestCase):
    def test_the_preview_costs_the_same_queries_for_5_and_for_25_partnerships(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from partnerships import imports
        from tests.builders import institution, partnership

        from .import_files import csv_bytes, rows_of

        def queries(count: int) -> int:
            rows = []
            for number in range(count):
                member = institution(f"Członek {count}-{number}", nip="")
                built = partnership(f"Partnerstwo {count}-{number}", members=[member])
                rows.append(
                    {"slug": built.slug, "name": built.name, "member_slug": member.slug, "member_name": member.name}
                )
                rows.append(
                    {
                        "name": f"Nowe partnerstwo {count}-{number}",
                        "member_name": f"Nowy członek {number}",
                        "member_kind": "MOPS",
                        "member_commune_teryt": "1465011",
                    }
                )
            data = csv_bytes(*rows_of(rows))
            user = type(self.staff).objects.get(pk=self.staff.pk)  # its region not known yet
            with CaptureQueriesContext(connection) as captured:
                result = imports.preview("plik.csv", data, user)
            self.assertFalse(result.has_errors, [r.errors for r in result.rows if r.errors])
            return len(captured)

        self.assertEqual(queries(5), queries(25))
