import datetime
import importlib
from collections import Counter
from io import StringIO

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.forms import modelform_factory
from django.test import TestCase
from django.utils import translation

from events.models import Event, Material, Patron, Project
from members.merging import merge_records, undo_merge
from members.models import SECTOR_OF_KIND, Institution
from partnerships.models import (
    Agreement,
    DatePrecision,
    MemberKindCount,
    Membership,
    Partnership,
    Principle,
    Signatory,
    TargetGroup,
)

PartnershipForm = modelform_factory(
    Partnership, fields=["name", "slug", "status", "home_voivodeship", "founded_on", "founded_precision"]
)
MembershipForm = modelform_factory(Membership, fields=["partnership", "institution", "role", "joined_on", "left_on"])
EventForm = modelform_factory(
    Event, fields=["title", "slug", "kind", "start_date", "end_date", "participant_count_qualifier"]
)
ProjectForm = modelform_factory(Project, fields=["name", "start_year", "end_year"])


class ConstraintTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("load_territory", stdout=StringIO())
        cls.partnership = Partnership.objects.create(name="P", slug="p", home_voivodeship_id="14")
        cls.institution = Institution.objects.create(name="I", slug="i", kind=Institution.Kind.MOPS)

    def test_end_before_start_is_refused_by_the_database_and_explained_by_the_form(self):
        with self.assertRaises(IntegrityError), transaction.atomic():
            Event.objects.create(title="E", slug="e", kind="conference", start_date="2014-12-11", end_date="2014-12-10")
        form = EventForm(
            data={
                "title": "E",
                "slug": "e",
                "kind": "conference",
                "start_date": "2014-12-11",
                "end_date": "2014-12-10",
                "participant_count_qualifier": "exact",
            }
        )
        self.assertFalse(form.is_valid())
        self.assertEqual(form.errors["end_date"], ["Data zakończenia nie może być wcześniejsza niż data rozpoczęcia."])

    def test_left_before_joined_is_refused_by_the_database_and_explained_by_the_form(self):
        with self.assertRaises(IntegrityError), transaction.atomic():
            Membership.objects.create(
                partnership=self.partnership, institution=self.institution, joined_on="2014-10-28", left_on="2014-01-01"
            )
        form = MembershipForm(
            data={
                "partnership": self.partnership.pk,
                "institution": self.institution.pk,
                "role": "partner",
                "joined_on": "2014-10-28",
                "left_on": "2014-01-01",
            }
        )
        self.assertFalse(form.is_valid())
        self.assertEqual(form.errors["left_on"], ["Data wystąpienia nie może być wcześniejsza niż data przystąpienia."])

    def test_last_year_before_first_is_refused(self):
        with self.assertRaises(IntegrityError), transaction.atomic():
            Project.objects.create(name="X", start_year=2013, end_year=2007)
        form = ProjectForm(data={"name": "X", "start_year": 2013, "end_year": 2007})
        self.assertFalse(form.is_valid())
        self.assertIn("end_year", form.errors)

    def test_an_institution_is_a_current_member_once(self):
        Membership.objects.create(partnership=self.partnership, institution=self.institution)
        with self.assertRaises(IntegrityError), transaction.atomic():
            Membership.objects.create(partnership=self.partnership, institution=self.institution)
        # Having left, it may join again.
        Membership.objects.filter(institution=self.institution).update(left_on=datetime.date(2015, 1, 1))
        Membership.objects.create(partnership=self.partnership, institution=self.institution)

    def test_patron_signatory_and_material_need_someone_or_something(self):
        event = Event.objects.create(title="E", slug="e", kind="conference")
        agreement = Agreement.objects.create(partnership=self.partnership, title="Umowa")
        for create in (
            lambda: Patron.objects.create(event=event),
            lambda: Signatory.objects.create(agreement=agreement),
            lambda: Material.objects.create(kind="report", title="R"),
        ):
            with self.subTest(), self.assertRaises(IntegrityError), transaction.atomic():
                create()


class PartialDateTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("load_territory", stdout=StringIO())

    def test_a_year_alone_is_a_valid_founding_date_shown_as_the_year(self):
        form = PartnershipForm(
            data={
                "name": "Od 2010 roku",
                "slug": "od-2010",
                "status": "unknown",
                "home_voivodeship": "14",
                "founded_on": "2010-06-15",
                "founded_precision": "year",
            }
        )
        self.assertTrue(form.is_valid(), form.errors)
        partnership = form.save()
        self.assertEqual(partnership.founded_on, datetime.date(2010, 1, 1))
        self.assertEqual(partnership.founded_display, "2010")

    def test_the_database_refuses_a_year_precision_date_that_is_not_1_january(self):
        with self.assertRaises(IntegrityError), transaction.atomic():
            Partnership.objects.create(
                name="X",
                slug="x",
                home_voivodeship_id="14",
                founded_on=datetime.date(2010, 6, 15),
                founded_precision=DatePrecision.YEAR,
            )

    def test_day_and_month_precision_are_written_in_polish(self):
        day = Partnership(founded_on=datetime.date(2014, 10, 28), founded_precision=DatePrecision.DAY)
        month = Partnership(founded_on=datetime.date(2014, 10, 1), founded_precision=DatePrecision.MONTH)
        with translation.override("pl"):
            self.assertEqual(day.founded_display, "28 października 2014")
            self.assertEqual(month.founded_display.lower(), "październik 2014")


class ReferenceDataTests(TestCase):
    def test_the_eight_principles_and_target_groups_are_seeded(self):
        self.assertEqual(Principle.objects.count(), 8)
        self.assertEqual(Principle.objects.first().name, "równość partnerów wobec siebie")
        self.assertTrue(TargetGroup.objects.filter(name="osoby bezdomne").exists())
        with translation.override("en"):
            self.assertEqual(str(TargetGroup.objects.get(slug="osoby-bezdomne")), "homeless people")


class CountIsNotAListTests(TestCase):
    def test_declared_count_is_kept_apart_from_listed_members(self):
        call_command("load_territory", stdout=StringIO())
        partnership = Partnership.objects.create(
            name="Raków", slug="rakow", home_voivodeship_id="24", declared_member_count=13
        )
        partnership.refresh_from_db()
        self.assertEqual((partnership.declared_member_count, partnership.listed_member_count), (13, 0))

    def test_listed_member_count_follows_members_joining_leaving_moving_and_deleted(self):
        call_command("load_territory", stdout=StringIO())
        first = Partnership.objects.create(name="Pierwsze", slug="pierwsze", home_voivodeship_id="14")
        second = Partnership.objects.create(name="Drugie", slug="drugie", home_voivodeship_id="14")
        institutions = [
            Institution.objects.create(
                name=f"Instytucja {n}", slug=f"instytucja-{n}", kind="mops", commune_id="1465011"
            )
            for n in range(3)
        ]
        memberships = [Membership.objects.create(partnership=first, institution=i) for i in institutions]

        def counts():
            return list(Partnership.objects.order_by("name").values_list("name", "listed_member_count"))

        self.assertEqual(counts(), [("Drugie", 0), ("Pierwsze", 3)])
        memberships[0].left_on = datetime.date(2020, 1, 1)
        memberships[0].save()
        self.assertEqual(counts(), [("Drugie", 0), ("Pierwsze", 2)])
        memberships[1].partnership = second
        memberships[1].save()
        self.assertEqual(counts(), [("Drugie", 1), ("Pierwsze", 1)])
        memberships[2].delete()
        self.assertEqual(counts(), [("Drugie", 1), ("Pierwsze", 0)])
        first.updated_at, history = Partnership.objects.get(pk=first.pk).updated_at, first.history.count()
        Membership.objects.create(partnership=first, institution=institutions[2])
        self.assertEqual(Partnership.objects.get(pk=first.pk).updated_at, first.updated_at)
        self.assertEqual(first.history.count(), history)


