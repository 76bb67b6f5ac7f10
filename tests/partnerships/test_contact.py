"""Whom to call: a partnership's coordinator (the lead member) with the institution's public
contact, the centre that keeps the record with its own, and an institution's registers and
country (issue 17, point 3)."""

from django.test import TestCase

from members.models import Institution
from partnerships.models import Membership
from tests import builders
from tests.builders import PRIVATE


class PartnershipContactTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        builders.load_territory()
        cls.mcps = builders.institution(
            "Mazowieckie Centrum Polityki Społecznej",
            commune="1465011",
            kind=Institution.Kind.ROPS,
            short_name="MCPS",
            email="rejestr@mcps.example.org",
            phone="22 000 00 01",
            website="https://mcps.example.org/",
            address="ul. Przykładowa 1, 00-001 Warszawa",
        )
        cls.dops = builders.institution("Dolnośląski Ośrodek Polityki Społecznej", commune="0264011", kind="rops")
        cls.leader = builders.institution(
            "Ośrodek Pomocy Społecznej Lider",
            commune="1465011",
            email="sekretariat@ops.example.org",
            phone="22 111 22 33",
        )
        cls.partner = builders.institution("Partner bez roli", commune="1465011", email="partner@example.org")
        cls.partnership = builders.partnership("Partnerstwo z liderem", counties=["1432"], members=[cls.partner])
        Membership.objects.create(partnership=cls.partnership, institution=cls.leader, role=Membership.Role.LEADER)
        person = builders.person(cls.leader, **PRIVATE)
        Membership.objects.filter(institution=cls.leader).update(represented_by=person)
        cls.without_leader = builders.partnership("Partnerstwo bez lidera", region="24", members=[cls.partner])

    def test_the_lead_member_is_named_coordinator_with_its_institutional_contact(self):
        response = self.client.get(self.partnership.get_absolute_url())
        self.assertEqual(response.context["coordinator"], self.leader)
        self.assertContains(response, "Koordynator")
        self.assertContains(response, "mailto:sekretariat@ops.example.org")
        self.assertContains(response, "22 111 22 33")
        self.assertNotContains(response, "partner@example.org")  # a partner is no coordinator
        for value in PRIVATE.values():  # the representative's own contact never
            self.assertNotContains(response, value)

    def test_the_keeping_centre_is_named_with_its_own_contact(self):
        response = self.client.get(self.partnership.get_absolute_url())
        self.assertEqual(response.context["keeping_centre"], self.mcps)
        self.assertContains(
            response, f'<a href="{self.mcps.get_absolute_url()}">Mazowieckie Centrum Polityki Społecznej</a>'
        )
        self.assertContains(response, "rejestr@mcps.example.org")
        self.assertContains(response, "ul. Przykładowa 1, 00-001 Warszawa")
        self.assertNotContains(response, self.dops.name)

    def test_without_a_leader_or_a_recorded_centre_the_page_says_so(self):
        response = self.client.get(self.without_leader.get_absolute_url())  # śląskie: no centre recorded
        self.assertIsNone(response.context["coordinator"])
        self.assertIsNone(response.context["keeping_centre"])
        self.assertContains(response, "Nie zapisano instytucji wiodącej (koordynatora) partnerstwa")
        self.assertContains(response, "Regionalny ośrodek polityki społecznej województwa śląskie")


class InstitutionRegistersTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        builders.load_territory()
        cls.ngo = builders.institution(
            "Fundacja z rejestrami",
            kind=Institution.Kind.FOUNDATION,
            nip="5261040828",
            regon="012100784",
            krs="0000012345",
            address="ul. Testowa 2, Warszawa",
            website="https://fundacja.example.org/",
        )
        cls.foreign = builders.institution("London Borough Council", commune=None, country="GB", kind="foreign_public")

    def test_the_page_shows_address_website_nip_regon_and_krs_linked_to_the_public_search(self):
        response = self.client.get(self.ngo.get_absolute_url())
        for text in (
            "ul. Testowa 2, Warszawa",
            "https://fundacja.example.org/",
            "5261040828",
            "012100784",
            "0000012345",
        ):
            self.assertContains(response, text)
        self.assertContains(response, 'href="https://wyszukiwarka-krs.ms.gov.pl/"')

    def test_a_foreign_institution_shows_its_countrys_name_in_polish(self):
        response = self.client.get(self.foreign.get_absolute_url())
        self.assertContains(response, "<dd>Wielka Brytania</dd>", html=True)
        self.assertNotContains(response, "<dd>GB</dd>", html=True)
