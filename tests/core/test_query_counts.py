"""Pages that gather several apps run a fixed number of queries, whatever the number of rows."""

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from territory.models import County
from tests import builders


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