class MemberKindCountTests(TestCase):
    """The members by kind that the statistics count are those the memberships hold, whatever
    happened to the memberships and their institutions."""

    @classmethod
    def setUpTestData(cls):
        call_command("load_territory", stdout=StringIO())
        cls.first = Partnership.objects.create(name="Pierwsze", slug="pierwsze", home_voivodeship_id="14")
        cls.second = Partnership.objects.create(name="Drugie", slug="drugie", home_voivodeship_id="14")

    def institution(self, n: int, kind: str) -> Institution:
        return Institution.objects.create(
            name=f"Instytucja {n}", slug=f"instytucja-{n}", kind=kind, commune_id="1465011"
        )

    def assert_stored_as_counted(self, expected: dict) -> None:
        counted = Counter(
            (m.partnership.name, m.institution.kind)
            for m in Membership.objects.current().select_related("partnership", "institution")
        )
        stored = {(row.partnership.name, row.kind): row.members for row in MemberKindCount.objects.all()}
        self.assertEqual(stored, dict(counted))
        self.assertEqual(stored, expected)
        for row in MemberKindCount.objects.all():
            self.assertEqual(row.sector, SECTOR_OF_KIND[row.kind])
        self.assert_first_in_sector_marked()

    def assert_first_in_sector_marked(self) -> None:
        """Each partnership's row of the first kind (alphabetically) of each sector is marked,
        and no other: the statistics count a partnership once per sector by it."""
        first: dict[tuple, str] = {}
        for row in MemberKindCount.objects.all():
            key = (row.partnership_id, row.sector)
            first[key] = min(first.get(key, row.kind), row.kind)
        marked = {
            (row.partnership_id, row.sector): row.kind for row in MemberKindCount.objects.filter(first_in_sector=True)
        }
        self.assertEqual(marked, first)
        self.assertEqual(MemberKindCount.objects.filter(first_in_sector=True).count(), len(first))

    def test_follow_members_joining_leaving_moving_deleted_and_their_institutions(self):
        mops, police, school, ngo = (
            self.institution(n, kind) for n, kind in enumerate(["mops", "police", "school", "association"])
        )
        memberships = [Membership.objects.create(partnership=self.first, institution=i) for i in (mops, police, school)]
        Membership.objects.create(partnership=self.second, institution=ngo)
        self.assert_stored_as_counted(
            {
                ("Pierwsze", "mops"): 1,
                ("Pierwsze", "police"): 1,
                ("Pierwsze", "school"): 1,
                ("Drugie", "association"): 1,
            }
        )
        memberships[0].left_on = datetime.date(2020, 1, 1)
        memberships[0].save()
        memberships[1].partnership = self.second
        memberships[1].save()
        memberships[2].delete()
        self.assert_stored_as_counted({("Drugie", "police"): 1, ("Drugie", "association"): 1})
        # An institution whose kind is corrected counts under its new kind, and its sector's.
        police.kind = Institution.Kind.MOPS
        police.save()
        self.assert_stored_as_counted({("Drugie", "mops"): 1, ("Drugie", "association"): 1})
        # Two records of one institution merged: the members move, the counts follow; undone too.
        duplicate = self.institution(9, "foundation")
        Membership.objects.create(partnership=self.first, institution=duplicate)
        user = get_user_model().objects.create_superuser("admin", "admin@example.com", "x")
        record = merge_records(ngo, duplicate, user)
        self.assert_stored_as_counted(
            {("Drugie", "mops"): 1, ("Drugie", "association"): 1, ("Pierwsze", "association"): 1}
        )
        undo_merge(record, user)
        self.assert_stored_as_counted(
            {("Drugie", "mops"): 1, ("Drugie", "association"): 1, ("Pierwsze", "foundation"): 1}
        )
        self.second.delete()
        self.assert_stored_as_counted({("Pierwsze", "foundation"): 1})

    def test_several_kinds_of_one_sector_mark_the_first_whatever_leaves(self):
        mops, pup, police, ngo = (
            self.institution(n, kind) for n, kind in enumerate(["mops", "pup", "police", "association"])
        )
        memberships = [Membership.objects.create(partnership=self.first, institution=i) for i in (pup, police, ngo)]
        Membership.objects.create(partnership=self.second, institution=mops)
        # Public: police before pup; non-governmental: the association alone.
        self.assert_stored_as_counted(
            {("Pierwsze", "pup"): 1, ("Pierwsze", "police"): 1, ("Pierwsze", "association"): 1, ("Drugie", "mops"): 1}
        )
        self.assertEqual(
            set(MemberKindCount.objects.filter(first_in_sector=True).values_list("kind", flat=True)),
            {"police", "association", "mops"},
        )
        # The first leaves: the next kind of its sector counts the partnership in it.
        memberships[1].delete()
        self.assert_stored_as_counted({("Pierwsze", "pup"): 1, ("Pierwsze", "association"): 1, ("Drugie", "mops"): 1})
        Membership.objects.create(partnership=self.first, institution=mops)
        self.assert_stored_as_counted(
            {("Pierwsze", "pup"): 1, ("Pierwsze", "mops"): 1, ("Pierwsze", "association"): 1, ("Drugie", "mops"): 1}
        )

    def test_the_migration_marks_existing_rows_as_the_refresh_does(self):
        for n, kind in enumerate(["school", "court", "gops", "foundation", "coop", "business"]):
            Membership.objects.create(partnership=self.first, institution=self.institution(n, kind))
        Membership.objects.create(partnership=self.second, institution=self.institution(9, "school"))
        MemberKindCount.objects.update(first_in_sector=False)
        migration = importlib.import_module("partnerships.migrations.0020_member_kind_first_in_sector")
        migration.mark_first_in_sector(apps, None)
        self.assert_first_in_sector_marked()
        self.assertEqual(MemberKindCount.objects.filter(first_in_sector=True).count(), 4)

    def test_the_database_refuses_a_sector_that_is_not_the_kinds(self):
        with self.assertRaises(IntegrityError), transaction.atomic():
            MemberKindCount.objects.create(partnership=self.first, kind="mops", sector="ngo", members=1)
        with self.assertRaises(IntegrityError), transaction.atomic():
            MemberKindCount.objects.create(partnership=self.first, kind="mops", sector="public", members=0)
        MemberKindCount.objects.create(partnership=self.first, kind="mops", sector="public", members=1)
        with self.assertRaises(IntegrityError), transaction.atomic():
            MemberKindCount.objects.create(partnership=self.first, kind="mops", sector="public", members=2)
        # One row of a partnership's sector counts it there, not two.
        MemberKindCount.objects.filter(kind="mops").update(first_in_sector=True)
        with self.assertRaises(IntegrityError), transaction.atomic():
            MemberKindCount.objects.create(
                partnership=self.first, kind="pup", sector="public", members=1, first_in_sector=True
            )
        MemberKindCount.objects.create(partnership=self.first, kind="pup", sector="public", members=1)
        MemberKindCount.objects.create(
            partnership=self.second, kind="pup", sector="public", members=1, first_in_sector=True
        )


class WorkingInTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("load_territory", stdout=StringIO())
        cls.in_commune = Partnership.objects.create(name="Gmina", slug="gmina", home_voivodeship_id="02")
        cls.in_commune.area_communes.add("0264011")
        cls.in_county = Partnership.objects.create(name="Powiat", slug="powiat", home_voivodeship_id="14")
        cls.in_county.area_counties.add("1416")

    def test_a_partnership_in_a_commune_shows_under_its_county_and_voivodeship(self):
        for code in ("0264011", "0264", "02"):
            with self.subTest(code):
                self.assertEqual(list(Partnership.objects.working_in(code)), [self.in_commune])

    def test_a_county_partnership_shows_under_its_voivodeship_and_communes_but_not_elsewhere(self):
        self.assertEqual(list(Partnership.objects.working_in("14")), [self.in_county])
        self.assertEqual(list(Partnership.objects.working_in("1416")), [self.in_county])
        self.assertFalse(Partnership.objects.working_in("30").exists())
        self.assertFalse(Partnership.objects.working_in("3017").exists())
