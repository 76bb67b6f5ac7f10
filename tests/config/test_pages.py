import os
import subprocess
import sys
from io import StringIO

from django.conf import settings
from django.core.management import call_command
from django.test import TestCase


class HealthzTests(TestCase):
    def test_healthz_answers_ok_without_touching_the_database(self):
        with self.assertNumQueries(0):
            response = self.client.get("/healthz")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, b"ok")
        self.assertEqual(response["Content-Type"], "text/plain; charset=utf-8")


class HomePageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("load_territory", stdout=StringIO())

    def test_home_page_renders_in_polish_with_skip_link_and_accessibility_link(self):
        response = self.client.get("/")
        self.assertContains(response, '<html lang="pl">')
        self.assertContains(response, "Rejestr Partnerstw Lokalnych")
        self.assertContains(response, 'href="#main">Przejdź do treści głównej</a>')
        self.assertContains(response, 'href="/deklaracja-dostepnosci/">Deklaracja dostępności</a>')
        self.assertContains(response, '<a href="/powiaty/#woj-14">mazowieckie</a>', html=True)
        self.assertEqual(response["Content-Language"], "pl")

    def test_browser_language_does_not_override_polish(self):
        response = self.client.get("/", headers={"accept-language": "en-US,en;q=0.9"})
        self.assertContains(response, '<html lang="pl">')

    def test_language_switch_serves_english_on_request(self):
        response = self.client.post("/i18n/setlang/", {"language": "en", "next": "/"}, follow=True)
        self.assertContains(response, '<html lang="en">')
        self.assertContains(response, "Local Partnerships Registry")
        self.assertContains(response, "Skip to main content")
        response = self.client.post("/i18n/setlang/", {"language": "pl", "next": "/"}, follow=True)
        self.assertContains(response, '<html lang="pl">')

    def test_home_page_runs_a_fixed_number_of_queries(self):
        # Counts by county (1), counties, three totals, latest events, voivodeships.
        with self.assertNumQueries(7):
            self.client.get("/")

    def test_accessibility_statement_has_the_required_sections(self):
        response = self.client.get("/deklaracja-dostepnosci/")
        for section in (
            "Deklaracja dostępności",
            'id="a11y-data-publikacja"',
            'id="a11y-data-aktualizacja"',
            "Status pod względem zgodności",
            "Informacje zwrotne i dane kontaktowe",
            "Procedura wnioskowo-skargowa",
            "Dostępność architektoniczna",
        ):
            self.assertContains(response, section)

    def test_unknown_page_is_a_404(self):
        self.assertEqual(self.client.get("/nie-ma-takiej-strony/").status_code, 404)


class DeploySettingsTests(TestCase):
    def run_check(self, **env) -> subprocess.CompletedProcess:
        ignored = {
            "DEBUG",
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
            "SITE_URL",
            "CONTACT_EMAIL",
            "CONTACT_PHONE",
        }
        environment = {k: v for k, v in os.environ.items() if k not in ignored}
        environment.update(env)
        return subprocess.run(
            [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
            cwd=settings.BASE_DIR,
            env=environment,
            capture_output=True,
            text=True,
            check=False,
        )

    PRODUCTION = {
        "DEBUG": "0",
        "SECRET_KEY": "x7#" * 20 + "a-long-random-production-key",
        "ALLOWED_HOSTS": "rejestr.example.org",
        "SITE_URL": "https://rejestr.example.org",
        "CONTACT_EMAIL": "dostepnosc@example.org",
    }

    def test_production_settings_pass_the_deploy_check(self):
        result = self.run_check(**self.PRODUCTION)
        self.assertEqual(result.returncode, 0, result.stderr)

    def test_deploy_check_warns_when_certificates_would_point_at_the_default_address(self):
        for site_url in (None, "http://127.0.0.1:8000", "http://localhost", "http://rejestr.example.org"):
            with self.subTest(site_url=site_url):
                env = {k: v for k, v in self.PRODUCTION.items() if k != "SITE_URL"}
                if site_url:
                    env["SITE_URL"] = site_url
                result = self.run_check(**env)
                self.assertNotEqual(result.returncode, 0)
                self.assertRegex(result.stderr, "core.W00[23]")

    def test_deploy_check_requires_a_contact_for_the_accessibility_statement(self):
        env = {k: v for k, v in self.PRODUCTION.items() if k != "CONTACT_EMAIL"}
        result = self.run_check(**env)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("core.W004", result.stderr)
        self.assertEqual(self.run_check(**env, CONTACT_PHONE="+48 22 000 00 00").returncode, 0)

    def test_deploy_check_fails_without_a_real_secret_key(self):
        result = self.run_check(DEBUG="0", ALLOWED_HOSTS="rejestr.example.org")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("security.W009", result.stderr)


class WsgiProcessTests(TestCase):
    def test_the_served_process_keeps_its_long_lived_objects_out_of_the_collectors_way(self):
        """gunicorn's process freezes what it loaded at start: full collections then walk only
        what requests create (the pauses at the 95th percentile in docs/performance.md)."""
        code = "import gc, config.wsgi; print(gc.get_freeze_count())"
        environment = {**os.environ, "DEBUG": "1"}
        result = subprocess.run(
            [sys.executable, "-c", code], cwd=settings.BASE_DIR, env=environment, capture_output=True, text=True
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertGreater(int(result.stdout), 10_000)
