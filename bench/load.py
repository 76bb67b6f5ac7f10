"""Public pages over HTTP under concurrent load: gunicorn in production mode, loaded by wrk.

    .venv/bin/python -m bench.load load  [--duration 10] [--connections 32]
    .venv/bin/python -m bench.load ratio [--rounds 3] [--min-ratio 0.1] [--instances 2]

Run from the project's root. Sets everything up by itself in a temporary directory (nothing
of ``var/`` is touched): by default a throwaway SQLite database with the demo dataset, or
``--database-url`` for an existing, already filled database (then only ``migrate`` runs);
``collectstatic`` into a throwaway STATIC_ROOT; gunicorn with sync workers on a free port of
127.0.0.1 with DEBUG=0 and the certificate rate limits raised (every request comes from
127.0.0.1; ``bench/server.py``). The pages are picked from the database, so the same command
works on the demo data and on synthetic data at national scale. Every page must answer 200 once before any load.

- ``load``: each page in turn with ``--connections`` concurrent connections for
  ``--duration`` seconds. Passes when there is no socket error (connect, read, write,
  timeout), no answer other than 200, and no traceback or worker failure in gunicorn's log.
- ``ratio``: each page's throughput over that of ``/healthz``, in alternating rounds
  (healthz, page, healthz, …); a round's ratio is the page's requests/s over the mean of the
  healthz rounds on either side, and a page's figure is the median of its rounds. A shared,
  noisy machine changes absolute figures from one minute to the next; both sides of a ratio
  move together. ``--min-ratio`` makes it a goal. A request slower than ``--timeout`` is
  reported but spoils no figure; an answer other than 200 or a refused connection does.

``--instances 2`` starts two gunicorn instances on consecutive free ports (a load balancer's
pool), on the same database and with the same settings (a shared cache with
``--env CACHE_URL=redis://…``), and drives them at once: one wrk per instance, run concurrently,
``--connections`` shared between them, the throughputs summed (``/healthz`` likewise, so the
ratio compares the two instances' pages with their liveness check). Before any load, each page is
asked of the first instance and then of the second, whose answer must be a page cache hit
when the cache is shared (``X-Page-Cache``); the results record what each answered.

Prints a Markdown table, writes ``bench/results/http-<mode>-<sqlite|postgresql>.json``, and
exits with status 1 when the run is not clean or a goal is missed.
"""

import argparse
import contextlib
import datetime
import json
import math
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bench.server import PROJECT, UNLIMITED_PER_MINUTE, LogWatch, free_ports, get, gunicorn, production_environment

RESULTS = PROJECT / "bench" / "results"

# A sync worker serves one request at a time and the pages are CPU-bound (templates, and on
# SQLite the queries too, in the worker's own process); wrk and, with PostgreSQL, the database
# share the same cores. One worker per core keeps the cores busy, the extra one covers the time
# a worker waits on its socket or the database; more only add context switches and memory.
DEFAULT_WORKERS = (os.cpu_count() or 1) + 1

# wrk counts only 4xx/5xx as errors; the public pages must answer 200, so a redirect (to a
# login, to HTTPS) under load is a failure too. Page cache hits are counted because a figure
# means something else when the page was rendered once and then read from the cache.
# The counters live in each thread's Lua state.
WRK_SCRIPT = """
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  non200 = 0
  first_status = 0
  cache_hits = 0
end

function response(status, headers, body)
  if status ~= 200 then
    non200 = non200 + 1
    if first_status == 0 then first_status = status end
  end
  if (headers["X-Page-Cache"] or headers["x-page-cache"]) == "hit" then
    cache_hits = cache_hits + 1
  end
end

function done(summary, latency, requests)
  local total, first, hits = 0, 0, 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("non200")
    hits = hits + thread:get("cache_hits")
    if first == 0 then first = thread:get("first_status") end
  end
  io.write(string.format("non-200 responses: %d first status: %d page cache hits: %d\\n", total, first, hits))
end
"""


@dataclass
class Page:
    name: str
    path: str
    note: str = ""


