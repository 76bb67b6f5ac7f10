"""The open data at scale: ``publish_dumps`` (time, queries, peak memory, rows and bytes) and the
statistics page uncached (median and p95, queries), on the database of ``DATABASE_URL``.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/rejestr_bench .venv/bin/python -m bench.dumps
    .venv/bin/python -m bench.dumps --demo          # a throwaway SQLite database with the demo data
    .venv/bin/python -m bench.dumps --repeat 10 --no-memory
    .venv/bin/python -m bench.dumps --statistics-only --page-repeat 40

The dumps are written into a throwaway media directory (the default storage's ``MEDIA_ROOT``;
nothing of ``var/`` is touched) and read back: the checksums in the manifest are verified. The
publication is timed ``--repeat`` times; its peak memory is measured apart, with tracemalloc
(which slows it), once over all the rows and once with a tenth of the partnerships' rows left
out by a filter of their voivodeship: memory that does not grow with the rows is about the same
in both. The statistics page is rendered by Django's test client with the cache emptied before
each request (the page cache off), as the first visitor after a change sees it, for the whole
country and for the voivodeship with the most partnerships.

Writes ``bench/results/dumps-<sqlite|postgresql>.json`` and prints a table. Goals (issue 18,
at national scale on PostgreSQL): the dump under 120 s; the statistics page under 200 ms
uncached. Exits with status 1 when one is missed there; on a small or SQLite database the
figures are reported only.
"""

import argparse
import datetime
import hashlib
import io
import json
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from bench.load import git_state, machine
from bench.server import PROJECT

RESULTS = PROJECT / "bench" / "results"
DUMP_SECONDS = 120.0
STATISTICS_MS = 200.0
# Below this many partnerships the goals are not judged: they are about national scale.
NATIONAL = 10_000


def setup(media: Path, demo: bool, workdir: Path) -> str:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["MEDIA_ROOT"] = str(media)
    os.environ.setdefault("CACHE_URL", "locmem://")
    os.environ["PAGE_CACHE"] = "0"
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    if demo:
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'demo.sqlite3'}"
        os.environ["VAR_DIR"] = str(workdir / "var")
    from django.conf import settings
    from django.core.management import call_command

    # Loaded as gunicorn loads it, as bench.pages does: the statistics page is timed in a process
    # set up as deployed (config/wsgi.py freezes what lives as long as the process out of the
    # garbage collector's way).
    import config.wsgi  # noqa: F401

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    if demo:
        call_command("migrate", verbosity=0)
        call_command("load_demo", stdout=io.StringIO())
    from django.db import connection

    return connection.vendor


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


def verified(manifest: dict) -> bool:
    """Every stored file of the manifest has the size and checksum it states."""
    from partnerships import dumps

    storage = dumps.dump_storage()
    for entry in manifest["files"]:
        digest, size = hashlib.sha256(), 0
        with storage.open(f"{dumps.folder_of_date(manifest['date'])}/{entry['name']}", "rb") as file:
            for block in iter(lambda file=file: file.read(1 << 20), b""):
                digest.update(block)
                size += len(block)
        if digest.hexdigest() != entry["sha256"] or size != entry["bytes"]:
            return False
    return True


