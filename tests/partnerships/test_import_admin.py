"""The admin's import: upload, a preview of every row, confirm; the template; undo."""

import io

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from members.models import Institution
from partnerships.models import ImportRun, Partnership
from tests.builders import MAZOWIECKIE, WARSZAWA, AdminTestCase

from .import_files import rows_of, xlsx


class ImportAdminTests(AdminTestCase):
    def setUp(self):
        self.client.force_login(self.staff)

    def upload(self, data: bytes, name: str = "partnerstwa.xlsx"):
        response = self.client.post(
            reverse("admin:partnerships_importrun_add"), {"file": SimpleUploadedFile(name, data)}, follow=True
        )
        self.assertEqual(response.status_code, 200)
        return response

    def file(self, **member) -> bytes:
        row = {
            "name": "Partnerstwo z arkusza",
            "home_voivodeship_teryt": MAZOWIECKIE,
            "founded": "2010",
            "member_name": "Ośrodek z arkusza",
            "member_kind": "MOPS",
            "member_commune_teryt": WARSZAWA,
            "member_role": "lider",
            **member,
        }
        return xlsx(*rows_of([row]))

    def test_preview_shows_every_row_and_writes_nothing_until_confirmed(self):
        response = self.upload(self.file())
        self.assertContains(response, "Podgląd importu")
        self.assertContains(response, "Partnerstwo z arkusza")
        self.assertContains(response, "nowy")
        self.assertFalse(Partnership.objects.filter(name="Partnerstwo z arkusza").exists())
        run = ImportRun.objects.get()
        self.assertEqual(run.state, ImportRun.State.PREVIEWED)
        response = self.client.post(
            reverse("admin:partnerships_importrun_preview", args=[run.pk]), {"confirm": "1"}, follow=True
        )
        self.assertContains(response, "Plik został zaimportowany.")
        partnership = Partnership.objects.get(name="Partnerstwo z arkusza")
        self.assertEqual(partnership.founded_precision, "year")
        self.assertEqual(partnership.memberships.get().role, "leader")
        reason = partnership.history.latest().history_change_reason
        self.assertIn("partnerstwa.xlsx", reason)
        self.assertIn("wiersz 2", reason)

    def test_a_changed_cell_is_shown_with_its_old_and_new_value(self):
        self.own_partnership.website = "https://stara.example.org/"
        self.own_partnership.save()
        data = xlsx(
            *rows_of(
                [
                    {
                        "slug": self.own_partnership.slug,
                        "name": self.own_partnership.name,
                        "website": "https://nowa.example.org/",
                    }
                ]
            )
        )
        response = self.upload(data)
        self.assertContains(response, "zmieniony")
        self.assertContains(response, "https://stara.example.org/")
        self.assertContains(response, "https://nowa.example.org/")

    def test_a_file_with_errors_cannot_be_confirmed(self):
        response = self.upload(self.file(member_commune_teryt="1499999"))
        self.assertContains(response, "Nie ma jednostki o kodzie TERYT 1499999.")
        self.assertNotContains(response, 'name="confirm"')
        run = ImportRun.objects.get()
        response = self.client.post(
            reverse("admin:partnerships_importrun_preview", args=[run.pk]), {"confirm": "1"}, follow=True
        )
        self.assertContains(response, "Plik zawiera błędy; niczego nie zapisano.")
        self.assertFalse(Partnership.objects.filter(name="Partnerstwo z arkusza").exists())

    def test_a_png_named_xlsx_gets_a_polish_error_not_a_500(self):
        response = self.upload(b"\x89PNG\r\n\x1a\n" + b"\0" * 100)
        self.assertContains(response, "Plik ma rozszerzenie .xlsx, ale nie jest arkuszem XLSX.")

    def test_the_template_has_polish_headers_explanations_and_drop_down_lists(self):
        response = self.client.get(reverse("admin:partnerships_importrun_template"))
        self.assertEqual(response.status_code, 200)
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        self.assertEqual(book.sheetnames[:3], ["objaśnienia", "partnerstwa", "instytucje"])
        headers = [cell.value for cell in book["partnerstwa"][1]]
        self.assertIn("Nazwa", headers)
        self.assertIn("Członek: rola", headers)
        validations = book["partnerstwa"].data_validations.dataValidation
        listed = {headers[next(iter(dv.sqref.ranges)).min_col - 1] for dv in validations if dv.type == "list"}
        self.assertEqual(
            listed, {"Status", "Kto podał status", "Etap", "Co oznacza data", "Członek: rodzaj", "Członek: rola"}
        )
        explained = {row[1].value: row[2].value for row in book["objaśnienia"].iter_rows(min_row=2)}
        self.assertEqual(explained["Członek: rola"], "Wybierz z listy; puste: partner.")
        self.assertIn("Wymagana przy znanym statusie.", explained["Status na dzień"])

    def test_undo_takes_back_the_import_and_is_refused_after_a_later_change(self):
        self.upload(self.file())
        run = ImportRun.objects.get()
        self.client.post(reverse("admin:partnerships_importrun_preview", args=[run.pk]), {"confirm": "1"})
        page = self.client.get(reverse("admin:partnerships_importrun_change", args=[run.pk]))
        self.assertContains(page, "Cofnij ten import")
        self.client.force_login(self.other_staff)  # another region sees the import but cannot undo it
        self.assertNotContains(self.client.get(reverse("admin:partnerships_importrun_change", args=[run.pk])), "Cofnij")
        self.client.force_login(self.staff)
        partnership = Partnership.objects.get(name="Partnerstwo z arkusza")
        partnership.website = "https://pozniej.example.org/"
        partnership.save()
        response = self.client.post(reverse("admin:partnerships_importrun_undo", args=[run.pk]), follow=True)
        self.assertContains(response, "Rekordy zmieniono po imporcie, więc nie można go cofnąć")
        self.assertTrue(Partnership.objects.filter(pk=partnership.pk).exists())
        partnership.history.latest().delete()  # the later change forgotten, as if it never was
        response = self.client.post(reverse("admin:partnerships_importrun_undo", args=[run.pk]), follow=True)
        self.assertContains(response, "Import został cofnięty.")
        self.assertFalse(Partnership.objects.filter(pk=partnership.pk).exists())
        self.assertFalse(Institution.objects.filter(name="Ośrodek z arkusza").exists())


