"""The databases the benchmarks measure: the official TERYT register and synthetic data at
national scale (the defaults of bench.seed), on PostgreSQL and on SQLite.

    .venv/bin/python -m bench.prepare postgresql://postgres@127.0.0.1:5432/rejestr_bench
    .venv/bin/python -m bench.prepare sqlite:///var/bench-sqlite/db.sqlite3

Creates the PostgreSQL database when it is missing, migrates, imports the register from
TERYT_CSV (and the outlines from BOUNDARIES_GEOJSON and VOIVODESHIP_BOUNDARIES_GEOJSON, when
given) and seeds once; a database that already holds the synthetic data is only migrated,
so ``make bench`` can run again without seeding again. Never touches the development
database in ``var/db.sqlite3``.
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

PROJECT = Path(__file__).resolve().parents[1]


def run(url: str, *command: str) -> str:
    """The project's interpreter with ``command`` (a script or ``-m module`` and its arguments),
    from the project's root, on the database of ``url``; its output."""
    environment = {**os.environ, "DATABASE_URL": url, "PAGE_CACHE": "0", "CACHE_URL": "locmem://"}
    result = subprocess.run(  # noqa: S603 (the project's own scripts)
        [sys.executable, *command], cwd=PROJECT, env=environment, capture_output=True, text=True
    )
    if result.returncode:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def manage(url: str, *args: str) -> str:
    return run(url, "manage.py", *args)


def analyze(url: str) -> None:
    """Planner statistics and the visibility map of every table, as autovacuum keeps them on a
    running installation: the seed analyses what it writes, but the TERYT units come from
    ``import_teryt`` and, where autovacuum is off (as on the machines the benchmarks ran on),
    the planner would take the 380 powiats for a handful and join them the wrong way round."""
    if not url.startswith("postgresql://"):
        return
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("VACUUM (ANALYZE)")


def create_postgresql_database(url: str) -> None:
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    server = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(server, autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.prepare", description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="postgresql://… or sqlite:///… (never var/db.sqlite3)")
    url = parser.parse_args().url
    if url.startswith("postgresql://"):
        create_postgresql_database(url)
    elif url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if path.resolve() == (PROJECT / "var" / "db.sqlite3").resolve():
            raise SystemExit("Refusing to fill the development database var/db.sqlite3 with synthetic data.")
        path.parent.mkdir(parents=True, exist_ok=True)
    manage(url, "migrate", "--noinput")
    counts = manage(
        url,
        "shell",
        "--no-imports",  # Django 5.2 otherwise prints what it imported before the counts
        "-c",
        "from partnerships.models import Partnership; from territory.models import Commune; "
        "print(Partnership.objects.count(), Commune.objects.count())",
    ).split()
    partnerships, communes = int(counts[0]), int(counts[1])
    if partnerships >= 20000:
        print(f"{url}: {partnerships} partnerships already there; not seeding again.")
        analyze(url)
        return 0
    terc = os.environ.get("TERYT_CSV", "")
    if not terc or not Path(terc).is_file():
        raise SystemExit("Set TERYT_CSV to the official TERC file (make bench does, from ../shared/data).")
    if communes < 2000:
        manage(url, "import_teryt", terc)
    # The map outlines too, as an installation has them (the county pages draw them).
    for variable in ("BOUNDARIES_GEOJSON", "VOIVODESHIP_BOUNDARIES_GEOJSON"):
        if Path(os.environ.get(variable, "")).is_file():
            manage(url, "import_boundaries", os.environ[variable])
    start = time.perf_counter()
    print(run(url, "-m", "bench.seed", *(["--replace"] if partnerships else [])))
    print(f"{url}: seeded in {time.perf_counter() - start:.0f} s")
    analyze(url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
