"""The changelists of partnerships, agreements and certificates: a fixed number of queries at
any number of rows; the search and the filters that replaced Django's slow ones."""

from unittest import skipUnless

from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext

from core.listing import EstimatedCountPaginator
from partnerships.admin import AreaCountyFilter
from partnerships.models import Agreement, Certificate, Partnership, ThematicArea
from tests import builders
from tests.admin_changelists import ChangelistQueriesMixin


class PartnershipsChangelistTests(ChangelistQueriesMixin, builders.AdminTestCase):
    changelists = {Partnership: "testowe", Agreement: "testowe", Certificate: "testowe"}


class PartnershipSearchAndFilterTests(builders.AdminTestCase):
    def rows(self, **params) -> list[str]:
        self.client.force_login(self.superuser)
        response = self.client.get("/admin/partnerships/partnership/", params)
        self.assertEqual(response.status_code, 200)
        return sorted(str(row) for row in response.context["cl"].result_list)

    def test_search_through_the_folded_keys_the_public_list_uses(self):
        member = builders.institution(name="Gminny Ośrodek Pomocy Społecznej w Rakowie")
        builders.partnership(name="Partnerstwo Raków-Reaktywacja")
        builders.partnership(name="Partnerstwo z członkiem", members=[member])
        self.assertEqual(self.rows(q="rakow"), ["Partnerstwo Raków-Reaktywacja", "Partnerstwo z członkiem"])
        self.assertEqual(self.rows(q="reaktywacja"), ["Partnerstwo Raków-Reaktywacja"])
        self.assertEqual(self.rows(q="nieistniejace"), [])

    def test_a_thematic_area_filter_lists_each_partnership_once_and_only_those_with_it(self):
        first, second = ThematicArea.objects.all()[:2]
        both = builders.partnership(name="Oba obszary")
        both.thematic_areas.add(first, second)
        builders.partnership(name="Drugi obszar").thematic_areas.add(second)
        self.assertEqual(self.rows(thematic_areas=str(first.pk)), ["Oba obszary"])
        self.assertEqual(self.rows(thematic_areas=str(second.pk)), ["Drugi obszar", "Oba obszary"])

    def test_agreements_are_found_by_their_partnerships_name(self):
        agreement = Agreement.objects.create(partnership=self.own_partnership, title="Umowa")
        Agreement.objects.create(partnership=self.other_partnership, title="Inna umowa")
        self.client.force_login(self.superuser)
        response = self.client.get("/admin/partnerships/agreement/", {"q": "mazowieckie"})
        self.assertEqual(list(response.context["cl"].result_list), [agreement])


class CountTests(TestCase):
    def test_a_filtered_list_is_counted_exactly(self):
        builders.load_territory()
        for _ in range(3):
            builders.partnership()
        paginator = EstimatedCountPaginator(Partnership.objects.filter(pk__gt=0), 2, whole_table=False)
        self.assertEqual(paginator.count, 3)
        self.assertEqual(paginator.num_pages, 2)

    @override_settings(CACHES=builders.local_cache("sorted-ids"))
    def test_the_ids_of_a_list_sorted_whole_are_read_once_per_data_generation(self):
        builders.load_territory()
        for name in ("B", "C", "D"):
            builders.partnership(name=name)
        listed = Partnership.objects.filter(pk__gt=0).order_by("name", "pk")

        def first_page() -> tuple[list[str], list[str]]:
            paginator = EstimatedCountPaginator(listed, 2, rows=Partnership.objects.all(), read_all_ids_below=100)
            with CaptureQueriesContext(connection) as queries:
                names = [str(row) for row in paginator.page(1)]
            return names, [query["sql"] for query in queries]

        names, queries = first_page()
        self.assertEqual(names, ["B", "C"])
        self.assertEqual(len(queries), 3)  # the count, every id in order, the page's rows
        names, queries = first_page()
        self.assertEqual(names, ["B", "C"])
        self.assertEqual(len(queries), 1)  # the page's rows only
        # A change starts a new generation: the ids are read again, with the new row.
        with self.captureOnCommitCallbacks(execute=True):
            builders.partnership(name="A")
        names, queries = first_page()
        self.assertEqual(names, ["A", "B"])
        self.assertEqual(len(queries), 3)

    @skipUnless(connection.vendor == "postgresql", "the planner's estimate is PostgreSQL's")
    def test_the_whole_big_table_is_counted_by_the_planners_estimate_without_a_scan(self):
        builders.load_territory()
        for _ in range(3):
            builders.partnership()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE partnerships_partnership")
        EstimatedCountPaginator.EXACT_BELOW, saved = 0, EstimatedCountPaginator.EXACT_BELOW
        try:
            paginator = EstimatedCountPaginator(Partnership.objects.all(), 2, whole_table=True)
            with CaptureQueriesContext(connection) as queries:
                self.assertEqual(paginator.count, 3)  # ANALYZE of a small table counts it all
            self.assertEqual(len(queries), 1)
            self.assertIn("reltuples", queries[0]["sql"])
            self.assertNotIn("COUNT", queries[0]["sql"].upper())
        finally:
            EstimatedCountPaginator.EXACT_BELOW = saved


class AgreementSearchTests(builders.AdminTestCase):
    def found(self, term: str) -> list[str]:
        self.client.force_login(self.superuser)
        response = self.client.get("/admin/partnerships/agreement/", {"q": term})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'id="searchbar"')
        return sorted(str(row) for row in response.context["cl"].result_list)

    def test_agreements_are_found_by_their_title_folded_and_by_their_partnerships_name(self):
        Agreement.objects.create(partnership=self.own_partnership, title="Porozumienie o współpracy")
        Agreement.objects.create(partnership=self.other_partnership, title="Umowa partnerska")
        self.assertEqual(self.found("WSPOLPRACY"), ["Porozumienie o współpracy"])
        self.assertEqual(self.found("porozumienie o wsp"), ["Porozumienie o współpracy"])
        self.assertEqual(self.found(self.other_partnership.name), ["Umowa partnerska"])
        self.assertEqual(self.found("aneks"), [])

    def test_a_renamed_partnerships_agreements_are_found_by_its_new_name_only(self):
        Agreement.objects.create(partnership=self.own_partnership, title="Umowa")
        self.own_partnership.name = "Koalicja Zielona Dolina"
        self.own_partnership.save()
        self.assertEqual(self.found("zielona dolina"), ["Umowa"])
        self.assertEqual(self.found("mazowieckie"), [])


class AreaCountyFilterTests(builders.AdminTestCase):
    def offered(self, voivodeship: str) -> list[str]:
        self.client.force_login(self.superuser)
        response = self.client.get("/admin/partnerships/partnership/", {"wojewodztwo": voivodeship})
        spec = next(s for s in response.context["cl"].filter_specs if isinstance(s, AreaCountyFilter))
        return [code for code, _name in spec.lookup_choices]

    def test_the_powiats_offered_are_those_where_partnerships_work_directly_or_in_a_gmina(self):
        builders.partnership(name="W gminie", communes=["1465011"])
        builders.partnership(name="W powiecie", counties=["1416"])
        builders.partnership(name="Gdzie indziej", region="02", counties=["0264"])
        self.assertEqual(sorted(self.offered("14")), ["1416", "1465"])
        self.assertEqual(self.offered("02"), ["0264"])