@dataclass
class WrkResult:
    requests: int = 0
    seconds: float = 0.0
    requests_per_second: float = 0.0
    latency_ms: dict = field(default_factory=dict)
    socket_errors: dict = field(default_factory=lambda: {"connect": 0, "read": 0, "write": 0, "timeout": 0})
    non_2xx_3xx: int = 0
    non_200: int = 0
    first_non_200_status: int = 0
    page_cache_hits: int = 0
    failure: str = ""  # wrk could not run at all (no connection, bad output)
    settle_seconds: float = 0.0  # how long the server took to finish what was queued at the end
    # With several instances: each one's requests/s, summed into requests_per_second.
    instances_requests_per_second: list = field(default_factory=list)

    @property
    def error_count(self) -> int:
        return sum(self.socket_errors.values()) + self.non_2xx_3xx + self.non_200 + (1 if self.failure else 0)

    @property
    def invalid_count(self) -> int:
        """Errors that change what a throughput means (an error page is cheap, a refused
        connection serves nothing); a slow answer is still an answer and counts as one."""
        return self.error_count - self.socket_errors["timeout"]

    def as_json(self) -> dict:
        return {
            "requests": self.requests,
            "seconds": self.seconds,
            "requests_per_second": self.requests_per_second,
            "latency_ms": self.latency_ms,
            "socket_errors": self.socket_errors,
            "non_2xx_3xx": self.non_2xx_3xx,
            "non_200": self.non_200,
            "first_non_200_status": self.first_non_200_status or None,
            "page_cache_hits": self.page_cache_hits,
            "failure": self.failure or None,
            "settle_seconds": self.settle_seconds,
            **(
                {"instances_requests_per_second": self.instances_requests_per_second}
                if len(self.instances_requests_per_second) > 1
                else {}
            ),
        }


# Setting up: environment, database, static files, the pages


def setup_django(env: dict[str, str], fill_demo: bool) -> str:
    """Migrate (and on a throwaway database, load the demo), collect static files; the vendor."""
    os.environ.update(env)
    import io

    import django
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    django.setup()
    static_root = Path(settings.STATIC_ROOT).resolve()
    if not static_root.is_relative_to(Path(env["VAR_DIR"]).resolve()):
        raise SystemExit(f"STATIC_ROOT {static_root} is not inside VAR_DIR; collectstatic would overwrite it.")
    call_command("migrate", verbosity=0)
    if fill_demo:
        call_command("load_demo", stdout=io.StringIO())
        issue_certificate()
    call_command("collectstatic", "--noinput", verbosity=0)
    return connection.vendor


def issue_certificate() -> None:
    """The demo dataset has no certificate, but its verification page is the one public page
    that writes on every GET (the counter); a throwaway database gets one so it is loaded too."""
    import datetime as dt

    from django.contrib.auth import get_user_model

    from partnerships import certificates
    from partnerships.models import Certificate, Partnership

    if Certificate.objects.exists():
        return
    partnership = (
        Partnership.objects.exclude(status=Partnership.Status.DISSOLVED).order_by("-listed_member_count", "pk").first()
    )
    if partnership is None:
        return
    user = get_user_model().objects.create_superuser("bench-http", password=None)  # no password: no sign-in
    certificates.issue_partnership_certificate(
        partnership, user, "Jan Testowy", "dyrektor", dt.date.today() - dt.timedelta(days=1)
    )


def rarest_word(name: str, frequency: Counter) -> str:
    from core.text import search_key

    words = set(re.findall(r"[a-z]{5,}", search_key(name)))
    return min(words, key=lambda w: (frequency[w], w)) if words else ""


