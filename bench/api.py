"""The read-only API in-process, on a database filled at national scale (bench/seed.py): a list
page of 100 partnerships with their members, the cursor's 5,000th page against the first, and
the throughput of a 304 answer against /healthz's.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/rejestr_bench .venv/bin/python -m bench.api
    VAR_DIR=/tmp/rejestr-bench-sqlite .venv/bin/python -m bench.api        # SQLite in VAR_DIR

Requests go through Django's test client with the data generation and the throttle counters in
a local-memory cache (``CACHE_URL=locmem://`` unless set), the throttle raised so that it never
refuses the benchmark's own requests (it still runs and costs what it costs). Each measurement
is warmed up first; the queries of one run are counted. The deep page is reached as a client
reaches it, by a cursor (made here from the key at that depth instead of by following 4,999
``next`` addresses). The 304 throughput and /healthz's are measured in alternating rounds, so
that both see the same load on a shared machine; the figure is the median ratio.

Writes ``bench/results/api-<sqlite|postgresql>.json``, prints a Markdown table, and exits with
status 1 when a goal is missed (the goals hold at national scale on PostgreSQL).
"""

import argparse
import base64
import datetime
import json
import os
import statistics
import sys
import time

from bench.load import git_state, machine
from bench.pages import percentile
from bench.server import PROJECT

RESULTS = PROJECT / "bench" / "results"

# Goals of issue 18 (docs/performance.md).
LIST_P95_MS = 100.0
DEEP_PAGE_FACTOR = 2.0
NOT_MODIFIED_RATIO = 0.5


def setup() -> str:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("CACHE_URL", "locmem://")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ["API_REQUESTS_PER_MINUTE"] = "1000000000"
    from django.conf import settings

    # Loaded as gunicorn loads it: the process set up as deployed (config/wsgi.py tunes the
    # garbage collector for what lives as long as the process), as bench.pages does.
    import config.wsgi  # noqa: F401

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    from django.db import connection

    return connection.vendor


