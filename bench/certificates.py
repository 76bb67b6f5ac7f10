"""Benchmark of certificate PDFs: rendering one and a batch, serving a stored one, and the PDF
address under load.

    .venv/bin/python -m bench.certificates [--members 100] [--repeat 5] [--serve-repeat 50]
        [--connections 20] [--requests 2000] [--rounds 3] [--workers N] [--threads 1]
        [--env KEY=VALUE] [--no-load]

Sets Django up by itself on a throwaway SQLite database, media directory and cache (``VAR_DIR``
in a temporary directory: nothing of ``var/`` is touched), builds a partnership with the given
number of members, issues the partnership certificate and one membership certificate per
member, then times:

- issuing the membership certificates: the transaction (consecutive numbers), and the whole
  call, whose PDFs are rendered and stored once the transaction commits;
- rendering one membership certificate and the partnership certificate (median of --repeat);
- rendering all membership certificates as one PDF (``render_batch_pdf``);
- the PDF address in-process (Django's test client, production settings): a stored PDF served
  (median of --serve-repeat) against a request that must render it (no stored PDF; median of
  --repeat);
- under load (unless --no-load): gunicorn as the README runs it in production (sync workers,
  cores + 1 of them, ``DEBUG=0``, the file cache) on a free port of 127.0.0.1; another process
  requests the membership certificates' PDFs with --connections requests in flight (a new
  connection each), while this one asks ``/healthz`` every 100 ms and times each answer. First
  "cold": each certificate once with no PDF stored, so every request renders, as every request
  did before PDFs were stored (and as the first request of a certificate issued before then
  still does); then --rounds of "stored": --requests requests served from storage each.
  ``--threads`` above 1 runs gunicorn's gthread workers instead, ``--env`` passes a setting to
  both sides (``--env CACHE_URL=redis://…``).

The PDF address is rate-limited (20 a minute per client address, ``CERTIFICATE_PDFS_PER_MINUTE``),
and every request of the benchmark comes from 127.0.0.1: the benchmark raises the limits to
1,000,000 a minute through the environment, for this process and for gunicorn alike.

Prints a table and writes ``bench/results/certificates.json``. Goals: the 100-certificate batch
in under 20 seconds; a stored PDF served at least 20 times faster than a render; ``/healthz``
under 50 ms by median while 20 PDF requests are in flight. Exits with status 1 when a goal is
missed or the load saw an answer other than 200 or a problem in gunicorn's log.
"""

import argparse
import datetime
import io
import json
import multiprocessing
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.server import PROJECT, UNLIMITED_PER_MINUTE, get, gunicorn, problems, production_environment

RESULTS = PROJECT / "bench" / "results" / "certificates.json"
GOAL_BATCH_SECONDS = 20.0
GOAL_SPEEDUP = 20.0
GOAL_HEALTHZ_MEDIAN_MS = 50.0
# A probe every 100 ms: on a clock (see probe_healthz), and seldom more than one in flight, so
# the probes themselves barely add to the load they measure.
HEALTHZ_EVERY_SECONDS = 0.1


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("load_territory", stdout=io.StringIO())


def build(member_count: int):
    from django.contrib.auth import get_user_model

    from members.models import Institution, StaffProfile
    from partnerships.models import Agreement, Membership, Partnership

    centre = Institution.objects.create(
        name="Mazowieckie Centrum Polityki Społecznej", slug="bench-rops", kind="rops", commune_id="1465011"
    )
    user = get_user_model().objects.create_superuser("bench", password=None)  # no password: it cannot sign in
    StaffProfile.objects.create(user=user, centre=centre)
    partnership = Partnership.objects.create(
        name="Partnerstwo Lokalne „Żółć Gęśla” w Łodzi",
        slug="bench-partnerstwo",
        home_voivodeship_id="14",
        founded_on=datetime.date(2014, 10, 28),
    )
    partnership.area_counties.add("1416")
    Agreement.objects.create(
        partnership=partnership, title="Porozumienie o współpracy", signed_on=datetime.date(2014, 10, 28)
    )
    for n in range(member_count):
        institution = Institution.objects.create(
            name=f"Stowarzyszenie Przyjaciół Żółtej Łąki nr {n + 1:03d} w Łodzi",
            slug=f"bench-{n}",
            kind="association",
            commune_id="1465011",
        )
        Membership.objects.create(partnership=partnership, institution=institution)
    return partnership, user


def timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - start, result


