"""The partnerships' long work, done by the background worker (``core.jobs``).

``print_certificates`` issues the certificates a staff member asked for (if the job names
partnerships) and prints them: each certificate's PDF rendered and stored on its own, the
progress counted in certificates, then all of them joined into the one file to download.
Run again after its worker stopped midway, it issues nothing twice: the certificates of each
partnership are issued in the transaction that records them in the job's checkpoint (the job's
row locked), and a certificate whose PDF is stored is not rendered again.

``import_spreadsheet`` writes a confirmed import too large for a request; the import writes
all its rows in one transaction or none, so a run that stopped midway wrote nothing.
"""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django_tasks import task

from core import jobs
from core.models import Job

from . import imports
from .certificates import (
    CertificateError,
    issue_membership_certificates,
    issue_partnership_certificate,
    join_stored_pdfs,
    store_pdfs,
)
from .models import Certificate, CertificateKind, ImportRun, Partnership

# Certificates rendered with one font configuration between two progress steps: loading the
# fonts costs about as much as a certificate, and staff see the bar move every few seconds.
PRINT_CHUNK = 10


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
        # Only each certificate's stored file is read for all of them at once: a membership
        # certificate's snapshot lists every member, so a thousand snapshots of a partnership
        # of a thousand members are a million rows of JSON. The snapshots are read a chunk at
        # a time, to render.
        stored = dict(Certificate.objects.filter(pk__in=ids).values_list("pk", "pdf"))
        ids = [pk for pk in ids if pk in stored]
        if not ids:
            raise jobs.JobError(_("There are no certificates to print."))
        done = sum(1 for pk in ids if stored[pk])
        jobs.progress(job, done, len(ids))
        missing = [pk for pk in ids if not stored[pk]]
        for start in range(0, len(missing), PRINT_CHUNK):
            chunk = missing[start : start + PRINT_CHUNK]
            store_pdfs(Certificate.objects.filter(pk__in=chunk).select_related("partnership").order_by("pk"))
            done += len(chunk)
            jobs.progress(job, done)
        # Read again: store_pdfs points the rows at their new files.
        certificates = Certificate.objects.filter(pk__in=ids).defer("snapshot").in_bulk()
        try:
            pdf = join_stored_pdfs(certificates[pk] for pk in ids)
        except CertificateError as error:
            raise jobs.JobError(str(error)) from error
        name = certificates[ids[0]].number.replace("/", "-") if len(ids) == 1 else "certyfikaty"
        jobs.store_result(job, f"{name}.pdf", pdf)
        url = reverse("admin:partnerships_certificate_changelist") + "?id__in=" + ",".join(map(str, ids))
        Job.objects.filter(pk=job.pk).update(result_url=url)


@task()
def import_spreadsheet(job_id: int) -> None:
    with jobs.running(job_id) as job:
        if job is None:
            return
        user = job.created_by
        if user is None or not user.is_active:
            raise jobs.JobError(_("The person who started the job can no longer import."))
        run = ImportRun.objects.get(pk=job.params["run"])
        if run.state != ImportRun.State.PREVIEWED:
            return  # written by an earlier run of this job, which stopped after its commit
        with run.file.open("rb") as stream:
            data = stream.read()
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
