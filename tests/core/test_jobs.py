"""core.jobs: a job's life as the worker runs it (done, failed with a reason fit for staff,
taken over when its worker is gone), and the jobs' list in the admin."""

import datetime

from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from core import jobs
from core.models import Job

from ..partnerships.test_certificate_jobs import run_worker


@task()
def counting(job_id: int) -> None:
    with jobs.running(job_id) as job:
        if job is None:
            return
        for done in range(1, job.params["count"] + 1):
            jobs.progress(job, done, job.params["count"])
        jobs.store_result(job, "wynik.csv", b"a;b\n")


@task()
def refusing(job_id: int) -> None:
    with jobs.running(job_id):
        raise jobs.JobError("Partnerstwo jest rozwiązane.")


@task()
def breaking(job_id: int) -> None:
    with jobs.running(job_id):
        raise KeyError("password=secret")


class JobTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = get_user_model().objects.create_superuser("admin", password=None)

    def start(self, job_task, **params) -> Job:
        with self.captureOnCommitCallbacks(execute=True):
            job = jobs.start(job_task, kind=Job.Kind.PRINT, title="test", user=self.user, region="14", params=params)
        job.refresh_from_db()
        return job

    def test_a_job_runs_to_its_end_with_its_progress_and_result(self):
        job = self.start(counting, count=3)
        self.assertEqual((job.state, job.task_path), ("queued", "tests.core.test_jobs.counting"))
        self.assertTrue(job.task_id)
        run_worker()
        job.refresh_from_db()
        self.assertEqual((job.state, job.done, job.total, job.attempts), ("done", 3, 3, 1))
        self.assertEqual(job.result_name, "wynik.csv")
        self.assertTrue(job.result.name.startswith("jobs/") and job.result.name.endswith(".csv"))
        self.assertNotIn("wynik", job.result.name)  # the stored name is unguessable
        self.assertIsNotNone(job.finished_at)

    def test_a_refusal_is_the_reason_staff_read(self):
        job = self.start(refusing)
        run_worker()
        job.refresh_from_db()
        self.assertEqual((job.state, job.error), ("failed", "Partnerstwo jest rozwiązane."))

    def test_an_unexpected_error_names_its_kind_and_never_its_message(self):
        job = self.start(breaking)
        run_worker()
        job.refresh_from_db()
        self.assertEqual(job.state, "failed")
        self.assertIn("KeyError", job.error)
        self.assertNotIn("secret", job.error)

    def test_a_failed_job_is_queued_again_once_and_a_done_one_never(self):
        job = self.start(refusing)
        run_worker()
        job.refresh_from_db()
        with self.captureOnCommitCallbacks(execute=True):
            self.assertTrue(jobs.retry(job))
            self.assertFalse(jobs.retry(job))  # already queued: the second click does nothing
        done = self.start(counting, count=1)
        run_worker()
        done.refresh_from_db()
        self.assertEqual(done.state, "done")
        self.assertFalse(jobs.may_retry(done))
        self.assertFalse(jobs.retry(done))

    @override_settings(JOBS_STALE_SECONDS=60)
    def test_only_a_running_job_whose_progress_stood_still_is_taken_over(self):
        # As a killed worker leaves them: running, their task taken off the queue long ago.
        lost, alive = (
            Job.objects.create(kind="print", title=t, task_path=counting.module_path, params={"count": 2})
            for t in ("lost", "alive")
        )
        Job.objects.filter(pk=lost.pk).update(
            state="running", updated_at=timezone.now() - datetime.timedelta(seconds=61)
        )
        Job.objects.filter(pk=alive.pk).update(
            state="running", updated_at=timezone.now() - datetime.timedelta(seconds=30)
        )
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(jobs.take_over_stale(), [lost.pk])
        run_worker()
        self.assertEqual(Job.objects.get(pk=lost.pk).state, "done")
        self.assertEqual(Job.objects.get(pk=alive.pk).state, "running")

    def test_the_done_constraint_holds_in_the_database(self):
        job = self.start(counting, count=1)
        from django.db import IntegrityError, transaction

        with self.assertRaises(IntegrityError), transaction.atomic():
            Job.objects.filter(pk=job.pk).update(done=5, total=2)
        with self.assertRaises(IntegrityError), transaction.atomic():
            Job.objects.filter(pk=job.pk).update(state="failed", error="")

    @override_settings(TASKS_BACKEND="immediate")
    def test_the_worker_command_says_there_is_no_worker_for_immediate_tasks(self):
        with self.assertRaisesMessage(CommandError, "immediate"):
            call_command("worker")

    def test_the_list_of_jobs_costs_the_same_queries_at_5_and_at_50_rows(self):
        self.client.force_login(self.user)
        url = reverse("admin:core_job_changelist")

        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                self.assertEqual(self.client.get(url).status_code, 200)
            return len(captured)

        Job.objects.bulk_create(Job(kind="print", title=f"t{n}", task_path="x", created_by=self.user) for n in range(5))
        at_5 = queries()
        Job.objects.bulk_create(
            Job(kind="print", title=f"t{n}", task_path="x", created_by=self.user) for n in range(45)
        )
        self.assertEqual(queries(), at_5)