def discover_pages() -> list[Page]:
    """Every public page kind, with parameters and objects that exist in this database: the
    heaviest ones where there is a choice (most partnerships, most members)."""
    from django.db.models import Count
    from django.urls import reverse

    from core.listing import PER_PAGE
    from core.text import search_key
    from events.models import Event
    from members.models import Institution
    from partnerships.models import Certificate, Partnership

    partnerships = Partnership.objects.public()
    pages = [Page("home", "/"), Page("healthz", "/healthz", "reference")]
    plist = reverse("partnerships:partnership_list")
    pages.append(Page("partnerships", plist))

    by_county = partnerships.counts_by_county()
    by_voivodeship = Counter()
    for code, count in by_county.items():
        by_voivodeship[code[:2]] += count
    if by_voivodeship:
        code = max(by_voivodeship, key=lambda c: (by_voivodeship[c], c))
        pages.append(Page("partnerships-voivodeship", f"{plist}?wojewodztwo={code}"))
    county = max(by_county, key=lambda c: (by_county[c], c)) if by_county else None
    if county:
        pages.append(Page("partnerships-county", f"{plist}?powiat={county}"))

    heaviest = partnerships.order_by("-listed_member_count", "pk").first()
    if heaviest:
        frequency = Counter()
        for name in partnerships.values_list("name", flat=True).iterator():
            frequency.update(set(re.findall(r"[a-z]{5,}", search_key(name))))
        word = rarest_word(heaviest.name, frequency)
        if word:
            pages.append(Page("partnerships-search", f"{plist}?q={word[:6]}"))
    last_page = max(1, math.ceil(partnerships.count() / PER_PAGE))
    pages.append(Page("partnerships-deep", f"{plist}?page={min(last_page, 50)}", f"of {last_page}"))
    if heaviest:
        pages.append(Page("partnership", heaviest.get_absolute_url()))

    ilist = reverse("members:institution_list")
    pages.append(Page("institutions", ilist))
    regions = (
        Institution.objects.public()
        .filter(commune__isnull=False)
        .values("commune__county__voivodeship")
        .annotate(n=Count("pk"))
        .order_by("-n", "commune__county__voivodeship")
    )
    if region := regions.first():
        pages.append(Page("institutions-voivodeship", f"{ilist}?wojewodztwo={region['commune__county__voivodeship']}"))
    institution = Institution.objects.public().annotate(n=Count("memberships")).order_by("-n", "pk").first()
    if institution:
        pages.append(Page("institution", institution.get_absolute_url()))
        # Where its page sends the visitor for all of its partnerships.
        pages.append(Page("partnerships-of-institution", f"{plist}?czlonek={institution.slug}"))

    pages.append(Page("events", reverse("events:event_list")))
    event = Event.objects.public().annotate(n=Count("partnerships")).order_by("-n", "pk").first()
    if event:
        pages.append(Page("event", event.get_absolute_url()))

    pages.append(Page("counties", reverse("county_list")))
    if county:
        pages.append(Page("county", reverse("county_detail", args=[county])))
    pages.append(Page("accessibility", reverse("accessibility_statement")))
    # Computed once per data generation: bench.dumps times it uncached.
    pages.append(Page("statistics", reverse("statistics")))
    pages.append(Page("sitemap", "/sitemap.xml"))
    certificate = Certificate.objects.filter(status=Certificate.Status.VALID).order_by("pk").first()
    if certificate:
        pages.append(
            Page("certificate", reverse("certificates:certificate_verify", args=[certificate.verification_code]))
        )
    return pages


def is_list_page(name: str) -> bool:
    """A public list, filtered or not, at any page: "partnerships-deep", not "partnership"."""
    return name.split("-")[0] in {"partnerships", "institutions", "events", "counties"}


# Server-side TCP states of a connection a worker has not finished with: queued, being read,
# or answered to a client that already left (/proc/net/tcp's hexadecimal state codes).
BUSY_STATES = {"01", "03", "08"}


def settle(port: int, limit: float = 120.0) -> float:
    """Wait until gunicorn holds no connection any more; the seconds waited.

    When wrk stops, the requests still queued in the listen backlog are served all the same:
    a slow page would otherwise eat the first seconds of the next run and count against it.
    """
    start = time.monotonic()
    local = f"0100007F:{port:04X}"
    while time.monotonic() - start < limit:
        rows = Path("/proc/net/tcp").read_text().splitlines()[1:]
        if not any(row.split()[1] == local and row.split()[3] in BUSY_STATES for row in rows):
            break
        time.sleep(0.1)
    return time.monotonic() - start


# wrk

TIME_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def milliseconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text).groups()
    return round(float(number) * TIME_UNITS[unit], 3)


