"""Publishing the open data dumps as a background job (issue 19): started from the admin by
staff with the permission, run by the real worker, its progress counted in datasets, the new
dump listed on /dane/ when done, a failure that says why and runs again, never two at once; the
command runs the same job."""

import io
import tempfile
from unittest import mock

from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse

from core import jobs
from core.models import Job
from events.models import Event, Project
from members.models import Institution
from partnerships import dumps, tasks
from partnerships.models import Membership, Partnership
from tests.builders import AdminTestCase

from .test_certificate_jobs import job_url, run_worker

START = reverse("admin:partnerships_partnership_publish_dumps")


class DumpsJobTests(AdminTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.administrator = cls.staff_without_profile
        cls.administrator.user_permissions.add(
            Permission.objects.get(codename="publish_dumps", content_type__app_label="core"),
            Permission.objects.get(codename="view_job", content_type__app_label="core"),
        )
        Membership.objects.create(partnership=cls.own_partnership, institution=cls.own_institution)
        Membership.objects.create(partnership=cls.own_partnership, institution=cls.mcps)

    def setUp(self):
        self.media = self.enterContext(tempfile.TemporaryDirectory())
        self.enterContext(override_settings(MEDIA_ROOT=self.media))
        self.client.force_login(self.administrator)

    def start(self):
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(START)

    def test_the_job_publishes_a_dump_whose_counts_are_the_databases_and_lists_it_on_the_open_data_page(self):
        self.assertContains(self.client.get(reverse("admin:partnerships_partnership_changelist")), START)
        self.assertContains(self.client.get(START), 'value="Opublikuj zrzuty danych"')
        response = self.start()
        job = Job.objects.get()
        self.assertRedirects(response, job_url(job))
        self.assertEqual((job.kind, job.state, job.created_by, job.region), ("dumps", "queued", self.administrator, ""))
        self.assertEqual(dumps.published(), [])  # the request published nothing

        with mock.patch("core.jobs.progress", wraps=jobs.progress) as progress:
            run_worker()

        job.refresh_from_db()
        self.assertEqual((job.state, job.error), ("done", ""))
        # One step per dataset, and the storing last: it moves from 0 to all of them.
        self.assertEqual([call.args[1:] for call in progress.call_args_list], [(done, 7) for done in range(8)])
        (manifest,) = dumps.published()
        rows = {entry["dataset"]: entry["rows"] for entry in manifest["files"]}
        self.assertEqual(rows["partnerships"], Partnership.objects.public().count())
        self.assertEqual(rows["institutions"], Institution.objects.public().count())
        self.assertEqual(rows["events"], Event.objects.public().count())
        self.assertEqual(rows["projects"], Project.objects.public().count())
        self.assertEqual(
            rows["memberships"], Membership.objects.filter(partnership__in=Partnership.objects.public()).count()
        )
        self.assertGreaterEqual(rows["memberships"], 2)
        page = self.client.get(job_url(job))
        self.assertContains(page, '<progress max="7" value="7">')
        self.assertContains(page, f"partnerstwa.json (liczba wierszy: {rows['partnerships']})")
        self.assertContains(page, 'href="/dane/"')
        self.assertContains(self.client.get("/dane/"), f"/dane/zrzuty/{manifest['date']}/partnerstwa.csv.zip")

    def test_progress_is_recorded_on_the_job(self):
        self.start()
        run_worker()
        job = Job.objects.get()
        self.assertEqual((job.done, job.total, job.percent), (7, 7, 100))

    def test_staff_without_the_permission_can_neither_see_nor_start_it(self):
        self.client.force_login(self.staff)
        self.assertNotContains(self.client.get(reverse("admin:partnerships_partnership_changelist")), START)
        self.assertEqual(self.client.get(START).status_code, 403)
        self.assertEqual(self.start().status_code, 403)
        self.assertFalse(Job.objects.exists())
        self.client.force_login(self.superuser)
        self.assertEqual(self.client.get(START).status_code, 200)

    def test_started_twice_while_it_waits_there_is_one_job_and_one_dump(self):
        first = self.start()
        second = self.start()
        job = Job.objects.get()
        self.assertRedirects(first, job_url(job), fetch_redirect_response=False)
        self.assertRedirects(second, job_url(job), fetch_redirect_response=False)
        self.assertContains(self.client.get(START), job_url(job))
        self.assertNotContains(self.client.get(START), 'value="Opublikuj zrzuty danych"')
        # The command run meanwhile (cron) refuses rather than writing over the same day.
        with self.assertRaisesMessage(CommandError, f"zadanie w tle {job.pk}"):
            call_command("publish_dumps", stdout=io.StringIO())
        run_worker()
        self.assertEqual(Job.objects.get().state, "done")
        self.assertEqual(len(dumps.published()), 1)
        # Done: it may be started again.
        self.start()
        self.assertEqual(Job.objects.count(), 2)

    def test_two_unfinished_dumps_jobs_are_refused_by_the_database(self):
        job, started = tasks.start_dumps(self.administrator, 7)
        again, started_again = tasks.start_dumps(self.superuser, 7)
        self.assertEqual((started, started_again, again), (True, False, job))

    def test_a_failure_says_why_and_the_job_runs_again(self):
        self.start()
        with mock.patch.object(dumps, "_save", side_effect=OSError("brak miejsca na dysku")):
            run_worker()
        job = Job.objects.get()
        self.assertEqual(job.state, "failed")
        self.assertIn("brak miejsca na dysku", job.error)
        page = self.client.get(job_url(job))
        self.assertContains(page, "brak miejsca na dysku")
        self.assertContains(page, "Uruchom zadanie ponownie")
        self.assertEqual(dumps.published(), [])
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(job_url(job, "retry"))
        run_worker()
        job.refresh_from_db()
        self.assertEqual((job.state, job.attempts), ("done", 2))
        self.assertEqual(len(dumps.published()), 1)

    def test_a_failed_job_is_not_queued_again_while_another_publication_runs(self):
        self.start()
        failed = Job.objects.get()
        Job.objects.filter(pk=failed.pk).update(state="failed", error="przerwane")
        self.start()
        self.assertFalse(jobs.retry(failed))
        response = self.client.post(job_url(failed, "retry"), follow=True)
        self.assertContains(response, "Inne zadanie tego rodzaju czeka lub trwa")
        self.assertEqual(Job.objects.filter(state="queued").count(), 1)
        self.assertEqual(Job.objects.get(pk=failed.pk).state, "failed")

    def test_a_person_who_lost_the_permission_publishes_nothing(self):
        self.start()
        self.administrator.user_permissions.clear()
        run_worker()
        job = Job.objects.get()
        self.assertEqual(job.state, "failed")
        self.assertIn("nie może już publikować", job.error)
        self.assertEqual(dumps.published(), [])

    def test_the_command_runs_the_same_job_in_its_own_process(self):
        out = io.StringIO()
        call_command("publish_dumps", "--keep", "3", stdout=out)
        self.assertIn("partnerstwa.csv.zip", out.getvalue())
        job = Job.objects.get()
        self.assertEqual((job.kind, job.state, job.created_by, job.done, job.total), ("dumps", "done", None, 7, 7))
        self.assertEqual(len(dumps.published()), 1)
