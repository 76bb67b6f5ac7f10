"""Benchmark of the spreadsheet import at national scale: the preview of a voivodeship's file and
its import, timed, with the process's peak memory.

    createdb -h 127.0.0.1 -U postgres -T rejestr_bench_seed rejestr_import_bench
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/rejestr_import_bench \\
        .venv/bin/python manage.py migrate
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/rejestr_import_bench \\
        .venv/bin/python -m bench.imports [--partnerships 5000] [--members 3]

Run from the project's directory, on a copy of the seeded national database (bench/seed.py;
never the seed itself). The file is made from that database: ``--partnerships`` new
partnerships of the voivodeship with the most institutions (mazowieckie in the seed), each
with ``--members`` member rows. Of each partnership's members, all but the last are existing
institutions of the voivodeship named by their NIP (or slug, when they have none), as an
exported file names them; the last is a new institution named only by its name and gmina, so
every one of them is compared with its gmina's institutions by name (``members.matching``).
The file is written as XLSX, as staff send it, and then:

- the preview (``partnerships.imports.preview``): reading the XLSX, the lookups, matching, the
  comparison — timed, with its number of queries;
- the import (``apply``) of what the preview found, in a transaction rolled back at the end, so
  that the database stays as it was and the script can run again;
- the peak resident memory of the process (``ru_maxrss``), the file and openpyxl included (the
  file is made by a process of its own).

Writes ``bench/results/imports-<vendor>.json``, prints a Markdown table, and exits with status 1
when a goal is missed: preview under 30 s, import under 60 s, peak memory under 500 MB.
"""

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
PREVIEW_SECONDS = 30.0
IMPORT_SECONDS = 60.0
PEAK_MB = 500.0


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("CACHE_URL", "locmem://")
    import django

    django.setup()


def peak_mb() -> float:
    # Linux gives ru_maxrss in kilobytes.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build_file(partnerships: int, members: int) -> tuple[bytes, str]:
    """An XLSX of new partnerships of the biggest voivodeship, one row per member."""
    from django.db.models import Count

    from core.tabular import write_xlsx
    from members.models import Institution
    from partnerships.resources import PartnershipResource, sheet

    region = (
        Institution.objects.values("commune__county__voivodeship")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("commune__county__voivodeship", flat=True)
        .first()
    )
    existing = list(
        Institution.objects.filter(commune__county__voivodeship=region)
        .order_by("pk")
        .values("nip", "slug", "name", "kind", "commune_id")[: partnerships * (members - 1)]
    )
    communes = sorted({row["commune_id"] for row in existing})
    rows = []
    for number in range(partnerships):
        common = {
            "name": f"Partnerstwo z arkusza {number}",
            "status": "active",
            "founded": (None, "day"),
            "home_voivodeship_teryt": region,
            "area_county_teryt": [communes[number % len(communes)][:4]],
            "area_commune_teryt": [communes[number % len(communes)]],
        }
        for index in range(members - 1):
            institution = existing[(number * (members - 1) + index) % len(existing)]
            named = {"member_nip": institution["nip"]} if institution["nip"] else {"member_slug": institution["slug"]}
            rows.append(
                {
                    **common,
                    **named,
                    "member_name": institution["name"],
                    "member_kind": institution["kind"],
                    "member_role": "partner",
                }
            )
        rows.append(
            {
                **common,
                "member_name": f"Stowarzyszenie Inicjatyw Lokalnych „Sąsiedzi {number}”",
                "member_kind": "association",
                "member_commune_teryt": communes[(number * 7) % len(communes)],
                "member_role": "leader",
            }
        )
    resource_ = PartnershipResource()
    full = [{field.attribute: row.get(field.attribute) for field in resource_.get_export_fields()} for row in rows]
    headers, rendered = sheet(resource_, full)
    stream = io.BytesIO()
    write_xlsx(stream, [("partnerstwa", headers, rendered)])
    return stream.getvalue(), region


