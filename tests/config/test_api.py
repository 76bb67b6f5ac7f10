"""The read-only API (/api/v1/): what a researcher's script relies on, and what must never leak.

Its schema is fuzzed apart (test_api_schema.py); here: private fields absent from every
endpoint, the same rows as the page and the CSV for the same filter, 304 on a repeat and a
fresh 200 after a change, a fixed number of queries per list page, 429 with Retry-After, CORS,
JSON errors in Polish and English, HEAD and OPTIONS, bad input refused with a 400.
"""

import base64
import csv
import datetime
import io
import json
import time

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection, transaction
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext

from core import cache as registry_cache
from events.models import Patron, Speaker
from partnerships.certificates import issue_partnership_certificate
from partnerships.models import Agreement, Certificate, Membership, Partnership, Signatory
from tests import builders
from tests.builders import local_cache
from tests.members.test_private_data import MARKERS, notes_fields

LIST_ENDPOINTS = (
    "/api/v1/partnerstwa/",
    "/api/v1/instytucje/",
    "/api/v1/wydarzenia/",
    "/api/v1/projekty/",
    "/api/v1/wojewodztwa/",
    "/api/v1/powiaty/",
    "/api/v1/gminy/",
)


def every_row(client, url: str) -> list[dict]:
    """Every row of a list, following its ``next`` addresses (the site's address stripped)."""
    rows = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, (url, response.content[:300])
        body = response.json()
        rows += body["results"]
        url = body["next"].split("127.0.0.1:8000", 1)[-1] if body["next"] else None
    return rows


