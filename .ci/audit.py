"""Known vulnerabilities in the pinned dependencies (requirements.lock), by pip-audit.

Reads pip-audit's JSON report on standard input and exits 1 when any pinned package has a
known vulnerability, naming each with its advisory and the versions that fix it. A package
that could not be looked up (no answer from the advisory service) is reported; when none at
all could be, the audit says loudly that it did not run, rather than passing as if clean.

    pip-audit -r requirements.lock --no-deps --disable-pip -f json | python .ci/audit.py
"""

import json
import sys


def verdict(report: dict) -> tuple[int, list[str]]:
    """Exit status and the lines to print for a pip-audit JSON report."""
    dependencies = report.get("dependencies", [])
    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if d.get("skip_reason")]
    lines = []
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            fixed = ", ".join(vuln.get("fix_versions") or []) or "no fixed version yet"
            lines.append(
                f"VULNERABLE {dependency['name']} {dependency.get('version', '')}: {vuln['id']} (fixed in {fixed})"
            )
    audited = len(dependencies) - len(skipped)
    if dependencies and not audited:
        lines.append(
            f"AUDIT NOT RUN: none of the {len(dependencies)} pinned packages could be looked up "
            "(the advisory service did not answer from this machine)."
        )
    elif skipped:
        lines.append(f"Not looked up ({len(skipped)}): " + ", ".join(d["name"] for d in skipped))
    if not vulnerable and audited:
        lines.append(f"No known vulnerabilities in {audited} pinned packages.")
    return (1 if vulnerable else 0), lines


if __name__ == "__main__":
    status, lines = verdict(json.load(sys.stdin))
    print("\n".join(lines))
    sys.exit(status)
