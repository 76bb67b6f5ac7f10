"""Erasure at a person's request (RODO): ``manage.py anonymise_person`` scrubs the person and
all their historical versions, and keeps every record that refers to them."""

import datetime
from io import StringIO

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase

from events.models import Patron, Speaker
from members.anonymisation import SCRUBBED_FIELDS
from members.models import Person
from partnerships.models import Agreement, Membership, Signatory
from tests import builders

MARKERS = {
    "first_name": "Markerosław",
    "last_name": "Markerowski-Rodo",
    "academic_title": "dr-marker",
    "function": "dyrektor-marker",
    "email": "marker-anonim@example.org",
    "phone": "+48 600 123 987",
    "private_notes": "MARKER-NOTATKA-ANONIM",
}
EARLIER_FUNCTION = "kierownik-marker-dawny"


def anonymise(pk, *args) -> str:
    out = StringIO()
    call_command("anonymise_person", str(pk), *args, stdout=out)
    return out.getvalue()


class AnonymisePersonTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        builders.load_territory()
        cls.institution = builders.institution("Ośrodek anonimizacji", commune="1465011")
        cls.person = builders.person(cls.institution, **{**MARKERS, "function": EARLIER_FUNCTION})
        # An earlier edit: the first historical row keeps the earlier function.
        cls.person.function = MARKERS["function"]
        cls.person.save()
        cls.partnership = builders.partnership("Partnerstwo anonimizacji", counties=["1465"], members=[cls.institution])
        cls.membership = Membership.objects.get(partnership=cls.partnership)
        cls.membership.represented_by = cls.person
        cls.membership.save()
        agreement = Agreement.objects.create(
            partnership=cls.partnership, title="Porozumienie", signed_on=datetime.date(2014, 1, 1)
        )
        cls.signatory = Signatory.objects.create(agreement=agreement, person=cls.person, institution=cls.institution)
        cls.event = builders.event("Wydarzenie anonimizacji", commune="0264011", start_date=datetime.date(2014, 1, 1))
        cls.speaker = Speaker.objects.create(event=cls.event, person=cls.person)
        cls.patron = Patron.objects.create(event=cls.event, person=cls.person, honorary_title="patron")
        cls.other = builders.person(
            cls.institution, first_name="Inna", last_name="Osoba-Nietknięta", email="inna@example.org"
        )

    def marker_values(self) -> list[str]:
        return [*MARKERS.values(), EARLIER_FUNCTION]

    def test_the_setup_shows_the_name_and_has_several_versions(self):
        # Guards the other tests: they would pass trivially without these.
        self.assertGreaterEqual(Person.history.filter(id=self.person.pk).count(), 2)
        self.assertContains(self.client.get(self.event.get_absolute_url()), MARKERS["last_name"])
        self.assertContains(self.client.get(self.partnership.get_absolute_url()), MARKERS["last_name"])

    def test_person_keeps_its_row_with_placeholder_name_and_empty_fields(self):
        anonymise(self.person.pk)
        person = Person.objects.get(pk=self.person.pk)
        self.assertEqual(person.first_name, "Osoba")
        self.assertEqual(person.last_name, f"zanonimizowana #{self.person.pk}")
        for name in ("academic_title", "function", "email", "phone", "private_notes"):
            self.assertEqual(getattr(person, name), "", name)
        self.assertEqual(person.affiliation, self.institution)

    def test_every_referring_record_still_points_to_the_same_person(self):
        anonymise(self.person.pk)
        self.assertEqual(Speaker.objects.get(pk=self.speaker.pk).person_id, self.person.pk)
        self.assertEqual(Patron.objects.get(pk=self.patron.pk).person_id, self.person.pk)
        self.assertEqual(Membership.objects.get(pk=self.membership.pk).represented_by_id, self.person.pk)
        self.assertEqual(Signatory.objects.get(pk=self.signatory.pk).person_id, self.person.pk)

    def test_no_historical_version_keeps_any_marker_value(self):
        anonymise(self.person.pk)
        rows = list(Person.history.filter(id=self.person.pk).values())
        self.assertGreaterEqual(len(rows), 3)
        for row in rows:
            for column, value in row.items():
                for marker in self.marker_values():
                    self.assertNotIn(marker, str(value), f"history row {row['history_id']}, {column}")

    def test_the_anonymisation_is_recorded_in_history_with_its_reason(self):
        anonymise(self.person.pk)
        latest = Person.history.filter(id=self.person.pk).latest("history_date")
        self.assertEqual(latest.history_type, "~")
        self.assertIn("RODO", latest.history_change_reason)

    def test_public_pages_no_longer_show_the_old_name(self):
        anonymise(self.person.pk)
        for url in (self.event.get_absolute_url(), self.partnership.get_absolute_url()):
            with self.subTest(url):
                response = self.client.get(url)
                for marker in self.marker_values():
                    self.assertNotContains(response, marker)
                self.assertContains(response, f"Osoba zanonimizowana #{self.person.pk}")

    def test_other_people_are_left_alone(self):
        anonymise(self.person.pk)
        other = Person.objects.get(pk=self.other.pk)
        self.assertEqual((other.last_name, other.email), ("Osoba-Nietknięta", "inna@example.org"))

    def test_output_names_the_changes_but_not_the_old_values(self):
        output = anonymise(self.person.pk)
        self.assertIn(f"zanonimizowana #{self.person.pk}", output)
        for marker in self.marker_values():
            self.assertNotIn(marker, output)

    def test_dry_run_changes_nothing(self):
        before = list(Person.history.filter(id=self.person.pk).order_by("history_id").values())
        output = anonymise(self.person.pk, "--dry-run")
        self.assertIn("zanonimizowana", output)
        person = Person.objects.get(pk=self.person.pk)
        for name in SCRUBBED_FIELDS:
            self.assertEqual(getattr(person, name), MARKERS[name], name)
        self.assertEqual(list(Person.history.filter(id=self.person.pk).order_by("history_id").values()), before)

    def test_running_twice_writes_nothing_the_second_time(self):
        anonymise(self.person.pk)
        count = Person.history.filter(id=self.person.pk).count()
        anonymise(self.person.pk)
        self.assertEqual(Person.history.filter(id=self.person.pk).count(), count)

    def test_unknown_person_is_a_clear_error(self):
        missing = Person.objects.order_by("-pk").first().pk + 1000
        with self.assertRaisesMessage(CommandError, str(missing)):
            anonymise(missing)


class AnonymiseAdminLogTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        builders.load_territory()
        cls.person = builders.person(None, **MARKERS)
        cls.event = builders.event("Wydarzenie z dziennikiem", commune="1465011")
        cls.speaker = Speaker.objects.create(event=cls.event, person=cls.person)
        cls.user = get_user_model().objects.create_superuser("admin-test", "admin@example.org", "x")
        log = LogEntry.objects.log_actions
        log(
            cls.user.pk,
            [cls.person],
            CHANGE,
            change_message=[{"changed": {"fields": ["Function"]}}],
            single_object=True,
        )
        # An inline speaker added on the event's page: its str() (the person's name) is in the message.
        message = [{"added": {"name": "speaker", "object": str(cls.speaker)}}]
        log(cls.user.pk, [cls.event], CHANGE, change_message=message, single_object=True)

    def test_admin_log_no_longer_names_the_person(self):
        self.assertTrue(LogEntry.objects.filter(change_message__contains="Markerowski").exists())
        anonymise(self.person.pk)
        self.assertEqual(LogEntry.objects.count(), 2)
        for entry in LogEntry.objects.all():
            for marker in MARKERS.values():
                self.assertNotIn(marker, entry.object_repr)
                self.assertNotIn(marker, entry.change_message)
        self.assertTrue(LogEntry.objects.filter(change_message__contains="zanonimizowana").exists())
