"""bench/ is a package whose scripts run as ``python -m bench.<name>`` from the project's root:
no module of it hides one of the standard library's, and none edits ``sys.path`` to get by."""

import re
import subprocess
import sys
from pathlib import Path

from django.test import SimpleTestCase

PROJECT = Path(__file__).resolve().parents[2]
BENCH = PROJECT / "bench"
MODULES = sorted(path for path in BENCH.glob("*.py") if path.name != "__init__.py")
SCRIPTS = [path for path in MODULES if re.search(r'(?m)^if __name__ == "__main__":', path.read_text())]


class BenchPackageTests(SimpleTestCase):
    def test_the_scripts_are_found(self):
        # The tests below would pass on an empty list.
        self.assertGreaterEqual({path.stem for path in SCRIPTS}, {"load", "pages", "certificates", "seed", "prepare"})

    def test_no_module_hides_one_of_the_standard_library(self):
        # bench/http.py once hid ``http`` from Django, gunicorn and urllib when a script ran.
        for path in MODULES:
            self.assertNotIn(path.stem, sys.stdlib_module_names, path)

    def test_no_module_edits_the_import_path(self):
        for path in [BENCH / "__init__.py", *MODULES]:
            self.assertIsNone(re.search(r"sys\.path|importlib", path.read_text()), path)

    def test_every_script_says_and_answers_its_command(self):
        for path in SCRIPTS:
            command = f"python -m bench.{path.stem}"
            with self.subTest(script=path.name):
                self.assertIn(command, path.read_text().split('"""')[1])
                result = subprocess.run(
                    [sys.executable, "-m", f"bench.{path.stem}", "--help"],
                    cwd=PROJECT,
                    capture_output=True,
                    text=True,
                    check=False,
                    timeout=120,
                )
                self.assertEqual(result.returncode, 0, result.stderr)
                self.assertTrue(result.stdout.startswith(f"usage: {command}"), result.stdout)

    def test_a_script_refuses_a_wrong_argument(self):
        # --help is argparse's, not a database address taken for one.
        result = subprocess.run(
            [sys.executable, "-m", "bench.prepare"], cwd=PROJECT, capture_output=True, text=True, check=False
        )
        self.assertEqual(result.returncode, 2)
        self.assertIn("usage: python -m bench.prepare", result.stderr)