def parse_wrk(output: str) -> WrkResult:
    result = WrkResult()
    if match := re.search(r"(\d+) requests in ([\d.]+)(\w+),", output):
        result.requests = int(match[1])
        result.seconds = round(milliseconds(match[2] + match[3]) / 1000, 2)
    if match := re.search(r"Requests/sec:\s+([\d.]+)", output):
        result.requests_per_second = float(match[1])
    for percent in (50, 90, 99):
        if match := re.search(rf"^\s+{percent}%\s+([\d.]+\w+)", output, re.MULTILINE):
            result.latency_ms[f"p{percent}"] = milliseconds(match[1])
    if match := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output):
        result.socket_errors = dict(zip(("connect", "read", "write", "timeout"), map(int, match.groups()), strict=True))
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        result.non_2xx_3xx = int(match[1])
    if match := re.search(r"non-200 responses: (\d+) first status: (\d+) page cache hits: (\d+)", output):
        result.non_200, result.first_non_200_status, result.page_cache_hits = map(int, match.groups())
    if not result.requests or "Requests/sec" not in output:
        result.failure = " ".join(output.split())[:300] or "no output"
    return result


def run_wrk(ports: list[int], path: str, args: argparse.Namespace, script: Path, seconds: float) -> WrkResult:
    """``path`` loaded on every port at once, one wrk each, ``--connections`` shared between
    them; one port's result as wrk gives it, several ports' summed (``combined``)."""
    connections = max(1, args.connections // len(ports))
    commands = [
        [
            "wrk",
            f"--threads={min(args.threads, connections)}",
            f"--connections={connections}",
            f"--duration={seconds:g}s",
            f"--timeout={args.timeout:g}s",
            "--latency",
            f"--script={script}",
            f"http://127.0.0.1:{port}{path}",
        ]
        for port in ports
    ]
    running = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)  # noqa: S603 - fixed arguments, loopback only
        for command in commands
    ]
    results = []
    for process in running:
        # wrk stops by itself after --duration; the margin only guards against a hung wrk.
        try:
            output, _ = process.communicate(timeout=seconds + args.timeout + 30)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
        results.append(parse_wrk(output))
    for port, result in zip(ports, results, strict=True):
        result.settle_seconds = round(settle(port), 2)
    return combined(results)


def combined(results: list[WrkResult]) -> WrkResult:
    """Several instances' results as one: requests, throughput, errors and hits summed; each
    latency percentile the worst instance's (a percentile of the union is not in wrk's output)."""
    if len(results) == 1:
        return results[0]
    total = WrkResult(
        requests=sum(r.requests for r in results),
        seconds=max(r.seconds for r in results),
        requests_per_second=round(sum(r.requests_per_second for r in results), 2),
        latency_ms={
            key: max(r.latency_ms[key] for r in results if key in r.latency_ms)
            for key in {key for r in results for key in r.latency_ms}
        },
        socket_errors={key: sum(r.socket_errors[key] for r in results) for key in results[0].socket_errors},
        non_2xx_3xx=sum(r.non_2xx_3xx for r in results),
        non_200=sum(r.non_200 for r in results),
        first_non_200_status=next((r.first_non_200_status for r in results if r.first_non_200_status), 0),
        page_cache_hits=sum(r.page_cache_hits for r in results),
        failure="; ".join(r.failure for r in results if r.failure),
        settle_seconds=max(r.settle_seconds for r in results),
        instances_requests_per_second=[r.requests_per_second for r in results],
    )
    return total


class Watches:
    """The logs of several instances looked at together; a problem names its instance."""

    def __init__(self, logs: list[Path]) -> None:
        self.watches = [LogWatch(log) for log in logs]

    def new_problems(self) -> list[str]:
        if len(self.watches) == 1:
            return self.watches[0].new_problems()
        return [f"instance {index + 1}: {p}" for index, w in enumerate(self.watches) for p in w.new_problems()]


# Reporting


def machine() -> dict:
    model = ""
    with contextlib.suppress(OSError):
        cpuinfo = Path("/proc/cpuinfo").read_text()
        if match := re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.MULTILINE):
            model = match[1].strip()
    return {
        "platform": platform.platform(),
        "cpu_model": model or platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
    }


