"""The page cache for visitors: a second visit costs no query, and every change to a record —
through the admin, a model save, a relation, a bulk import — is seen on the next visit."""

import datetime
import re
import secrets
import tempfile
from io import StringIO
from pathlib import Path
from unittest import mock

from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import path

from config.sitemaps import SITEMAPS, PartnershipSitemap
from core import cache as registry_cache
from core.page_cache import cacheable
from events.models import Event
from members.models import Institution
from partnerships.models import Membership, Partnership, TargetGroup
from territory.models import Commune, County
from tests import builders
from tests.builders import AdminTestCase, admin_url, form_data, local_cache

LOCAL_CACHE = local_cache("page-cache-tests")


@override_settings(CACHES=LOCAL_CACHE, PAGE_CACHE=True)
class PageCacheTestCase(TestCase):
    def setUp(self):
        cache.clear()
        self.addCleanup(cache.clear)

    def visit(self, url: str, **extra):
        response = self.client.get(url, **extra)
        self.assertEqual(response.status_code, 200, url)
        return response

    def change(self, action):
        """Run ``action`` as a transaction of its own that commits: its on-commit callbacks run."""
        with self.captureOnCommitCallbacks(execute=True), transaction.atomic():
            action()


class PublicPageCacheTests(PageCacheTestCase):
    @classmethod
    def setUpTestData(cls):
        builders.load_territory()
        cls.member = builders.institution("Ośrodek w pamięci podręcznej", commune="1465011")
        cls.partnership = builders.partnership("Partnerstwo przed zmianą", counties=["1465"], members=[cls.member])
        cls.event = builders.event("Wydarzenie w pamięci", commune="1465011", start_date=datetime.date(2014, 1, 1))

    def test_a_second_visit_is_served_without_a_query(self):
        for url in (
            "/",
            "/partnerstwa/",
            "/partnerstwa/?q=zmiana",
            self.partnership.get_absolute_url(),
            "/powiaty/1465/",
        ):
            with self.subTest(url):
                self.assertEqual(self.visit(url)["X-Page-Cache"], "miss")
                with CaptureQueriesContext(connection) as queries:
                    response = self.visit(url)
                self.assertEqual(response["X-Page-Cache"], "hit")
                self.assertEqual(len(queries), 0)
                # The security headers are on a cached page too.
                self.assertIn("script-src 'self'", response["Content-Security-Policy"])

    def test_a_saved_record_is_seen_on_every_page_that_shows_it(self):
        urls = [
            "/partnerstwa/",
            self.partnership.get_absolute_url(),
            "/powiaty/1465/",
            self.member.get_absolute_url(),
        ]
        for url in urls:
            self.assertContains(self.visit(url), "Partnerstwo przed zmianą")

        def rename():
            self.partnership.name = "Partnerstwo po zmianie"
            self.partnership.save()

        self.change(rename)
        for url in urls:
            with self.subTest(url):
                response = self.visit(url)
                self.assertContains(response, "Partnerstwo po zmianie")
                self.assertNotContains(response, "Partnerstwo przed zmianą")

    def test_new_deleted_and_related_records_are_seen(self):
        self.assertContains(self.visit("/instytucje/"), "Ośrodek w pamięci podręcznej")
        self.visit("/wydarzenia/")
        self.visit("/powiaty/1416/")
        self.visit(self.partnership.get_absolute_url())

        self.change(lambda: builders.institution("Ośrodek dodany później", commune="1465011"))
        self.assertContains(self.visit("/instytucje/"), "Ośrodek dodany później")

        self.change(lambda: Event.objects.filter(pk=self.event.pk).delete())
        self.assertNotContains(self.visit("/wydarzenia/"), "Wydarzenie w pamięci")

        self.change(lambda: self.partnership.area_counties.add("1416"))
        self.assertContains(self.visit("/powiaty/1416/"), "Partnerstwo przed zmianą")

        other = builders.institution("Sąd dołączony później", commune="1465011")
        self.change(lambda: Membership.objects.create(partnership=self.partnership, institution=other))
        self.assertContains(self.visit(self.partnership.get_absolute_url()), "Sąd dołączony później")

    def test_a_bulk_import_of_the_register_is_seen(self):
        self.assertContains(self.visit("/powiaty/"), "warszawski zachodni")

        def rename_in_bulk():
            Commune.objects.filter(pk="1465011").update(name="Warszawa")  # no signal of its own
            registry_cache.records_changed.send(sender=Commune)

        before = self.visit("/powiaty/1465/")["X-Page-Cache"]
        self.change(rename_in_bulk)
        self.assertEqual((before, self.visit("/powiaty/1465/")["X-Page-Cache"]), ("miss", "miss"))

    def test_a_change_that_is_rolled_back_keeps_the_cache(self):
        self.visit("/partnerstwa/")
        generation = registry_cache.generation()
        try:
            with transaction.atomic():
                Partnership.objects.filter(pk=self.partnership.pk).update(name="Nigdy nie zapisane")
                self.partnership.save()
                raise RuntimeError
        except RuntimeError:
            pass
        self.assertEqual(registry_cache.generation(), generation)
        self.assertEqual(self.visit("/partnerstwa/")["X-Page-Cache"], "hit")

    def test_one_transaction_writing_many_rows_starts_one_generation(self):
        with (
            mock.patch.object(registry_cache, "_replace_generation", wraps=registry_cache._replace_generation) as spy,
            self.captureOnCommitCallbacks(execute=True),
            transaction.atomic(),
        ):
            for number in range(20):
                builders.institution(f"Instytucja hurtowa {number}", commune="1465011")
        self.assertEqual(spy.call_count, 1)

    def test_each_language_has_its_own_copy(self):
        self.assertContains(self.visit("/partnerstwa/"), '<html lang="pl">')
        self.assertContains(self.visit("/en/partnerstwa/"), '<html lang="en">')
        # The Polish copy is still Polish after the English one was stored.
        self.assertContains(self.visit("/partnerstwa/"), '<html lang="pl">')

    def test_exports_verification_and_errors_are_never_stored(self):
        for url in ("/partnerstwa/?format=csv", "/partnerstwa/?format=json"):
            with self.subTest(url):
                self.visit(url)
                self.assertFalse(self.visit(url).has_header("X-Page-Cache"))
        self.assertEqual(self.client.get("/nie-ma-takiej-strony/").status_code, 404)
        self.assertFalse(self.client.get("/nie-ma-takiej-strony/").has_header("X-Page-Cache"))

    def test_counts_are_counted_once_per_generation_even_without_the_page_cache(self):
        with override_settings(PAGE_CACHE=False):
            self.visit("/partnerstwa/")
            with CaptureQueriesContext(connection) as queries:
                self.visit("/partnerstwa/")
            self.assertFalse(any("COUNT(" in q["sql"].upper() for q in queries.captured_queries))
            self.change(lambda: builders.partnership("Partnerstwo policzone", counties=["1465"]))
            self.assertContains(self.visit("/partnerstwa/"), "Partnerstwo policzone")
            self.assertContains(self.visit("/"), '<a href="/partnerstwa/">2</a>')

    def test_the_home_map_is_rendered_once_per_generation_and_follows_every_change(self):
        with override_settings(PAGE_CACHE=False):
            self.visit("/")
            with CaptureQueriesContext(connection) as queries:
                first = self.visit("/")
            # The map is kept per generation: the powiats are not read again.
            self.assertFalse(any('FROM "territory_county"' in q["sql"] for q in queries.captured_queries))
            row = '<td class="num" data-label="Partnerstwa">{}</td>'
            self.assertContains(first, row.format(1))
            self.change(lambda: builders.partnership("Drugie w Warszawie", counties=["1465"]))
            self.assertContains(self.visit("/"), row.format(2))
            self.assertContains(self.visit("/en/"), "Partnerships by county")

    def test_what_a_partnership_page_shares_with_others_is_read_once_per_generation_and_follows_changes(self):
        # The powiats around its area, the centre that keeps it and the vocabularies' terms are
        # the same for many pages: read once per generation, and read again after a change.
        County.objects.filter(code="1465").update(outline="M1 1 2 1 2 2Z")
        registry_cache.records_changed.send(sender=County)
        url = self.partnership.get_absolute_url()
        with override_settings(PAGE_CACHE=False):
            self.visit(url)
            with CaptureQueriesContext(connection) as queries:
                self.visit(url)
            read = " ".join(q["sql"] for q in queries.captured_queries)
            self.assertNotIn('NOT ("territory_county"."outline" = \'\')', read)  # the powiats around
            self.assertNotIn('"members_institution"."kind" = \'rops\'', read)  # the keeping centre
            self.assertNotIn('FROM "partnerships_targetgroup"', read)
            self.assertNotContains(self.visit(url), "M5 5 6 5 6 6Z")

            county = County.objects.get(code="1465")
            county.outline = "M5 5 6 5 6 6Z"
            self.change(county.save)
            self.assertContains(self.visit(url), "M5 5 6 5 6 6Z")
            self.change(lambda: builders.institution("Regionalny Ośrodek w pamięci", kind=Institution.Kind.ROPS))
            self.assertContains(self.visit(url), "Regionalny Ośrodek w pamięci")
            group = TargetGroup.objects.order_by("pk").first()
            self.change(lambda: self.partnership.target_groups.add(group))
            self.assertContains(self.visit(url), group.name)

    def test_a_county_page_counts_its_communes_once_per_generation_and_follows_changes(self):
        url = "/powiaty/1465/"
        row = re.compile(
            r'<a href="/gminy/1465011/">[^<]*</a>.*?</th><td data-label="Partnerstwa">(\d+)</td>'
            r'<td data-label="Instytucje">(\d+)</td><td data-label="Wydarzenia">(\d+)</td>',
            re.S,
        )
        with override_settings(PAGE_CACHE=False):
            self.assertEqual(row.search(self.visit(url).content.decode()).groups(), ("1", "1", "1"))
            with CaptureQueriesContext(connection) as queries:
                self.visit(url)
            self.assertFalse(any("COUNT(" in q["sql"].upper() for q in queries.captured_queries))
            self.change(lambda: builders.institution("Drugi ośrodek w gminie", commune="1465011"))
            self.change(lambda: builders.partnership("Partnerstwo gminy", communes=["1465011"]))
            self.assertEqual(row.search(self.visit(url).content.decode()).groups(), ("2", "2", "1"))


