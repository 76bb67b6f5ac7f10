"""The public pages for everyone, on any device: English at /en/ with the Polish addresses
unchanged, a language switch that keeps the page, record content marked as Polish, an icon,
an accessibility statement without setting names, and compressed pages where nothing secret is."""

import gzip
from html.parser import HTMLParser
from io import StringIO

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import TestCase, override_settings
from django.urls import translate_url
from django.utils import translation

from tests import builders
from tests.crawl import crawl


class EnglishAddressTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.member, cls.partnership, cls.event = builders.public_records("Testowe")

    def test_polish_stays_at_todays_addresses_and_english_is_under_en(self):
        for path in ("/", "/partnerstwa/", self.partnership.get_absolute_url(), "/powiaty/1465/", "/certyfikaty/"):
            with self.subTest(path=path):
                self.assertContains(self.client.get(path), '<html lang="pl">')
                english = self.client.get("/en" + path)
                self.assertContains(english, '<html lang="en">')
                self.assertEqual(english["Content-Language"], "en")

    def test_the_browser_language_does_not_choose_for_the_visitor(self):
        response = self.client.get("/partnerstwa/", headers={"accept-language": "en"})
        self.assertContains(response, '<html lang="pl">')

    def test_an_unknown_english_address_is_an_english_404(self):
        response = self.client.get("/en/nie-ma-takiej-strony/")
        self.assertEqual(response.status_code, 404)
        self.assertContains(response, '<html lang="en">', status_code=404)

    def test_the_switch_links_the_same_page_in_the_other_language_and_back(self):
        url = self.partnership.get_absolute_url()
        self.assertContains(self.client.get(url + "?utm=x"), f'<a href="/en{url}" lang="en" hreflang="en">English</a>')
        self.assertContains(self.client.get("/en" + url), f'<a href="{url}" lang="pl" hreflang="pl">Polski</a>')
        # The list's filters go along.
        self.assertContains(self.client.get("/partnerstwa/?q=test"), 'href="/en/partnerstwa/?q=test"')

    def test_the_links_are_those_djangos_translate_url_gives(self):
        # The switch reverses the request's own match instead of resolving the address again;
        # Django's translate_url (and the home page where it finds nothing) is the reference.
        paths = [
            "/",
            "/partnerstwa/?q=test&sortuj=-czlonkowie",
            self.partnership.get_absolute_url(),
            self.event.get_absolute_url(),
            "/powiaty/1465/",
            "/en/powiaty/1465/",
            "/gminy/1465011/",
            "/en/certyfikaty/",
            "/nie-ma-takiej-strony/",
            "/en/nie-ma-takiej-strony/",
        ]
        for path in paths:
            with self.subTest(path=path):
                response = self.client.get(path)
                here = response.wsgi_request.get_full_path()
                current = "en" if path.startswith("/en/") else "pl"
                links = {code: url for code, _name, url, _current in response.context["language_links"]}
                for code in ("pl", "en"):
                    with translation.override(current):  # as the request resolved it
                        expected = translate_url(here, code)
                    if code != current and expected == here:
                        expected = "/en/" if code == "en" else "/"
                    self.assertEqual(links[code], expected)

    def test_each_page_names_both_addresses_for_search_engines(self):
        response = self.client.get("/powiaty/1465/")
        self.assertContains(response, '<link rel="alternate" hreflang="pl" href="http://127.0.0.1:8000/powiaty/1465/">')
        self.assertContains(
            response, '<link rel="alternate" hreflang="en" href="http://127.0.0.1:8000/en/powiaty/1465/">'
        )

    def test_the_sitemap_gives_each_page_its_english_address(self):
        response = self.client.get("/sitemap-partnerships.xml")
        url = self.partnership.get_absolute_url()
        self.assertContains(response, f'<xhtml:link rel="alternate" hreflang="pl" href="http://127.0.0.1:8000{url}"/>')
        self.assertContains(
            response, f'<xhtml:link rel="alternate" hreflang="en" href="http://127.0.0.1:8000/en{url}"/>'
        )
        self.assertEqual(self.client.get(f"/en{url}").status_code, 200)

    def test_record_content_on_english_pages_is_marked_polish(self):
        response = self.client.get("/en" + self.partnership.get_absolute_url())
        self.assertContains(response, f'<h1 lang="pl">{self.partnership.name}</h1>', html=True)
        self.assertContains(response, f'lang="pl">{self.member.name}</a>')
        listing = self.client.get("/en/partnerstwa/")
        self.assertContains(listing, f'lang="pl">{self.partnership.name}</a>')

    def test_descending_sort_labels_are_translated(self):
        self.assertContains(self.client.get("/en/partnerstwa/"), "name (descending)")
        self.assertNotContains(self.client.get("/en/partnerstwa/"), "malejąco")
        self.assertContains(self.client.get("/partnerstwa/"), "nazwa (malejąco)")

    def test_the_page_cache_keeps_one_copy_per_language(self):
        with override_settings(
            CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "devices"}},
            PAGE_CACHE=True,
        ):
            self.assertContains(self.client.get("/en/partnerstwa/"), '<html lang="en">')
            self.assertContains(self.client.get("/partnerstwa/"), '<html lang="pl">')
            self.assertEqual(self.client.get("/partnerstwa/")["X-Page-Cache"], "hit")
            self.assertContains(self.client.get("/en/partnerstwa/"), '<html lang="en">')