def git_state() -> dict:
    def git(*arguments: str) -> str:
        completed = subprocess.run(  # noqa: S603 - read-only git queries
            ["git", *arguments],  # noqa: S607 - git from PATH, like a developer's shell
            cwd=PROJECT,
            capture_output=True,
            text=True,
            check=False,
        )
        return completed.stdout.strip()

    # The benchmarks' own output (results, the table in docs/performance.md) is no change of
    # the code measured.
    changes = git("status", "--porcelain", "--", ".", ":!bench/results", ":!docs/performance.md")
    return {"commit": git("rev-parse", "HEAD"), "uncommitted_changes": bool(changes)}


def versions() -> dict:
    import django
    import gunicorn as gunicorn_package

    wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)  # noqa: S607
    wrk_version = re.search(r"wrk (\S+)", wrk.stdout + wrk.stderr)
    return {
        "django": django.__version__,
        "gunicorn": gunicorn_package.__version__,
        "wrk": wrk_version[1] if wrk_version else "",
    }


def redacted(url: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password:
        parts = parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@"))
    return urlunsplit(parts)


def markdown(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]
    lines = ["| " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) + " |" for row in [header]]
    lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    lines += ["| " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) + " |" for row in rows]
    return "\n".join(lines)


def share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f} %" if whole else "–"


def errors_cell(result: WrkResult) -> str:
    parts = [f"{kind} {n}" for kind, n in result.socket_errors.items() if n]
    if result.non_2xx_3xx:
        parts.append(f"4xx/5xx {result.non_2xx_3xx}")
    if result.non_200:
        parts.append(f"non-200 {result.non_200} (first {result.first_non_200_status})")
    if result.failure:
        parts.append("wrk failed")
    return ", ".join(parts) or "0"


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# The two modes


def load(ports: list[int], pages: list[Page], args, script: Path, watch: LogWatch) -> tuple[list[dict], bool]:
    rows, clean = [], True
    for page in pages:
        progress(f"load {page.path} for {args.duration:g} s")
        result = run_wrk(ports, page.path, args, script, args.duration)
        problems = watch.new_problems()
        ok = result.error_count == 0 and not problems
        clean &= ok
        rows.append(
            {
                "name": page.name,
                "path": page.path,
                "note": page.note,
                **result.as_json(),
                "log_problems": problems,
                "ok": ok,
            }
        )
    return rows, clean


def ratio(ports: list[int], pages: list[Page], args, script: Path, watch: LogWatch) -> tuple[list[dict], bool]:
    measured = [p for p in pages if p.name != "healthz"]
    for page in [Page("healthz", "/healthz"), *measured]:
        # Each worker renders each page once before it counts: template loading and the first
        # query plans are not what the ratio is about.
        run_wrk(ports, page.path, args, script, args.warmup)
    watch.new_problems()
    rounds = {p.name: [] for p in measured}
    clean = True

    def measure(path: str) -> tuple[WrkResult, list[str]]:
        nonlocal clean
        result = run_wrk(ports, path, args, script, args.duration)
        problems = watch.new_problems()
        if result.invalid_count or problems:
            clean = False
        if result.error_count or problems:
            progress(f"  errors on {path}: {errors_cell(result)} {problems[:1]}")
        return result, problems

    # Round after round over all pages, rather than page after page: a slow minute of the shared
    # machine then spreads over many pages' rounds instead of spoiling one page's median.
    previous, _ = measure("/healthz")
    for number in range(1, args.rounds + 1):
        for page in measured:
            progress(f"round {number}/{args.rounds}: {page.path}")
            result, problems = measure(page.path)
            following, _ = measure("/healthz")
            reference = (previous.requests_per_second + following.requests_per_second) / 2
            rounds[page.name].append(
                {
                    "requests_per_second": result.requests_per_second,
                    "healthz_requests_per_second": round(reference, 2),
                    "ratio": round(result.requests_per_second / reference, 4) if reference else 0.0,
                    "latency_ms": result.latency_ms,
                    "page_cache_hits": result.page_cache_hits,
                    "requests": result.requests,
                    **(
                        {"instances_requests_per_second": result.instances_requests_per_second}
                        if len(result.instances_requests_per_second) > 1
                        else {}
                    ),
                    "errors": errors_cell(result),
                    "log_problems": problems,
                }
            )
            previous = following
    rows = []
    for page in measured:
        ratios = [r["ratio"] for r in rounds[page.name]]
        median = statistics.median(ratios)
        # The goal is the lists' (docs/performance.md); the other pages are measured beside them.
        meets = args.min_ratio is None or not is_list_page(page.name) or median >= args.min_ratio
        rows.append(
            {
                "name": page.name,
                "path": page.path,
                "note": page.note,
                "list_page": is_list_page(page.name),
                "median_ratio": round(median, 4),
                "median_requests_per_second": round(
                    statistics.median(r["requests_per_second"] for r in rounds[page.name]), 2
                ),
                "median_healthz_requests_per_second": round(
                    statistics.median(r["healthz_requests_per_second"] for r in rounds[page.name]), 2
                ),
                "rounds": rounds[page.name],
                "meets_min_ratio": meets,
            }
        )
    return rows, clean


