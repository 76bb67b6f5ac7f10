"""The partnerships' long work, done by the background worker (``core.jobs``).

``print_certificates`` issues the certificates a staff member asked for (if the job names
partnerships) and prints them, a part at a time: each certificate laid out once, stored as its
own PDF and printed into the part's; the progress counted in certificates; the parts joined
into the one file to download at the end. Run again after its worker stopped midway, it issues
nothing twice: the certificates of each partnership are issued in the transaction that records
them in the job's checkpoint (the job's row locked), and a part already printed is kept.

``preview_import`` checks every row of a file too large to preview within a request
(``imports.is_large``) and keeps what the preview page shows (``imports.summary``) as the job's
result; it writes nothing. ``import_spreadsheet`` writes a confirmed import too large for a
request; the import writes all its rows in one transaction or none, so a run that stopped
midway wrote nothing.

``publish_dumps`` writes the open data dumps (``partnerships.dumps.publish``), one job at a time
(``start_dumps``); the command ``publish_dumps`` runs the same job in its own process.
"""

import datetime
import json

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django_tasks import task

from core import jobs
from core.models import Job

from . import dumps, imports
from .certificates import (
    CertificateError,
    issue_membership_certificates,
    issue_partnership_certificate,
    join_pdfs,
    print_and_store,
)
from .models import Certificate, CertificateKind, ImportRun, Partnership

# Certificates laid out with one font configuration, into one part of the printed file, between
# two progress steps: the fonts are loaded and embedded once a part, and the bar moves every
# few seconds.
PRINT_CHUNK = 25


def _issue(job: Job) -> list[int]:
    """Issue what the job asks for, one partnership per transaction; the ids of every
    certificate the job has issued, in the order of issue."""
    params = job.params
    user = job.created_by
    if user is None or not user.is_active:
        raise jobs.JobError(_("The person who started the job can no longer issue certificates."))
    issued_on = datetime.date.fromisoformat(params["issued_on"])
    for partnership in Partnership.objects.filter(pk__in=params["partnerships"]).order_by("name", "pk"):
        key = str(partnership.pk)
        with transaction.atomic():
            # Locked: of two runs of the job at once, the second waits and then sees this
            # partnership done.
            checkpoint = Job.objects.select_for_update().get(pk=job.pk).checkpoint
            issued, refused = checkpoint.setdefault("issued", {}), checkpoint.setdefault("refused", {})
            if key in issued:
                continue
            try:
                if params["kind"] == CertificateKind.PARTNERSHIP:
                    new = [
                        issue_partnership_certificate(
                            partnership,
                            user,
                            params["signatory_name"],
                            params["signatory_function"],
                            issued_on,
                            pdfs_after_commit=False,
                        )
                    ]
                else:
                    new = issue_membership_certificates(
                        partnership,
                        user,
                        params["signatory_name"],
                        params["signatory_function"],
                        issued_on,
                        pdfs_after_commit=False,
                    )
            except (CertificateError, PermissionDenied) as error:
                # Not recorded as done: a run of the job after the cause is gone tries again.
                refused[key] = f"{partnership}: {error}"
            else:
                issued[key] = [certificate.pk for certificate in new]
                refused.pop(key, None)
            Job.objects.filter(pk=job.pk).update(checkpoint=checkpoint)
    job.refresh_from_db(fields=["checkpoint"])
    refusals = list(job.checkpoint.get("refused", {}).values())
    ids = [pk for pks in job.checkpoint.get("issued", {}).values() for pk in pks]
    if not ids and refusals:
        raise jobs.JobError(" ".join(refusals))
    Job.objects.filter(pk=job.pk).update(notes="\n".join(refusals))
    return ids


