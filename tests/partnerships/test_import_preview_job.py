"""A large import's preview in the background worker (issue 19): a file of more rows than
IMPORT_INLINE_ROWS is checked by a job, whose page shows the progress and then leads to the
preview (every row, the errors in Polish, nothing written); confirming it hands the writing to
a job too. A small file keeps the preview within the request; a file that cannot be read gets its
error at once, with no job. Real files, the real worker."""

import json

from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from core.models import Job
from partnerships import imports
from partnerships.models import ImportRun, Partnership
from tests.builders import MAZOWIECKIE, WARSZAWA, AdminTestCase

from .import_files import csv_bytes, rows_of, xlsx
from .test_certificate_jobs import job_url, run_worker

ADD = reverse("admin:partnerships_importrun_add")


def row(name: str, **values) -> dict:
    return {
        "name": name,
        "home_voivodeship_teryt": MAZOWIECKIE,
        "founded": "2010",
        "member_name": f"Ośrodek {name}",
        "member_kind": "MOPS",
        "member_commune_teryt": WARSZAWA,
        "member_role": "lider",
        **values,
    }


@override_settings(IMPORT_INLINE_ROWS=2)
class LargeImportPreviewTests(AdminTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.staff.user_permissions.add(Permission.objects.get(codename="view_job", content_type__app_label="core"))

    def setUp(self):
        self.client.force_login(self.staff)

    def upload(self, data: bytes, name: str = "duzy.xlsx"):
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(ADD, {"file": SimpleUploadedFile(name, data)})

    def preview_url(self) -> str:
        return reverse("admin:partnerships_importrun_preview", args=[ImportRun.objects.get().pk])

    def test_a_large_file_is_previewed_by_the_worker_then_confirmed_and_written_by_it(self):
        names = ["Partnerstwo pierwsze", "Partnerstwo drugie", "Partnerstwo trzecie"]
        response = self.upload(xlsx(*rows_of([row(name) for name in names])))
        job = Job.objects.get()
        self.assertRedirects(response, job_url(job))
        self.assertEqual((job.kind, job.state, job.region), ("import_preview", "queued", MAZOWIECKIE))
        # Until the worker has checked it, the preview's address leads to the job.
        self.assertRedirects(self.client.get(self.preview_url()), job_url(job))

        run_worker()

        job.refresh_from_db()
        self.assertEqual((job.state, job.done, job.total), ("done", 3, 3))
        page = self.client.get(job_url(job))
        self.assertContains(page, '<progress max="3" value="3">')
        self.assertContains(page, self.preview_url())
        preview = self.client.get(self.preview_url())
        self.assertContains(preview, "Podgląd importu")
        self.assertContains(preview, "Wykonawca zadań w tle sprawdził ten plik")
        for name in names:
            self.assertContains(preview, name)
        self.assertContains(preview, "nowy")
        self.assertContains(preview, 'name="confirm"')
        self.assertFalse(Partnership.objects.filter(name__in=names).exists())
        self.assertEqual(ImportRun.objects.get().state, ImportRun.State.PREVIEWED)

        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(self.preview_url(), {"confirm": "1"})
        written = Job.objects.get(kind="import")
        self.assertRedirects(response, job_url(written))
        self.assertFalse(Partnership.objects.filter(name__in=names).exists())
        run_worker()
        written.refresh_from_db()
        self.assertEqual(written.state, "done")
        self.assertEqual(Partnership.objects.filter(name__in=names).count(), 3)
        self.assertEqual(ImportRun.objects.get().state, ImportRun.State.DONE)

    def test_a_large_file_with_errors_shows_them_per_row_in_polish_and_cannot_be_confirmed(self):
        rows = [
            row("Partnerstwo pierwsze"),
            row("Partnerstwo drugie", member_commune_teryt="1499999"),
            row("Partnerstwo trzecie", declared_member_count="=6+7"),
        ]
        self.upload(csv_bytes(*rows_of(rows)), name="duzy.csv")
        run_worker()
        job = Job.objects.get()
        self.assertEqual(job.state, "done")  # a file with errors is previewed, not failed
        preview = self.client.get(self.preview_url())
        self.assertContains(preview, "Nie ma jednostki o kodzie TERYT 1499999.")
        self.assertContains(preview, "„=6+7” nie jest liczbą całkowitą.")
        self.assertContains(preview, "Niczego nie można zapisać, dopóki plik zawiera błędy")
        self.assertNotContains(preview, 'name="confirm"')
        response = self.client.post(self.preview_url(), {"confirm": "1"}, follow=True)
        self.assertContains(response, "Plik zawiera błędy; niczego nie zapisano.")
        self.assertFalse(Job.objects.filter(kind="import").exists())
        self.assertFalse(
            Partnership.objects.filter(name__startswith="Partnerstwo ")
            .exclude(pk__in=[self.own_partnership.pk, self.other_partnership.pk])
            .exists()
        )
        self.assertEqual(ImportRun.objects.get().state, ImportRun.State.PREVIEWED)

    def test_a_match_by_a_similar_name_is_asked_on_the_workers_preview(self):
        from members.models import Institution

        existing = Institution.objects.create(
            name="Miejski Ośrodek Pomocy Społecznej w Warszawie", slug="mops-w", kind="mops", commune_id=WARSZAWA
        )
        rows = [row("Partnerstwo pierwsze", member_name="MOPS Warszawa"), row("Partnerstwo drugie"), row("Trzecie")]
        self.upload(xlsx(*rows_of(rows)))
        run_worker()
        preview = self.client.get(self.preview_url())
        self.assertContains(preview, 'name="similar-2" value="same"')
        response = self.client.post(self.preview_url(), {"confirm": "1"}, follow=True)
        self.assertContains(response, "Najpierw potwierdź lub odrzuć każde dopasowanie po podobnej nazwie.")
        self.assertFalse(Job.objects.filter(kind="import").exists())
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(self.preview_url(), {"confirm": "1", "similar-2": "same"})
        run_worker()
        partnership = Partnership.objects.get(name="Partnerstwo pierwsze")
        self.assertEqual(partnership.memberships.get().institution, existing)

    def test_a_small_file_is_previewed_within_the_request_with_no_job(self):
        response = self.client.post(
            ADD, {"file": SimpleUploadedFile("maly.xlsx", xlsx(*rows_of([row("Mały plik")])))}, follow=True
        )
        self.assertContains(response, "Podgląd importu")
        self.assertContains(response, "Mały plik")
        self.assertFalse(Job.objects.exists())

    def test_a_file_that_cannot_be_read_gets_its_error_at_once_and_no_job(self):
        response = self.client.post(
            ADD, {"file": SimpleUploadedFile("duzy.xlsx", b"\x89PNG\r\n\x1a\n" + b"\0" * 100)}, follow=True
        )
        self.assertContains(response, "Plik ma rozszerzenie .xlsx, ale nie jest arkuszem XLSX.")
        self.assertFalse(Job.objects.exists())

    def test_the_preview_kept_by_the_worker_shows_what_the_preview_in_the_request_shows(self):
        data = xlsx(*rows_of([row("Partnerstwo pierwsze"), row("Partnerstwo drugie", founded="rok")]))
        result = imports.preview("plik.xlsx", data, self.staff)
        kept = imports.shown_summary(json.loads(json.dumps(imports.summary(result))))
        self.assertEqual(kept["counts"], result.counts())
        self.assertEqual(kept["has_errors"], result.has_errors)
        self.assertEqual(
            [(r["number"], r["state_label"], r["errors"]) for r in kept["rows"]],
            [(r.number, r.state_label, [list(e) for e in r.errors]) for r in result.rows],
        )