def print_load(rows: list[dict]) -> None:
    header = [
        "page",
        "path",
        "requests",
        "req/s",
        "p50 ms",
        "p90 ms",
        "p99 ms",
        "cache hits",
        "errors",
        "log",
        "result",
    ]
    body = []
    for row in rows:
        result = WrkResult(
            socket_errors=row["socket_errors"],
            non_2xx_3xx=row["non_2xx_3xx"],
            non_200=row["non_200"],
            first_non_200_status=row["first_non_200_status"] or 0,
            failure=row["failure"] or "",
        )
        latency = row["latency_ms"]
        body.append(
            [
                row["name"],
                f"`{row['path']}`",
                str(row["requests"]),
                f"{row['requests_per_second']:.1f}",
                *(f"{latency.get(p, float('nan')):.1f}" for p in ("p50", "p90", "p99")),
                share(row["page_cache_hits"], row["requests"]),
                errors_cell(result),
                str(len(row["log_problems"])) if row["log_problems"] else "clean",
                "ok" if row["ok"] else "FAIL",
            ]
        )
    print(markdown(header, body))
    # wrk leaves the slower requests out of its distribution; without this the p99 of a page
    # that timed out would read as if it were fine.
    if any(row["socket_errors"]["timeout"] for row in rows):
        print("\nLatencies are of the requests answered within --timeout; wrk counts the others as timeouts.")


def print_ratio(rows: list[dict], min_ratio: float | None) -> None:
    header = ["page", "path", "healthz req/s", "page req/s", "ratio per round", "median ratio", "cache hits", "errors"]
    if min_ratio is not None:
        header.append(f"≥ {min_ratio:g}")
    body = []
    for row in rows:
        cells = [
            row["name"],
            f"`{row['path']}`",
            f"{row['median_healthz_requests_per_second']:.0f}",
            f"{row['median_requests_per_second']:.1f}",
            " ".join(f"{r['ratio']:.3f}" for r in row["rounds"]),
            f"**{row['median_ratio']:.3f}**",
            share(sum(r["page_cache_hits"] for r in row["rounds"]), sum(r["requests"] for r in row["rounds"])),
            "; ".join(r["errors"] for r in row["rounds"] if r["errors"] != "0") or "0",
        ]
        if min_ratio is not None:
            cells.append(("met" if row["meets_min_ratio"] else "NOT MET") if row["list_page"] else "(not a list)")
        body.append(cells)
    print(markdown(header, body))


def first_answers(ports: list[int], pages: list[Page]) -> tuple[list[str], dict[str, list[str]]]:
    """Each page asked of each instance in turn, before any load: the pages that do not answer
    200, and per page what each instance's page cache said (``X-Page-Cache``). With a shared
    cache, the first instance stores the page and every other one answers it from the cache."""
    failures, caches = [], {}
    for page in pages:
        caches[page.path] = []
        for index, port in enumerate(ports):
            try:
                answer = get(port, page.path, timeout=30)
            except OSError as error:
                failures.append(f"{page.path} gave no answer on instance {index + 1}: {error}")
                break
            if answer.status != 200:
                failures.append(
                    f"{page.path} answered {answer.status} on instance {index + 1}"
                    + (f" (to {answer.location})" if answer.location else "")
                )
                break
            caches[page.path].append(answer.page_cache or "not cached")
    return failures, caches


