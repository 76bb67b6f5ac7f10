"""Long work in the background worker: many certificates issued and printed as a job, a large
selection printed as one, a large import; the job's page, its progress, its download, retry,
and who may see it. The worker is the real one (``manage.py worker``, the database backend),
run in this process until the queue is empty."""

import datetime
import io
import signal
from io import StringIO
from unittest import mock

from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from core import jobs
from core.models import Job
from partnerships import tasks
from partnerships.models import Certificate, ImportRun, Membership, Partnership
from tests.builders import MAZOWIECKIE, WARSZAWA, AdminTestCase, admin_url

from .import_files import rows_of, xlsx

ISSUE = {"signatory_name": "Jan Testowy", "signatory_function": "dyrektor", "issued_on": "2026-11-23"}
SIGNALS = [signal.SIGINT, signal.SIGTERM, signal.SIGQUIT]


def run_worker() -> None:
    """The worker, as `manage.py worker` runs it, until nothing is queued; the test runner's
    signal handlers given back afterwards (the worker installs its own)."""
    handlers = {number: signal.getsignal(number) for number in SIGNALS}
    # The worker closes connections between tasks as a request would; inside the test's
    # transaction that would close the test's own (Django's test client holds back the same
    # signal for the same reason).
    try:
        with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
            call_command("worker", "--", "--batch", "--no-startup-delay", "--interval", "0", stdout=StringIO())
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)


def job_url(job: Job, view: str = "change") -> str:
    return reverse(f"admin:core_job_{view}", args=[job.pk])


