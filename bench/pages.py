"""Every public page and the main admin changelists, in-process: median and p95 time and the
exact number of queries, on a database filled at national scale (bench/seed.py).

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/rejestr_bench .venv/bin/python -m bench.pages
    VAR_DIR=/tmp/rejestr-bench-sqlite .venv/bin/python -m bench.pages        # SQLite in VAR_DIR

Pages are rendered by Django's test client against the given database, with the count cache
of core.cache (a local-memory cache here) and without the page cache: what a visitor
costs when their page is not cached yet. Each page is requested twice to warm up, once with
its queries captured, then ``--repeat`` times timed. Exports are streamed to the end, and
their memory is measured apart (tracemalloc slows them): the peak of a full export against
one of a tenth of the rows shows whether memory grows with the rows. On PostgreSQL the plan
of the diacritics-free search ("rakow") is recorded with EXPLAIN ANALYZE.

Writes ``bench/results/pages-<sqlite|postgresql>.json`` (``pages-admin-…`` with ``--admin``),
prints a Markdown table, and exits with status 1 when a goal is missed (the goals hold on
PostgreSQL; SQLite is reported).
"""

import argparse
import datetime
import json
import os
import statistics
import sys
import time
import tracemalloc

# The page discovery of bench.load, so that both benchmarks measure the same pages.
from bench.load import Page, discover_pages, git_state, machine
from bench.server import PROJECT

RESULTS = PROJECT / "bench" / "results"

# Goals of the registry at national scale (docs/performance.md).
PAGE_P95_MS = 100.0
SEARCH_MS = 50.0
EXPORT_SECONDS = 5.0
DEEP_PAGE_FACTOR = 2.0
ADMIN_FACTOR = 2.0
# The voivodeship chosen before the filters it opens (its powiats): dolnośląskie, as the
# first value of the voivodeship filter.
ADMIN_VOIVODESHIP = "02"  # every admin changelist against the public partnership list, same run
EXPORT_RUNS = 3


def setup() -> str:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("CACHE_URL", "locmem://")
    os.environ["PAGE_CACHE"] = "0"
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    from django.conf import settings

    # Loaded as gunicorn loads it: the process set up as deployed (config/wsgi.py freezes
    # what lives as long as the process out of the garbage collector's way).
    import config.wsgi  # noqa: F401

    # The test client's host; production settings are otherwise kept.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    from django.db import connection

    return connection.vendor


def first_choice(spec, changelist) -> str | None:
    """The query string of the first value a list filter offers, as a user clicks it in the
    sidebar (or picks it from a drop-down filter, core.admin.SelectRelatedFilter)."""
    choice = next((c for c in spec.choices(changelist) if not c["selected"]), None)
    if choice is None:
        return None
    if "query_string" in choice:
        return choice["query_string"]
    kept = changelist.get_query_string(remove=[spec.lookup_kwarg])
    return f"{kept}{'&' if len(kept) > 1 else ''}{spec.lookup_kwarg}={choice['value']}"


def admin_pages() -> list[Page]:
    """Every registered ModelAdmin's changelist: as it opens, with a search, and with each of
    its list filters applied (the first value each filter offers), for a superuser; and as it
    opens, with a search and with the "my region" filter for a regional staff user."""
    from django.apps import apps
    from django.contrib import admin
    from django.contrib.auth import get_user_model
    from django.test import RequestFactory
    from django.urls import reverse

    superuser, regional = admin_users()
    pages = []
    for model in apps.get_models():
        if not admin.site.is_registered(model):
            continue
        model_admin = admin.site.get_model_admin(model)
        label = f"{model._meta.app_label}-{model._meta.model_name}"
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        term = ADMIN_SEARCHES.get(model._meta.label_lower, "a")
        request = RequestFactory().get(url)
        request.user = superuser
        pages.append(Page(f"admin-{label}", url, SUPERUSER))
        if model_admin.get_search_fields(request):
            pages.append(Page(f"admin-{label}-search", f"{url}?q={term}", SUPERUSER))
        changelist = model_admin.get_changelist_instance(request)
        seen = set()
        for spec in changelist.filter_specs:
            choice = first_choice(spec, changelist)
            if choice is not None:
                parameter = choice.lstrip("?").split("=")[0]
                seen.add(parameter)
                pages.append(Page(f"admin-{label}-filter-{parameter}", url + choice, SUPERUSER))
        # Filters offered once a voivodeship is chosen (the powiats of it), clicked after it.
        if any(getattr(spec, "parameter_name", "") == "wojewodztwo" for spec in changelist.filter_specs):
            within = RequestFactory().get(url, {"wojewodztwo": ADMIN_VOIVODESHIP})
            within.user = superuser
            changelist = model_admin.get_changelist_instance(within)
            for spec in changelist.filter_specs:
                choice = first_choice(spec, changelist)
                parameter = choice and choice.lstrip("?").split("&")[-1].split("=")[0]
                if parameter and parameter not in seen:
                    pages.append(Page(f"admin-{label}-filter-{parameter}", url + choice, SUPERUSER))
        if model is get_user_model() or not model_admin.has_view_permission(_request_of(url, regional)):
            continue
        pages.append(Page(f"admin-staff-{label}", url, REGIONAL))
        if model_admin.get_search_fields(request):
            pages.append(Page(f"admin-staff-{label}-search", f"{url}?q={term}", REGIONAL))
        if any(getattr(spec, "parameter_name", "") == "zakres" for spec in changelist.filter_specs):
            pages.append(Page(f"admin-staff-{label}-mine", f"{url}?zakres=moj", REGIONAL))
    return pages


