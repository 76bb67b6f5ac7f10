"""HEAD on every page that answers GET: the same status and headers, and no body — checked
as a WSGI server receives the answer, since Django's test client removes a HEAD body itself
(and gunicorn, for one, sends whatever the application gives it)."""

import contextlib
import os
import tempfile
from wsgiref.util import setup_testing_defaults

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import TestCase, override_settings

from config.sitemaps import SITEMAPS
from partnerships.certificates import issue_partnership_certificate
from tests import builders
from tests.builders import local_cache, png_bytes

# Headers whose value may differ between two requests for the same page (both carry them):
# - Expires: never_cache (healthz, certificate verification and PDF) dates it at the moment
#   of the answer, so two answers a second apart differ;
# - X-Page-Cache: whether this answer came from the page cache, which the first of two
#   requests (GET here) fills and the second (HEAD) reads.
PER_REQUEST_HEADERS = {"Expires", "X-Page-Cache"}


@contextlib.contextmanager
def connection_kept():
    """The test's database connection stays open across a WSGI request, as the test client keeps
    it: Django closes a connection left inside a transaction when a request starts or ends."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def wsgi_request(application, method: str, url: str) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body exactly as ``application`` hands them to a WSGI server."""
    path, _, query = url.partition("?")
    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query}
    setup_testing_defaults(environ)  # Host 127.0.0.1, an empty body, the rest of a WSGI environ
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"] = int(status.split()[0])
        answer["headers"] = dict(headers)

    with connection_kept():
        result = application(environ, start_response)
        try:
            body = b"".join(result)
        finally:
            result.close()
    return answer["status"], answer["headers"], body


class HeadRequestTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.institution, cls.partnership, cls.event = builders.public_records("odpowiadające na HEAD")
        superuser = get_user_model().objects.create_superuser("admin-head", password="x-Test-2026-x")
        cls.certificate = issue_partnership_certificate(cls.partnership, superuser, "Jan Testowy", "dyrektor")

    def setUp(self):
        media = tempfile.TemporaryDirectory()
        self.addCleanup(media.cleanup)
        self.enterContext(override_settings(MEDIA_ROOT=media.name))
        os.makedirs(os.path.join(media.name, "logos"))
        with open(os.path.join(media.name, "logos", "0123abcd.png"), "wb") as file:
            file.write(png_bytes())

    def page_urls(self) -> list[str]:
        code = self.certificate.verification_code
        return [
            "/",
            "/partnerstwa/",
            "/partnerstwa/?format=csv",
            "/partnerstwa/?format=json",
            "/instytucje/",
            "/wydarzenia/",
            self.partnership.get_absolute_url(),
            self.institution.get_absolute_url(),
            self.event.get_absolute_url(),
            "/powiaty/",
            "/powiaty/1465/",
            "/deklaracja-dostepnosci/",
            "/sitemap.xml",
            *(f"/sitemap-{section}.xml" for section in SITEMAPS),
            f"/certyfikaty/{code}/",
            f"/certyfikaty/{code}/pdf/",
            "/media/logos/0123abcd.png",
            "/healthz",
        ]

    def assert_head_is_get_without_the_body(self, application, url: str) -> None:
        get_status, get_headers, get_body = wsgi_request(application, "GET", url)
        head_status, head_headers, head_body = wsgi_request(application, "HEAD", url)
        self.assertEqual(get_status, 200)
        self.assertNotEqual(get_body, b"")
        self.assertEqual(head_status, get_status)
        self.assertEqual(head_headers.keys(), get_headers.keys())
        for name in get_headers.keys() - PER_REQUEST_HEADERS:
            self.assertEqual(head_headers[name], get_headers[name], name)
        self.assertEqual(head_body, b"")
        if "Content-Length" in get_headers:
            self.assertEqual(int(get_headers["Content-Length"]), len(get_body))

    def test_every_page_answers_head_with_the_status_and_headers_of_get_and_no_body(self):
        application = WSGIHandler()
        for url in self.page_urls():
            with self.subTest(url):
                self.assert_head_is_get_without_the_body(application, url)

    @override_settings(CACHES=local_cache("head-tests"), PAGE_CACHE=True)
    def test_a_head_answered_from_the_page_cache_is_get_without_the_body(self):
        cache.clear()
        self.addCleanup(cache.clear)
        application = WSGIHandler()
        for url in self.page_urls():
            with self.subTest(url):
                self.assert_head_is_get_without_the_body(application, url)

    def test_the_sitemap_like_every_page_refuses_methods_other_than_get_and_head(self):
        for url in ("/", "/sitemap.xml", "/sitemap-partnerships.xml"):
            with self.subTest(url):
                response = self.client.options(url)
                self.assertEqual(response.status_code, 405)
                self.assertEqual(response["Allow"], "GET, HEAD")
