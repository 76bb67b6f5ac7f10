"""Benchmark of the "Possible duplicates" admin page and of a merge, at national scale.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/<a copy of the seeded database> \\
        .venv/bin/python -m bench.duplicates [--repeat 5]

Run from the project root on a copy of the seeded national-scale database (bench/seed.py:
100,000 institutions), migrated. Times, in-process with Django's test client as a superuser:

- finding the likely duplicate institutions of the whole country (``members.duplicates``):
  five queries, then the names compared within each gmina only (blocking), never all pairs;
- the page of the whole country and of one voivodeship "cold" (a new data generation before
  each request, so the pairs are computed, as after any change to a record) and "warm" (the
  pairs of this generation cached, as when paging through them);
- the people's page, cold;
- the merge of two institutions and its undo, inside a transaction rolled back at the end
  (the copy is left as it was).

Writes ``bench/results/duplicates-<vendor>.json`` and prints a table. The goal (issue 14): the
page of 100,000 institutions under 2 s; exits with status 1 when the cold page of the whole
country misses it by median.
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
PAGE_SECONDS = 2.0


def setup() -> str:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("CACHE_URL", "locmem://")
    os.environ["PAGE_CACHE"] = "0"
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    if connection.settings_dict["NAME"] == "rejestr_bench_seed":
        raise SystemExit("Run it on a copy: createdb -T rejestr_bench_seed <name>, then DATABASE_URL=…/<name>.")
    # The test client's host; production settings are otherwise kept.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    return connection.vendor


def timed(run, repeat: int, before=None) -> dict:
    """Wall time, and this process's CPU time: on a machine shared with other work the CPU time
    says what the page costs, the wall time what it took then (the database's time included)."""
    seconds, cpu = [], []
    for _ in range(repeat):
        if before:
            before()
        start, start_cpu = time.perf_counter(), time.process_time()
        run()
        seconds.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return {
        "median_s": round(statistics.median(seconds), 3),
        "min_s": round(min(seconds), 3),
        "median_cpu_s": round(statistics.median(cpu), 3),
        "runs": repeat,
    }


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.duplicates", description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    vendor = setup()

    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from core.cache import records_changed
    from members.duplicates import institution_pairs
    from members.merging import merge_records, undo_merge
    from members.models import Institution, Person
    from partnerships.models import Membership

    def new_generation():
        records_changed.send(sender=None)

    user, _created = get_user_model().objects.get_or_create(
        username="bench-duplicates", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(user)

    def page(path: str):
        def get():
            response = client.get(path)
            if response.status_code != 200:
                raise SystemExit(f"{path} answered {response.status_code}")

        return get

    pairs = institution_pairs()
    report = {
        "date": datetime.date.today().isoformat(),
        "vendor": vendor,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f} at start",
        "institutions": Institution.objects.count(),
        "people": Person.objects.count(),
        "pairs": len(pairs),
        "pairs_mazowieckie": len(institution_pairs("14")),
        "goal_page_s": PAGE_SECONDS,
        "timings": {},
    }
    timings = report["timings"]
    timings["find-institutions-country"] = timed(institution_pairs, args.repeat)
    country = "/admin/members/institution/duplikaty/?wojewodztwo="
    timings["page-country-cold"] = timed(page(country), args.repeat, before=new_generation)
    new_generation()
    page(country)()
    timings["page-country-warm"] = timed(page(country + "&strona=2"), args.repeat)
    timings["page-mazowieckie-cold"] = timed(
        page("/admin/members/institution/duplikaty/?wojewodztwo=14"), args.repeat, before=new_generation
    )
    timings["page-people-cold"] = timed(
        page("/admin/members/person/duplikaty/?wojewodztwo="), args.repeat, before=new_generation
    )
    new_generation()
    with CaptureQueriesContext(connection) as queries:
        page(country)()
    report["page_country_queries"] = len(queries)

    # The merge of the most-connected institution with a duplicate of it, and the undo; rolled back.
    busiest = Membership.objects.values("institution").order_by().annotate(n=Count("pk")).order_by("-n").first()
    kept = Institution.objects.get(pk=busiest["institution"])
    merged = Institution.objects.filter(commune_id=kept.commune_id).exclude(pk=kept.pk).order_by("pk").first()
    with transaction.atomic():
        start = time.perf_counter()
        record = merge_records(merged, kept, user, confirmed=True)
        merge_s = time.perf_counter() - start
        start = time.perf_counter()
        undo_merge(record, user)
        undo_s = time.perf_counter() - start
        transaction.set_rollback(True)
    moved = sum(moved + folded for _label, moved, folded in record.counts)
    timings["merge"] = {"seconds": round(merge_s, 3), "rows_moved": moved}
    timings["undo"] = {"seconds": round(undo_s, 3), "rows_moved": moved}

    report["load_at_end"] = round(os.getloadavg()[0], 1)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"duplicates-{vendor}.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"{report['institutions']} institutions, {report['people']} people, {report['pairs']} likely pairs")
    print("| what | median s | min s | median CPU s of this process |\n|---|---|---|---|")
    for name, timing in timings.items():
        if "median_s" in timing:
            print(f"| {name} | {timing['median_s']} | {timing['min_s']} | {timing['median_cpu_s']} |")
        else:
            print(f"| {name} ({timing['rows_moved']} rows) | {timing['seconds']} | | |")
    print(f"page of the whole country: {report['page_country_queries']} queries")
    missed = timings["page-country-cold"]["median_s"] > PAGE_SECONDS
    if missed:
        print(f"GOAL MISSED: the page of the whole country over {PAGE_SECONDS} s")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
