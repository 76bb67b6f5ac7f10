"""Bring a spreadsheet into the registry, as the admin's import does (docs/import.md)."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from members.scope import region_of
from partnerships import imports
from partnerships.models import ImportRun


class Command(BaseCommand):
    help = "Import partnerships with their members, or institutions, from an XLSX or CSV file (docs/import.md)."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--dry-run", action="store_true", help="Show what would change; write nothing.")
        parser.add_argument("--user", help="Import as this user (their region applies); default: the first superuser.")
        parser.add_argument(
            "--similar",
            choices=[imports.SAME, imports.AS_NEW],
            help="Take every match by a similar name as the same institution, or add a new one instead.",
        )

    def handle(self, *args, path: str, dry_run: bool, user: str | None, similar: str | None, **options):
        translation.activate("pl")
        users = get_user_model().objects
        account = (
            users.filter(username=user).first() if user else users.filter(is_superuser=True).order_by("pk").first()
        )
        if account is None:
            raise CommandError(_("There is no such user.") if user else _("Give --user: there is no superuser."))
        file = Path(path)
        if not file.is_file():
            raise CommandError(_("There is no file %(path)s.") % {"path": path})
        data = file.read_bytes()
        first = imports.preview(file.name, data, account)
        decisions = {row.key: similar for row, _record in first.to_confirm} if similar else {}
        result = imports.preview(file.name, data, account, decisions) if decisions else first
        self.report(result, decisions)
        failed = result.has_errors or (result.undecided(decisions) and not dry_run)
        if failed:
            raise CommandError(_("Nothing was written."))
        if dry_run:
            return
        run = ImportRun.objects.create(file_name=file.name, user=account, voivodeship_id=region_of(account))
        imports.apply(result, run, account, decisions)
        self.stdout.write(_("Written: import no. %(run)d.") % {"run": run.pk})

    def report(self, result: imports.Preview, decisions: dict) -> None:
        workbook = result.workbook
        if workbook is not None and workbook.file_format == "csv":
            self.stdout.write(
                _("CSV, %(encoding)s, separator “%(delimiter)s”")
                % {"encoding": workbook.encoding, "delimiter": workbook.delimiter}
            )
        counts = result.counts()
        self.stdout.write(_("new: %(new)d, changed: %(changed)d, unchanged: %(unchanged)d, errors: %(error)d") % counts)
        for message in result.errors:
            self.stderr.write(message)
        for row in result.rows:
            for column, message in row.errors:
                where = f"{row.sheet}, " if row.sheet else ""
                self.stderr.write(
                    where
                    + _("row %(row)d, column “%(column)s”: %(message)s")
                    % {"row": row.number, "column": column, "message": message}
                )
        for row, record in result.undecided(decisions):
            self.stderr.write(
                _("row %(row)d: “%(name)s” is like the existing “%(other)s” (%(reason)s); confirm with --similar.")
                % {
                    "row": row.number,
                    "name": record.given,
                    "other": record.similar,
                    "reason": record.reason,
                }
            )