@task()
def print_certificates(job_id: int) -> None:
    with jobs.running(job_id) as job:
        if job is None:
            return
        ids = _issue(job) if "partnerships" in job.params else job.params["certificates"]
        existing = set(Certificate.objects.filter(pk__in=ids).values_list("pk", flat=True))
        ids = [pk for pk in ids if pk in existing]
        if not ids:
            raise jobs.JobError(_("There are no certificates to print."))
        # Printed a part at a time: each part's certificates laid out once, each stored as its
        # own PDF and all of them as the part's, which a run of the job after a stop keeps.
        # Only a part's snapshots are read at once: a membership certificate's snapshot lists
        # every member, so a thousand of a partnership of a thousand members would be a
        # million rows of JSON.
        chunks = [ids[start : start + PRINT_CHUNK] for start in range(0, len(ids), PRINT_CHUNK)]
        parts = job.checkpoint.get("parts", {})
        done = sum(len(chunk) for index, chunk in enumerate(chunks) if str(index) in parts)
        jobs.progress(job, done, len(ids))
        for index, chunk in enumerate(chunks):
            if str(index) in parts:
                continue
            certificates = Certificate.objects.filter(pk__in=chunk).select_related("partnership").in_bulk()
            pdf = print_and_store([certificates[pk] for pk in chunk])
            parts[str(index)] = default_storage.save(f"jobs/parts/{job.pk}-{index}.pdf", ContentFile(pdf))
            Job.objects.filter(pk=job.pk).update(checkpoint={**job.checkpoint, "parts": parts})
            done += len(chunk)
            jobs.progress(job, done)
        pdf = join_pdfs([parts[str(index)] for index in range(len(chunks))])
        number = Certificate.objects.get(pk=ids[0]).number if len(ids) == 1 else ""
        jobs.store_result(job, f"{number.replace('/', '-') or 'certyfikaty'}.pdf", pdf)
        # The parts are done with: a later run (of a job taken over twice) prints them again.
        Job.objects.filter(pk=job.pk).update(checkpoint={**job.checkpoint, "parts": {}})
        for name in parts.values():
            default_storage.delete(name)
        url = reverse("admin:partnerships_certificate_changelist") + "?id__in=" + ",".join(map(str, ids))
        Job.objects.filter(pk=job.pk).update(result_url=url)


def _import_of(job: Job) -> tuple:
    """The person, the import run and its file's bytes of an import job (its preview or its
    writing); a person who can no longer import fails the job."""
    user = job.created_by
    if user is None or not user.is_active:
        raise jobs.JobError(_("The person who started the job can no longer import."))
    run = ImportRun.objects.get(pk=job.params["run"])
    with run.file.open("rb") as stream:
        return user, run, stream.read()


@task()
def preview_import(job_id: int) -> None:
    with jobs.running(job_id) as job:
        if job is None:
            return
        user, run, data = _import_of(job)
        result = imports.preview(
            run.file_name, data, user, progress=lambda done, total: jobs.progress(job, done, total)
        )
        summary = json.dumps(imports.summary(result), ensure_ascii=False)
        jobs.store_result(job, "podglad-importu.json", summary.encode())
        url = reverse("admin:partnerships_importrun_preview", args=[run.pk])
        Job.objects.filter(pk=job.pk).update(result_url=url)


@task()
def import_spreadsheet(job_id: int) -> None:
    with jobs.running(job_id) as job:
        if job is None:
            return
        user, run, data = _import_of(job)
        if run.state != ImportRun.State.PREVIEWED:
            return  # written by an earlier run of this job, which stopped after its commit
        decisions = job.params.get("decisions", {})
        result = imports.preview(run.file_name, data, user, decisions)
        # The rows are read and checked: half the work. The other half is one transaction,
        # which nobody sees until it commits.
        jobs.progress(job, len(result.rows) // 2, len(result.rows))
        with transaction.atomic():
            # The run's row locked while it is written: two runs of the job never write it twice.
            if ImportRun.objects.select_for_update().get(pk=run.pk).state != ImportRun.State.PREVIEWED:
                return
            try:
                imports.apply(result, run, user, decisions)
            except imports.ImportRefused as error:
                raise jobs.JobError(str(error)) from error
        url = reverse("admin:partnerships_importrun_change", args=[run.pk])
        Job.objects.filter(pk=job.pk).update(result_url=url)


def start_dumps(user, keep: int, *, enqueue: bool = True) -> tuple[Job, bool]:
    """The job that publishes the dumps and True; or, when one already waits or runs, that job
    and False (the dumps are never published twice at once). ``enqueue=False``: not handed to
    the worker, for the command, which runs it itself."""
    return jobs.start_once(
        publish_dumps,
        kind=Job.Kind.DUMPS,
        title=_("Publishing the open data dumps"),
        user=user,
        region=None,
        params={"keep": keep},
        enqueue=enqueue,
    )


@task()
def publish_dumps(job_id: int) -> None:
    with jobs.running(job_id) as job:
        if job is None:
            return
        user = job.created_by
        # Started by a person: still allowed to. Started by the command (no person): the
        # machine's own schedule.
        if user is not None and not (user.is_active and user.has_perm("core.publish_dumps")):
            raise jobs.JobError(_("The person who started the job can no longer publish the dumps."))
        try:
            manifest = dumps.publish(
                keep=job.params["keep"], progress=lambda done, total: jobs.progress(job, done, total)
            )
        except OSError as error:
            raise jobs.JobError(_("The dump could not be stored: %(error)s") % {"error": error}) from error
        notes = [
            _("%(name)s: %(rows)d rows") % {"name": entry["name"], "rows": entry["rows"]}
            for entry in manifest["files"]
            if entry["format"] == "json"
        ]
        Job.objects.filter(pk=job.pk).update(
            notes="\n".join([_("Dump of %(date)s") % {"date": manifest["date"]}, *notes]),
            result_url=reverse("open_data"),
        )