@override_settings(CACHES=LOCAL_CACHE, PAGE_CACHE=True)
class StaffAndPageCacheTests(AdminTestCase):
    def setUp(self):
        cache.clear()
        self.addCleanup(cache.clear)

    def test_staff_never_get_nor_leave_a_cached_page(self):
        url = self.own_partnership.get_absolute_url()
        self.assertEqual(self.client.get(url)["X-Page-Cache"], "miss")
        self.client.force_login(self.staff)
        self.assertFalse(self.client.get(url).has_header("X-Page-Cache"))

    def test_a_save_in_the_admin_is_seen_by_visitors_at_once(self):
        visitor_url = self.own_partnership.get_absolute_url()
        self.assertContains(self.client.get(visitor_url), "Partnerstwo testowe mazowieckie")
        staff = self.client_class()
        staff.force_login(self.staff)
        change_url = admin_url(self.own_partnership, "change")
        data = form_data(staff.get(change_url))
        data["name"] = "Partnerstwo zmienione w panelu"
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(staff.post(change_url, data).status_code, 302)
        self.assertContains(self.client.get(visitor_url), "Partnerstwo zmienione w panelu")

    def test_a_staff_change_to_an_institution_reaches_the_partnership_page(self):
        self.assertContains(self.client.get(self.other_partnership.get_absolute_url()), "Instytucja testowa wrocławska")
        with self.captureOnCommitCallbacks(execute=True), transaction.atomic():
            institution = Institution.objects.get(pk=self.other_institution.pk)
            institution.name = "Instytucja przemianowana"
            institution.save()
        self.assertContains(self.client.get(self.other_partnership.get_absolute_url()), "Instytucja przemianowana")

    def test_the_register_import_command_starts_a_generation(self):
        generation = registry_cache.generation()
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "terc.csv"
            path.write_text(builders.SMALL_TERC, encoding="utf-8-sig")
            with self.captureOnCommitCallbacks(execute=True), transaction.atomic():
                call_command("import_teryt", str(path), stdout=StringIO())
        self.assertNotEqual(registry_cache.generation(), generation)


