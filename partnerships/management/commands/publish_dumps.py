"""Publish today's full dump of the public registry (partnerships.dumps; docs/open-data.md).

It runs, in this process, the same background job staff start from the admin: the job is listed
there with its progress, and the command refuses while another publication waits or runs."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from core.models import Job
from partnerships import dumps, tasks


class Command(BaseCommand):
    help = (
        "Write today's dated dump of the public registry (zipped CSV and JSON with a manifest of row "
        "counts and SHA-256 checksums) into storage under dumps/<date>/, and keep the newest N days."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--keep",
            type=int,
            default=settings.OPEN_DATA_DUMPS_KEEP,
            help="How many days of dumps to keep, today's included (default %(default)s, OPEN_DATA_DUMPS_KEEP).",
        )

    def handle(self, *args, keep: int, **options):
        if keep < 1:
            raise CommandError(_("--keep must be at least 1: today's dump is always kept."))
        job, started = tasks.start_dumps(None, keep, enqueue=False)
        if not started:
            raise CommandError(
                _("The dumps are already being published (background job %(id)d); try again when it ends.")
                % {"id": job.pk}
            )
        try:
            tasks.publish_dumps.call(job.pk)
        except Exception as error:
            job.refresh_from_db()
            raise CommandError(job.error or str(error)) from error
        job.refresh_from_db()
        if job.state != Job.State.DONE:
            raise CommandError(job.error or _("The dumps were not published."))
        manifest = dumps.published()[0]
        folder = dumps.folder_of_date(manifest["date"])
        for entry in manifest["files"]:
            self.stdout.write(f"{folder}/{entry['name']}: {entry['rows']} rows, {entry['bytes']} B, {entry['sha256']}")
        self.stdout.write(self.style.SUCCESS(_("Dump of %(date)s published.") % {"date": manifest["date"]}))