def timed(client, path: str, repeat: int, warmups: int = 2, **headers) -> dict:
    """Median and p95 of ``repeat`` GETs of ``path`` and the queries of one (which must answer
    200, or 304 with ``If-None-Match``)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    expected = 304 if "if_none_match" in headers else 200
    extra = {key.replace("_", "-"): value for key, value in headers.items()}
    for _warm_up in range(warmups):
        response = client.get(path, headers=extra)
        if response.status_code != expected:
            raise SystemExit(f"{path} answered {response.status_code}, not {expected}: {response.content[:300]!r}")
    with CaptureQueriesContext(connection) as captured:
        client.get(path, headers=extra)
    # Counted now: the next request clears the connection's log that the context reads.
    queries = len(captured)
    times = []
    for _run in range(repeat):
        start = time.perf_counter()
        client.get(path, headers=extra)
        times.append((time.perf_counter() - start) * 1000)
    return {
        "path": path,
        "queries": queries,
        "median_ms": round(statistics.median(times), 2),
        "p95_ms": round(percentile(times, 0.95), 2),
        "runs": repeat,
    }


def cursor_at(model, depth: int, page_size: int) -> tuple[str, int]:
    """The cursor of page ``depth`` of ``model``'s list in the API's order (by id), as DRF writes
    it (``p=<last id of the page before>``, base64); the page reached (the last one where the
    table is shorter)."""
    rows = model.objects.count()
    depth = max(1, min(depth, (rows - 1) // page_size + 1))
    if depth == 1:
        return "", 1
    position = model.objects.order_by("pk").values_list("pk", flat=True)[(depth - 1) * page_size - 1]
    return base64.b64encode(f"p={position}".encode()).decode("ascii"), depth


def throughput(client, path: str, seconds: float, **headers) -> float:
    """Requests a second of ``path`` answered one after another for ``seconds``, each from one
    of 65,536 client addresses in turn: the rate limit keeps each address's recent requests,
    and thousands a minute from one address (no client sends them; the limit is far lower)
    would measure that list's growth instead of the answer."""
    extra = {key.replace("_", "-"): value for key, value in headers.items()}
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        client.get(path, headers=extra, REMOTE_ADDR=f"10.{count // 256 % 256}.{count % 256}.1")
        count += 1
    return count / (time.perf_counter() - start)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.api", description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=30, help="timed runs per measurement (default 30)")
    parser.add_argument("--depth", type=int, default=5000, help="the deep page's number (default 5000)")
    parser.add_argument(
        "--deep-list",
        choices=["instytucje", "partnerstwa", "wydarzenia"],
        default="instytucje",
        help="the list paged deep (default instytucje: the largest, 100,000 at national scale)",
    )
    parser.add_argument("--page-size", type=int, default=20, help="rows of the deep list's pages (default 20)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of the 304 and /healthz throughput (default 5)")
    parser.add_argument("--seconds", type=float, default=2.0, help="seconds of each throughput round (default 2)")
    args = parser.parse_args()

    vendor = setup()
    from django.test import Client

    from events.models import Event
    from members.models import Institution
    from partnerships.models import Partnership

    client = Client()
    partnerships = Partnership.objects.count()
    if partnerships < 1000:
        print(f"Only {partnerships} partnerships: the goals are for national scale (bench/seed.py).", file=sys.stderr)
    load_before = os.getloadavg()

    rows = []
    listed = timed(client, "/api/v1/partnerstwa/?page_size=100", args.repeat)
    rows.append({"name": "partnerships-100", **listed})
    filtered = timed(client, "/api/v1/partnerstwa/?wojewodztwo=14&page_size=100", args.repeat)
    rows.append({"name": "partnerships-100-voivodeship", **filtered})

    model = {"instytucje": Institution, "partnerstwa": Partnership, "wydarzenia": Event}[args.deep_list]
    base = f"/api/v1/{args.deep_list}/?page_size={args.page_size}"
    first = timed(client, base, args.repeat)
    cursor, depth = cursor_at(model, args.depth, args.page_size)
    deep = timed(client, f"{base}&cursor={cursor}" if cursor else base, args.repeat)
    rows.append({"name": f"{args.deep_list}-page-1", **first})
    rows.append({"name": f"{args.deep_list}-page-{depth}", **deep})

    tag = client.get("/api/v1/partnerstwa/?page_size=100")["ETag"]
    not_modified = timed(client, "/api/v1/partnerstwa/?page_size=100", args.repeat, if_none_match=tag)
    rows.append({"name": "partnerships-100-304", **not_modified})
    ratios = []
    for _round in range(args.rounds):
        healthz = throughput(client, "/healthz", args.seconds)
        repeat = throughput(client, "/api/v1/partnerstwa/?page_size=100", args.seconds, if_none_match=tag)
        ratios.append(repeat / healthz)
    ratio = statistics.median(ratios)

    deep_factor = deep["median_ms"] / first["median_ms"]
    goals = {
        "list_p95_ms": {"value": listed["p95_ms"], "goal": LIST_P95_MS, "met": listed["p95_ms"] < LIST_P95_MS},
        "deep_page_factor": {
            "value": round(deep_factor, 2),
            "goal": DEEP_PAGE_FACTOR,
            "met": deep_factor <= DEEP_PAGE_FACTOR,
            "depth": depth,
        },
        "not_modified_over_healthz": {
            "value": round(ratio, 2),
            "goal": NOT_MODIFIED_RATIO,
            "met": ratio >= NOT_MODIFIED_RATIO,
        },
        "not_modified_queries": {"value": not_modified["queries"], "goal": 0, "met": not_modified["queries"] == 0},
    }
    report = {
        "database": vendor,
        "partnerships": partnerships,
        "institutions": Institution.objects.count(),
        "measured_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "load_before": load_before,
        "load_after": os.getloadavg(),
        "machine": machine(),
        "git": git_state(),
        "pages": rows,
        "ratios_304_over_healthz": [round(r, 3) for r in ratios],
        "goals": goals,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"api-{vendor}.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")

    print(f"\n{vendor}, {partnerships} partnerships\n")
    print("| request | median ms | p95 ms | queries |")
    print("|---|---:|---:|---:|")
    for row in rows:
        print(f"| `{row['path']}` | {row['median_ms']} | {row['p95_ms']} | {row['queries']} |")
    print()
    for name, goal in goals.items():
        print(f"{name}: {goal['value']} (goal {goal['goal']}) {'met' if goal['met'] else 'MISSED'}")
    return 0 if all(goal["met"] for goal in goals.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