@override_settings(CERTIFICATES_INLINE_LIMIT=1, IMPORT_INLINE_ROWS=0)
class CertificateJobTests(AdminTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        view_job = Permission.objects.get(codename="view_job", content_type__app_label="core")
        for user in (cls.staff, cls.other_staff, cls.staff_without_profile):
            user.user_permissions.add(view_job)

    def setUp(self):
        self.client.force_login(self.staff)
        Membership.objects.create(partnership=self.own_partnership, institution=self.own_institution)
        Membership.objects.create(partnership=self.own_partnership, institution=self.mcps)

    def start_membership_job(self) -> Job:
        url = admin_url(self.own_partnership, "issue_certificates", self.own_partnership.pk)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(url, {"apply": "1", "kind": "membership", **ISSUE})
        job = Job.objects.get()
        self.assertRedirects(response, job_url(job))
        return job

    def test_many_certificates_are_issued_and_printed_by_the_worker_not_the_request(self):
        job = self.start_membership_job()
        self.assertFalse(Certificate.objects.exists())
        self.assertEqual((job.state, job.total, job.region, job.created_by), ("queued", 2, MAZOWIECKIE, self.staff))
        page = self.client.get(job_url(job))
        self.assertContains(page, "oczekuje na wykonanie")
        self.assertContains(page, '<progress max="2" value="0">')
        self.assertContains(page, "js/job-progress.js")

        run_worker()

        job.refresh_from_db()
        self.assertEqual((job.state, job.done, job.total, job.error), ("done", 2, 2, ""))
        certificates = Certificate.objects.order_by("number")
        self.assertEqual(len(certificates), 2)
        self.assertTrue(all(certificate.pdf for certificate in certificates))
        page = self.client.get(job_url(job))
        self.assertContains(page, '<progress max="2" value="2">')
        self.assertContains(page, job_url(job, "download"))
        download = self.client.get(job_url(job, "download"))
        self.assertEqual(download["Content-Type"], "application/pdf")
        self.assertIn("attachment", download["Content-Disposition"])
        self.assertEqual(download["X-Content-Type-Options"], "nosniff")
        self.assertIn("sandbox", download["Content-Security-Policy"])
        self.assertEqual(len(PdfReader(io.BytesIO(b"".join(download.streaming_content))).pages), 2)

    def test_progress_is_read_in_a_fixed_number_of_queries(self):
        job = self.start_membership_job()
        # The session, the user, their permissions (two), their region, the job.
        with self.assertNumQueries(6):
            response = self.client.get(job_url(job, "progress"))
        self.assertEqual(
            response.json(),
            {
                "state": "queued",
                "done": 0,
                "total": 2,
                "percent": 0,
                "finished": False,
                "text": "oczekuje na wykonanie: 0 z 2",
            },
        )
        self.assertIn("no-cache", response["Cache-Control"])

    def test_staff_of_another_region_neither_see_nor_download_the_job(self):
        job = self.start_membership_job()
        run_worker()
        self.client.force_login(self.other_staff)
        self.assertNotContains(self.client.get(reverse("admin:core_job_changelist")), job.title)
        self.assertEqual(self.client.get(job_url(job, "download")).status_code, 404)
        self.assertEqual(self.client.get(job_url(job, "progress")).status_code, 404)
        self.assertEqual(self.client.post(job_url(job, "retry")).status_code, 404)
        self.assertNotEqual(self.client.get(job_url(job)).status_code, 200)
        self.client.force_login(self.superuser)
        self.assertEqual(self.client.get(job_url(job, "download")).status_code, 200)

    def test_staff_without_a_region_see_the_jobs_they_started_and_no_other(self):
        regional = self.start_membership_job()
        run_worker()
        ids = list(Certificate.objects.values_list("pk", flat=True))
        self.assertEqual(len(ids), 2)
        self.client.force_login(self.staff_without_profile)
        changelist = admin_url(Certificate, "changelist")
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(changelist, {"action": "download_pdf", ACTION_CHECKBOX_NAME: ids})
        own = Job.objects.get(created_by=self.staff_without_profile)
        self.assertEqual(own.region, "")
        self.assertEqual(self.client.get(job_url(own, "progress")).status_code, 200)
        self.assertEqual(self.client.get(job_url(regional, "progress")).status_code, 404)
        self.client.force_login(self.staff)
        self.assertEqual(self.client.get(job_url(own, "progress")).status_code, 404)

    def test_a_failed_job_says_why_and_runs_again_once_the_cause_is_gone(self):
        job = self.start_membership_job()
        Partnership.objects.filter(pk=self.own_partnership.pk).update(
            status=Partnership.Status.DISSOLVED, status_stated_on=datetime.date(2026, 11, 1), status_stated_by="staff"
        )
        run_worker()
        job.refresh_from_db()
        self.assertEqual(job.state, "failed")
        self.assertIn("rozwiązane", job.error.lower())
        page = self.client.get(job_url(job))
        self.assertContains(page, job.error)
        self.assertContains(page, "Uruchom zadanie ponownie")
        self.assertFalse(Certificate.objects.exists())

        Partnership.objects.filter(pk=self.own_partnership.pk).update(status=Partnership.Status.ACTIVE)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(job_url(job, "retry"), follow=True)
        self.assertContains(response, "Zadanie ponownie czeka na wykonanie.")
        run_worker()
        job.refresh_from_db()
        self.assertEqual((job.state, job.error, job.attempts), ("done", "", 2))
        self.assertEqual(Certificate.objects.count(), 2)

    def test_a_finished_job_cannot_be_run_again(self):
        job = self.start_membership_job()
        run_worker()
        response = self.client.post(job_url(job, "retry"), follow=True)
        self.assertContains(response, "Ponownie można uruchomić tylko zadanie, które się nie powiodło.")
        self.assertNotContains(self.client.get(job_url(job)), "Uruchom zadanie ponownie")

    def test_a_job_whose_worker_stopped_after_issuing_is_finished_without_a_second_certificate(self):
        job = self.start_membership_job()
        # What a worker killed between issuing and printing leaves behind: the certificates
        # issued and recorded in the checkpoint, the job running, its progress standing still.
        tasks._issue(Job.objects.get(pk=job.pk))
        long_ago = timezone.now() - datetime.timedelta(hours=1)
        Job.objects.filter(pk=job.pk).update(state="running", updated_at=long_ago)
        numbers = set(Certificate.objects.values_list("number", flat=True))
        self.assertEqual(len(numbers), 2)

        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(jobs.take_over_stale(), [job.pk])
        run_worker()

        job.refresh_from_db()
        self.assertEqual(job.state, "done")
        self.assertEqual(set(Certificate.objects.values_list("number", flat=True)), numbers)
        # Run once more (a second worker that took the same job): nothing new either.
        Job.objects.filter(pk=job.pk).update(state="running")
        tasks.print_certificates.call(job.pk)
        self.assertEqual(Certificate.objects.count(), 2)

    def test_a_running_job_with_recent_progress_is_not_taken_over(self):
        job = self.start_membership_job()
        Job.objects.filter(pk=job.pk).update(state="running", updated_at=timezone.now())
        self.assertEqual(jobs.take_over_stale(), [])
        self.assertNotContains(self.client.get(job_url(job)), "Uruchom zadanie ponownie")

    def test_a_large_selection_of_certificates_is_printed_as_a_job(self):
        url = admin_url(self.own_partnership, "issue_certificates", self.own_partnership.pk)
        with override_settings(CERTIFICATES_INLINE_LIMIT=10), self.captureOnCommitCallbacks(execute=True):
            self.client.post(url, {"apply": "1", "kind": "membership", **ISSUE})
        ids = list(Certificate.objects.values_list("pk", flat=True))
        self.assertEqual(len(ids), 2)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                admin_url(Certificate, "changelist"), {"action": "download_pdf", ACTION_CHECKBOX_NAME: ids}
            )
        job = Job.objects.get()
        self.assertRedirects(response, job_url(job), fetch_redirect_response=False)
        self.assertEqual(job.kind, "print")
        run_worker()
        job.refresh_from_db()
        self.assertEqual(job.state, "done")
        self.assertEqual(Certificate.objects.count(), 2)
        with job.result.open("rb") as stream:
            self.assertEqual(len(PdfReader(stream).pages), 2)

    def test_an_import_above_the_row_limit_is_written_by_the_worker(self):
        row = {
            "name": "Partnerstwo z dużego arkusza",
            "home_voivodeship_teryt": MAZOWIECKIE,
            "founded": "2010",
            "member_name": "Ośrodek z arkusza",
            "member_kind": "MOPS",
            "member_commune_teryt": WARSZAWA,
            "member_role": "lider",
        }
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(
                reverse("admin:partnerships_importrun_add"),
                {"file": SimpleUploadedFile("duzy.xlsx", xlsx(*rows_of([row])))},
            )
        # Above the limit, the preview is the worker's too (tests/partnerships/test_import_preview_job.py).
        run_worker()
        run = ImportRun.objects.get()
        preview = reverse("admin:partnerships_importrun_preview", args=[run.pk])
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(preview, {"confirm": "1"})
        job = Job.objects.get(kind=Job.Kind.IMPORT)
        self.assertRedirects(response, job_url(job))
        self.assertFalse(Partnership.objects.filter(name="Partnerstwo z dużego arkusza").exists())
        # Confirmed twice: the page of the job already started, not a second job.
        self.assertRedirects(self.client.post(preview, {"confirm": "1"}), job_url(job))
        self.assertEqual(Job.objects.filter(kind=Job.Kind.IMPORT).count(), 1)
        run_worker()
        job.refresh_from_db()
        run.refresh_from_db()
        self.assertEqual((job.state, run.state), ("done", ImportRun.State.DONE))
        self.assertTrue(Partnership.objects.filter(name="Partnerstwo z dużego arkusza").exists())
        run_url = reverse("admin:partnerships_importrun_change", args=[run.pk])
        self.assertContains(self.client.get(job_url(job)), run_url)