def cache_shared(caches: dict[str, list[str]]) -> bool:
    """Every page the first instance stored was a hit on each other instance at once."""
    stored = [answers for answers in caches.values() if answers and answers[0] in {"miss", "hit"}]
    return bool(stored) and all(answer == "hit" for answers in stored for answer in answers[1:])


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=["load", "ratio"])
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of each wrk run (default 10)")
    parser.add_argument("--connections", type=int, default=32, help="concurrent connections (default 32)")
    # One event loop drives far more requests than the workers can answer; a second thread
    # would only take CPU from them on a small machine.
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (default 1)")
    parser.add_argument(
        "--timeout", type=float, default=2.0, help="seconds after which wrk counts a request as timed out (default 2)"
    )
    parser.add_argument("--rounds", type=int, default=3, help="ratio: page rounds per page (default 3)")
    parser.add_argument("--warmup", type=float, default=1.0, help="ratio: seconds of warm-up per page (default 1)")
    parser.add_argument("--min-ratio", type=float, help="ratio: goal for every page's median ratio")
    parser.add_argument(
        "--instances",
        type=int,
        default=1,
        help="gunicorn instances on consecutive ports, loaded at once (default 1)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        help=f"gunicorn sync workers of each instance (default {DEFAULT_WORKERS} shared between the instances)",
    )
    parser.add_argument("--database-url", help="an existing, filled database: migrated, no records added")
    parser.add_argument("--env", action="append", default=[], metavar="KEY=VALUE", help="extra setting for the server")
    parser.add_argument("--pages", help="comma-separated page names (default: all found)")
    parser.add_argument("--list-pages", action="store_true", help="print the pages found and stop")
    parser.add_argument(
        "--tag", help="suffix of the results file, to keep a variant apart: http-<mode>-<database>-<tag>.json"
    )
    args = parser.parse_args()
    if args.instances < 1:
        parser.error("--instances must be positive")
    if args.workers is None:
        # The same number of processes on the machine whatever the number of instances: two
        # instances split the cores rather than doubling the workers that compete for them.
        args.workers = math.ceil(DEFAULT_WORKERS / args.instances)
    if args.connections < 1 or args.duration <= 0 or args.rounds < 1 or args.workers < 1:
        parser.error("--connections, --duration, --rounds and --workers must be positive")
    if args.connections < args.instances:
        parser.error("--connections: at least one per instance")
    if args.tag and not re.fullmatch(r"[a-z0-9][a-z0-9-]*", args.tag):
        parser.error("--tag: lower-case letters, digits and dashes")
    return args


