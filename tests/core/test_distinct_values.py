"""The choices of a filter by a column's values (core.admin.values_filter): on PostgreSQL read
by a loose index scan, which must give what DISTINCT gives."""

from unittest import skipUnless

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from core.admin import distinct_values
from members.models import Institution
from tests import builders


@skipUnless(connection.vendor == "postgresql", "the loose index scan is PostgreSQL's; CI runs the suite there too")
class DistinctValuesTests(TestCase):
    def test_every_value_once_in_order_as_distinct_gives_them_in_one_query(self):
        builders.load_territory()
        for country in ("PL", "DE", "PL", "UA", "CZ", "DE"):
            builders.institution(commune="1465011" if country == "PL" else None, country=country)
        expected = list(Institution.objects.order_by("country").values_list("country", flat=True).distinct())
        with CaptureQueriesContext(connection) as queries:
            found = distinct_values(Institution, "country")
        self.assertEqual(found, expected)
        self.assertEqual(found, ["CZ", "DE", "PL", "UA"])
        self.assertEqual(len(queries), 1)

    def test_an_empty_table_has_no_values(self):
        self.assertEqual(distinct_values(Institution, "country"), [])