def forget_stored_pdfs(certificates) -> None:
    """As if the certificates had been issued before PDFs were stored."""
    from partnerships.models import Certificate

    for certificate in Certificate.objects.filter(pk__in=[c.pk for c in certificates]).exclude(pdf=""):
        certificate.pdf.storage.delete(certificate.pdf.name)
    Certificate.objects.filter(pk__in=[c.pk for c in certificates]).update(pdf="")


def serve_in_process(certificate, args) -> tuple[list[float], list[float]]:
    """Medians' samples of the PDF address through Django's test client: served as stored, and
    rendered because nothing is stored."""
    from django.test import Client

    client = Client()
    url = certificate.get_pdf_url()

    def get() -> None:
        response = client.get(url)
        body = b"".join(response.streaming_content)
        if response.status_code != 200 or not body.startswith(b"%PDF-"):
            raise SystemExit(f"{url} answered {response.status_code}, not a PDF")

    get()
    stored = [timed(get)[0] for _ in range(args.serve_repeat)]
    rendered = []
    for _ in range(args.repeat):
        forget_stored_pdfs([certificate])
        rendered.append(timed(get)[0])
    return stored, rendered


# Under load


def request_pdfs(port: int, paths: list[str], in_flight: int, total: int, results) -> None:
    """In a process of its own (so that its threads never hold up the /healthz client): ``total``
    requests over ``paths`` in turn, ``in_flight`` at a time; puts a summary on ``results``."""
    lock = threading.Lock()
    taken = iter(range(total))
    latencies, statuses, sizes = [], {}, 0
    started = time.perf_counter()

    def client() -> None:
        nonlocal sizes
        while True:
            with lock:
                index = next(taken, None)
            if index is None:
                return
            start = time.perf_counter()
            try:
                status, _location, size, _cache = get(port, paths[index % len(paths)])
            except OSError as error:
                status, size = type(error).__name__, 0
            elapsed = time.perf_counter() - start
            with lock:
                latencies.append(elapsed)
                statuses[str(status)] = statuses.get(str(status), 0) + 1
                sizes += size

    with ThreadPoolExecutor(max_workers=in_flight) as pool:
        for _ in range(in_flight):
            pool.submit(client)
    seconds = time.perf_counter() - started
    results.put(
        {
            "requests": len(latencies),
            "in_flight": in_flight,
            "seconds": round(seconds, 2),
            "requests_per_second": round(len(latencies) / seconds, 1),
            "statuses": statuses,
            "bytes": sizes,
            "latency_ms": percentiles(latencies),
        }
    )


def percentiles(samples: list[float]) -> dict:
    if not samples:
        return {}
    ordered = sorted(samples)
    return {
        "p50": round(statistics.median(ordered) * 1000, 1),
        "p95": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] * 1000, 1),
        "max": round(ordered[-1] * 1000, 1),
    }


def timed_healthz(port: int) -> float:
    start = time.perf_counter()
    status = get(port, "/healthz").status
    if status != 200:
        raise SystemExit(f"/healthz answered {status}")
    return time.perf_counter() - start


def probe_healthz(port: int, until) -> list[float]:
    """Seconds each /healthz took, one asked every HEALTHZ_EVERY_SECONDS until ``until()`` is
    true, as a load balancer asks: on a clock, not after the previous answer, so that a slow
    period counts with as many answers as a fast one."""
    futures = []
    with ThreadPoolExecutor(max_workers=1000) as pool:
        next_at = time.perf_counter()
        while not until():
            futures.append(pool.submit(timed_healthz, port))
            next_at += HEALTHZ_EVERY_SECONDS
            time.sleep(max(0.0, next_at - time.perf_counter()))
    return [future.result() for future in futures]


def load_phase(port: int, paths: list[str], in_flight: int, total: int) -> tuple[dict, list[float]]:
    """PDF requests from another process while this one times /healthz; the summary, and the
    seconds of each /healthz."""
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    loader = context.Process(target=request_pdfs, args=(port, paths, in_flight, total, results))
    loader.start()
    healthz = probe_healthz(port, until=lambda: not loader.is_alive() or not results.empty())
    summary = results.get(timeout=600)
    loader.join(timeout=60)
    return {**summary, "healthz_ms": {**percentiles(healthz), "samples": len(healthz)}}, healthz


