"""docs/rodo.md and the templates agree on what is public.

The test reads the inventory table of docs/rodo.md. Every row is either checked here, with a
marker planted in the field and the whole public site crawled (a public field's marker is
found on some page; a staff-only field's marker on none), or named below with the test that
checks it or why no page can show it. A row added to the inventory without either fails.
"""

from io import StringIO

from django.conf import settings
from django.core.management import call_command
from django.test import TestCase

from core.models import Citation, Correction, Judgement, Source
from events.models import Speaker
from tests import builders
from tests.crawl import crawl

INVENTORY = settings.BASE_DIR / "docs" / "rodo.md"

# Rows checked by other tests, or that no page can show (accounts, logs, settings).
CHECKED_ELSEWHERE = {
    "`Person.academic_title`": "tests/events/test_public_pages.py (speakers with title)",
    "`Person.affiliation`": "tests/events/test_public_pages.py (speakers with affiliation)",
    "`events.Patron.person`, `honorary_title`": "tests/events/test_public_pages.py",
    "`partnerships.Membership.represented_by`": "tests/partnerships/test_public_pages.py",
    "`partnerships.Signatory.person`, `function`": "tests/partnerships/test_public_pages.py",
    "`partnerships.Certificate.signatory_name`, `signatory_function`": "tests/partnerships/test_certificates.py",
    "`Certificate.snapshot`": "tests/partnerships/test_certificates.py",
    "`Agreement.document`, `Evaluation.document`, `Material.file`": "tests/config/test_security.py (media)",
    "free text: `Membership.notes`, `Agreement.notes`, `Event.description`, `Speaker.topic`, "
    "`Evaluation.summary`, `Institution.description`": "tests/members/test_private_data.py (notes never public)",
    "`auth.User` username, first/last name, e-mail, password hash, last login": "admin only: no public page",
    "`members.StaffProfile.user`, `centre`": "admin only: no public page",
    "`history_user` on every historical table": "admin only: no public page",
    "`history_change_reason`": "admin only: no public page",
    "`django_admin_log` (`LogEntry.object_repr`, `change_message`)": "admin only: no public page",
    "`axes.AccessAttempt` (django-axes)": "admin only: no public page",
    "settings `CONTACT_NAME`, `CONTACT_EMAIL`, `CONTACT_PHONE`": "tests/config/test_pages.py (statement)",
}


def inventory() -> dict[str, str]:
    """{first cell: visibility cell} of every row of the inventory table."""
    text = INVENTORY.read_text()
    table = text[text.index("## Inventory") : text.index("## A request for erasure")]
    rows = {}
    for line in table.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and cells[0].startswith(("`", "free text", "settings")):
            rows[cells[0]] = cells[2]
    return rows


def is_public(visibility: str) -> bool:
    return visibility.startswith("public") and "staff" not in visibility.split("(")[0]


class InventoryTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        builders.load_territory()
        institution, partnership, event = builders.public_records("inwentarza")
        person = builders.person(
            affiliation=institution,
            first_name="Jolanta",
            last_name="Markerowska",
            function="funkcja-marker",
            email="marker-email@example.org",
            phone="+48 600 000 999",
            private_notes="notatka-marker",
        )
        Speaker.objects.create(event=event, person=person, role=Speaker.Role.SPEAKER, topic="temat-marker")
        source = Source.objects.create(key="marker", title="Tytuł-marker źródła", description="opis")
        Citation.objects.create(record=partnership, source=source, quote="cytat-marker")
        Judgement.objects.create(
            record=partnership, statement="ocena-marker", reason="powod-marker", made_by="ośrodek-marker"
        )
        Correction.objects.create(
            record=partnership,
            region=partnership.region_id,
            record_label=str(partnership),
            what_is_wrong="bledne-marker",
            what_is_right="poprawne-marker",
            source="zrodlo-poprawki-marker",
            email="poprawka-marker@example.org",
        )
        cls.partnership, cls.event = partnership, event
        # {inventory row: (markers, public?)}
        cls.planted = {
            "`members.Person.first_name`, `last_name`": ["Markerowska"],
            "`Person.function`": ["funkcja-marker"],
            "`Person.email`, `phone`, `private_notes` (`PRIVATE_FIELDS`)": [
                "marker-email@example.org",
                "+48 600 000 999",
                "notatka-marker",
            ],
            "`events.Speaker.person`, `topic`": ["temat-marker"],
            "`core.Correction.email`": ["poprawka-marker@example.org"],
            "`core.Correction.what_is_wrong`, `what_is_right`, `source`": [
                "bledne-marker",
                "poprawne-marker",
                "zrodlo-poprawki-marker",
            ],
            "`core.Citation.quote`, `core.Source` (title, publisher, date)": ["cytat-marker", "Tytuł-marker źródła"],
            "`core.Judgement.statement`, `reason`, `made_by`": ["ocena-marker", "powod-marker", "ośrodek-marker"],
        }

    def test_every_row_of_the_inventory_is_checked_here_or_elsewhere(self):
        rows = set(inventory())
        self.assertEqual(rows, set(self.planted) | set(CHECKED_ELSEWHERE))

    def test_the_public_site_shows_what_the_inventory_calls_public_and_nothing_else(self):
        call_command("load_demo", stdout=StringIO())  # the site as a reader meets it, with sources
        pages = crawl(self.client, ["/", "/sitemap.xml", self.partnership.get_absolute_url()])
        self.assertIn(self.event.get_absolute_url(), pages)
        self.assertTrue(any(url.startswith("/poprawki/") for url in pages), "the correction form was crawled")
        text = b"\n".join(pages.values()).decode("utf-8", "replace")
        rows = inventory()
        for row, markers in self.planted.items():
            public = is_public(rows[row])
            for marker in markers:
                with self.subTest(row=row, marker=marker):
                    if public:
                        self.assertIn(marker, text, f"{row} is public but no page shows it")
                    else:
                        self.assertNotIn(marker, text, f"{row} is not public but a page shows it")
