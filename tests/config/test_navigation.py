"""The header's and footer's links (config.navigation): reversed once per language, the current
section marked per request, on every page whatever names the page's own context uses."""

from django.test import TestCase

from tests import builders


class NavigationTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        builders.public_records("Nawigacja")

    def test_the_current_section_is_marked_and_no_other(self):
        for path, current in (
            ("/partnerstwa/", "/partnerstwa/"),
            ("/powiaty/1465/", "/powiaty/"),
            ("/en/instytucje/", "/en/instytucje/"),
            ("/wydarzenia/", "/wydarzenia/"),
            ("/deklaracja-dostepnosci/", None),
        ):
            with self.subTest(path=path):
                html = self.client.get(path).content.decode()
                marked = [
                    part.split('"')[1]
                    for part in html.split("<a href=")[1:]
                    if 'aria-current="true"' in part.split(">")[0]
                ]
                self.assertEqual(marked, [current] if current else [])

    def test_the_links_are_in_the_pages_language_on_a_page_with_sections_of_its_own(self):
        # /statystyki/ gives its template "sections" of its own: the header is not confused by them.
        response = self.client.get("/en/statystyki/")
        for url, label in (
            ("/en/partnerstwa/", "Partnerships"),
            ("/en/powiaty/", "Counties"),
            ("/en/certyfikaty/", "Verify a certificate"),
            ("/en/deklaracja-dostepnosci/", "Accessibility statement"),
        ):
            self.assertContains(response, f'<a href="{url}">{label}</a>')
        response = self.client.get("/statystyki/")
        self.assertContains(response, '<a href="/partnerstwa/">Partnerstwa</a>')
        self.assertContains(response, '<a href="/dane/">Otwarte dane</a>')
        self.assertContains(response, '<a class="site-name" href="/">')