def main() -> int:
    args = parse_arguments()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    # SIGTERM unwinds like Ctrl-C, through the finally that stops gunicorn.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    # Before anything runs: the load average the run starts from, the code it measures.
    host, git = machine(), git_state()
    with tempfile.TemporaryDirectory(prefix="bench-http-") as tmp:
        workdir = Path(tmp)
        env = production_environment(workdir, args.database_url, args.env)
        progress("setting up: migrate" + ("" if args.database_url else ", load_demo") + ", collectstatic")
        vendor = setup_django(env, fill_demo=not args.database_url)
        pages = discover_pages()
        from django.db import connections

        connections.close_all()
        if args.pages:
            wanted = [name.strip() for name in args.pages.split(",") if name.strip()]
            known = {p.name for p in pages}
            if unknown := [name for name in wanted if name not in known]:
                raise SystemExit(f"no such page here: {', '.join(unknown)}; pages: {', '.join(sorted(known))}")
            pages = [p for p in pages if p.name in wanted]
        if args.list_pages:
            for page in pages:
                print(f"{page.name:<26} {page.path}")
            return 0

        script = workdir / "count-non-200.lua"
        script.write_text(WRK_SCRIPT, encoding="utf-8")
        logs = [workdir / f"gunicorn-error-{index + 1}.log" for index in range(args.instances)]
        started = datetime.datetime.now(datetime.UTC)
        with contextlib.ExitStack() as servers:
            ports = free_ports(args.instances)
            progress(f"starting {args.instances} gunicorn instance(s) on port(s) {', '.join(map(str, ports))}")
            for number, log in zip(ports, logs, strict=True):
                servers.enter_context(gunicorn(env, args.workers, log, port=number))
            watch = Watches(logs)
            failures, caches = first_answers(ports, pages)
            if failures:
                problems = watch.new_problems()
                raise SystemExit("\n".join(["pages that do not answer 200:", *failures, *problems]))
            if args.mode == "load":
                rows, clean = load(ports, pages, args, script, watch)
            else:
                rows, clean = ratio(ports, pages, args, script, watch)
        # Whatever a stopping worker still logged counts as well.
        late_problems = watch.new_problems()

    goal_met = clean and not late_problems
    if args.mode == "ratio":
        goal_met = goal_met and all(row["meets_min_ratio"] for row in rows)
    if args.instances > 1:
        goal_met = goal_met and cache_shared(caches)
    results = {
        "command": " ".join(["python -m bench.load", *sys.argv[1:]]),
        "mode": args.mode,
        "measured_at": started.isoformat(timespec="seconds"),
        "git": git,
        "machine": host,
        "versions": versions(),
        "database": {
            "vendor": vendor,
            "source": redacted(args.database_url) if args.database_url else "throwaway SQLite, demo dataset",
        },
        "server": {
            "instances": args.instances,
            "ports": ports,
            "workers": args.workers,
            **({"workers_per_instance": args.workers} if args.instances > 1 else {}),
            "worker_class": "sync",
            "rate_limits_raised_to_per_minute": int(UNLIMITED_PER_MINUTE),
            "extra_env": args.env,
        },
        "wrk": {
            "threads": min(args.threads, args.connections),
            "connections": args.connections,
            "duration_seconds": args.duration,
            "timeout_seconds": args.timeout,
            **({"rounds": args.rounds, "warmup_seconds": args.warmup} if args.mode == "ratio" else {}),
        },
        "pages": rows,
        # What each instance's page cache answered to its first request of each page.
        "first_answers_page_cache": caches,
        **({"page_cache_shared": cache_shared(caches)} if args.instances > 1 else {}),
        "late_log_problems": late_problems,
        "clean": clean and not late_problems,
        **({"min_ratio": args.min_ratio} if args.mode == "ratio" else {}),
        "goal_met": goal_met,
    }
    suffix = "".join(
        f"-{part}" for part in (args.tag, f"{args.instances}-instances" if args.instances > 1 else "") if part
    )
    output = RESULTS / f"http-{args.mode}-{vendor}{suffix}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    print(
        f"{args.mode}: {vendor}, "
        + (f"{args.instances} instances of " if args.instances > 1 else "")
        + f"{args.workers} sync workers, wrk {args.connections} connections"
        + (" shared between them" if args.instances > 1 else "")
        + f", {args.duration:g} s per run"
        + (f", {args.rounds} rounds" if args.mode == "ratio" else "")
        + (f", {' '.join(args.env)}" if args.env else "")
        + f"; commit {results['git']['commit'][:7]}"
        + (" with uncommitted changes" if results["git"]["uncommitted_changes"] else "")
    )
    print()
    if args.mode == "load":
        print_load(rows)
        for row in rows:
            for problem in row["log_problems"]:
                print(f"\n{row['path']}: {problem}")
    else:
        print_ratio(rows, args.min_ratio)
    if args.instances > 1:
        print()
        print(
            "page cache shared: each page stored through instance 1 was a hit at once on the others"
            if results["page_cache_shared"]
            else "page cache NOT shared: a page stored through instance 1 was not a hit on another"
        )
    for problem in late_problems:
        print(f"\nafter the runs: {problem}")
    print()
    if not results["clean"]:
        print("NOT CLEAN")
    elif args.mode == "load":
        print("clean: no socket error, every answer 200, nothing in gunicorn's log")
    else:
        print("clean: every answer 200, no connection error, nothing in gunicorn's log")
    print(f"written to {output.relative_to(PROJECT)}")
    return 0 if goal_met else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        # gunicorn is already stopped by then (the context manager's finally).
        sys.exit(130)
