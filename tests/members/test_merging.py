"""Merging duplicate institutions and people moves everything that points at them, and undo
puts every row back.

The relations are read from the models themselves (every field of every installed model that
points at an institution or a person, history tables aside), not from the merge service: a
relation added later gets a row here, or the builder says it needs one.
"""

import datetime

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.forms.models import model_to_dict
from simple_history.models import HistoricalChanges

from core.merging import MergeRefused, links_to, plan_merge
from events.models import Event
from members.merging import merge_records, undo_merge
from members.models import Institution, InstitutionAlias, Merge, Person, StaffProfile
from partnerships.models import Certificate, Membership
from tests.builders import MAZOWIECKIE, WARSZAWA, AdminTestCase, build


def relations_to(target: type[models.Model]) -> list[models.Field]:
    """Every field of an installed model (history tables aside) that points at ``target``."""
    found = []
    for model in apps.get_models():
        if issubclass(model, HistoricalChanges):
            continue
        for field in model._meta.get_fields():
            if field.concrete and field.is_relation and field.related_model is target:
                found.append(field)
    return found


def point_at(field: models.Field, record: models.Model) -> models.Model:
    """A saved row that points at ``record`` through ``field``: the row itself, or for a
    many-to-many field the record that declares it."""
    model = field.model
    if field.many_to_many:
        owner = build(model, MAZOWIECKIE)
        getattr(owner, field.name).add(record)
        return owner
    if model is StaffProfile:
        user = get_user_model().objects.create_user(f"profil-{record.pk}-{field.name}")
        return StaffProfile.objects.create(user=user, centre=record)
    row = build(model, MAZOWIECKIE)
    extra = {}
    if model is Certificate and field.name == "institution":
        extra["kind"] = "membership"
    model._default_manager.filter(pk=row.pk).update(**{field.attname: record.pk}, **extra)
    return row


def points_at(field: models.Field, row: models.Model, record: models.Model) -> bool:
    row = type(row)._default_manager.get(pk=row.pk)
    if field.many_to_many:
        return getattr(row, field.name).filter(pk=record.pk).exists()
    return getattr(row, field.attname) == record.pk


class MergeMovesEveryRelationTest(AdminTestCase):
    def check_every_relation(self, model: type[models.Model]):
        kept, merged = build(model, MAZOWIECKIE), build(model, MAZOWIECKIE)
        before = model_to_dict(merged)
        created_at = merged.created_at
        fields = relations_to(model)
        self.assertGreater(len(fields), 3)
        rows = [(field, point_at(field, merged)) for field in fields]
        for field, row in rows:
            self.assertTrue(points_at(field, row, merged), field)

        record = merge_records(kept, merged, self.superuser)

        self.assertFalse(model.objects.filter(pk=merged.pk).exists())
        for field, row in rows:
            self.assertTrue(points_at(field, row, kept), f"{field.model.__name__}.{field.name} was not moved")
        self.assertEqual(sum(moved for _label, moved, _folded in record.counts), len(rows))

        undo_merge(record, self.superuser)

        restored = model.objects.get(pk=merged.pk)
        self.assertEqual(model_to_dict(restored), before)
        self.assertEqual(restored.created_at, created_at)
        for field, row in rows:
            self.assertTrue(points_at(field, row, merged), f"{field.model.__name__}.{field.name} was not put back")
            self.assertFalse(points_at(field, row, kept))
        self.assertIsNotNone(Merge.objects.get(pk=record.pk).undone_at)

    def test_institution_merge_moves_every_relation_and_undo_restores(self):
        self.check_every_relation(Institution)

    def test_person_merge_moves_every_relation_and_undo_restores(self):
        self.check_every_relation(Person)

    def test_the_service_finds_every_relation_the_models_have(self):
        for model in (Institution, Person):
            found = {(link.m2m or link.field) for link in links_to(model)}
            self.assertEqual(found, set(relations_to(model)))

    def test_merge_and_undo_are_in_history(self):
        kept, merged = build(Institution, MAZOWIECKIE), build(Institution, MAZOWIECKIE)
        membership = Membership.objects.create(partnership=self.own_partnership, institution=merged)
        record = merge_records(kept, merged, self.superuser)
        self.assertIn("Scalono", kept.history.latest().history_change_reason)
        deleted = Institution.history.filter(id=merged.pk).latest()
        self.assertEqual(deleted.history_type, "-")
        self.assertEqual(deleted.history_user, self.superuser)
        self.assertIn(str(merged), membership.history.latest().history_change_reason)
        undo_merge(record, self.superuser)
        self.assertIn("Cofnięto scalenie", Institution.history.filter(id=merged.pk).latest().history_change_reason)


class MergeFoldsRowsThatWouldRepeatTest(AdminTestCase):
    def test_two_current_memberships_of_one_partnership_become_one_and_undo_splits_them(self):
        kept, merged = build(Institution, MAZOWIECKIE), build(Institution, MAZOWIECKIE)
        own = Membership.objects.create(partnership=self.own_partnership, institution=kept, role="leader")
        other = Membership.objects.create(partnership=self.own_partnership, institution=merged, notes="Wpis")
        event = build(Event, MAZOWIECKIE)
        event.organisers.add(kept, merged)

        plan = plan_merge(kept, merged)
        self.assertEqual(sorted((moved, folded) for _label, moved, folded in plan.counts()), [(0, 1), (0, 1)])
        record = merge_records(kept, merged, self.superuser)

        self.assertEqual(list(Membership.objects.filter(partnership=self.own_partnership, left_on=None)), [own])
        self.assertEqual(list(event.organisers.all()), [kept])

        undo_merge(record, self.superuser)
        restored = Membership.objects.get(pk=other.pk)
        self.assertEqual((restored.institution_id, restored.notes), (merged.pk, "Wpis"))
        self.assertEqual(Membership.objects.get(pk=own.pk).institution_id, kept.pk)
        self.assertEqual(set(event.organisers.all()), {kept, Institution.objects.get(pk=merged.pk)})

    def test_a_former_membership_is_moved_not_folded(self):
        kept, merged = build(Institution, MAZOWIECKIE), build(Institution, MAZOWIECKIE)
        Membership.objects.create(partnership=self.own_partnership, institution=kept)
        former = Membership.objects.create(
            partnership=self.own_partnership,
            institution=merged,
            joined_on=datetime.date(2015, 1, 1),
            left_on=datetime.date(2018, 1, 1),
        )
        merge_records(kept, merged, self.superuser)
        self.assertEqual(Membership.objects.get(pk=former.pk).institution_id, kept.pk)


