"""What the registry promises about trust: security headers on every page, cookies, login
throttling, strong passwords, bounded requests, and uploads that stay inert when served."""

import io
import os
import subprocess
import sys
import tempfile

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase, override_settings
from PIL import Image

from members.models import Institution
from members.uploads import validate_logo
from tests import builders
from tests.builders import PASSWORD, AdminTestCase, admin_url, form_data, png_bytes


def bomb_png(side: int = 20000) -> bytes:
    """A PNG of side × side pixels that compresses to a few hundred kilobytes: a decompression bomb."""
    buffer = io.BytesIO()
    Image.new("1", (side, side)).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


class SecurityHeaderTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        builders.load_territory()
        cls.partnership = builders.partnership("Partnerstwo nagłówków", counties=["1465"])

    def test_every_page_sends_a_policy_without_inline_code(self):
        for url in ("/", "/partnerstwa/", self.partnership.get_absolute_url(), "/admin/login/", "/nie-ma/"):
            with self.subTest(url):
                response = self.client.get(url)
                policy = response["Content-Security-Policy"]
                self.assertIn("default-src 'self'", policy)
                self.assertIn("script-src 'self'", policy)
                self.assertIn("style-src 'self'", policy)
                self.assertIn("frame-ancestors 'none'", policy)
                self.assertNotIn("unsafe-inline", policy)
                self.assertNotIn("unsafe-eval", policy)
                self.assertEqual(response["X-Frame-Options"], "DENY")
                self.assertEqual(response["Referrer-Policy"], "same-origin")
                self.assertEqual(response["X-Content-Type-Options"], "nosniff")
                self.assertIn("camera=()", response["Permissions-Policy"])

    def test_public_pages_set_no_cookie_for_a_visitor(self):
        for url in ("/", "/partnerstwa/", self.partnership.get_absolute_url()):
            with self.subTest(url):
                self.assertEqual(dict(self.client.get(url).cookies), {})

    def test_the_language_switch_works_without_a_csrf_token(self):
        client = Client(enforce_csrf_checks=True)
        response = client.post("/i18n/setlang/", {"language": "en", "next": "/partnerstwa/"})
        # The old switch's address leads to the page's English address (the language is the
        # address's, /en/…); the cookie Django still sets changes nothing of what a page says.
        self.assertRedirects(response, "/en/partnerstwa/", fetch_redirect_response=False)
        self.assertEqual(response.cookies[settings.LANGUAGE_COOKIE_NAME].value, "en")
        self.assertEqual(response.cookies[settings.LANGUAGE_COOKIE_NAME]["samesite"], "Lax")
        self.assertContains(client.get("/en/partnerstwa/"), '<html lang="en">')
        self.assertContains(client.get("/partnerstwa/"), '<html lang="pl">')

    def test_a_request_body_over_the_limit_is_refused_unread(self):
        response = self.client.post(
            "/admin/login/", data=b"x", content_type="application/octet-stream", CONTENT_LENGTH=str(26 * 1024 * 1024)
        )
        self.assertEqual(response.status_code, 413)
        self.assertIn("nic nie zostało zapisane", response.content.decode())


class ProductionSettingsTests(TestCase):
    def production_setting(self, expression: str) -> str:
        return self.in_production(f"from django.conf import settings as s; print({expression})")

    def in_production(self, code: str) -> str:
        """What ``code`` prints, run with Django set up under production settings."""
        environment = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"}}
        environment.update(DEBUG="0", SECRET_KEY="k" * 60, ALLOWED_HOSTS="rejestr.example.org")
        code = "import django; django.setup()\n" + code
        result = subprocess.run(
            [sys.executable, "-c", code],
            cwd=settings.BASE_DIR,
            env={**environment, "DJANGO_SETTINGS_MODULE": "config.settings"},
            capture_output=True,
            text=True,
            check=True,
        )
        return result.stdout.strip()

    def test_production_sends_hsts_and_keeps_cookies_to_https_and_this_host(self):
        self.assertEqual(self.production_setting("s.SECURE_HSTS_SECONDS >= 31536000"), "True")
        self.assertEqual(self.production_setting("s.SECURE_SSL_REDIRECT"), "True")
        self.assertEqual(self.production_setting("s.SESSION_COOKIE_SECURE and s.CSRF_COOKIE_SECURE"), "True")
        self.assertEqual(
            self.production_setting("s.SESSION_COOKIE_NAME + ' ' + s.CSRF_COOKIE_NAME"),
            "__Host-sessionid __Host-csrftoken",
        )
        self.assertEqual(self.production_setting("s.SESSION_COOKIE_HTTPONLY and s.CSRF_COOKIE_HTTPONLY"), "True")

    def test_the_language_cookie_is_secure_and_same_site_lax_in_production(self):
        header = self.in_production(
            "from django.conf import settings\n"
            "from django.test import Client\n"
            "response = Client().post('/i18n/setlang/', {'language': 'en', 'next': '/'},"
            " secure=True, HTTP_HOST='rejestr.example.org')\n"
            "print(response.cookies[settings.LANGUAGE_COOKIE_NAME].output())"
        )
        self.assertIn("=en;", header)
        for attribute in ("Secure", "SameSite=Lax", "HttpOnly"):
            self.assertIn(attribute, header)