def measure_dump(repeat: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from partnerships import dumps

    times = []
    with CaptureQueriesContext(connection) as queries:
        manifest = dumps.publish(keep=1)
    for _run in range(repeat):
        start = time.perf_counter()
        manifest = dumps.publish(keep=1)
        times.append(time.perf_counter() - start)
    return {
        "queries": len(queries),
        "median_seconds": round(statistics.median(times), 2),
        "max_seconds": round(max(times), 2),
        "runs": repeat,
        "rows": {entry["name"]: entry["rows"] for entry in manifest["files"]},
        "bytes": sum(entry["bytes"] for entry in manifest["files"]),
        "checksums_verified": verified(manifest),
    }


def dump_memory(voivodeship: str | None) -> int:
    """Peak traced memory of one publication; with ``voivodeship``, the partnerships of the others
    only (the other datasets as they are)."""
    from unittest import mock

    from partnerships import dumps
    from partnerships.models import Partnership

    real = dumps.datasets

    def fewer():
        result = real()
        if voivodeship:
            from partnerships import exports

            rest = Partnership.objects.public().exclude(home_voivodeship=voivodeship).order_by("pk")
            result[0] = dumps.Dataset(
                result[0].name,
                result[0].records,
                result[0].columns,
                lambda: exports.rows(rest),
                csv_row=result[0].csv_row,
                json_row=result[0].json_row,
            )
        return result

    with mock.patch.object(dumps, "datasets", fewer):
        tracemalloc.start()
        try:
            dumps.publish(keep=1)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()


def measure_statistics(path: str, repeat: int) -> dict:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    client = Client()
    cache.clear()
    # Counted by a wrapper, not CaptureQueriesContext: a request ends by closing the connection.
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(path)
    if response.status_code != 200:
        raise SystemExit(f"{path} answered {response.status_code}")
    times = []
    for _run in range(repeat):
        cache.clear()  # uncached: the tables are computed again, as after any change
        start = time.perf_counter()
        client.get(path)
        times.append((time.perf_counter() - start) * 1000)
    return {
        "path": path,
        "queries": len(queries),
        "median_ms": round(statistics.median(times), 1),
        "p95_ms": round(percentile(times, 0.95), 1),
        "runs": repeat,
    }


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.dumps", description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed publications (default 3)")
    parser.add_argument("--page-repeat", type=int, default=20, help="timed statistics pages (default 20)")
    parser.add_argument("--no-memory", action="store_true", help="leave out the (slow) memory runs")
    parser.add_argument("--demo", action="store_true", help="a throwaway SQLite database with the demo data")
    parser.add_argument(
        "--statistics-only",
        action="store_true",
        help="time the statistics page only, no dump (written to dumps-<database>-statistics.json)",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-dumps-") as workdir:
        workdir = Path(workdir)
        vendor = setup(workdir / "media", args.demo, workdir)
        from django.db.models import Count

        from partnerships.models import Partnership

        partnerships = Partnership.objects.count()
        busiest = (
            Partnership.objects.values("home_voivodeship")
            .annotate(n=Count("pk"))
            .order_by("-n", "home_voivodeship")
            .values_list("home_voivodeship", flat=True)
            .first()
        )
        load_before = os.getloadavg()
        dump = None if args.statistics_only else measure_dump(args.repeat)
        if dump:
            print(f"publish_dumps: {dump['median_seconds']} s median of {args.repeat}, {dump['queries']} queries")
        if dump and not args.no_memory:
            dump["peak_memory_bytes"] = dump_memory(None)
            dump["peak_memory_bytes_without_one_voivodeship"] = dump_memory(busiest)
            print(
                f"peak memory: {dump['peak_memory_bytes'] / 2**20:.1f} MiB, without voivodeship {busiest}'s "
                f"partnerships {dump['peak_memory_bytes_without_one_voivodeship'] / 2**20:.1f} MiB"
            )
        pages = [measure_statistics("/statystyki/", args.page_repeat)]
        if busiest:
            pages.append(measure_statistics(f"/statystyki/?wojewodztwo={busiest}", args.page_repeat))
        for page in pages:
            print(f"{page['path']:32} {page['median_ms']:8.1f} {page['p95_ms']:8.1f} ms  {page['queries']} queries")

    national = partnerships >= NATIONAL
    goals = {"statistics_ms": all(page["p95_ms"] < STATISTICS_MS for page in pages)}
    if dump:
        goals = {
            "dump_seconds": dump["max_seconds"] < DUMP_SECONDS,
            "dump_checksums": dump["checksums_verified"],
            **goals,
        }
    report = {
        "command": " ".join(["python -m bench.dumps", *sys.argv[1:]]),
        "database": vendor,
        "partnerships": partnerships,
        "measured_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": {**machine(), "load_average_at_start": [round(x, 2) for x in load_before]},
        "git": git_state(),
        "dump": dump,
        "statistics": pages,
        "goals": goals,
        "judged": national and vendor == "postgresql",
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"dumps-{vendor}{'-demo' if args.demo else ''}{'-statistics' if args.statistics_only else ''}.json"
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    for goal, met in goals.items():
        print(f"goal {goal}: {'met' if met else 'NOT MET'}")
    print(f"written to {path.relative_to(PROJECT)}")
    return 1 if report["judged"] and not all(goals.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
