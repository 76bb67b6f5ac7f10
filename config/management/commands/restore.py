"""manage.py restore PATH [--noinput]: replace the database and the media with a backup's."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from config.backup import BackupError, describe, read_manifest, restore_backup


class Command(BaseCommand):
    help = _(
        "Replace the whole database and the media directory with the contents of a backup made by "
        "“manage.py backup”. The archive is checked completely before anything is changed; the "
        "database must have the backup's migrations applied. See docs/backup.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help=_("the archive to restore"))
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help=_("do not ask for confirmation"),
        )

    def handle(self, *args, path: str, interactive: bool, verbosity: int, **options):
        try:
            if interactive and not self.confirmed(path):
                self.stdout.write(_("Restore cancelled; nothing was changed."))
                return
            manifest = restore_backup(path)
        except BackupError as error:
            raise CommandError(str(error)) from None
        if verbosity >= 1:
            for line in describe(manifest, per_model=verbosity >= 2):
                self.stdout.write(line)
            self.stdout.write(
                self.style.SUCCESS(
                    _("Restored the backup made on %(created)s from %(path)s. Everyone has to log in again.")
                    % {"created": self.when(manifest.created_at), "path": path}
                )
            )

    def confirmed(self, path: str) -> bool:
        manifest = read_manifest(path)
        self.stdout.write(
            _(
                "This replaces EVERYTHING in the database “%(database)s” and in the media directory "
                "%(media)s with the backup made on %(created)s:"
            )
            % {
                "database": connections[DEFAULT_DB_ALIAS].settings_dict["NAME"],
                "media": settings.MEDIA_ROOT,
                "created": self.when(manifest.created_at),
            }
        )
        for line in describe(manifest):
            self.stdout.write(line)
        self.stdout.write(_("What is there now, with every change made since the backup, is lost."))
        try:
            answer = input(_("Type “yes” to continue, or “no” to cancel: "))
        except EOFError:
            raise CommandError(
                _("No answer to the confirmation; nothing was changed. Use --noinput to restore without asking.")
            ) from None
        return answer.strip().lower() in {"yes", _("yes")}

    @staticmethod
    def when(moment) -> str:
        return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")
