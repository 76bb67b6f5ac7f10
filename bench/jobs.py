"""Benchmark of the background worker: a partnership's membership certificates issued and printed
as one job, as the admin starts it, run by ``manage.py worker`` in a process of its own.

    .venv/bin/python -m bench.jobs [--members 1000] [--database-url URL] [--env KEY=VALUE]

Sets Django up by itself on a throwaway SQLite database and media directory (``VAR_DIR`` in a
temporary directory: nothing of ``var/`` is touched), or on ``--database-url`` (an empty
database of its own: it is migrated, and rows are added to it). Builds a partnership with
--members members, starts the job (``partnerships.tasks.print_certificates``, as the admin's
"issue certificates" action does above ``CERTIFICATES_INLINE_LIMIT``), then runs the worker
(``manage.py worker -- --batch``: it runs what is queued and exits) and times it. While it runs,
this process reads the job's progress every half second, as the admin's progress bar does.

Prints a table and writes ``bench/results/jobs.json``: the worker's total time, the time until
the first certificate was printed (issuing them all, in one transaction, comes first), the
certificates per second, the size of the joined PDF, and the worker's peak resident memory
(``ru_maxrss`` of the finished child process). Goal: the worker's peak memory under 1 GB for
1,000 certificates (each is rendered and stored on its own; only the joining holds them all).
Exits with status 1 when the job did not finish or the goal is missed.
"""

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.certificates import build, setup_django
from bench.server import PROJECT, production_environment

RESULTS = PROJECT / "bench" / "results" / "jobs.json"
GOAL_PEAK_RSS_MB = 1024


def start_job(partnership, user) -> int:
    from django.db import transaction

    from core import jobs
    from core.models import Job
    from partnerships import tasks

    with transaction.atomic():
        job = jobs.start(
            tasks.print_certificates,
            kind=Job.Kind.ISSUE_AND_PRINT,
            title="bench",
            user=user,
            region="14",
            params={
                "partnerships": [partnership.pk],
                "kind": "membership",
                "signatory_name": "Jan Testowy",
                "signatory_function": "dyrektor",
                "issued_on": "2026-11-23",
            },
        )
    return job.pk


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.jobs", description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=1000, help="certificates to issue and print (default 1000)")
    parser.add_argument("--database-url", help="an empty database of its own (default: a throwaway SQLite file)")
    parser.add_argument("--env", action="append", default=[], help="a setting for both sides, KEY=VALUE")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-jobs-") as workdir:
        env = production_environment(Path(workdir), args.database_url, [*args.env, "TASKS_BACKEND=database"])
        Path(env["VAR_DIR"]).mkdir(parents=True)
        setup_django(env)
        partnership, user = build(args.members)
        job_id = start_job(partnership, user)

        from core.models import Job

        command = [sys.executable, "manage.py", "worker", "--", "--batch", "--no-startup-delay", "--interval", "0"]
        started = time.perf_counter()
        worker = subprocess.Popen(command, cwd=PROJECT, env={**os.environ, **env})  # noqa: S603 - fixed command
        first_printed = None
        while worker.poll() is None:
            time.sleep(0.5)
            job = Job.objects.get(pk=job_id)
            if first_printed is None and job.done:
                first_printed = time.perf_counter() - started
        total = time.perf_counter() - started
        # Linux gives kilobytes: the largest resident set of the children waited for (one).
        peak_rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        job = Job.objects.get(pk=job_id)
        pdf_mb = job.result.size / 1e6 if job.result else 0.0

    figures = {
        "members": args.members,
        "database": "sqlite" if not args.database_url else args.database_url.split(":", 1)[0],
        "state": job.state,
        "error": job.error,
        "total_seconds": round(total, 1),
        "first_printed_after_seconds": round(first_printed, 1) if first_printed else None,
        "certificates_per_second": round(args.members / total, 2),
        "pdf_mb": round(pdf_mb, 1),
        "worker_peak_rss_mb": round(peak_rss_mb),
        "worker_exit_status": worker.returncode,
        "load_average": os.getloadavg(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    for key, value in figures.items():
        print(f"{key:32} {value}")
    ok = job.state == "done" and peak_rss_mb < GOAL_PEAK_RSS_MB
    if not ok:
        print(f"Goal missed: the job done, the worker's peak memory under {GOAL_PEAK_RSS_MB} MB.", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