def under_load(certificates, args, workdir: Path) -> dict:
    """Cold (every request renders), then --rounds of stored; /healthz alone first, for reference."""
    paths = [certificate.get_pdf_url() for certificate in certificates]
    log = workdir / "gunicorn.log"
    forget_stored_pdfs(certificates)
    # The environment is this process's, which setup_django gave the settings.
    with gunicorn({}, args.workers, log, threads=args.threads) as port:
        deadline = time.monotonic() + 3
        idle = probe_healthz(port, until=lambda: time.monotonic() > deadline)
        cold, _samples = load_phase(port, paths, args.connections, len(paths))
        rounds, healthz = [], []
        for _round in range(args.rounds):
            summary, samples = load_phase(port, paths, args.connections, args.requests)
            rounds.append(summary)
            healthz += samples
    statuses = {}
    for summary in rounds:
        for status, count in summary["statuses"].items():
            statuses[status] = statuses.get(status, 0) + count
    return {
        "workers": args.workers,
        "threads": args.threads,
        "worker_class": "gthread" if args.threads > 1 else "sync",
        "healthz_idle_ms": {**percentiles(idle), "samples": len(idle)},
        "cold": cold,
        "stored": {
            "in_flight": args.connections,
            "requests": sum(summary["requests"] for summary in rounds),
            "statuses": statuses,
            # Every /healthz of every round: the goal's median.
            "healthz_ms": {**percentiles(healthz), "samples": len(healthz)},
            "rounds": rounds,
        },
        "log_problems": problems(log.read_text(errors="replace") if log.exists() else "")[:20],
    }


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.certificates", description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5, help="renders timed for each median")
    parser.add_argument("--serve-repeat", type=int, default=50, help="stored PDFs served for the median")
    parser.add_argument("--connections", type=int, default=20, help="PDF requests in flight under load")
    parser.add_argument("--requests", type=int, default=2000, help="PDF requests of a stored round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of stored PDF requests")
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) + 1, help="gunicorn sync workers")
    parser.add_argument("--threads", type=int, default=1, help="threads a worker (more than 1: gthread)")
    parser.add_argument("--env", action="append", default=[], metavar="KEY=VALUE", help="a setting for both sides")
    parser.add_argument("--no-load", action="store_true", help="only the in-process figures")
    args = parser.parse_args()
    # The machine may be shared: how busy it was is part of every figure.
    load_average_before = [round(x, 2) for x in os.getloadavg()]

    with tempfile.TemporaryDirectory(prefix="bench-certificates-") as workdir:
        workdir = Path(workdir)
        env = production_environment(workdir, extra=args.env)
        setup_django(env)
        import weasyprint
        from django.db import transaction
        from pypdf import PdfReader

        from partnerships import certificates
        from partnerships.models import Certificate

        partnership, user = build(args.members)
        certificate = certificates.issue_partnership_certificate(
            partnership, user, "Jan Testowy", "zastępca prezydenta", datetime.date(2026, 1, 15)
        )
        start = time.perf_counter()
        with transaction.atomic():
            issued = certificates.issue_membership_certificates(
                partnership, user, "Jan Testowy", "zastępca prezydenta", datetime.date(2026, 1, 15)
            )
            issue_seconds = time.perf_counter() - start
        # Leaving the block commits, and the PDFs are rendered and stored then.
        issue_with_pdfs_seconds = time.perf_counter() - start
        stored_count = Certificate.objects.filter(pk__in=[c.pk for c in issued]).exclude(pdf="").count()

        single = [timed(certificates.render_pdf, issued[0])[0] for _ in range(args.repeat)]
        single_partnership = [timed(certificates.render_pdf, certificate)[0] for _ in range(args.repeat)]
        batch_seconds, batch = timed(certificates.render_batch_pdf, issued)
        pages = len(PdfReader(io.BytesIO(batch)).pages)
        served_stored, served_rendered = serve_in_process(issued[0], args)
        load = None if args.no_load else under_load(issued, args, workdir)

    stored_median, rendered_median = statistics.median(served_stored), statistics.median(served_rendered)
    speedup = rendered_median / stored_median
    goals = {
        "batch": batch_seconds < GOAL_BATCH_SECONDS and pages == len(issued),
        "speedup": speedup >= GOAL_SPEEDUP,
    }
    if load is not None:
        stored_phase = load["stored"]
        goals["healthz"] = stored_phase["healthz_ms"]["p50"] < GOAL_HEALTHZ_MEDIAN_MS
        goals["load_clean"] = (
            set(stored_phase["statuses"]) == {"200"}
            and set(load["cold"]["statuses"]) == {"200"}
            and not load["log_problems"]
        )
    results = {
        "command": " ".join(["python -m bench.certificates", *sys.argv[1:]]),
        "measured_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": {
            "platform": platform.platform(),
            "processor": platform.processor() or platform.machine(),
            "cpu_count": os.cpu_count(),
            "load_average_before": load_average_before,
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
            "python": platform.python_version(),
            "weasyprint": weasyprint.__version__,
        },
        "members": args.members,
        "rate_limits_raised_to_per_minute": int(UNLIMITED_PER_MINUTE),
        "issue_membership_certificates_seconds": round(issue_seconds, 3),
        "issue_membership_certificates_with_pdfs_seconds": round(issue_with_pdfs_seconds, 3),
        "pdfs_stored_at_issue": stored_count,
        "single_membership_pdf_median_seconds": round(statistics.median(single), 3),
        "single_partnership_pdf_median_seconds": round(statistics.median(single_partnership), 3),
        "batch_pdf_seconds": round(batch_seconds, 3),
        "batch_pdf_pages": pages,
        "batch_pdf_bytes": len(batch),
        "batch_seconds_per_certificate": round(batch_seconds / len(issued), 3),
        "served_stored_pdf_median_ms": round(stored_median * 1000, 2),
        "served_rendered_pdf_median_ms": round(rendered_median * 1000, 1),
        "stored_pdf_speedup": round(speedup, 1),
        "load": load,
        "goal_batch_seconds": GOAL_BATCH_SECONDS,
        "goal_speedup": GOAL_SPEEDUP,
        "goal_healthz_median_ms": GOAL_HEALTHZ_MEDIAN_MS,
        "goals": goals,
        "goal_met": all(goals.values()),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    rows = [
        (f"issue {len(issued)} membership certificates (the transaction)", f"{issue_seconds:.2f} s"),
        (f"... and render and store their {stored_count} PDFs after the commit", f"{issue_with_pdfs_seconds:.2f} s"),
        (f"one membership certificate PDF (median of {args.repeat})", f"{statistics.median(single):.2f} s"),
        (
            f"partnership certificate PDF, {args.members} members (median of {args.repeat})",
            f"{statistics.median(single_partnership):.2f} s",
        ),
        (f"batch of {len(issued)} as one PDF", f"{batch_seconds:.2f} s"),
        ("batch pages / size", f"{pages} / {len(batch) / 1024:.0f} KiB"),
        (f"PDF address, stored PDF served (median of {args.serve_repeat})", f"{stored_median * 1000:.1f} ms"),
        (f"PDF address, rendered on the request (median of {args.repeat})", f"{rendered_median * 1000:.0f} ms"),
        (f"stored over rendered (goal: at least {GOAL_SPEEDUP:.0f}x)", f"{speedup:.0f}x"),
    ]
    if load is not None:
        rows.append((f"gunicorn: {load['workers']} {load['worker_class']} workers", ""))
        rows.append(("/healthz alone p50 / p95", "{p50} / {p95} ms".format(**load["healthz_idle_ms"])))
        phases = [("cold", load["cold"])] + [(f"stored {n}", r) for n, r in enumerate(load["stored"]["rounds"], 1)]
        for name, figures in phases:
            rows += [
                (
                    f"{name}: {figures['requests']} PDF requests, {figures['in_flight']} in flight",
                    f"{figures['seconds']:.2f} s, {figures['requests_per_second']}/s",
                ),
                (f"{name}: PDF latency p50 / p95", "{p50} / {p95} ms".format(**figures["latency_ms"])),
                (f"{name}: /healthz meanwhile p50 / p95", "{p50} / {p95} ms".format(**figures["healthz_ms"])),
            ]
        stored = load["stored"]
        rows.append(("stored, all rounds: /healthz p50 / p95", "{p50} / {p95} ms".format(**stored["healthz_ms"])))
        answers = {**load["cold"]["statuses"]}
        for status, count in stored["statuses"].items():
            answers[status] = answers.get(status, 0) + count
        rows.append(("answers", ", ".join(f"{k}: {v}" for k, v in answers.items())))
        rows.append(("problems in gunicorn's log", str(len(load["log_problems"]))))
    for goal, met in goals.items():
        rows.append((f"goal: {goal}", "met" if met else "NOT MET"))
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {value:>16}")
    print(f"rate limits raised to {int(UNLIMITED_PER_MINUTE):,} a minute for the benchmark's own requests")
    print(f"written to {RESULTS.relative_to(PROJECT)}")
    return 0 if results["goal_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