class IconAndStatementTests(TestCase):
    def test_every_page_links_an_icon_that_exists(self):
        response = self.client.get("/")
        self.assertContains(response, '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">')
        redirect = self.client.get("/favicon.ico")
        self.assertEqual(redirect.status_code, 301)
        self.assertEqual(redirect["Location"], "/static/favicon.ico")

    @override_settings(CONTACT_EMAIL="", CONTACT_PHONE="", CONTACT_NAME="")
    def test_the_statement_never_shows_setting_names(self):
        response = self.client.get("/deklaracja-dostepnosci/")
        for name in ("CONTACT_EMAIL", "CONTACT_PHONE", "SITE_OPERATOR", "settings"):
            self.assertNotContains(response, name)
        self.assertContains(response, "regionalnym ośrodkiem polityki społecznej")

    @override_settings(CONTACT_EMAIL="dostepnosc@example.org", CONTACT_PHONE="")
    def test_the_statement_gives_the_contact_when_set(self):
        self.assertContains(self.client.get("/deklaracja-dostepnosci/"), 'href="mailto:dostepnosc@example.org"')

    def test_the_statement_says_how_pages_are_checked_on_phones(self):
        response = self.client.get("/deklaracja-dostepnosci/")
        self.assertContains(response, "320")
        self.assertNotContains(response, "w pełni zgodna")


class CompressionTests(TestCase):
    GZIP = {"accept-encoding": "gzip"}

    @classmethod
    def setUpTestData(cls):
        builders.public_records("Skompresowane")

    def test_public_pages_are_compressed_for_browsers_that_accept_it(self):
        for path in ("/", "/partnerstwa/", "/en/partnerstwa/", "/powiaty/"):
            with self.subTest(path=path):
                response = self.client.get(path, headers=self.GZIP)
                self.assertEqual(response["Content-Encoding"], "gzip")
                self.assertIn(b"<html", gzip.decompress(response.content))
                self.assertIn("Accept-Encoding", response["Vary"])

    def test_nothing_with_a_secret_is_compressed(self):
        # The login form carries a CSRF token.
        login = self.client.get("/admin/login/", headers=self.GZIP)
        self.assertContains(login, "csrfmiddlewaretoken")
        self.assertFalse(login.has_header("Content-Encoding"))
        # Staff get no compressed page at all, a public one included.
        user = get_user_model().objects.create_superuser("administrator", password="hasło-testowe-3")
        self.client.force_login(user)
        self.assertFalse(self.client.get("/partnerstwa/", headers=self.GZIP).has_header("Content-Encoding"))
        self.assertFalse(self.client.get("/admin/", headers=self.GZIP).has_header("Content-Encoding"))

    def test_without_accept_encoding_the_page_is_plain(self):
        self.assertFalse(self.client.get("/").has_header("Content-Encoding"))


class _UnlabelledCells(HTMLParser):
    """The data cells of the page's tables (``table.table``) that name no column (data-label):
    on a phone each such table becomes rows of "column: value", and an unlabelled value is a
    bare number."""

    def __init__(self):
        super().__init__()
        self.depth, self.found = 0, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self.depth += 1 if self.depth or "table" in (attrs.get("class") or "").split() else 0
        elif tag == "td" and self.depth and not (attrs.get("data-label") or "").strip():
            self.found.append(self.getpos())

    def handle_endtag(self, tag):
        if tag == "table" and self.depth:
            self.depth -= 1


class LabelledCellsTests(TestCase):
    def test_every_table_cell_of_every_public_page_names_its_column(self):
        call_command("load_demo", stdout=StringIO())
        pages = crawl(self.client, ["/", "/sitemap.xml", "/en/", "/statystyki/?wojewodztwo=14"], limit=400)
        self.assertGreater(len(pages), 100)
        for url, content in pages.items():
            if b"<table" not in content:
                continue
            parser = _UnlabelledCells()
            parser.feed(content.decode("utf-8", "replace"))
            with self.subTest(url=url):
                self.assertEqual(parser.found, [], "cells without data-label (line, column)")
