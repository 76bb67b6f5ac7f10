"""An exported file imports back unchanged; one changed cell is one changed record."""

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