SUPERUSER = "superuser"
REGIONAL = "regional staff"
# What staff search for: a place in a name, a kind of institution, a surname, a code.
ADMIN_SEARCHES = {
    "partnerships.partnership": "rakow",
    "members.institution": "osrodek",
    "members.person": "kowal",
    "events.event": "konferencja",
    "events.project": "bezdomnosci",
    "partnerships.agreement": "porozumienie",
    "partnerships.certificate": "2024",
    "territory.commune": "ostrow",
    "territory.county": "ostrow",
    "territory.voivodeship": "mazow",
    "auth.user": "bench",
    "members.staffprofile": "bench",
}
REGIONAL_VOIVODESHIP = "14"


def _request_of(url: str, user):
    from django.test import RequestFactory

    request = RequestFactory().get(url)
    request.user = user
    return request


def admin_users():
    """A superuser, and a regional staff user of a centre in voivodeship 14 with every
    permission of the registry's apps (created in the benchmark's database if missing)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    from members.models import Institution, StaffProfile

    users = get_user_model().objects
    superuser, _created = users.get_or_create(username="bench-pages", defaults={"is_staff": True, "is_superuser": True})
    regional, created = users.get_or_create(username="bench-regional", defaults={"is_staff": True})
    if created:
        apps = ["territory", "members", "events", "partnerships"]
        regional.user_permissions.set(Permission.objects.filter(content_type__app_label__in=apps))
    if not StaffProfile.objects.filter(user=regional).exists():
        centre = (
            Institution.objects.filter(
                kind=Institution.Kind.ROPS, commune__county__voivodeship=REGIONAL_VOIVODESHIP
            ).first()
            or Institution.objects.filter(kind=Institution.Kind.ROPS).first()
        )
        StaffProfile.objects.create(user=regional, centre=centre)
    return superuser, users.get(pk=regional.pk)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def consume(response) -> int:
    if response.streaming:
        return sum(len(chunk) for chunk in response.streaming_content)
    return len(response.content)


def measure(client, path: str, repeat: int, warmups: int = 2) -> dict:
    from django.db import connection

    for _warm_up in range(warmups):
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
        consume(response)
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        size = consume(client.get(path))
    # The database's share of each run: the time spent in its queries, as the page ran them.
    in_database = [0.0]

    def clock(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            in_database[0] += time.perf_counter() - start

    times, database_times = [], []
    with connection.execute_wrapper(clock):
        for _run in range(repeat):
            in_database[0] = 0.0
            start = time.perf_counter()
            consume(client.get(path))
            times.append((time.perf_counter() - start) * 1000)
            database_times.append(in_database[0] * 1000)
    return {
        "path": path,
        "queries": len(queries),
        "bytes": size,
        "median_ms": round(statistics.median(times), 1),
        "p95_ms": round(percentile(times, 0.95), 1),
        "sql_median_ms": round(statistics.median(database_times), 1),
        "sql_p95_ms": round(percentile(database_times, 0.95), 1),
        "runs": repeat,
    }


def measure_against(client, path: str, visitor, reference: str, repeat: int, cold: bool = False) -> dict:
    """``measure`` of an admin page, with the public list ``reference`` timed between its runs,
    one after the other: on a shared machine both then see the same load, and their ratio is
    that of the two pages rather than of two moments.

    ``cold``: a new data generation before every request, as after any change to a record:
    what a staff member's list costs when they come back to it after saving (its count, the
    filters' choices and a search's ids are read again; so are the public list's)."""
    from core.cache import invalidate

    result = measure(client, path, 1)  # warm-up, queries counted
    times, reference_times = [], []
    for _run in range(repeat):
        for target, who, into in ((path, client, times), (reference, visitor, reference_times)):
            if cold:
                invalidate()
            start = time.perf_counter()
            consume(who.get(target))
            into.append((time.perf_counter() - start) * 1000)
    median, reference_median = statistics.median(times), statistics.median(reference_times)
    return {
        **result,
        "median_ms": round(median, 1),
        "p95_ms": round(percentile(times, 0.95), 1),
        "sql_median_ms": None,
        "sql_p95_ms": None,
        "runs": repeat,
        "reference_median_ms": round(reference_median, 1),
        "ratio_to_public_list": round(median / reference_median, 2),
    }


