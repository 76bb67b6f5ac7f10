"""Fill a database with clearly marked synthetic data at national scale, over the imported
TERYT register, for the benchmarks. Refuses to mix it with real records unless told to.

    .venv/bin/python -m bench.seed                          # the database of DATABASE_URL
    .venv/bin/python -m bench.seed --scale 0.01             # a hundredth, for a quick look
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/rejestr_bench .venv/bin/python -m bench.seed --replace

Sets Django up by itself with the project's settings, so it writes where ``manage.py`` would;
``python -m bench.prepare`` runs it on the benchmark databases. Prints the rows and insert time of every
table and the time of every step; exits with status 1, having written nothing, when it refuses.
"""

import argparse
import os
import sys
from dataclasses import fields


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    from bench.synthetic import DEFAULT_SEED, Counts

    parser = argparse.ArgumentParser(prog="python -m bench.seed", description=__doc__.split("\n\n")[0])
    for name, default in ((f.name, f.default) for f in fields(Counts)):
        what = "people" if name == "persons" else name
        parser.add_argument(
            f"--{name}",
            type=int,
            default=default,
            metavar="N",
            help=f"{what} to create, before --scale (default: %(default)s)",
        )
    parser.add_argument(
        "--scale", type=float, default=1.0, help="multiply the five numbers, e.g. 0.01 for a quick run (default: 1)"
    )
    parser.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help="the same seed gives the same data (default: %(default)s)"
    )
    parser.add_argument("--replace", action="store_true", help="delete the synthetic records of an earlier run first")
    parser.add_argument(
        "--allow-real-data", action="store_true", help="add synthetic data even though the database holds real records"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None, stdout=sys.stdout) -> int:
    """Seed as the arguments say and print the report; raises ``Refused`` when it refuses."""
    from django.utils.translation import gettext as _

    from bench.synthetic import Counts, Refused, seed_synthetic

    options = parse_arguments(argv)
    if options.scale <= 0:
        raise Refused(_("--scale must be greater than 0."))
    counts = Counts(**{f.name: getattr(options, f.name) for f in fields(Counts)}).scaled(options.scale)
    report = seed_synthetic(counts, seed=options.seed, replace=options.replace, allow_real_data=options.allow_real_data)

    def write(line: str) -> None:
        stdout.write(line + "\n")

    if options.replace:
        write(
            _("Earlier synthetic records deleted: %(rows)d rows in %(seconds).1f s.")
            % {"rows": report.deleted_rows, "seconds": report.deleting_seconds}
        )
    width = max(len(table) for table in report.tables)
    write(f"{_('table'):<{width}}  {_('rows'):>9}  {_('seconds'):>8}")
    for table, timing in report.tables.items():
        write(f"{table:<{width}}  {timing.rows:>9}  {timing.seconds:>8.1f}")
    write(
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
    write(
        _("Committing, with the check of every new row's foreign keys: %(seconds).1f s.")
        % {"seconds": report.committing_seconds}
    )
    if report.analyzing_seconds:
        write(
            _("Planner statistics gathered (%(command)s) in %(seconds).1f s.")
            % {"command": report.analyzing_command, "seconds": report.analyzing_seconds}
        )
    write(
        _("Synthetic data seeded with seed %(seed)d in %(seconds).1f s; the cache was cleared.")
        % {"seed": report.seed, "seconds": report.total_seconds}
    )
    return 0


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from bench.synthetic import Refused

    try:
        sys.exit(main())
    except Refused as error:
        sys.exit(str(error))