class SimilarNameAdminTests(AdminTestCase):
    def test_a_match_by_a_similar_name_is_asked_and_the_answer_is_written(self):
        from members.models import Institution as Model

        existing = Model.objects.create(
            name="Miejski Ośrodek Pomocy Społecznej w Warszawie", slug="mops-w", kind="mops", commune_id=WARSZAWA
        )
        self.client.force_login(self.staff)
        row = {
            "name": "Partnerstwo z arkusza",
            "member_name": "MOPS Warszawa",
            "member_kind": "MOPS",
            "member_commune_teryt": WARSZAWA,
        }
        response = self.client.post(
            reverse("admin:partnerships_importrun_add"),
            {"file": SimpleUploadedFile("plik.xlsx", xlsx(*rows_of([row])))},
            follow=True,
        )
        self.assertContains(response, "Dopasowania po podobnej nazwie: czy to ta sama instytucja?")
        self.assertContains(response, 'name="similar-2" value="same"')
        run = ImportRun.objects.get()
        url = reverse("admin:partnerships_importrun_preview", args=[run.pk])
        response = self.client.post(url, {"confirm": "1"}, follow=True)
        self.assertContains(response, "Najpierw potwierdź lub odrzuć każde dopasowanie po podobnej nazwie.")
        self.assertFalse(Partnership.objects.filter(name="Partnerstwo z arkusza").exists())
        response = self.client.post(url, {"confirm": "1", "similar-2": "same"}, follow=True)
        self.assertContains(response, "Plik został zaimportowany.")
        self.assertEqual(Partnership.objects.get(name="Partnerstwo z arkusza").memberships.get().institution, existing)
        self.assertFalse(Model.objects.filter(name="MOPS Warszawa").exists())