class CertificatesAreNeverJoinedTest(AdminTestCase):
    def certificate(self, holder, number):
        return Certificate.objects.create(
            partnership=self.own_partnership,
            kind="membership",
            institution=holder,
            number=f"RPL/14/2020/{number:05d}",
            issued_on=datetime.date(2020, 1, 1),
            signatory_name="Dyrektor testowy",
        )

    def test_two_valid_certificates_of_one_partnership_block_the_merge_and_nothing_changes(self):
        kept, merged = build(Institution, MAZOWIECKIE), build(Institution, MAZOWIECKIE)
        self.certificate(kept, 1)
        theirs = self.certificate(merged, 2)
        membership = Membership.objects.create(partnership=self.own_partnership, institution=merged)
        with self.assertRaises(MergeRefused) as refused:
            merge_records(kept, merged, self.superuser)
        self.assertIn("nigdy nie są łączone", " ".join(refused.exception.reasons))
        self.assertEqual(Certificate.objects.get(pk=theirs.pk).institution_id, merged.pk)
        self.assertEqual(Membership.objects.get(pk=membership.pk).institution_id, merged.pk)
        self.assertTrue(Institution.objects.filter(pk=merged.pk).exists())
        self.assertFalse(Merge.objects.exists())

    def test_a_certificate_alone_moves_to_the_kept_holder(self):
        kept, merged = build(Institution, MAZOWIECKIE), build(Institution, MAZOWIECKIE)
        theirs = self.certificate(merged, 3)
        merge_records(kept, merged, self.superuser)
        self.assertEqual(Certificate.objects.get(pk=theirs.pk).institution_id, kept.pk)


class UndoRefusedWhenUnsafeTest(AdminTestCase):
    def test_undo_refused_when_a_moved_row_points_elsewhere_since(self):
        kept, merged, third = (build(Institution, MAZOWIECKIE) for _ in range(3))
        membership = Membership.objects.create(partnership=self.own_partnership, institution=merged)
        record = merge_records(kept, merged, self.superuser)
        Membership.objects.filter(pk=membership.pk).update(institution=third)
        with self.assertRaises(MergeRefused) as refused:
            undo_merge(record, self.superuser)
        self.assertIn("zmieniono", " ".join(refused.exception.reasons))
        self.assertFalse(Institution.objects.filter(pk=merged.pk).exists())
        self.assertIsNone(Merge.objects.get(pk=record.pk).undone_at)

    def test_undo_refused_when_the_merged_number_was_given_to_another_record(self):
        kept = build(Institution, MAZOWIECKIE)
        merged = Institution.objects.create(
            name="Duplikat", slug="duplikat", kind="mops", commune_id=WARSZAWA, nip="5260250274"
        )
        record = merge_records(kept, merged, self.superuser)
        Institution.objects.filter(pk=kept.pk).update(nip="5260250274")
        with self.assertRaises(MergeRefused) as refused:
            undo_merge(record, self.superuser)
        self.assertIn("NIP", " ".join(refused.exception.reasons))
        self.assertFalse(Institution.objects.filter(pk=merged.pk).exists())
        self.assertTrue(InstitutionAlias.objects.filter(slug="duplikat").exists())

    def test_undo_refused_when_the_kept_record_was_merged_again(self):
        kept, merged, third = (build(Institution, MAZOWIECKIE) for _ in range(3))
        first = merge_records(kept, merged, self.superuser)
        merge_records(third, kept, self.superuser)
        with self.assertRaises(MergeRefused):
            undo_merge(first, self.superuser)
        self.assertEqual(InstitutionAlias.objects.get(slug=merged.slug).institution, third)

    def test_undo_twice_refused(self):
        kept, merged = build(Institution, MAZOWIECKIE), build(Institution, MAZOWIECKIE)
        record = merge_records(kept, merged, self.superuser)
        undo_merge(record, self.superuser)
        with self.assertRaises(MergeRefused):
            undo_merge(record, self.superuser)

    def test_a_record_is_not_merged_with_itself(self):
        kept = build(Institution, MAZOWIECKIE)
        with self.assertRaises(MergeRefused):
            merge_records(kept, kept, self.superuser)


class LongNamesTest(AdminTestCase):
    def test_records_with_long_names_merge_with_a_reason_that_fits_the_history(self):
        kept = Institution.objects.create(name="Ośrodek " * 35, slug="dlugi-1", kind="mops", commune_id=WARSZAWA)
        merged = Institution.objects.create(name="Centrum " * 35, slug="dlugi-2", kind="mops", commune_id=WARSZAWA)
        record = merge_records(kept, merged, self.superuser)
        self.assertLessEqual(len(kept.history.latest().history_change_reason), 100)
        undo_merge(record, self.superuser)
        self.assertEqual(Institution.objects.get(pk=merged.pk).name, "Centrum " * 35)
