"""manage.py backup [PATH]: save the database and the uploaded media into one archive."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from config.backup import BackupError, create_backup, default_backup_path, describe


class Command(BaseCommand):
    help = _(
        "Save the whole database (every record with its history, users, the admin log) and every "
        "uploaded media file into one tar.gz archive. Never overwrites a file. See docs/backup.md."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path",
            nargs="?",
            help=_("the archive to write; by default var/backups/rejestr-<date and time>.tar.gz"),
        )

    def handle(self, *args, path: str | None, verbosity: int, **options):
        target = Path(path) if path else default_backup_path()
        try:
            manifest = create_backup(target)
        except BackupError as error:
            raise CommandError(str(error)) from None
        for name in manifest.media_skipped:
            self.stderr.write(self.style.WARNING(_("Not saved, not a regular file: %(name)s") % {"name": name}))
        if verbosity >= 1:
            for line in describe(manifest, per_model=verbosity >= 2):
                self.stdout.write(line)
            self.stdout.write(self.style.SUCCESS(_("Backup saved: %(path)s") % {"path": target.absolute()}))
