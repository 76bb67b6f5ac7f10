"""Personal data (RODO): a person's contact data and private notes never leave the admin.

Marker values are seeded into every private field of a person who represents a member,
signs an agreement, speaks at and is patron of an event; then every public page, export and
the sitemap is read and searched for them.
"""

import datetime

from django.test import TestCase

from events.models import Patron, Speaker
from members.models import Person
from partnerships.models import Agreement, Membership, Signatory
from tests import builders

MARKERS = {"email": "marker-prywatny@example.org", "phone": "+48 600 999 111", "private_notes": "MARKER-NOTATKA-RODO"}


class PrivateDataNeverLeaksTests(TestCase):
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

    def public_urls(self) -> list[str]:
        return [
            "/",
            "/partnerstwa/",
            self.partnership.get_absolute_url(),
            "/partnerstwa/?format=csv",
            "/partnerstwa/?format=json",
            "/instytucje/",
            self.institution.get_absolute_url(),
            "/wydarzenia/",
            self.event.get_absolute_url(),
            "/powiaty/",
            "/powiaty/1465/",
            "/sitemap.xml",
            "/sitemap-pages.xml",
            "/sitemap-partnerships.xml",
            "/sitemap-institutions.xml",
            "/sitemap-events.xml",
            "/sitemap-counties.xml",
            "/deklaracja-dostepnosci/",
            "/partnerstwa/?q=marker-prywatny",
            "/instytucje/?q=marker",
        ]

    def test_no_public_page_export_or_sitemap_contains_private_fields(self):
        self.assertEqual(set(MARKERS), set(Person.PRIVATE_FIELDS))
        for url in self.public_urls():
            with self.subTest(url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                content = b"".join(response.streaming_content) if response.streaming else response.content
                for value in MARKERS.values():
                    self.assertNotIn(value.encode(), content)

    def test_the_public_name_and_function_are_shown(self):
        response = self.client.get(self.event.get_absolute_url())
        self.assertContains(response, self.person.last_name)
        self.assertContains(response, "dyrektor")

    def test_searching_for_a_private_value_finds_nothing(self):
        response = self.client.get("/partnerstwa/?q=marker-prywatny")
        self.assertNotContains(response, "Partnerstwo z markerem")
