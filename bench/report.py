"""Write the benchmark figures of ``bench/results/*.json`` into docs/performance.md.

    .venv/bin/python -m bench.report

Replaces what stands between the two ``bench:report`` markers of docs/performance.md with
tables made from the newest results; the prose around them is kept. ``make bench`` runs it
last.
"""

import argparse
import json
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
RESULTS = PROJECT / "bench" / "results"
DOC = PROJECT / "docs" / "performance.md"
BEGIN, END = "<!-- bench:report:begin -->", "<!-- bench:report:end -->"


def load(name: str) -> dict | None:
    path = RESULTS / name
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def table(header: list[str], rows: list[list]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return lines


def goals_section(report: dict) -> list[str]:
    rows = [[g["goal"], g["measured"], "met" if g["met"] else "**missed**"] for g in report["goals"]]
    return table(["goal", "measured", ""], rows)


def pages_section() -> list[str]:
    reports = {vendor: load(f"pages-{vendor}.json") for vendor in ("postgresql", "sqlite")}
    reports = {vendor: report for vendor, report in reports.items() if report}
    if not reports:
        return []
    first = next(iter(reports.values()))
    scale = ", ".join(f"{count:,} {name}" for name, count in first["scale"].items())
    lines = ["### In-process, every public page and the admin changelists", "", f"Data: {scale}.", ""]
    names = [row["name"] for row in first["pages"]]
    header = ["page"]
    for vendor in reports:
        header += [f"{vendor} median ms", f"{vendor} p95 ms", f"{vendor} in queries, median ms", f"{vendor} queries"]
    rows = []
    by_vendor = {vendor: {row["name"]: row for row in report["pages"]} for vendor, report in reports.items()}
    for name in names:
        row = [f"{name} `{by_vendor[next(iter(reports))][name]['path']}`"]
        for vendor in reports:
            measured = by_vendor[vendor].get(name)
            figures = ("median_ms", "p95_ms", "sql_median_ms", "queries")
            row += [measured.get(figure, "") for figure in figures] if measured else [""] * len(figures)
        rows.append(row)
    lines += table(header, rows)
    for vendor, report in reports.items():
        if report["exports"]:
            lines += ["", f"Exports on {vendor}:", ""]
            lines += table(
                ["export", "rows", "median s", "peak memory, all rows", "peak memory, one voivodeship"],
                [
                    [
                        e["name"],
                        f"{e['rows']:,}",
                        round(e["median_ms"] / 1000, 2),
                        f"{e['peak_memory_bytes'] / 2**20:.1f} MiB",
                        f"{e['filtered_peak_memory_bytes'] / 2**20:.1f} MiB",
                    ]
                    for e in report["exports"]
                ],
            )
        lines += ["", f"Goals on {vendor}:", "", *goals_section(report)]
        if report.get("search_explain"):
            lines += ["", f"The search for “{report['search_explain']['query']}” on {vendor}:", "", "```"]
            lines += [*report["search_explain"]["plan"].splitlines(), "```"]
    return lines


def http_section() -> list[str]:
    lines = []
    for name, title in (
        ("http-ratio-postgresql.json", "with the page cache"),
        ("http-ratio-postgresql-no-page-cache.json", "without the page cache (PAGE_CACHE=0)"),
        ("http-ratio-sqlite.json", "SQLite, demo data, with the page cache"),
        ("http-ratio-sqlite-no-page-cache.json", "SQLite, demo data, without the page cache"),
    ):
        report = load(name)
        if not report:
            continue
        lines += ["", f"### Over HTTP: throughput relative to `/healthz`, {title}", ""]
        goal = report.get("min_ratio")
        lines += table(
            ["page", "median ratio", "page req/s", "healthz req/s", f"list goal ≥ {goal}" if goal else "list goal"],
            [
                [
                    p["name"],
                    p["median_ratio"],
                    p["median_requests_per_second"],
                    p["median_healthz_requests_per_second"],
                    ("met" if p["meets_min_ratio"] else "**missed**") if goal and p.get("list_page") else "",
                ]
                for p in report["pages"]
            ],
        )
    for name in ("http-load-postgresql.json", "http-load-sqlite.json", "http-load-sqlite-no-page-cache.json"):
        report = load(name)
        if not report:
            continue
        wrk = report["wrk"]
        database = report["database"]
        where = database.get("source", database.get("vendor")) if isinstance(database, dict) else database
        if name.endswith("-no-page-cache.json"):
            where += ", without the page cache (PAGE_CACHE=0)"
        lines += [
            "",
            f"### Under load on {where}: {wrk['connections']} connections, {wrk['duration_seconds']:.0f} s a page",
            "",
        ]
        lines.append(f"{'Clean: no error of any kind.' if report['clean'] else '**Not clean.**'}")
        lines.append("")
        lines += table(
            ["page", "requests", "req/s", "p99 ms", "socket errors", "not 200", "ok"],
            [
                [
                    p["name"],
                    p["requests"],
                    p["requests_per_second"],
                    p["latency_ms"].get("p99", ""),
                    sum(p["socket_errors"].values()),
                    p["non_200"] + p["non_2xx_3xx"],
                    "yes" if p["ok"] else "**no**",
                ]
                for p in report["pages"]
            ],
        )
    return lines


def other_section() -> list[str]:
    lines = []
    certificates = load("certificates.json")
    if certificates:
        lines += ["", "### Certificates", ""]
        rows = [
            [
                "issue 100 membership certificates (the transaction)",
                certificates["issue_membership_certificates_seconds"],
            ],
            ["one membership certificate PDF (median)", certificates["single_membership_pdf_median_seconds"]],
            ["partnership certificate of 100 members (median)", certificates["single_partnership_pdf_median_seconds"]],
            ["100 certificates as one PDF (goal < 20 s)", certificates["batch_pdf_seconds"]],
        ]
        if "issue_membership_certificates_with_pdfs_seconds" in certificates:
            rows.insert(
                1,
                [
                    "... and their 100 PDFs rendered and stored after the commit",
                    certificates["issue_membership_certificates_with_pdfs_seconds"],
                ],
            )
        lines += table(["what", "seconds"], rows)
        if "stored_pdf_speedup" in certificates:
            lines += ["", "The PDF address (`/certyfikaty/<code>/pdf/`):", ""]
            rows = [
                ["in-process, a stored PDF served (median)", f"{certificates['served_stored_pdf_median_ms']} ms"],
                [
                    "in-process, a PDF rendered on the request (median)",
                    f"{certificates['served_rendered_pdf_median_ms']} ms",
                ],
                ["stored over rendered (goal ≥ 20×)", f"{certificates['stored_pdf_speedup']}×"],
            ]
            load_figures = certificates.get("load")
            if load_figures:
                cold, stored = load_figures["cold"], load_figures["stored"]
                server = f"{load_figures['workers']} {load_figures['worker_class']} workers"
                rows += [
                    [f"gunicorn ({server}): /healthz alone (median)", f"{load_figures['healthz_idle_ms']['p50']} ms"],
                    [
                        f"{cold['requests']} PDF requests, {cold['in_flight']} in flight, none stored (each renders)",
                        f"{cold['seconds']} s; /healthz meanwhile {cold['healthz_ms']['p50']} ms (median)",
                    ],
                    [
                        f"{stored['requests']} PDF requests, {stored['in_flight']} in flight, stored",
                        f"/healthz meanwhile {stored['healthz_ms']['p50']} ms (median; goal < 50 ms)",
                    ],
                ]
            lines += table(["what", "measured"], rows)
    for vendor in ("sqlite", "postgresql"):
        teryt = load(f"teryt-{vendor}.json")
        if teryt:
            lines += ["", f"### TERYT import on {vendor}", ""]
            lines += table(
                ["file (whole manage.py process, start-up included)", "into an empty database", "again, unchanged"],
                [
                    [
                        teryt["files"][kind],
                        f"{teryt[f'{kind}_into_empty_s']} s",
                        f"{teryt[f'{kind}_again_unchanged_s']} s",
                    ]
                    for kind in teryt["files"]
                ],
            )
    return lines


def main() -> int:
    argparse.ArgumentParser(prog="python -m bench.report", description=__doc__.split("\n\n")[0]).parse_args()
    text = DOC.read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        print(f"{DOC} has no {BEGIN} … {END} markers.", file=sys.stderr)
        return 2
    body = ["", "Generated by `python -m bench.report` from `bench/results/*.json`; `make bench` reproduces it.", ""]
    body += pages_section() + http_section() + other_section() + [""]
    head, rest = text.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    DOC.write_text(head + BEGIN + "\n".join(body) + END + tail, encoding="utf-8")
    print(f"Wrote {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
