"""The dependency audit of CI (.ci/audit.py) fails on a known vulnerability and never passes
silently when nothing could be looked up."""

import importlib.util
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase

spec = importlib.util.spec_from_file_location("audit", Path(settings.BASE_DIR) / ".ci" / "audit.py")
audit = importlib.util.module_from_spec(spec)
spec.loader.exec_module(audit)


class DependencyAuditTests(SimpleTestCase):
    def test_a_known_vulnerability_fails_the_audit_and_is_named(self):
        report = {
            "dependencies": [
                {"name": "django", "version": "5.2.0", "vulns": [{"id": "PYSEC-2025-1", "fix_versions": ["5.2.1"]}]},
                {"name": "segno", "version": "1.6.6", "vulns": []},
            ]
        }
        status, lines = audit.verdict(report)
        self.assertEqual(status, 1)
        self.assertIn("VULNERABLE django 5.2.0: PYSEC-2025-1 (fixed in 5.2.1)", lines)

    def test_clean_dependencies_pass(self):
        status, lines = audit.verdict({"dependencies": [{"name": "segno", "version": "1.6.6", "vulns": []}]})
        self.assertEqual((status, lines), (0, ["No known vulnerabilities in 1 pinned packages."]))

    def test_an_audit_that_could_look_nothing_up_says_so(self):
        report = {"dependencies": [{"name": "segno", "skip_reason": "Dependency not found on PyPI"}]}
        status, lines = audit.verdict(report)
        self.assertEqual(status, 0)
        self.assertTrue(lines[0].startswith("AUDIT NOT RUN"))