def export_memory(client, path: str) -> int:
    tracemalloc.start()
    try:
        consume(client.get(path))
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def explain_search(query: str) -> dict:
    from django.db import connection

    from partnerships.filters import PartnershipFilterSet

    queryset = PartnershipFilterSet({"q": query}).qs[:20]
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return {"query": query, "plan": plan, "uses_trigram_index": "search_trgm" in plan}


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pages", description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=20, help="timed runs per page (default 20)")
    parser.add_argument("--pages", default="", help="only these page names, comma-separated")
    parser.add_argument(
        "--admin",
        action="store_true",
        help="only the admin changelists and the public partnership list they are compared to",
    )
    parser.add_argument(
        "--cold",
        action="store_true",
        help="with --admin: a new data generation before every request (the first list after a change)",
    )
    args = parser.parse_args()

    vendor = setup()
    from django.test import Client

    from partnerships.models import Partnership

    partnerships = Partnership.objects.count()
    if partnerships < 1000:
        print(f"Only {partnerships} partnerships: fill the database with bench/seed.py first.", file=sys.stderr)
        return 2
    pages = [p for p in discover_pages() if p.name != "healthz"]
    plist = "/partnerstwa/"
    pages += [
        Page("partnerships-search-rakow", f"{plist}?q=rakow"),
        Page("partnerships-sorted-members", f"{plist}?sortuj=-czlonkowie"),
        Page("partnerships-filtered-deep", f"{plist}?wojewodztwo=14&page=20"),
        Page("institutions-deep", f"/instytucje/?page={max(1, min(2500, 100_000 // 20))}"),
        Page("events-deep", "/wydarzenia/?page=500"),
    ]
    exports = [Page("export-csv", f"{plist}?format=csv"), Page("export-json", f"{plist}?format=json")]
    wanted = set(filter(None, args.pages.split(",")))

    visitor = Client()
    staff = Client()
    regional = Client()
    superuser, regional_user = admin_users()
    staff.force_login(superuser)
    regional.force_login(regional_user)
    if args.admin:
        pages, exports = [p for p in pages if p.name == "partnerships"], []

    load_before = os.getloadavg()
    rows = []
    for page in pages + admin_pages():
        if wanted and page.name not in wanted:
            continue
        client = regional if page.note == REGIONAL else staff if page.name.startswith("admin-") else visitor
        if page.name.startswith("admin-"):
            result = {
                "name": page.name,
                **measure_against(client, page.path, visitor, "/partnerstwa/", args.repeat, cold=args.cold),
            }
        else:
            result = {"name": page.name, **measure(client, page.path, args.repeat)}
        rows.append(result)
        print(f"{page.name:32} {result['median_ms']:8.1f} {result['p95_ms']:8.1f} ms  {result['queries']:3} queries")

    export_rows = []
    for page in exports:
        if wanted and page.name not in wanted:
            continue
        # Seconds each: the median of three (after the run that counts the queries), not of twenty.
        result = {"name": page.name, **measure(visitor, page.path, EXPORT_RUNS, warmups=0)}
        result["rows"] = partnerships
        result["peak_memory_bytes"] = export_memory(visitor, page.path)
        tenth = f"{page.path}&wojewodztwo=14"  # the same export of one voivodeship, about a tenth
        result["filtered_peak_memory_bytes"] = export_memory(visitor, tenth)
        export_rows.append(result)
        print(f"{page.name:32} {result['median_ms'] / 1000:8.2f} s  peak {result['peak_memory_bytes'] / 2**20:.1f} MiB")

    search = explain_search("rakow") if vendor == "postgresql" else None
    goals = check_goals(rows, export_rows, search, vendor)
    report = {
        "database": vendor,
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "scale": scale(),
        "machine": machine(),
        "git": git_state(),
        "repeat": args.repeat,
        "cold": args.cold,
        # Other work on the machine slows every figure; the load says how much there was.
        "load_average_before_after": [round(x, 2) for x in load_before] + [round(x, 2) for x in os.getloadavg()],
        "pages": rows,
        "exports": export_rows,
        "search_explain": search,
        "goals": goals,
    }
    RESULTS.mkdir(exist_ok=True)
    # The admin's run alone is kept apart, beside the full run's figures.
    name = f"pages-admin{'-cold' if args.cold else ''}-{vendor}.json" if args.admin else f"pages-{vendor}.json"
    (RESULTS / name).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(markdown(report))
    return 0 if all(goal["met"] for goal in goals) or vendor != "postgresql" else 1


