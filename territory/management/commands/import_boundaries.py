from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from territory.boundaries import BoundaryError, import_boundaries


class Command(BaseCommand):
    help = _(
        "Import voivodeship and county outlines for the map from a GeoJSON FeatureCollection "
        "(WGS84) whose features carry a TERYT code in “teryt”, “JPT_KOD_JE” or “woj_teryt”."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help=_("GeoJSON file"))

    def handle(self, *args, path: str, **options):
        try:
            report = import_boundaries(path)
        except FileNotFoundError:
            raise CommandError(_("File not found: %(path)s") % {"path": path}) from None
        except BoundaryError as error:
            raise CommandError(
                _("%(path)s was not imported, nothing changed. %(error)s") % {"path": path, "error": error}
            ) from None
        self.stdout.write(
            _("Outlines stored: %(voivodeships)d voivodeships, %(counties)d counties.")
            % {"voivodeships": report.voivodeships, "counties": report.counties}
        )
        if report.unknown_codes:
            self.stderr.write(
                _("TERYT codes not in the database, not stored (import the TERC register first?): %(codes)s")
                % {"codes": ", ".join(report.unknown_codes)}
            )
        if report.ignored_codes:
            self.stderr.write(
                _("Commune outlines are not used by the map, not stored: %(codes)s")
                % {"codes": ", ".join(report.ignored_codes)}
            )