class PasswordTests(TestCase):
    def test_weak_passwords_are_refused(self):
        user = get_user_model()(username="anna.kowalska", first_name="Anna", last_name="Kowalska")
        for weak in ("krotkie1", "123456789012345", "password12345", "anna.kowalska1"):
            with self.subTest(weak), self.assertRaises(ValidationError):
                validate_password(weak, user)

    def test_a_long_unusual_passphrase_is_accepted(self):
        validate_password("zielony-rower-pod-Opolem-17", get_user_model()(username="anna.kowalska"))


class LoginThrottlingTests(AdminTestCase):
    def login(self, username: str, password: str, address: str = "192.0.2.10"):
        return self.client.post(
            "/admin/login/?next=/admin/",
            {"username": username, "password": password},
            REMOTE_ADDR=address,
        )

    def test_after_five_failures_even_the_right_password_is_refused_with_a_polish_page(self):
        for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
            self.assertEqual(self.login("pracownik.mcps", "złe-hasło").status_code, 200)
        response = self.login("pracownik.mcps", "złe-hasło")
        self.assertEqual(response.status_code, 429)
        response = self.login("pracownik.mcps", PASSWORD)
        self.assertEqual(response.status_code, 429)
        self.assertContains(response, "Zbyt wiele nieudanych logowań", status_code=429)
        self.assertContains(response, "15 minut", status_code=429)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_the_lock_holds_the_user_name_from_that_address_only(self):
        for _attempt in range(settings.AXES_FAILURE_LIMIT):
            self.login("pracownik.mcps", "złe-hasło")
        # A colleague behind the same office address, and the same user elsewhere, still log in.
        self.assertRedirects(self.login("administrator", PASSWORD), "/admin/", fetch_redirect_response=False)
        self.client.logout()
        response = self.login("pracownik.mcps", PASSWORD, address="198.51.100.7")
        self.assertRedirects(response, "/admin/", fetch_redirect_response=False)

    def test_a_successful_login_clears_earlier_failures(self):
        for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
            self.login("pracownik.mcps", "złe-hasło")
        self.assertRedirects(self.login("pracownik.mcps", PASSWORD), "/admin/", fetch_redirect_response=False)
        self.client.logout()
        for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
            self.assertEqual(self.login("pracownik.mcps", "złe-hasło").status_code, 200)


class LoginThrottlingBehindAProxyTests(AdminTestCase):
    """Every login arrives from the reverse proxy's address; the client's address is in the
    X-Forwarded-For header, appended by that proxy after whatever the client sent."""

    PROXY = "10.0.0.2"
    CLIENT_A, CLIENT_B = "203.0.113.5", "198.51.100.7"

    def login(self, username: str, password: str, forwarded_for: str, remote: str = PROXY):
        return self.client.post(
            "/admin/login/?next=/admin/",
            {"username": username, "password": password},
            REMOTE_ADDR=remote,
            HTTP_X_FORWARDED_FOR=forwarded_for,
        )

    def assertLocked(self, response):
        self.assertContains(response, "Zbyt wiele nieudanych logowań", status_code=429)

    def assertSignedIn(self, response):
        self.assertRedirects(response, "/admin/", fetch_redirect_response=False)
        self.client.logout()

    @override_settings(PROXY_COUNT=1)
    def test_failures_from_one_client_lock_that_client_and_not_everyone_behind_the_proxy(self):
        for _attempt in range(settings.AXES_FAILURE_LIMIT):
            self.login("pracownik.mcps", "złe-hasło", self.CLIENT_A)
        self.assertLocked(self.login("pracownik.mcps", PASSWORD, self.CLIENT_A))
        # The same user name from another client, through the same proxy, still signs in.
        self.assertSignedIn(self.login("pracownik.mcps", PASSWORD, self.CLIENT_B))
        self.assertLocked(self.login("pracownik.mcps", PASSWORD, self.CLIENT_A))

    @override_settings(PROXY_COUNT=1)
    def test_what_a_client_writes_into_the_header_itself_does_not_free_it(self):
        # The client sends a header of its own; the proxy appends the real address to it.
        forged = [f"198.51.100.{n}, {self.CLIENT_A}" for n in range(settings.AXES_FAILURE_LIMIT)]
        for forwarded_for in forged:
            self.login("pracownik.mcps", "złe-hasło", forwarded_for)
        for forwarded_for in (
            self.CLIENT_A,
            f"{self.CLIENT_B}, {self.CLIENT_A}",
            f'for={self.CLIENT_B};x=", {self.CLIENT_A}',
            f'"{self.CLIENT_B}, {self.CLIENT_A}',
        ):
            with self.subTest(forwarded_for=forwarded_for):
                self.assertLocked(self.login("pracownik.mcps", PASSWORD, forwarded_for))

    def test_without_a_proxy_the_header_is_not_trusted_to_escape_a_lock(self):
        # PROXY_COUNT is 0 by default: a client talks to the application directly.
        self.assertEqual(settings.PROXY_COUNT, 0)
        for n in range(settings.AXES_FAILURE_LIMIT):
            self.login("pracownik.mcps", "złe-hasło", f"198.51.100.{n}", remote=self.CLIENT_A)
        for forwarded_for in ("", self.CLIENT_B, f"{self.CLIENT_B}, 198.51.100.99"):
            with self.subTest(forwarded_for=forwarded_for):
                self.assertLocked(self.login("pracownik.mcps", PASSWORD, forwarded_for, remote=self.CLIENT_A))
        # Nor can another client put itself into A's lock by naming A in the header.
        self.assertSignedIn(self.login("pracownik.mcps", PASSWORD, self.CLIENT_A, remote=self.CLIENT_B))


