"""Pages that gather several apps run a fixed number of queries, whatever the number of rows."""

from django.core.cache import cache
from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext

from events.models import Speaker
from territory.models import County
from tests import builders
from tests.builders import local_cache


def queries_of(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


class FixedQueryCountTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        builders.load_territory()
        County.objects.filter(code__in=["1465", "1432"]).update(outline="M1 1 2 1 2 2Z")

    def add_rows(self, count: int) -> None:
        for _ in range(count):
            member = builders.institution(commune="1465011")
            builders.partnership(counties=["1465"], communes=["1465011"], members=[member])
            builders.event(commune="1465011", start_date="2014-12-11")

    def test_home_county_list_and_county_page_at_5_and_at_50_rows(self):
        self.add_rows(5)
        at_5 = {url: queries_of(self.client, url) for url in ("/", "/powiaty/", "/powiaty/1465/")}
        self.add_rows(45)
        at_50 = {url: queries_of(self.client, url) for url in at_5}
        self.assertEqual(at_50, at_5)


@override_settings(CACHES=local_cache("record-page-query-tests"))
class RecordPageQueryCountTests(TestCase):
    """The record pages' queries once what many pages share (the powiats around, the centre that
    keeps a record, the vocabularies, the gminas' counts, the sitemap's entries) is cached for
    the data generation, as a visitor finds them; none more than before issues 16-19 added the
    sources, the map and the gminas (docs/performance.md)."""

    @classmethod
    def setUpTestData(cls):
        builders.load_territory()
        County.objects.filter(code="1465").update(outline="M1 1 2 1 2 2Z")
        cls.member = builders.institution("Ośrodek z ludźmi", commune="1465011")
        cls.alone = builders.institution("Ośrodek bez ludzi", commune="1465011")
        cls.person = builders.person(affiliation=cls.member, first_name="Anna", last_name="Nowak")
        cls.partnership = builders.partnership(counties=["1465"], communes=["1465011"], members=[cls.member])
        cls.event = builders.event(start_date="2014-12-11")
        Speaker.objects.create(event=cls.event, person=cls.person)
        cls.partnership.events.add(cls.event)

    def setUp(self):
        cache.clear()
        self.addCleanup(cache.clear)

    def assertQueries(self, url: str, expected: int) -> None:
        queries_of(self.client, url)  # what the generation keeps is computed on the first visit
        self.assertEqual(queries_of(self.client, url), expected, url)

    def test_a_partnership_page(self):
        # The partnership, its powiats, gminas, terms, events, members, agreements, evaluations,
        # certificates, members known by kind, sources (13 before issues 16 and 17, 19 after).
        self.assertQueries(self.partnership.get_absolute_url(), 11)

    def test_a_county_page(self):
        # The county, its gminas, partnerships, institutions, events (6 before issue 17, 11 after).
        self.assertQueries("/powiaty/1465/", 5)

    def test_an_institution_page_with_people_and_without(self):
        # People with their institution, memberships, events, talks, sources (5 before issue 16,
        # 7 after); without people: the institution apart, and no talks.
        self.assertQueries(self.member.get_absolute_url(), 5)
        self.assertQueries(self.alone.get_absolute_url(), 5)

    def test_an_event_page_with_organisers_and_without(self):
        # The event with its organisers, patrons, speakers, materials, agreements, sources,
        # partnerships (7 before issue 16, 9 after); without organisers, the event apart.
        self.event.organisers.add(self.member, self.alone)
        self.assertQueries(self.event.get_absolute_url(), 7)
        self.assertQueries(builders.event(start_date="2015-01-01").get_absolute_url(), 8)

    def test_the_sitemap_index(self):
        self.assertQueries("/sitemap.xml", 0)
