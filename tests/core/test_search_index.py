from unittest import skipUnless

from django.db import connection
from django.test import TestCase

from partnerships.filters import PartnershipFilterSet
from tests import builders


@skipUnless(connection.vendor == "postgresql", "trigram indexes exist on PostgreSQL only; CI runs the suite there too")
class TrigramIndexTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        builders.load_territory()
        builders.partnership("Raków-Reaktywacja", region="24")

    def test_search_without_diacritics_can_use_the_trigram_index(self):
        queryset = PartnershipFilterSet({"q": "rakow"}).qs
        with connection.cursor() as cursor:
            # With a handful of rows the planner rightly prefers a scan (of the table, or of the
            # primary key filtering every row); forbid both to show that the trigram index
            # serves this very query.
            cursor.execute("SET enable_seqscan = off")
            cursor.execute("SET enable_indexscan = off")
            plan = queryset.explain()
            cursor.execute("SET enable_indexscan = on")
            cursor.execute("SET enable_seqscan = on")
        self.assertIn("partnerships_partnership_search_trgm", plan)
        self.assertIn("partnerships_partnership_member_search_trgm", plan)  # the members' names
        self.assertEqual([p.name for p in queryset], ["Raków-Reaktywacja"])
