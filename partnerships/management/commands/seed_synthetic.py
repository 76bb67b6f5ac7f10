from dataclasses import fields

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from partnerships.synthetic import DEFAULT_SEED, Counts, Refused, seed_synthetic


class Command(BaseCommand):
    help = _(
        "Fill the database with clearly marked synthetic data at national scale, over the imported "
        "TERYT register, for benchmarks. Refuses to mix it with real records unless told to."
    )

    def add_arguments(self, parser):
        defaults = Counts()
        helps = {
            "institutions": _("Number of institutions to create, before --scale (default: %(default)s)."),
            "partnerships": _("Number of partnerships to create, before --scale (default: %(default)s)."),
            "memberships": _("Number of memberships to create, before --scale (default: %(default)s)."),
            "events": _("Number of events to create, before --scale (default: %(default)s)."),
            "persons": _("Number of people to create, before --scale (default: %(default)s)."),
        }
        for name, text in helps.items():
            default = getattr(defaults, name)
            # argparse formats help texts itself: a translation may not leave a bare % behind.
            text = (text % {"default": default}).replace("%", "%%")
            parser.add_argument(f"--{name}", type=int, default=default, metavar="N", help=text)
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help=_("Multiply the five numbers by this factor, e.g. 0.01 for a quick run (default: 1)."),
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help=(
                _("Seed of the random generator: the same seed gives the same data (default: %(default)s).")
                % {"default": DEFAULT_SEED}
            ).replace("%", "%%"),
        )
        parser.add_argument(
            "--replace", action="store_true", help=_("Delete the synthetic records of an earlier run first.")
        )
        parser.add_argument(
            "--allow-real-data",
            action="store_true",
            help=_("Add synthetic data even though the database holds real records."),
        )

    def handle(self, *args, **options):
        if options["scale"] <= 0:
            raise CommandError(_("--scale must be greater than 0."))
        counts = Counts(**{f.name: options[f.name] for f in fields(Counts)}).scaled(options["scale"])
        try:
            report = seed_synthetic(
                counts,
                seed=options["seed"],
                replace=options["replace"],
                allow_real_data=options["allow_real_data"],
            )
        except Refused as error:
            raise CommandError(str(error)) from None
        if options["replace"]:
            self.stdout.write(
                _("Earlier synthetic records deleted: %(rows)d rows in %(seconds).1f s.")
                % {"rows": report.deleted_rows, "seconds": report.deleting_seconds}
            )
        width = max(len(table) for table in report.tables)
        self.stdout.write(f"{_('table'):<{width}}  {_('rows'):>9}  {_('seconds'):>8}")
        for table, timing in report.tables.items():
            self.stdout.write(f"{table:<{width}}  {timing.rows:>9}  {timing.seconds:>8.1f}")
        self.stdout.write(
            _(
                "Inserting: %(inserting).1f s; generating the records in Python: %(generating).1f s; "
                "deriving the members' count and search key: %(counting).1f s."
            )
            % {
                "inserting": report.inserting_seconds,
                "generating": report.generating_seconds,
                "counting": report.counting_seconds,
            }
        )
        self.stdout.write(
            _("Committing, with the check of every new row's foreign keys: %(seconds).1f s.")
            % {"seconds": report.committing_seconds}
        )
        if report.analyzing_seconds:
            self.stdout.write(
                _("Planner statistics gathered (%(command)s) in %(seconds).1f s.")
                % {"command": report.analyzing_command, "seconds": report.analyzing_seconds}
            )
        self.stdout.write(
            self.style.SUCCESS(
                _("Synthetic data seeded with seed %(seed)d in %(seconds).1f s; the cache was cleared.")
                % {"seed": report.seed, "seconds": report.total_seconds}
            )
        )
