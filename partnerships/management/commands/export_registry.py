"""Write the registry in the import's format (docs/import.md)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from members.models import Institution
from partnerships.models import Partnership
from partnerships.resources import export_file


class Command(BaseCommand):
    help = "Export partnerships with their members and institutions to an XLSX (two sheets) or CSV file."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument(
            "--only",
            choices=["partnerships", "institutions"],
            help="One sheet only (a CSV holds one; default partnerships).",
        )
        parser.add_argument("--voivodeship", help="Only the records of this voivodeship (2-digit TERYT code).")

    def handle(self, *args, path: str, only: str | None, voivodeship: str | None, **options):
        suffix = path.rsplit(".", 1)[-1].lower()
        if suffix not in {"xlsx", "csv"}:
            raise CommandError(_("The file's name must end with .xlsx or .csv."))
        partnerships, institutions = Partnership.objects.all(), Institution.objects.all()
        if voivodeship:
            partnerships = partnerships.filter(home_voivodeship=voivodeship)
            institutions = institutions.filter(commune__county__voivodeship=voivodeship)
        if only == "institutions" or (suffix == "csv" and only == "institutions"):
            partnerships = None
        elif only == "partnerships" or suffix == "csv":
            institutions = None
        if suffix == "xlsx":
            with open(path, "wb") as stream:
                export_file(stream, "xlsx", partnerships=partnerships, institutions=institutions)
        else:
            with open(path, "w", encoding="utf-8", newline="") as stream:
                export_file(stream, "csv", partnerships=partnerships, institutions=institutions)
        self.stdout.write(_("Written: %(path)s") % {"path": path})
