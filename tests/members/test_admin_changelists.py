"""The changelists of institutions, people and staff profiles: a fixed number of queries at
any number of rows, and a search that finds through indexes what staff look for."""

from django.contrib.auth import get_user_model
from django.test import TestCase

from members.models import Institution, Person, StaffProfile
from tests import builders
from tests.admin_changelists import ChangelistQueriesMixin


class MembersChangelistTests(ChangelistQueriesMixin, builders.AdminTestCase):
    changelists = {Institution: "testowa", Person: "testowy", StaffProfile: "pracownik"}

    def grow(self, model, count: int) -> None:
        if model is StaffProfile:
            return  # one per user; their number does not grow with the registry
        super().grow(model, count)


class MembersSearchTests(builders.AdminTestCase):
    def names_found(self, model: str, term: str) -> set[str]:
        self.client.force_login(self.superuser)
        response = self.client.get(f"/admin/members/{model}/", {"q": term})
        self.assertEqual(response.status_code, 200)
        return {str(obj) for obj in response.context["cl"].result_list}

    def test_institutions_by_their_folded_name_whatever_the_diacritics(self):
        found = self.names_found("institution", "wroclawska")
        self.assertIn("Instytucja testowa wrocławska", found)
        self.assertNotIn("Instytucja testowa warszawska", found)

    def test_institutions_by_an_exact_register_number_and_not_by_a_part_of_it(self):
        builders.institution(name="Ośrodek z numerem", nip="5252248481")
        self.assertEqual(self.names_found("institution", "5252248481"), {"Ośrodek z numerem"})
        self.assertEqual(self.names_found("institution", "52522484"), set())

    def test_institutions_by_the_name_of_their_commune(self):
        found = self.names_found("institution", "Wrocław")
        self.assertIn("Instytucja testowa wrocławska", found)
        self.assertNotIn("Instytucja testowa warszawska", found)

    def test_people_by_name_and_by_their_institution_each_listed_once(self):
        centre = builders.institution(name="Centrum Usług Społecznych w Rakowie")
        builders.person(affiliation=centre, first_name="Anna", last_name="Rakowska")
        builders.person(affiliation=centre, first_name="Ewa", last_name="Lis")
        builders.person(affiliation=self.own_institution, first_name="Piotr", last_name="Nowak")
        self.client.force_login(self.superuser)
        rows = self.client.get("/admin/members/person/", {"q": "rakow"}).context["cl"].result_list
        # Anna by her name and by her institution's, listed once; Ewa by her institution's.
        self.assertEqual(sorted(str(row) for row in rows), ["Anna Rakowska", "Ewa Lis"])
        self.assertEqual(self.names_found("person", "nowak"), {"Piotr Nowak"})


class InstitutionCountryFilterTests(TestCase):
    def test_the_country_filter_offers_the_codes_held_and_keeps_only_their_rows(self):
        builders.load_territory()
        builders.institution(name="Polska")
        builders.institution(name="Niemiecka", commune=None, country="DE")
        self.client.force_login(get_user_model().objects.create_superuser("root", password="x"))
        response = self.client.get("/admin/members/institution/", {"country": "DE"})
        self.assertEqual([str(obj) for obj in response.context["cl"].result_list], ["Niemiecka"])
        self.assertContains(response, "?country=PL")
