"""Publish today's full dump of the public registry (partnerships.dumps; docs/open-data.md)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from partnerships import dumps


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
        manifest = dumps.publish(keep=keep)
        folder = dumps.folder_of_date(manifest["date"])
        for entry in manifest["files"]:
            self.stdout.write(f"{folder}/{entry['name']}: {entry['rows']} rows, {entry['bytes']} B, {entry['sha256']}")
        self.stdout.write(self.style.SUCCESS(_("Dump of %(date)s published.") % {"date": manifest["date"]}))
