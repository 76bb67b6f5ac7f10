from unittest import skipUnless

from django.db import connection
from django.test import TestCase

from partnerships.filters import PartnershipFilterSet
from tests import builders


def bitmap_plan(queryset) -> str:
    """The plan of ``queryset`` with scans of the table and along an index forbidden: with a
    handful of rows the planner rightly prefers those; forbidding them shows that the search's
    own indexes serve this very query."""
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("SET enable_indexscan = off")
        try:
            return queryset.explain()
        finally:
            cursor.execute("SET enable_indexscan = on")
            cursor.execute("SET enable_seqscan = on")


@skipUnless(connection.vendor == "postgresql", "trigram indexes exist on PostgreSQL only; CI runs the suite there too")
class TrigramIndexTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        builders.load_territory()
        builders.partnership("Raków-Reaktywacja", region="24")

    def test_search_without_diacritics_can_use_the_trigram_index(self):
        queryset = PartnershipFilterSet({"q": "rakow"}).qs
        plan = bitmap_plan(queryset)
        self.assertIn("partnerships_partnership_search_trgm", plan)
        self.assertIn("partnerships_partnership_member_search_trgm", plan)  # the members' names
        self.assertEqual([p.name for p in queryset], ["Raków-Reaktywacja"])


@skipUnless(connection.vendor == "postgresql", "trigram indexes exist on PostgreSQL only; CI runs the suite there too")
class PlaceSearchIndexTests(TestCase):
    """A place's name adds the ids of the partnerships working there as an IN list: the planner
    still combines the trigram indexes and the primary key by a bitmap OR (issue 17)."""

    @classmethod
    def setUpTestData(cls):
        builders.load_territory()
        builders.partnership("Raków-Reaktywacja", region="24")
        builders.partnership("Partnerstwo warszawskie", communes=["1465011"])

    def test_a_place_name_keeps_the_search_a_bitmap_index_scan(self):
        queryset = PartnershipFilterSet({"q": "warszawa"}).qs
        plan = bitmap_plan(queryset)
        self.assertIn("BitmapOr", plan)
        self.assertIn("partnerships_partnership_search_trgm", plan)
        self.assertIn("partnerships_partnership_pkey", plan)
        self.assertNotIn("Seq Scan", plan)
        self.assertEqual([p.name for p in queryset], ["Partnerstwo warszawskie"])

    def test_rakow_without_a_place_of_that_name_keeps_its_plan(self):
        plan = bitmap_plan(PartnershipFilterSet({"q": "rakow"}).qs)
        self.assertIn("Bitmap Index Scan", plan)
        self.assertNotIn("Seq Scan", plan)


@skipUnless(connection.vendor == "postgresql", "trigram indexes exist on PostgreSQL only; CI runs the suite there too")
class KindSearchIndexTests(TestCase):
    """ "MOPS" on the institution list: the trigram index of the names and the (kind, name)
    index of the kinds, combined by a bitmap OR (issue 17)."""

    @classmethod
    def setUpTestData(cls):
        builders.load_territory()
        builders.institution("Ośrodek w Łodzi", commune="1061011", kind="mops")
        builders.institution("Fundacja MOPS-owa", commune="1061011", kind="foundation")
        builders.institution("Sąd Rejonowy", commune="1061011", kind="court")

    def test_an_abbreviation_keeps_the_institution_search_a_bitmap_index_scan(self):
        from members.filters import InstitutionFilterSet

        queryset = InstitutionFilterSet({"q": "MOPS"}).qs
        plan = bitmap_plan(queryset)
        self.assertIn("BitmapOr", plan)
        self.assertIn("members_institution_search_trgm", plan)
        self.assertIn("institution_kind_name", plan)
        self.assertNotIn("Seq Scan", plan)
        self.assertEqual(sorted(i.name for i in queryset), ["Fundacja MOPS-owa", "Ośrodek w Łodzi"])


@skipUnless(connection.vendor == "postgresql", "trigram indexes exist on PostgreSQL only; CI runs the suite there too")
class AgreementSearchIndexTests(TestCase):
    """The admin's agreement search: the agreement's own folded key through its trigram index,
    no join to the partnerships (issue 15)."""

    @classmethod
    def setUpTestData(cls):
        from partnerships.models import Agreement

        builders.load_territory()
        partnership = builders.partnership("Koalicja Zielona Dolina")
        Agreement.objects.create(partnership=partnership, title="Porozumienie o współpracy")

    def test_a_word_of_a_title_or_of_the_partnerships_name_is_a_bitmap_index_scan(self):
        from partnerships.models import Agreement

        for term, found in (("wspolpracy", ["Porozumienie o współpracy"]), ("zielona", ["Porozumienie o współpracy"])):
            queryset = Agreement.objects.search(term)
            plan = bitmap_plan(queryset)
            self.assertIn("partnerships_agreement_search_trgm", plan)
            self.assertNotIn("partnerships_partnership", plan)
            self.assertEqual([a.title for a in queryset], found)
        self.assertFalse(Agreement.objects.search("aneks").exists())
