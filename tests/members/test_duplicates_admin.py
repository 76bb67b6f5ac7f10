"""The "Possible duplicates" pages of institutions and people, the merge with its confirmation
and the undo, driven through the admin as a browser does; the merged institution's public
address; and the regional rule: staff merge only within their voivodeship."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.duplicates import institution_pairs, person_pairs
from members.models import Institution, InstitutionAlias, Merge, Person
from partnerships.models import Membership
from tests.builders import WARSZAWA, WROCLAW, AdminTestCase, csrf_token, event, person


def named(name: str, commune: str = WARSZAWA, **fields) -> Institution:
    fields.setdefault("slug", name.lower().replace(" ", "-").replace("„", "").replace("”", ""))
    return Institution.objects.create(name=name, kind="foundation", commune_id=commune, **fields)


def url(view: str, *args, model=Institution) -> str:
    return reverse(f"admin:members_{model._meta.model_name}_{view}", args=args)


class DuplicatesPageTest(AdminTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.first = named("Fundacja Pomocy Rodzinie Razem")
        cls.second = named("Fundacja Pomocy Rodzinie „Razem”", slug="fundacja-razem-2")
        cls.unrelated = named("Stowarzyszenie Sportowe Orzeł")
        cls.elsewhere = named("Fundacja Pomocy Rodzinie Razem we Wrocławiu", commune=WROCLAW, slug="razem-wroclaw")
        cls.numbered = named("Szkoła Podstawowa nr 1 w Warszawie")
        cls.other_number = named("Szkoła Podstawowa nr 2 w Warszawie")

    def test_a_near_duplicate_in_the_same_gmina_is_listed_and_unrelated_ones_are_not(self):
        pairs = {(p.first, p.second): p for p in institution_pairs()}
        self.assertIn((self.first.pk, self.second.pk), pairs)
        self.assertIn("bardzo podobna nazwa", pairs[(self.first.pk, self.second.pk)].reason)
        listed = {pk for pair in pairs for pk in pair}
        self.assertNotIn(self.unrelated.pk, listed)
        self.assertNotIn(self.elsewhere.pk, listed)  # another gmina: never compared
        self.assertNotIn(self.numbered.pk, listed)  # numbers differ: two schools

    def test_a_record_without_its_stored_name_key_is_compared_too(self):
        # A bulk insert (an import, the seed) goes around save(), which stores the key.
        Institution.objects.filter(pk=self.second.pk).update(name_key="")
        self.assertIn((self.first.pk, self.second.pk), {(p.first, p.second) for p in institution_pairs()})
        self.assertEqual(institution_pairs("02"), [])

    def test_the_page_lists_the_pair_with_its_reason_and_a_merge_button(self):
        self.client.force_login(self.staff)
        changelist = self.client.get(url("changelist"))
        self.assertContains(changelist, url("duplicates"))
        self.assertContains(changelist, "Możliwe duplikaty")
        response = self.client.get(url("duplicates"))
        self.assertContains(response, "Możliwe duplikaty")
        self.assertContains(response, "Fundacja Pomocy Rodzinie „Razem”")
        self.assertContains(response, url("merge", self.first.pk, self.second.pk))
        self.assertNotContains(response, "Stowarzyszenie Sportowe Orzeł")

    def test_a_region_of_other_staff_shows_the_pair_without_a_merge_button(self):
        self.client.force_login(self.other_staff)
        response = self.client.get(url("duplicates") + "?wojewodztwo=14")
        self.assertContains(response, "Fundacja Pomocy Rodzinie „Razem”")
        self.assertNotContains(response, url("merge", self.first.pk, self.second.pk))
        own = self.client.get(url("duplicates"))  # dolnośląskie by default: no pair there
        self.assertNotContains(own, "Fundacja Pomocy Rodzinie „Razem”")

    def test_an_unknown_voivodeship_is_a_message_not_an_error(self):
        self.client.force_login(self.staff)
        response = self.client.get(url("duplicates") + "?wojewodztwo=%27%3B--", follow=True)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Nieznane województwo")

    def test_queries_do_not_grow_with_the_pairs(self):
        self.client.force_login(self.superuser)
        with CaptureQueriesContext(connection) as few:
            self.client.get(url("duplicates"))
        for number in range(20):
            named(f"Fundacja Wsparcia Seniorów Nadzieja {number}")
            named(f"Fundacja Wsparcia Seniorów „Nadzieja” {number}", slug=f"nadzieja-{number}-bis")
        with CaptureQueriesContext(connection) as many:
            response = self.client.get(url("duplicates"))
        self.assertEqual(len(response.context["rows"]), 21)
        self.assertEqual(len(many), len(few))

    def test_people_with_the_same_name_and_affiliation_are_listed(self):
        first = person(self.first, first_name="Anna", last_name="Nowak")
        second = person(self.first, first_name="ANNA", last_name="Nowak")
        other = person(self.unrelated, first_name="Anna", last_name="Nowak")
        pairs = {(p.first, p.second) for p in person_pairs()}
        self.assertEqual(pairs, {(first.pk, second.pk)})
        self.assertNotIn(other.pk, {pk for pair in pairs for pk in pair})
        self.client.force_login(self.staff)
        response = self.client.get(url("duplicates", model=Person))
        self.assertContains(response, url("merge", first.pk, second.pk, model=Person))
        self.assertContains(response, "to samo imię i nazwisko")


class MergeThroughAdminTest(AdminTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.kept = named("Fundacja Pomocy Rodzinie Razem")
        cls.merged = named("Fundacja Pomocy Rodzinie „Razem”", slug="fundacja-razem-2")
        cls.membership = Membership.objects.create(partnership=cls.own_partnership, institution=cls.merged)
        cls.event = event(commune=WARSZAWA)
        cls.event.organisers.add(cls.merged)
        cls.person = person(cls.merged)

    def post_merge(self, user, keep, **extra):
        self.client.force_login(user)
        page = self.client.get(url("merge", self.kept.pk, self.merged.pk))
        data = {"csrfmiddlewaretoken": csrf_token(page), "zachowaj": str(keep.pk), **extra}
        return page, self.client.post(url("merge", self.kept.pk, self.merged.pk), data)

    def test_confirmation_shows_what_moves_then_the_merge_moves_it_and_the_old_address_redirects(self):
        page, response = self.post_merge(self.staff, self.kept)
        self.assertContains(page, "Członkostwa: instytucja")
        self.assertContains(page, "Wydarzenia: organizatorzy")
        self.assertContains(page, "Osoby: instytucja macierzysta")
        self.assertRedirects(response, url("change", self.kept.pk), fetch_redirect_response=False)
        self.assertFalse(Institution.objects.filter(pk=self.merged.pk).exists())
        self.assertEqual(Membership.objects.get(pk=self.membership.pk).institution, self.kept)
        self.assertEqual(list(self.event.organisers.all()), [self.kept])
        self.assertEqual(Person.objects.get(pk=self.person.pk).affiliation, self.kept)

        self.client.logout()
        public = self.client.get("/instytucje/fundacja-razem-2/")
        self.assertEqual(public.status_code, 301)
        self.assertEqual(public["Location"], self.kept.get_absolute_url())
        self.assertEqual(self.client.get("/instytucje/nie-bylo-takiej/").status_code, 404)

    def test_the_merged_records_history_stays_readable(self):
        self.post_merge(self.staff, self.kept)
        merges = self.client.get(url("merges"))
        history = url("history", self.merged.pk)
        self.assertContains(merges, history)
        response = self.client.get(history)
        self.assertContains(response, "Scalono: instytucja")
        self.assertContains(self.client.get(url("history", self.kept.pk)), "Scalono: instytucja")

    def test_undo_from_the_list_of_merges_restores_the_record_and_its_page(self):
        self.post_merge(self.staff, self.kept)
        record = Merge.objects.get()
        merges = self.client.get(url("merges"))
        self.assertContains(merges, "Cofnij")
        response = self.client.post(url("undo_merge", record.pk), {"csrfmiddlewaretoken": csrf_token(merges)})
        self.assertRedirects(response, url("merges"), fetch_redirect_response=False)
        self.assertEqual(Membership.objects.get(pk=self.membership.pk).institution_id, self.merged.pk)
        self.assertEqual(Person.objects.get(pk=self.person.pk).affiliation_id, self.merged.pk)
        self.assertFalse(InstitutionAlias.objects.exists())
        self.client.logout()
        self.assertEqual(self.client.get("/instytucje/fundacja-razem-2/").status_code, 200)

    def test_the_user_chooses_which_record_is_kept(self):
        self.post_merge(self.staff, self.merged)
        self.assertFalse(Institution.objects.filter(pk=self.kept.pk).exists())
        self.assertTrue(Institution.objects.filter(pk=self.merged.pk).exists())

    def test_staff_of_another_region_are_refused_and_nothing_changes(self):
        page, response = self.post_merge(self.other_staff, self.kept)
        self.assertContains(page, "Możesz scalać tylko rekordy swojego województwa")
        self.assertEqual(response.status_code, 403)
        self.assertTrue(Institution.objects.filter(pk=self.merged.pk).exists())
        self.assertFalse(Merge.objects.exists())

    def test_staff_are_refused_a_merge_that_moves_another_regions_record_and_a_superuser_confirms_it(self):
        foreign = Membership.objects.create(partnership=self.other_partnership, institution=self.merged)
        page, response = self.post_merge(self.staff, self.kept)
        self.assertContains(page, str(foreign))
        self.assertEqual(response.status_code, 403)
        self.assertTrue(Institution.objects.filter(pk=self.merged.pk).exists())
        self.assertEqual(Membership.objects.get(pk=foreign.pk).institution_id, self.merged.pk)

        _page, unconfirmed = self.post_merge(self.superuser, self.kept)
        self.assertContains(unconfirmed, "Potwierdź")
        self.assertTrue(Institution.objects.filter(pk=self.merged.pk).exists())
        _page, confirmed = self.post_merge(self.superuser, self.kept, potwierdzam="1")
        self.assertEqual(confirmed.status_code, 302)
        self.assertEqual(Membership.objects.get(pk=foreign.pk).institution_id, self.kept.pk)

    def test_staff_of_another_region_cannot_undo(self):
        self.post_merge(self.staff, self.kept)
        record = Merge.objects.get()
        self.client.force_login(self.other_staff)
        merges = self.client.get(url("merges"))
        response = self.client.post(
            url("undo_merge", record.pk), {"csrfmiddlewaretoken": csrf_token(merges)}, follow=True
        )
        self.assertContains(response, "nie zostało cofnięte")
        self.assertFalse(Institution.objects.filter(pk=self.merged.pk).exists())
        self.assertIsNone(Merge.objects.get().undone_at)