def scale() -> dict:
    from events.models import Event
    from members.models import Institution, Person
    from partnerships.models import Membership, Partnership

    return {
        model._meta.verbose_name_plural.__str__(): model.objects.count()
        for model in (Institution, Partnership, Membership, Event, Person)
    }


def check_goals(rows: list[dict], exports: list[dict], search: dict | None, vendor: str) -> list[dict]:
    goals = []
    public = [r for r in rows if not r["name"].startswith("admin-")]
    worst = max(public, key=lambda r: r["p95_ms"])
    goals.append(
        {
            "goal": f"every public page p95 < {PAGE_P95_MS:.0f} ms",
            "measured": f"worst {worst['name']} {worst['p95_ms']} ms",
            "met": worst["p95_ms"] < PAGE_P95_MS,
        }
    )
    by_name = {r["name"]: r for r in rows}
    for deep, first in (
        ("partnerships-deep", "partnerships"),
        ("institutions-deep", "institutions"),
        ("events-deep", "events"),
    ):
        if deep in by_name and first in by_name:
            factor = by_name[deep]["median_ms"] / by_name[first]["median_ms"]
            goals.append(
                {
                    "goal": f"{deep} ≤ {DEEP_PAGE_FACTOR:.0f}× {first}",
                    "measured": f"{factor:.2f}×",
                    "met": factor <= DEEP_PAGE_FACTOR,
                }
            )
    admin_rows = [r for r in rows if "ratio_to_public_list" in r]
    if admin_rows:
        worst = max(admin_rows, key=lambda r: r["ratio_to_public_list"])
        missed = sum(1 for r in admin_rows if r["ratio_to_public_list"] > ADMIN_FACTOR)
        goals.append(
            {
                "goal": f"every admin changelist ≤ {ADMIN_FACTOR:.0f}× the public partnership list",
                "measured": f"worst {worst['name']} {worst['ratio_to_public_list']}×; "
                f"{missed} of {len(admin_rows)} above",
                "met": missed == 0,
            }
        )
    for export in exports:
        seconds = export["median_ms"] / 1000
        growth = export["peak_memory_bytes"] / max(1, export["filtered_peak_memory_bytes"])
        goals.append(
            {
                "goal": f"{export['name']} of {export['rows']} rows < {EXPORT_SECONDS:.0f} s, constant memory",
                "measured": f"{seconds:.2f} s, peak {export['peak_memory_bytes'] / 2**20:.1f} MiB",
                "met": seconds < EXPORT_SECONDS and growth < 1.5,
            }
        )
    # The goal names PostgreSQL's index; on SQLite the search page is in the table only.
    if "partnerships-search-rakow" in by_name and vendor == "postgresql":
        # The search is the page's queries (finding, ordering and counting the matches, then
        # reading the 20 shown); the whole page, with its form, is reported beside it and held
        # to the page goal above.
        page = by_name["partnerships-search-rakow"]
        indexed = search["uses_trigram_index"] if search else "n/a"
        goals.append(
            {
                "goal": f"search “rakow” < {SEARCH_MS:.0f} ms with an index",
                "measured": f"queries p95 {page['sql_p95_ms']} ms (whole page p95 {page['p95_ms']} ms), "
                f"trigram index used: {indexed}",
                "met": page["sql_p95_ms"] < SEARCH_MS and bool(search and search["uses_trigram_index"]),
            }
        )
    return goals


def ratio_reference(row: dict) -> str:
    return f"({row['reference_median_ms']})" if "reference_median_ms" in row else ""


def markdown(report: dict) -> str:
    lines = [
        f"In-process on {report['database']}, {report['repeat']} runs a page, load average "
        f"{report['load_average_before_after'][0]}–{report['load_average_before_after'][3]} (2 cores), "
        + ", ".join(f"{v:,} {k}" for k, v in report["scale"].items()),
        "",
        "| page | median ms | p95 ms | of which queries, median ms | queries | × public list (its median ms) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for row in report["pages"]:
        lines.append(
            f"| {row['name']} (`{row['path']}`) | {row['median_ms']} | {row['p95_ms']} "
            f"| {row.get('sql_median_ms') or ''} | {row['queries']} "
            f"| {row.get('ratio_to_public_list', '')} {ratio_reference(row)} |"
        )
    for row in report["exports"]:
        lines.append(
            f"| {row['name']} ({row['rows']:,} rows) | {row['median_ms']} | {row['p95_ms']} "
            f"| {row.get('sql_median_ms', '')} | {row['queries']} | |"
        )
    lines += ["", "| goal | measured | met |", "|---|---|---|"]
    for goal in report["goals"]:
        lines.append(f"| {goal['goal']} | {goal['measured']} | {'yes' if goal['met'] else '**no**'} |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