class PrivateFieldsTests(TestCase):
    """The marker test of the pages (tests/members/test_private_data.py), on every endpoint."""

    @classmethod
    def setUpTestData(cls):
        builders.load_territory()
        cls.institution = builders.institution("Ośrodek z markerem", commune="1465011")
        cls.person = builders.person(cls.institution, function="dyrektor", **MARKERS)
        cls.partnership = builders.partnership("Partnerstwo z markerem", counties=["1465"], members=[cls.institution])
        Membership.objects.update(represented_by=cls.person)
        agreement = Agreement.objects.create(
            partnership=cls.partnership, title="Porozumienie", signed_on=datetime.date(2014, 1, 1)
        )
        Signatory.objects.create(agreement=agreement, person=cls.person, institution=cls.institution)
        cls.event = builders.event("Wydarzenie z markerem", commune="1465011", start_date=datetime.date(2014, 1, 1))
        Speaker.objects.create(event=cls.event, person=cls.person)
        Patron.objects.create(event=cls.event, person=cls.person, honorary_title="patron")
        cls.partnership.events.add(cls.event)
        cls.notes_markers = []
        for model, field in notes_fields():
            marker = f"MARKER-NOTATKI-{model.__name__}-{field.name}".upper()
            model._default_manager.update(**{field.name: marker})
            cls.notes_markers.append(marker)
        superuser = get_user_model().objects.create_superuser("administrator", password="hasło-testowe-długie")
        cls.certificate = issue_partnership_certificate(cls.partnership, superuser, "Dyrektor testowy", "dyrektor")
        cls.project = cls.event.project = builders.Project.objects.create(name="Projekt z markerem")
        cls.event.save()

    def urls(self) -> list[str]:
        return [
            *LIST_ENDPOINTS,
            f"/api/v1/partnerstwa/{self.partnership.slug}/",
            f"/api/v1/instytucje/{self.institution.slug}/",
            f"/api/v1/wydarzenia/{self.event.slug}/",
            f"/api/v1/projekty/{self.project.slug}/",
            "/api/v1/wojewodztwa/14/",
            "/api/v1/powiaty/1465/",
            "/api/v1/gminy/1465011/",
            f"/api/v1/certyfikaty/{self.certificate.verification_code}/",
            "/api/v1/partnerstwa/?q=marker-prywatny",
        ]

    def test_no_endpoint_shows_a_private_field_of_any_model(self):
        self.assertEqual(len(self.notes_markers), 3)  # Person, Membership and Agreement notes
        for url in self.urls():
            with self.subTest(url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                for marker in [*MARKERS.values(), *self.notes_markers]:
                    self.assertNotIn(marker.encode(), response.content)
                # The verification code proves possession of the paper: never in a list or record.
                if "certyfikaty" not in url:
                    self.assertNotIn(self.certificate.verification_code.encode(), response.content)

    def test_the_public_name_and_function_of_a_person_are_shown(self):
        body = self.client.get(f"/api/v1/wydarzenia/{self.event.slug}/").json()
        self.assertEqual(body["people"][0]["function"], "dyrektor")
        self.assertIn(self.person.last_name, body["people"][0]["name"])

    def test_a_published_verification_address_is_shown_and_an_unpublished_one_is_not(self):
        url = f"/api/v1/partnerstwa/{self.partnership.slug}/"
        self.assertIsNone(self.client.get(url).json()["certificates"][0]["verification_url"])
        Certificate.objects.filter(pk=self.certificate.pk).update(verification_published=True)
        certificate = self.client.get(url).json()["certificates"][0]
        self.assertEqual(certificate["verification_url"], self.certificate.public_url)
        self.assertEqual((certificate["number"], certificate["status"]), (self.certificate.number, "valid"))


class SameRowsTests(TestCase):
    """One FilterSet and one definition of "public": the API, the page and the CSV agree."""

    @classmethod
    def setUpTestData(cls):
        builders.load_territory()
        warsaw = builders.institution("Ośrodek warszawski", commune="1465011")
        wroclaw = builders.institution("Ośrodek wrocławski", commune="0264011", kind="gops")
        builders.partnership("Partnerstwo w Warszawie", counties=["1465"], members=[warsaw], status="active")
        builders.partnership("Partnerstwo we Wrocławiu", region="02", communes=["0264011"], members=[wroclaw])
        builders.partnership("Partnerstwo ostrowskie", counties=["1416"])
        builders.event("Konferencja warszawska", commune="1465011", start_date=datetime.date(2014, 5, 1))
        builders.event("Seminarium wrocławskie", commune="0264011", start_date=datetime.date(2015, 5, 1))

    def csv_slugs(self, url: str) -> set[str]:
        response = self.client.get(url)
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        return {row["slug"] for row in csv.DictReader(io.StringIO(text), delimiter=";")}

    def test_the_same_filter_gives_the_same_rows(self):
        cases = [
            ("partnerstwa", "wojewodztwo=14"),
            ("partnerstwa", "powiat=1465"),
            ("partnerstwa", "gmina=0264011"),
            ("partnerstwa", "q=warszaw"),
            ("partnerstwa", "status=active"),
            ("partnerstwa", "rodzaj_czlonka=gops"),
            ("instytucje", "wojewodztwo=02"),
            ("instytucje", "rodzaj=mops"),
            ("wydarzenia", "rok=2014"),
            ("wydarzenia", "powiat=0264"),
        ]
        for path, query in cases:
            with self.subTest(path=path, query=query):
                api = {row["slug"] for row in every_row(self.client, f"/api/v1/{path}/?{query}&page_size=1")}
                exported = self.csv_slugs(f"/{path}/?{query}&format=csv")
                page = self.client.get(f"/{path}/?{query}").content.decode()
                self.assertTrue(api, "a filter that selects nothing proves nothing")
                self.assertEqual(api, exported)
                for slug in api:
                    self.assertIn(f"/{path}/{slug}/", page)
                # And the filter did filter: not every row.
                self.assertLess(len(api), len(every_row(self.client, f"/api/v1/{path}/")))


    def test_the_certificate_filter_takes_yes_no_or_all_and_refuses_anything_else(self):
        page = self.client.get("/partnerstwa/").content.decode()
        # "(all)" first, and so chosen: a form sent unchanged filters nothing.
        self.assertIn('<select name="certyfikat" id="id_certyfikat"><option value="" selected>', page)
        self.assertEqual(len(every_row(self.client, "/api/v1/partnerstwa/?certyfikat=")), 3)
        self.assertEqual(every_row(self.client, "/api/v1/partnerstwa/?certyfikat=true"), [])
        self.assertEqual(len(every_row(self.client, "/api/v1/partnerstwa/?certyfikat=false")), 3)
        self.assertEqual(self.client.get("/api/v1/partnerstwa/?certyfikat=1").status_code, 400)


class QueryCountTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        builders.load_territory()

    def add_rows(self, count: int) -> None:
        for _ in range(count):
            member = builders.institution(commune="1465011")
            other = builders.institution(commune="1465011", kind="school")
            partnership = builders.partnership(counties=["1465"], communes=["1465011"], members=[member, other])
            event = builders.event(commune="1465011", start_date="2014-12-11")
            event.organisers.add(member)
            Speaker.objects.create(event=event, person=builders.person(member))
            partnership.events.add(event)

    def queries(self, url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        return len(queries)

    def test_a_list_page_costs_the_same_queries_at_few_and_at_many_rows(self):
        urls = [f"{url}?page_size=100" for url in LIST_ENDPOINTS] + ["/api/v1/partnerstwa/?powiat=1465&page_size=100"]
        self.add_rows(3)
        few = {url: self.queries(url) for url in urls}
        self.add_rows(30)
        many = {url: self.queries(url) for url in urls}
        self.assertEqual(many, few)
        # The partnerships with members, area, terms, certificates and sources: ten queries, and
        # the FilterSet's five sets of choices (which the cache keeps per data generation; the
        # tests' cache keeps nothing).
        self.assertLessEqual(few["/api/v1/partnerstwa/?page_size=100"], 15)


@override_settings(CACHES=local_cache("api-tests"))
class ConditionalRequestTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        builders.load_territory()
        cls.partnership = builders.partnership("Partnerstwo warunkowe", counties=["1465"])

    def setUp(self):
        cache.clear()
        self.addCleanup(cache.clear)

    def test_a_repeat_with_the_etag_is_304_without_a_query_and_a_change_gives_a_fresh_200(self):
        for url in ("/api/v1/partnerstwa/", f"/api/v1/partnerstwa/{self.partnership.slug}/", "/api/v1/gminy/"):
            with self.subTest(url):
                first = self.client.get(url)
                self.assertEqual(first.status_code, 200)
                tag = first["ETag"]
                with self.assertNumQueries(0):
                    repeat = self.client.get(url, headers={"if-none-match": tag})
                self.assertEqual(repeat.status_code, 304)
                self.assertEqual(repeat["ETag"], tag)
                self.assertEqual(repeat.content, b"")
                with self.captureOnCommitCallbacks(execute=True), transaction.atomic():
                    Partnership.objects.get(pk=self.partnership.pk).save()
                fresh = self.client.get(url, headers={"if-none-match": tag})
                self.assertEqual(fresh.status_code, 200)
                self.assertNotEqual(fresh["ETag"], tag)

    def test_each_page_and_filter_has_its_own_etag(self):
        tags = {self.client.get(url)["ETag"] for url in ("/api/v1/partnerstwa/", "/api/v1/partnerstwa/?powiat=1465")}
        self.assertEqual(len(tags), 2)

    def test_if_modified_since_the_generation_began_is_304_and_before_it_200(self):
        started = time.time() - 60
        cache.set(registry_cache.GENERATION_KEY, f"{started:.6f}-test", timeout=None)
        response = self.client.get("/api/v1/partnerstwa/")
        self.assertIn("Last-Modified", response)
        since = response["Last-Modified"]
        self.assertEqual(self.client.get("/api/v1/partnerstwa/", headers={"if-modified-since": since}).status_code, 304)
        earlier = "Sat, 01 Jan 2000 00:00:00 GMT"
        self.assertEqual(
            self.client.get("/api/v1/partnerstwa/", headers={"if-modified-since": earlier}).status_code, 200
        )

    def test_a_generation_younger_than_a_second_gives_no_date_to_compare(self):
        cache.set(registry_cache.GENERATION_KEY, f"{time.time():.6f}-test", timeout=None)
        response = self.client.get("/api/v1/partnerstwa/")
        self.assertIn("ETag", response)
        self.assertNotIn("Last-Modified", response)

    @override_settings(PAGE_CACHE=True)
    def test_the_page_cache_never_serves_an_api_answer(self):
        url = f"/api/v1/partnerstwa/{self.partnership.slug}/"
        self.assertNotIn("X-Page-Cache", self.client.get(url))
        self.assertNotIn("X-Page-Cache", self.client.get(url))
        Partnership.objects.filter(pk=self.partnership.pk).update(name="Nowa nazwa")
        self.assertEqual(self.client.get(url).json()["name"], "Nowa nazwa")


class ThrottleTests(TestCase):
    @override_settings(CACHES=local_cache("api-throttle"), API_REQUESTS_PER_MINUTE=2)
    def test_over_the_limit_an_address_gets_429_with_retry_after_and_another_address_does_not(self):
        cache.clear()
        self.addCleanup(cache.clear)
        for _ in range(2):
            self.assertEqual(self.client.get("/api/v1/wojewodztwa/").status_code, 200)
        refused = self.client.get("/api/v1/wojewodztwa/")
        self.assertEqual(refused.status_code, 429)
        seconds = int(refused["Retry-After"])
        self.assertTrue(1 <= seconds <= 60)
        message = refused.json()["message"]
        self.assertIn(str(seconds), message["pl"])
        self.assertIn(str(seconds), message["en"])
        self.assertNotEqual(message["pl"], message["en"])
        self.assertEqual(self.client.get("/api/v1/wojewodztwa/", REMOTE_ADDR="10.0.0.9").status_code, 200)


class ProtocolTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        builders.load_territory()
        cls.partnership = builders.partnership("Partnerstwo protokołu", counties=["1465"])

    def test_cors_lets_any_origin_read_the_api_and_nothing_else(self):
        response = self.client.get("/api/v1/partnerstwa/", headers={"origin": "https://example.org"})
        self.assertEqual(response["Access-Control-Allow-Origin"], "*")
        self.assertIn("ETag", response["Access-Control-Expose-Headers"])
        preflight = self.client.options(
            "/api/v1/partnerstwa/",
            headers={"origin": "https://example.org", "access-control-request-method": "GET"},
        )
        self.assertEqual(preflight.status_code, 200)
        self.assertEqual(preflight["Access-Control-Allow-Origin"], "*")
        self.assertNotIn("POST", preflight["Access-Control-Allow-Methods"])
        page = self.client.get("/partnerstwa/", headers={"origin": "https://example.org"})
        self.assertNotIn("Access-Control-Allow-Origin", page)

    @override_settings(CACHES=local_cache("api-head"))
    def test_head_answers_get_without_the_body_and_options_describes_the_endpoint(self):
        get = self.client.get("/api/v1/partnerstwa/")
        head = self.client.head("/api/v1/partnerstwa/")
        self.assertEqual(head.status_code, 200)
        self.assertEqual(head.content, b"")
        self.assertEqual(head["ETag"], get["ETag"])
        self.assertEqual(head["Content-Length"], get["Content-Length"])
        options = self.client.options("/api/v1/partnerstwa/")
        self.assertEqual(options.status_code, 200)
        self.assertIn("GET", options["Allow"])
        self.assertNotIn("POST", options["Allow"])

    def test_every_answer_links_the_licence_and_a_list_carries_it_with_the_source_credit(self):
        response = self.client.get("/api/v1/partnerstwa/")
        self.assertIn('<https://creativecommons.org/licenses/by/4.0/>; rel="license"', response["Link"])
        meta = response.json()["meta"]
        self.assertEqual(meta["licence"]["name"], "CC BY 4.0")
        self.assertIn("Rejestr Partnerstw Lokalnych", meta["attribution"]["pl"])
        self.assertIn("GUS", meta["territory"]["en"])
        self.assertIn("licenses/by/4.0", self.client.get("/api/v1/powiaty/1465/")["Link"])

    def test_the_root_lists_every_list_on_the_sites_address(self):
        root = self.client.get("/api/v1/", HTTP_HOST="localhost").json()
        self.assertEqual({f"http://127.0.0.1:8000{url}" for url in LIST_ENDPOINTS}, set(root.values()))
        listed = self.client.get("/api/v1/partnerstwa/?page_size=1", HTTP_HOST="localhost").json()
        self.assertIsNone(listed["next"])
        builders.partnership("Drugie partnerstwo", counties=["1465"])
        listed = self.client.get("/api/v1/partnerstwa/?page_size=1", HTTP_HOST="localhost").json()
        self.assertTrue(listed["next"].startswith("http://127.0.0.1:8000/api/v1/partnerstwa/?cursor="))

    def test_every_record_links_its_public_page_by_its_stable_identifier(self):
        body = self.client.get(f"/api/v1/partnerstwa/{self.partnership.slug}/").json()
        self.assertEqual(body["url"], "http://127.0.0.1:8000" + self.partnership.get_absolute_url())
        self.assertEqual(body["area_counties"], ["1465"])
        self.assertEqual(self.client.get("/api/v1/powiaty/1465/").json()["url"], "http://127.0.0.1:8000/powiaty/1465/")

    def test_errors_are_json_in_polish_and_english(self):
        cases = [
            ("get", "/api/v1/partnerstwa/nie-ma-takiego/", 404),
            ("get", "/api/v1/nie-ma-takiego-adresu/", 404),
            ("get", "/api/jakis/adres", 404),
            ("get", "/api/v1/powiaty/99/", 404),
            ("post", "/api/v1/partnerstwa/", 405),
            ("delete", f"/api/v1/partnerstwa/{self.partnership.slug}/", 405),
            ("get", "/api/v1/partnerstwa/?nieznany=1", 400),
        ]
        for method, url, status in cases:
            with self.subTest(method=method, url=url):
                response = getattr(self.client, method)(url)
                self.assertEqual(response.status_code, status)
                self.assertEqual(response["Content-Type"], "application/json")
                message = response.json()["message"]
                self.assertTrue(message["pl"] and message["en"])
                self.assertNotEqual(message["pl"], message["en"])
        self.assertEqual(Partnership.objects.count(), 1)

    def test_the_schema_and_the_docs_page_are_served_from_our_own_files(self):
        schema = self.client.get("/api/v1/schema/")
        self.assertEqual(schema.status_code, 200)
        paths = json.loads(schema.content)["paths"]
        self.assertIn("/api/v1/partnerstwa/{slug}/", paths)
        docs = self.client.get("/api/v1/docs/")
        self.assertEqual(docs.status_code, 200)
        html = docs.content.decode()
        self.assertIn("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js", html)
        # No inline script or style: the page runs under the site's Content-Security-Policy.
        self.assertNotIn("<script>", html)
        self.assertNotIn("<style", html)
        self.assertNotIn("http://cdn", html)
        self.assertNotIn("https://", html.replace('href="https://creativecommons', ""))
        self.assertIn("script-src 'self'", docs["Content-Security-Policy"])
        script = self.client.get("/api/v1/docs/?script=")
        self.assertEqual(script["Content-Type"], "application/javascript")
        self.assertIn("/api/v1/schema/", script.content.decode())
        self.assertNotIn("Set-Cookie", docs)


class CertificateVerificationTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        builders.load_territory()
        member = builders.institution("Ośrodek certyfikowany", commune="1465011")
        cls.partnership = builders.partnership("Partnerstwo certyfikowane", counties=["1465"], members=[member])
        superuser = get_user_model().objects.create_superuser("administrator", password="hasło-testowe-długie")
        cls.certificate = issue_partnership_certificate(cls.partnership, superuser, "Dyrektor testowy", "dyrektor")

    def test_a_code_verifies_its_certificate_and_counts_as_a_verification(self):
        url = f"/api/v1/certyfikaty/{self.certificate.verification_code.upper()}/"
        body = self.client.get(url).json()
        self.assertEqual((body["number"], body["status"]), (self.certificate.number, "valid"))
        self.assertEqual(body["certified"]["partnership"]["name"], "Partnerstwo certyfikowane")
        self.assertEqual(body["certified"]["members"][0]["name"], "Ośrodek certyfikowany")
        self.assertEqual(body["url"], self.certificate.public_url)
        self.certificate.refresh_from_db()
        self.assertEqual(self.certificate.verification_count, 1)
        self.assertEqual(self.client.head(url).status_code, 200)
        self.certificate.refresh_from_db()
        self.assertEqual(self.certificate.verification_count, 1)
        self.assertIn("no-store", self.client.get(url)["Cache-Control"])

    def test_an_unknown_or_malformed_code_is_a_json_404(self):
        for code in ("a" * 26, "krotki", "zly%00kod0123456789", "x" * 100):
            with self.subTest(code):
                response = self.client.get(f"/api/v1/certyfikaty/{code}/")
                self.assertEqual(response.status_code, 404)
                self.assertIn("en", response.json()["message"])


class BadInputTests(TestCase):
    """Whatever is typed into the query string: a 400 with a JSON message, never a 500, nothing changed."""

    @classmethod
    def setUpTestData(cls):
        builders.load_territory()
        builders.partnership("Partnerstwo odporne", counties=["1465"])
        builders.institution("Ośrodek odporny", commune="1465011")
        builders.event("Wydarzenie odporne", commune="1465011")

    def assert_refused(self, url: str, parameter: str) -> None:
        response = self.client.get(url)
        self.assertEqual(response.status_code, 400, url[:200])
        body = response.json()
        self.assertTrue(body["message"]["pl"] and body["message"]["en"])
        self.assertIn(parameter, body["errors"])

    def test_unknown_parameters_are_refused_by_name(self):
        for url in LIST_ENDPOINTS:
            with self.subTest(url):
                self.assert_refused(f"{url}?nieznany=1", "nieznany")
        self.assert_refused("/api/v1/partnerstwa/?sortuj=nazwa", "sortuj")
        self.assert_refused("/api/v1/partnerstwa/?format=csv", "format")
        self.assert_refused("/api/v1/powiaty/1465/?wojewodztwo=14", "wojewodztwo")

    def test_every_filter_refuses_long_values_and_nul_bytes(self):
        from events.filters import EventFilterSet
        from members.filters import InstitutionFilterSet
        from partnerships.filters import PartnershipFilterSet

        lists = {
            "/api/v1/partnerstwa/": PartnershipFilterSet,
            "/api/v1/instytucje/": InstitutionFilterSet,
            "/api/v1/wydarzenia/": EventFilterSet,
        }
        for url, filterset in lists.items():
            for name in set(filterset.base_filters) - {"sortuj"}:
                for value in ("x" * 10_000, "a%00b", "%00", "9" * 5000):
                    with self.subTest(url=url, name=name, value=value[:10]):
                        response = self.client.get(f"{url}?{name}={value}")
                        self.assertIn(response.status_code, (200, 400))
                        if response.status_code == 400:
                            self.assertIn(name, response.json()["errors"])
                # A value no filter accepts (too long for every one of them) is always refused.
                self.assert_refused(f"{url}?{name}={'x' * 10_000}", name)

    def test_invalid_cursors_are_refused(self):
        def encoded(text: str) -> str:
            return base64.b64encode(text.encode()).decode()

        for cursor in ("xyz", "%00", encoded("p=abc"), encoded("p=1%00"), encoded("o=-5"), encoded("p=" + "9" * 40)):
            with self.subTest(cursor):
                self.assert_refused(f"/api/v1/partnerstwa/?cursor={cursor}", "cursor")
        self.assert_refused(f"/api/v1/gminy/?cursor={encoded('p=14%27--')}", "cursor")

    def test_page_sizes_out_of_range_are_refused(self):
        for size in ("-1", "0", "101", "1" + "0" * 30, "abc", "", "1.5", "%00", "１"):
            with self.subTest(size):
                self.assert_refused(f"/api/v1/instytucje/?page_size={size}", "page_size")
        self.assertEqual(len(self.client.get("/api/v1/instytucje/?page_size=100").json()["results"]), 1)