def plain_page(request):
    return HttpResponse("a page nobody declared cacheable")


@cacheable()
def declared_page(request):
    return HttpResponse("a page declared cacheable")


urlpatterns = [path("plain/", plain_page), path("declared/", declared_page)]

SITE_URL = "https://rejestr.example.org"
LOCATION = re.compile(r"<loc>([^<]*)</loc>")


@override_settings(SITE_URL=SITE_URL)
class HostHeaderTests(PageCacheTestCase):
    """Nothing a request says about the host reaches another visitor's page."""

    @classmethod
    def setUpTestData(cls):
        builders.public_records("w mapie witryny")

    def sitemap_urls(self) -> list[str]:
        return ["/sitemap.xml", *(f"/sitemap-{section}.xml" for section in SITEMAPS)]

    def test_a_disallowed_host_is_refused_on_a_cold_and_a_warm_cache_and_stores_nothing(self):
        for url in ("/", "/partnerstwa/", "/sitemap.xml", "/deklaracja-dostepnosci/"):
            with self.subTest(url):
                self.assertEqual(self.client.get(url, HTTP_HOST="evil.example").status_code, 400)
                self.assertEqual(self.visit(url)["X-Page-Cache"], "miss")
                self.assertEqual(self.client.get(url, HTTP_HOST="evil.example").status_code, 400)
                self.assertEqual(self.client.head(url, HTTP_HOST="evil.example:80").status_code, 400)
                self.assertEqual(self.visit(url)["X-Page-Cache"], "hit")

    def test_a_foreign_port_never_reaches_the_addresses_other_visitors_get(self):
        urls = [*self.sitemap_urls(), "/deklaracja-dostepnosci/", "/", "/partnerstwa/"]
        for url in urls:
            with self.subTest(url, visitor="foreign port"):
                response = self.visit(url, HTTP_HOST="127.0.0.1:6666")
                self.assertNotContains(response, "6666")
        for url in urls:
            with self.subTest(url, visitor="ordinary"):
                response = self.visit(url)
                self.assertEqual(response["X-Page-Cache"], "hit")
                self.assertNotContains(response, "6666")
                self.assertNotContains(response, "testserver")
        for url in self.sitemap_urls():
            with self.subTest(url, visitor="ordinary"):
                locations = LOCATION.findall(self.visit(url).content.decode())
                self.assertTrue(locations)
                for location in locations:
                    self.assertTrue(location.startswith(SITE_URL + "/"), location)
        self.assertContains(self.visit("/deklaracja-dostepnosci/"), f'<span id="a11y-url">{SITE_URL}</span>')

    def test_the_sitemap_index_names_every_page_of_a_section_from_site_url(self):
        with mock.patch.object(PartnershipSitemap, "limit", 1):
            second = []
            self.change(lambda: second.append(builders.partnership("Drugie w mapie witryny", counties=["1465"])))
            index = self.visit("/sitemap.xml", HTTP_HOST="127.0.0.1:6666")
            self.assertContains(index, f"<loc>{SITE_URL}/sitemap-partnerships.xml?p=2</loc>")
            self.assertNotContains(index, "?p=3")
            page = self.visit("/sitemap-partnerships.xml?p=2", HTTP_HOST="127.0.0.1:6666")
            self.assertEqual(LOCATION.findall(page.content.decode()), [SITE_URL + second[0].get_absolute_url()])

    def test_the_sitemap_index_is_computed_once_per_generation_and_follows_a_change(self):
        with override_settings(PAGE_CACHE=False), mock.patch.object(PartnershipSitemap, "limit", 1):
            self.assertNotContains(self.visit("/sitemap.xml"), "?p=")
            with self.assertNumQueries(0):
                self.visit("/sitemap.xml")
            self.change(lambda: builders.partnership("Drugie w indeksie", counties=["1465"]))
            self.assertContains(self.visit("/sitemap.xml"), f"<loc>{SITE_URL}/sitemap-partnerships.xml?p=2</loc>")


