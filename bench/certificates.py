"""Benchmark of certificate PDFs: one certificate, and a partnership's 100 membership
certificates printed as one PDF.

    .venv/bin/python bench/certificates.py [--members 100] [--repeat 5]

Sets Django up by itself on a throwaway SQLite database and media directory (nothing of
``var/`` is touched), builds a partnership with the given number of members, issues the
partnership certificate and one membership certificate per member, then times:

- issuing the membership certificates (one transaction, consecutive numbers);
- rendering one membership certificate and the partnership certificate (median of --repeat);
- rendering all membership certificates as one PDF (``render_batch_pdf``).

Prints a table and writes ``bench/results/certificates.json``. Goal: the 100-certificate
batch in under 20 seconds.
"""

import argparse
import datetime
import io
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
# Run as a script, bench/ comes first on sys.path, and bench/http.py would then hide the
# standard library's ``http`` package from Django.
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != PROJECT / "bench"]
RESULTS = PROJECT / "bench" / "results" / "certificates.json"
GOAL_SECONDS = 20.0


def setup_django(workdir: Path) -> None:
    # A throwaway database and media directory, whatever the environment says.
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    sys.path.insert(0, str(PROJECT))
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-certificates-") as workdir:
        setup_django(Path(workdir))
        import weasyprint
        from pypdf import PdfReader

        from partnerships import certificates

        partnership, user = build(args.members)
        certificate = certificates.issue_partnership_certificate(
            partnership, user, "Jan Testowy", "zastępca prezydenta", datetime.date(2026, 1, 15)
        )
        issue_seconds, issued = timed(
            certificates.issue_membership_certificates,
            partnership,
            user,
            "Jan Testowy",
            "zastępca prezydenta",
            datetime.date(2026, 1, 15),
        )
        certificates.render_pdf(issued[0])  # the first render loads the fonts; not what we measure

        single = [timed(certificates.render_pdf, issued[0])[0] for _ in range(args.repeat)]
        single_partnership = [timed(certificates.render_pdf, certificate)[0] for _ in range(args.repeat)]
        batch_seconds, batch = timed(certificates.render_batch_pdf, issued)
        pages = len(PdfReader(io.BytesIO(batch)).pages)

    results = {
        "command": "python bench/certificates.py" + (f" --members {args.members}" if args.members != 100 else ""),
        "measured_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": {
            "platform": platform.platform(),
            "processor": platform.processor() or platform.machine(),
            "cpu_count": os.cpu_count(),
            "python": platform.python_version(),
            "weasyprint": weasyprint.__version__,
        },
        "members": args.members,
        "issue_membership_certificates_seconds": round(issue_seconds, 3),
        "single_membership_pdf_median_seconds": round(statistics.median(single), 3),
        "single_partnership_pdf_median_seconds": round(statistics.median(single_partnership), 3),
        "batch_pdf_seconds": round(batch_seconds, 3),
        "batch_pdf_pages": pages,
        "batch_pdf_bytes": len(batch),
        "batch_seconds_per_certificate": round(batch_seconds / len(issued), 3),
        "goal_batch_seconds": GOAL_SECONDS,
        "goal_met": batch_seconds < GOAL_SECONDS and pages == len(issued),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    rows = [
        (f"issue {len(issued)} membership certificates", f"{issue_seconds:.2f} s"),
        (f"one membership certificate PDF (median of {args.repeat})", f"{statistics.median(single):.2f} s"),
        (
            f"partnership certificate PDF, {args.members} members (median of {args.repeat})",
            f"{statistics.median(single_partnership):.2f} s",
        ),
        (f"batch of {len(issued)} as one PDF", f"{batch_seconds:.2f} s"),
        ("batch pages / size", f"{pages} / {len(batch) / 1024:.0f} KiB"),
        (f"goal: batch under {GOAL_SECONDS:.0f} s", "met" if results["goal_met"] else "NOT MET"),
    ]
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {value:>12}")
    print(f"written to {RESULTS.relative_to(PROJECT)}")
    return 0 if results["goal_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