def build_export(member_rows: int) -> tuple[bytes, str]:
    """The registry's own export (``export_registry``'s format) of the biggest voivodeship's
    partnerships, as many as fit in ``member_rows`` rows: a file that imports back unchanged."""
    from django.db.models import Count

    from core.tabular import write_xlsx
    from partnerships.models import Partnership
    from partnerships.resources import PartnershipResource, partnership_rows, sheet

    region = (
        Partnership.objects.values("home_voivodeship")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("home_voivodeship", flat=True)
        .first()
    )
    chosen, total = [], 0
    counted = Partnership.objects.filter(home_voivodeship=region).annotate(n=Count("memberships")).order_by("pk")
    for pk, members in counted.values_list("pk", "n"):
        if total + max(members, 1) > member_rows:
            break
        chosen.append(pk)
        total += max(members, 1)
    headers, rendered = sheet(PartnershipResource(), partnership_rows(Partnership.objects.filter(pk__in=chosen)))
    stream = io.BytesIO()
    write_xlsx(stream, [("partnerstwa", headers, rendered)])
    return stream.getvalue(), region


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.imports", description=__doc__.split("\n\n")[0])
    parser.add_argument("--partnerships", type=int, default=5000)
    parser.add_argument("--members", type=int, default=3)
    parser.add_argument(
        "--existing",
        action="store_true",
        help="Instead: the registry's own export of existing partnerships (--partnerships × --members rows at most), "
        "which previews as unchanged.",
    )
    parser.add_argument("--build-only", metavar="PATH", help=argparse.SUPPRESS)
    options = parser.parse_args()
    setup()
    if options.build_only:
        if options.existing:
            data, region = build_export(options.partnerships * options.members)
        else:
            data, region = build_file(options.partnerships, options.members)
        Path(options.build_only).write_bytes(data)
        print(region)
        return 0
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from partnerships import imports
    from partnerships.models import ImportRun

    # The file is made in a process of its own, so that the peak memory measured here is the
    # import's: reading the file, the preview and the writing.
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "bench.xlsx"
        command = [sys.executable, "-m", "bench.imports", "--build-only", str(path)]
        command += ["--partnerships", str(options.partnerships), "--members", str(options.members)]
        command += ["--existing"] if options.existing else []
        region = subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip()  # noqa: S603 (this script itself)
        data = path.read_bytes()
    built = time.perf_counter() - started
    user = get_user_model().objects.filter(is_superuser=True).first()
    if user is None:
        user = get_user_model().objects.create_superuser("bench-import", password=None)
    memory_before = peak_mb()

    started = time.perf_counter()
    with CaptureQueriesContext(connection) as preview_queries:
        result = imports.preview("bench.xlsx", data, user)
    preview_seconds = time.perf_counter() - started
    if result.has_errors:
        print(result.errors[:5], [row.errors for row in result.rows if row.errors][:5], file=sys.stderr)
        return 2
    counts = result.counts()
    decisions = {row.key: imports.AS_NEW for row, _record in result.to_confirm}

    with transaction.atomic():
        run = ImportRun.objects.create(file_name="bench.xlsx", user=user, voivodeship_id=region)
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as import_queries:
            imports.apply(result, run, user, decisions)
        import_seconds = time.perf_counter() - started
        transaction.set_rollback(True)

    figures = {
        "database": connection.vendor,
        "partnerships": options.partnerships,
        "member_rows": options.partnerships * options.members,
        "existing": options.existing,
        "rows_in_file": sum(len(sheet.rows) for sheet in result.workbook.sheets),
        "file_bytes": len(data),
        "file_built_seconds": round(built, 1),
        "counts": counts,
        "to_confirm": len(decisions),
        "preview_seconds": round(preview_seconds, 2),
        "preview_queries": len(preview_queries),
        "import_seconds": round(import_seconds, 2),
        "import_queries": len(import_queries),
        "peak_rss_mb_before_preview": round(memory_before, 1),
        "peak_rss_mb": round(peak_mb(), 1),
        "goals": {"preview_seconds": PREVIEW_SECONDS, "import_seconds": IMPORT_SECONDS, "peak_rss_mb": PEAK_MB},
    }
    RESULTS.mkdir(exist_ok=True)
    name = f"imports-existing-{connection.vendor}" if options.existing else f"imports-{connection.vendor}"
    (RESULTS / f"{name}.json").write_text(json.dumps(figures, indent=2) + "\n")
    print("| measure | value | goal |\n|---|---|---|")
    print(
        f"| preview of {figures['rows_in_file']} rows | {preview_seconds:.1f} s, {len(preview_queries)} queries "
        f"| < {PREVIEW_SECONDS:.0f} s |"
    )
    print(f"| import | {import_seconds:.1f} s, {len(import_queries)} queries | < {IMPORT_SECONDS:.0f} s |")
    print(f"| peak memory | {figures['peak_rss_mb']} MB | < {PEAK_MB:.0f} MB |")
    print(f"| counts | {counts} | |")
    missed = preview_seconds > PREVIEW_SECONDS or import_seconds > IMPORT_SECONDS or figures["peak_rss_mb"] > PEAK_MB
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
