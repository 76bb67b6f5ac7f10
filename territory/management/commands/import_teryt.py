from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from territory.teryt import TercError, import_register


class Command(BaseCommand):
    help = _(
        "Import GUS's official TERC register (CSV or XML): add new units, update names and kinds, "
        "mark units missing from the file inactive. A malformed file changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help=_("TERC file, CSV (TERC_Urzedowy_*.csv) or XML"))

    def handle(self, *args, path: str, **options):
        try:
            report = import_register(path)
        except FileNotFoundError:
            raise CommandError(_("File not found: %(path)s") % {"path": path}) from None
        except TercError as error:
            raise CommandError(
                _("%(path)s was not imported, nothing changed. %(error)s") % {"path": path, "error": error}
            ) from None
        labels = {"voivodeships": _("voivodeships"), "counties": _("counties"), "communes": _("communes")}
        self.stdout.write(_("Register as of %(date)s.") % {"date": report.state_date})
        for level, counts in report.levels.items():
            self.stdout.write(
                _(
                    "%(level)s: %(created)d created, %(updated)d updated, "
                    "%(deactivated)d deactivated, %(unchanged)d unchanged."
                )
                % {"level": labels[level], **vars(counts)}
            )
        self.stdout.write(
            _("%(skipped)d commune parts and city districts skipped (not stored).") % {"skipped": report.skipped}
        )
        if not report.changed:
            self.stdout.write(self.style.SUCCESS(_("The database already matched the file.")))
