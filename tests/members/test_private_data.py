"""Personal data (RODO) and staff notes never leave the admin.

Marker values are seeded into every private field of a person who represents a member,
signs an agreement, speaks at and is patron of an event, and into every notes field of every
model; then every public page reachable by links and the sitemap, both exports, and the
certificate's verification page and PDF are read and searched for them.
"""

import datetime
import io
import tempfile
import zipfile

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.test import TestCase, override_settings
from simple_history.models import HistoricalChanges

from events.models import Patron, Speaker
from members.models import Person
from partnerships import dumps
from partnerships.certificates import issue_partnership_certificate
from partnerships.models import Agreement, Membership, Signatory
from tests import builders
from tests.crawl import crawl

MARKERS = {"email": "marker-prywatny@example.org", "phone": "+48 600 999 111", "private_notes": "MARKER-NOTATKA-RODO"}


def notes_fields():
    """Every field of the registry's models that holds notes, found by its name."""
    for model in apps.get_models():
        if model._meta.app_label not in {"members", "events", "partnerships"} or issubclass(model, HistoricalChanges):
            continue
        for field in model._meta.concrete_fields:
            if "notes" in field.name:
                yield model, field


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
        # A marker in every notes field of every model, each in a record the pages show.
        cls.notes_markers = {}
        for model, field in notes_fields():
            marker = f"MARKER-NOTATKI-{model.__name__}-{field.name}".upper()
            model._default_manager.update(**{field.name: marker})
            cls.notes_markers[(model, field.name)] = marker
        superuser = get_user_model().objects.create_superuser("administrator", password="hasło-testowe-długie")
        cls.certificate = issue_partnership_certificate(cls.partnership, superuser, "Dyrektor testowy", "dyrektor")

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
            # The open data of every list, the gmina's page and /dane/ (issue 17).
            "/instytucje/?format=csv",
            "/instytucje/?format=json",
            "/wydarzenia/?format=csv",
            "/wydarzenia/?format=json",
            "/gminy/1465011/",
            "/sitemap-communes.xml",
            "/dane/",
            # The statistics and their tables (issue 18).
            "/statystyki/",
            "/statystyki/?tabela=rodzaje-czlonkow&format=csv",
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

    def test_notes_fields_are_private_and_no_public_page_export_or_certificate_shows_them(self):
        self.assertEqual(
            {f"{model.__name__}.{name}" for model, name in self.notes_markers},
            {"Person.private_notes", "Membership.notes", "Agreement.notes"},
        )
        for model, name in self.notes_markers:
            self.assertIn(name, model.PRIVATE_FIELDS)
        starts = ["/", "/sitemap.xml", self.certificate.get_absolute_url(), self.certificate.get_pdf_url()]
        pages = crawl(self.client, starts)
        # The crawl reached every kind of page, so that the search below means something.
        for url in (
            self.partnership.get_absolute_url(),
            self.institution.get_absolute_url(),
            self.event.get_absolute_url(),
            "/powiaty/1465/",
            "/partnerstwa/?format=csv",
            "/partnerstwa/?format=json",
            self.certificate.get_pdf_url(),
        ):
            self.assertIn(url, pages)
        self.assertIn(b"Partnerstwo z markerem", pages[self.certificate.get_pdf_url()])
        for url, content in pages.items():
            for marker in [*self.notes_markers.values(), *MARKERS.values()]:
                self.assertFalse(marker.encode() in content, f"{marker} on {url}")

    def test_no_file_of_a_full_dump_contains_private_fields(self):
        with tempfile.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media):
            manifest = dumps.publish(keep=1, day=datetime.date(2026, 12, 6))
            contents = {}
            for name in default_storage.listdir("dumps/2026-12-06")[1]:
                with default_storage.open(f"dumps/2026-12-06/{name}", "rb") as file:
                    data = file.read()
                if name.endswith(".zip"):
                    with zipfile.ZipFile(io.BytesIO(data)) as archive:
                        data = b"".join(archive.read(inner) for inner in archive.namelist())
                contents[name] = data
        self.assertEqual(len(contents), len(manifest["files"]) + 2)
        # The dump holds the records the markers were seeded into.
        self.assertIn(b"Partnerstwo z markerem", contents["partnerstwa.json"])
        self.assertIn(b"Wydarzenie z markerem", contents["wydarzenia.json"])
        self.assertIn(str(Membership.objects.first().pk).encode(), contents["czlonkostwa.json"])
        for name, data in contents.items():
            for marker in [*self.notes_markers.values(), *MARKERS.values(), self.person.last_name]:
                self.assertFalse(marker.encode() in data, f"{marker} in {name}")

    def test_the_public_name_and_function_are_shown(self):
        response = self.client.get(self.event.get_absolute_url())
        self.assertContains(response, self.person.last_name)
        self.assertContains(response, "dyrektor")

    def test_searching_for_a_private_value_finds_nothing(self):
        response = self.client.get("/partnerstwa/?q=marker-prywatny")
        self.assertNotContains(response, "Partnerstwo z markerem")