class CacheKeyTests(PageCacheTestCase):
    """A page is kept once per address that changes it: parameters it does not read and their
    order are not part of the address, nor is the method."""

    @classmethod
    def setUpTestData(cls):
        builders.load_territory()
        cls.partnership = builders.partnership("Partnerstwo klucza", counties=["1465"], status="active")

    def test_a_parameter_the_page_does_not_read_shares_the_entry_and_never_shows(self):
        first = self.visit("/partnerstwa/?utm_source=obcy")
        self.assertEqual(first["X-Page-Cache"], "miss")
        self.assertNotContains(first, "utm_source")
        second = self.visit("/partnerstwa/")
        self.assertEqual(second["X-Page-Cache"], "hit")
        self.assertNotContains(second, "utm_source")

    def test_parameters_in_another_order_share_one_entry(self):
        self.assertEqual(self.visit("/partnerstwa/?status=active&q=klucz")["X-Page-Cache"], "miss")
        response = self.visit("/partnerstwa/?q=klucz&status=active")
        self.assertEqual(response["X-Page-Cache"], "hit")
        self.assertContains(response, "Partnerstwo klucza")

    def test_a_flood_of_random_parameters_adds_no_entry(self):
        self.visit("/partnerstwa/")
        with mock.patch.object(cache, "set", wraps=cache.set) as stored:
            for number in range(50):
                name = secrets.token_hex(4)
                response = self.visit(f"/partnerstwa/?{name}={number}&x{number}=&{name}[]=1")
                self.assertEqual(response["X-Page-Cache"], "hit")
            # The one address among them that the page reads is the only new page stored.
            self.visit("/partnerstwa/?q=nowe&x=1")
        pages_stored = [call.args[0] for call in stored.call_args_list if call.args[0].startswith("page:")]
        self.assertEqual(len(pages_stored), 1)

    def test_another_value_of_a_parameter_the_page_reads_is_another_entry(self):
        self.assertEqual(self.visit("/partnerstwa/?q=klucz")["X-Page-Cache"], "miss")
        response = self.visit("/partnerstwa/?q=inne")
        self.assertEqual(response["X-Page-Cache"], "miss")
        self.assertNotContains(response, "Partnerstwo klucza")
        self.assertEqual(self.visit("/partnerstwa/?q=klucz&q=inne")["X-Page-Cache"], "miss")
        self.assertEqual(self.visit("/partnerstwa/?q=inne&q=klucz")["X-Page-Cache"], "miss")

    def test_head_and_get_share_one_entry(self):
        url = self.partnership.get_absolute_url()
        head = self.client.head(url)
        self.assertEqual((head.status_code, head["X-Page-Cache"]), (200, "miss"))
        get = self.visit(url)
        self.assertEqual(get["X-Page-Cache"], "hit")
        self.assertContains(get, "Partnerstwo klucza")
        self.assertEqual(int(get["Content-Length"]), len(get.content))
        self.assertEqual(self.client.head(url)["X-Page-Cache"], "hit")

    def test_an_export_address_is_never_answered_with_the_cached_list(self):
        self.visit("/partnerstwa/?status=active")
        for export_format, content_type in (("csv", "text/csv"), ("json", "application/json")):
            with self.subTest(export_format):
                response = self.visit(f"/partnerstwa/?status=active&format={export_format}")
                self.assertTrue(response["Content-Type"].startswith(content_type))
                self.assertFalse(response.has_header("X-Page-Cache"))

    @override_settings(ROOT_URLCONF=__name__)
    def test_a_view_not_declared_cacheable_is_never_cached(self):
        for _visit in range(2):
            self.assertFalse(self.visit("/plain/").has_header("X-Page-Cache"))
        self.assertEqual(self.visit("/declared/")["X-Page-Cache"], "miss")
        self.assertEqual(self.visit("/declared/")["X-Page-Cache"], "hit")