class UploadTests(AdminTestCase):
    def setUp(self):
        self.media = tempfile.TemporaryDirectory()
        self.enterContext(override_settings(MEDIA_ROOT=self.media.name))
        self.addCleanup(self.media.cleanup)

    def test_a_renamed_png_is_stored_under_a_generated_name_with_its_real_suffix(self):
        institution = Institution(name="Ośrodek z logo", slug="osrodek-z-logo", kind="mops", commune_id="1465011")
        institution.logo = SimpleUploadedFile("../../strona.html", png_bytes(), content_type="text/html")
        institution.full_clean()
        institution.save()
        self.assertRegex(institution.logo.name, r"^logos/[0-9a-f]{32}\.png$")
        self.assertRegex(institution.logo_thumbnail.name, r"^logos/thumbnails/[0-9a-f]{32}\.png$")

    def test_a_decompression_bomb_is_refused_before_it_is_decoded(self):
        with self.assertRaisesMessage(ValidationError, "16"):
            validate_logo(SimpleUploadedFile("bomba.png", bomb_png()))

    def test_the_admin_refuses_an_svg_logo_and_saves_nothing(self):
        self.client.force_login(self.staff)
        url = admin_url(self.own_institution, "change")
        data = form_data(self.client.get(url))
        data["name"] = "Nowa nazwa, która nie może zostać zapisana"
        svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
        data["logo"] = SimpleUploadedFile("logo.png", svg, content_type="image/png")
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 200)
        # Django's image field refuses it first, in Polish.
        self.assertIn("Prześlij poprawny plik graficzny", str(response.context["adminform"].form.errors["logo"]))
        self.own_institution.refresh_from_db()
        self.assertEqual(self.own_institution.name, "Instytucja testowa warszawska")
        self.assertFalse(self.own_institution.logo)
        self.assertEqual(os.listdir(self.media.name), [])

    def test_an_html_document_named_pdf_is_refused(self):
        self.client.force_login(self.staff)
        url = admin_url(self.own_partnership, "change")
        data = form_data(self.client.get(url))
        data.update(
            {
                "agreements-TOTAL_FORMS": "1",
                "agreements-0-kind": "founding",
                "agreements-0-title": "Porozumienie",
                "agreements-0-document": SimpleUploadedFile(
                    "porozumienie.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf"
                ),
            }
        )
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 200)
        errors = str(response.context["inline_admin_formsets"][1].formset.errors)
        self.assertIn("Dokument musi być plikiem PDF", errors)
        self.assertFalse(self.own_partnership.agreements.exists())


class MediaServingTests(TestCase):
    def setUp(self):
        self.media = tempfile.TemporaryDirectory()
        self.enterContext(override_settings(MEDIA_ROOT=self.media.name))
        self.addCleanup(self.media.cleanup)
        for name, content in {
            "logos/0123abcd.png": png_bytes(),
            "documents/0123abcd.pdf": b"%PDF-1.4\n%%EOF\n",
            "logos/0123abcd.html": b"<script>alert(1)</script>",
            "logos/0123abcd.bin": b"<script>alert(1)</script>",
            "logos/0123abcd.svg": b"<svg/>",
        }.items():
            path = os.path.join(self.media.name, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as file:
                file.write(content)

    def test_an_image_is_served_inline_with_a_fixed_type_and_no_sniffing(self):
        response = self.client.get("/media/logos/0123abcd.png")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "image/png")
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertEqual(response["Content-Security-Policy"], "default-src 'none'; sandbox")
        self.assertTrue(response["Content-Disposition"].startswith("inline"))
        self.assertEqual(b"".join(response.streaming_content), png_bytes())

    def test_a_document_is_a_download(self):
        response = self.client.get("/media/documents/0123abcd.pdf")
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertTrue(response["Content-Disposition"].startswith("attachment"))
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")

    def test_other_kinds_of_file_and_paths_outside_media_are_not_served(self):
        for url in (
            "/media/logos/0123abcd.html",
            "/media/logos/0123abcd.bin",
            "/media/logos/0123abcd.svg",
            "/media/logos/brak.png",
            "/media/logos/../documents/0123abcd.pdf",
            "/media/logos/%2e%2e/%2e%2e/etc/passwd.png",
            "/media/../config/settings.py",
        ):
            with self.subTest(url):
                self.assertEqual(self.client.get(url).status_code, 404)
