"""Background jobs: long work handed to the worker through Django's tasks API, with its progress.

The queue and the worker are the tasks backend's (``settings.TASKS``: the database by default,
run by ``manage.py worker``; RQ on Redis at scale). What staff follow is a ``core.models.Job``
row: its state, how much of the total is done, why it failed, the file it made. An app writes
its work as a task that takes the job's id and runs inside ``running(job_id)``:

    @task()
    def print_certificates(job_id: int) -> None:
        with jobs.running(job_id) as job:
            ...
            jobs.progress(job, done, total)

- ``start(task, kind=…, title=…, user=…, params=…)`` creates the job and enqueues the task once
  the calling transaction commits (a worker never looks for a job that is not there yet);
- ``start_once(…)`` is ``start`` for a kind of work of which one job at a time may wait or run
  (a constraint on ``Job`` says which): the job already there when there is one;
- ``progress(job, done, total)`` records how far it is, visible at once to every instance
  (an ``UPDATE`` of its own, outside any transaction of the work);
- ``retry(job)`` queues a failed job again (staff do this from the admin);
- ``take_over_stale()`` queues again the running jobs whose progress stood still for
  ``settings.JOBS_STALE_SECONDS`` (their worker was killed); ``manage.py worker`` calls it when
  it starts.

A job may thus run more than once: each task keeps what it has done in ``job.checkpoint``,
written in the transaction that does the work, and skips it when run again.
"""

import contextlib
import datetime
import logging
from collections.abc import Iterator

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from .models import Job

logger = logging.getLogger(__name__)


class JobError(Exception):
    """The work cannot be done as asked; the message, fit to show staff, says why."""


def _enqueue(job: Job) -> None:
    result = import_string(job.task_path).enqueue(job.pk)
    Job.objects.filter(pk=job.pk).update(task_id=str(result.id))


def start(
    task, *, kind: str, title: str, user, region: str | None, params: dict, total: int = 0, enqueue: bool = True
) -> Job:
    """A new job for ``task`` (a ``django_tasks`` task taking the job's id), queued after commit;
    not queued with ``enqueue=False``, for a caller that runs the task itself (a command)."""
    job = Job.objects.create(
        kind=kind,
        title=title[:300],
        params=params,
        total=total,
        task_path=task.module_path,
        created_by=user if getattr(user, "pk", None) else None,
        region=region or "",
    )
    if enqueue:
        transaction.on_commit(lambda: _enqueue(job))
    return job


def start_once(task, *, kind: str, **arguments) -> tuple[Job, bool]:
    """``start`` for work of which one job at a time may wait or run: the new job and True, or
    the job already waiting or running and False. The database decides (a unique constraint on
    the kind's unfinished jobs), so two staff starting it at the same moment start one job."""
    for _attempt in range(2):
        try:
            with transaction.atomic():
                return start(task, kind=kind, **arguments), True
        except IntegrityError:
            unfinished = Job.objects.filter(kind=kind, state__in=[Job.State.QUEUED, Job.State.RUNNING]).first()
            if unfinished is not None:
                return unfinished, False
            # It finished between the insert and the look: try once more.
    raise JobError(_("The job could not be started; try again."))


def progress(job: Job, done: int, total: int | None = None) -> None:
    """Record that ``done`` of ``total`` units are done (the total unchanged when None)."""
    job.done = done
    if total is not None:
        job.total = total
    job.total = max(job.total, job.done)
    Job.objects.filter(pk=job.pk).update(done=job.done, total=job.total, updated_at=timezone.now())


def error_message(error: BaseException) -> str:
    """What staff read of a failure: the message of an error meant for them, else its kind."""
    if isinstance(error, JobError | PermissionDenied):
        return str(error) or _("You may not do this.")
    return _("An unexpected error stopped the job (%(error)s); the log of the worker has the details.") % {
        "error": type(error).__name__
    }


@contextlib.contextmanager
def running(job_id: int) -> Iterator[Job]:
    """Mark the job running while the block works; done when it ends, failed with the reason if
    it raises. A job already done is not run again: the block is skipped (``job`` is None)."""
    job = Job.objects.get(pk=job_id)
    if job.state == Job.State.DONE:
        yield None
        return
    now = timezone.now()
    Job.objects.filter(pk=job.pk).update(
        state=Job.State.RUNNING, started_at=now, updated_at=now, attempts=F("attempts") + 1, error=""
    )
    job.refresh_from_db()
    try:
        yield job
    except Exception as error:
        logger.exception("Job %s (%s) failed.", job.pk, job.kind)
        Job.objects.filter(pk=job.pk).update(
            state=Job.State.FAILED, error=error_message(error), finished_at=timezone.now(), updated_at=timezone.now()
        )
        raise
    else:
        job.refresh_from_db(fields=["total"])
        Job.objects.filter(pk=job.pk).update(
            state=Job.State.DONE, done=job.total, finished_at=timezone.now(), updated_at=timezone.now()
        )


def may_retry(job: Job) -> bool:
    stale_before = timezone.now() - datetime.timedelta(seconds=settings.JOBS_STALE_SECONDS)
    return job.state == Job.State.FAILED or (job.state == Job.State.RUNNING and job.updated_at < stale_before)


def retry(job: Job) -> bool:
    """Queue a failed (or lost) job again; False when it is not in such a state any more."""
    stale_before = timezone.now() - datetime.timedelta(seconds=settings.JOBS_STALE_SECONDS)
    # One UPDATE decides: of two staff (or two starting workers) retrying at once, one queues it.
    try:
        with transaction.atomic():
            updated = Job.objects.filter(pk=job.pk, state=Job.State.FAILED).update(
                state=Job.State.QUEUED, error="", finished_at=None, updated_at=timezone.now()
            ) or Job.objects.stale(stale_before).filter(pk=job.pk).update(
                state=Job.State.QUEUED, finished_at=None, updated_at=timezone.now()
            )
    except IntegrityError:
        return False  # another job of a kind that runs one at a time waits or runs
    if not updated:
        return False
    job.refresh_from_db()
    transaction.on_commit(lambda: _enqueue(job))
    return True


def take_over_stale() -> list[int]:
    """Queue again every running job whose progress stood still for ``JOBS_STALE_SECONDS``."""
    before = timezone.now() - datetime.timedelta(seconds=settings.JOBS_STALE_SECONDS)
    taken = [job.pk for job in Job.objects.stale(before) if retry(job)]
    if taken:
        logger.warning("Jobs %s had stopped with their worker; queued again.", taken)
    return taken


def store_result(job: Job, name: str, content: bytes) -> None:
    """Keep the file the job made in the media storage, to be downloaded as ``name``."""
    job.result.save(name, ContentFile(content), save=False)
    job.result_name = name
    Job.objects.filter(pk=job.pk).update(result=job.result.name, result_name=name, updated_at=timezone.now())
