"""Nothing is lost: every change is recorded with who made it, can be reverted, and a deleted
partnership comes back with what was deleted with it."""

import datetime

from django.core.exceptions import PermissionDenied
from django.urls import reverse

from events.models import Event
from members.models import Person
from partnerships.history import RestoreError, deleted_partnerships, restore_partnership
from partnerships.models import Agreement, Evaluation, Membership, Partnership, Signatory, TargetGroup
from tests.builders import AdminTestCase, admin_url, form_data

DELETED_URL = reverse("admin:partnerships_partnership_deleted")


def restore_url(partnership_pk: int) -> str:
    record = Partnership.history.filter(id=partnership_pk, history_type="-").latest()
    return reverse("admin:partnerships_partnership_restore", args=[record.history_id])


class ChangeHistoryTests(AdminTestCase):
    def setUp(self):
        self.client.force_login(self.staff)

    def rename(self, partnership: Partnership, name: str) -> None:
        data = form_data(self.client.get(admin_url(partnership, "change")))
        data["name"] = name
        self.assertEqual(self.client.post(admin_url(partnership, "change"), data).status_code, 302)

    def test_an_edit_through_the_admin_is_recorded_with_its_user(self):
        self.rename(self.own_partnership, "Partnerstwo testowe po zmianie")
        record = self.own_partnership.history.filter(name="Partnerstwo testowe po zmianie").earliest()
        self.assertEqual(record.history_type, "~")
        self.assertEqual(record.history_user, self.staff)
        response = self.client.get(admin_url(self.own_partnership, "history"))
        self.assertContains(response, self.staff.username)
        self.assertContains(response, "Partnerstwo testowe po zmianie")

    def test_reverting_through_the_admin_restores_the_earlier_value(self):
        self.rename(self.own_partnership, "Partnerstwo testowe po zmianie")
        first = self.own_partnership.history.earliest()
        url = admin_url(self.own_partnership, "simple_history", self.own_partnership.pk, first.history_id)
        response = self.client.get(url)
        self.assertContains(response, 'name="_save"')
        self.assertEqual(self.client.post(url, form_data(response)).status_code, 302)
        self.own_partnership.refresh_from_db()
        self.assertEqual(self.own_partnership.name, "Partnerstwo testowe mazowieckie")
        self.assertEqual(self.own_partnership.history.latest().history_user, self.staff)


class RestoreDeletedPartnershipTests(AdminTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        p = cls.own_partnership
        p.area_counties.set(["1465"])
        p.area_communes.set(["1465011"])
        p.target_groups.set(TargetGroup.objects.order_by("pk")[:2])
        p.events.add(cls.own_event)
        cls.representative = Person.objects.create(first_name="Jan", last_name="Testowy", affiliation=cls.mcps)
        cls.memberships = [
            Membership.objects.create(
                partnership=p, institution=cls.own_institution, role="leader", represented_by=cls.representative
            ),
            Membership.objects.create(partnership=p, institution=cls.mcps),
        ]
        cls.agreement = Agreement.objects.create(
            partnership=p, title="Porozumienie testowe", signed_on=datetime.date(2014, 10, 28), signed_at=cls.own_event
        )
        cls.signatory = Signatory.objects.create(
            agreement=cls.agreement, person=cls.representative, institution=cls.own_institution
        )
        cls.evaluation = Evaluation.objects.create(
            partnership=p, date=datetime.date(2015, 6, 1), kind="monitoring", summary="Monitoring testowy"
        )

    def setUp(self):
        self.client.force_login(self.staff)
        self.created_at = Partnership.objects.get(pk=self.own_partnership.pk).created_at

    def delete_through_the_admin(self, partnership: Partnership) -> None:
        response = self.client.post(admin_url(partnership, "delete"), {"post": "yes"})
        self.assertEqual(response.status_code, 302)
        self.assertFalse(Partnership.objects.filter(pk=partnership.pk).exists())

    def test_a_deleted_partnership_is_listed_and_restored_with_its_relations(self):
        pk = self.own_partnership.pk
        self.delete_through_the_admin(self.own_partnership)
        self.assertFalse(Membership.objects.filter(partnership_id=pk).exists())

        response = self.client.get(DELETED_URL)
        self.assertContains(response, "Partnerstwo testowe mazowieckie")
        self.assertContains(response, restore_url(pk))
        self.assertContains(self.client.get(admin_url(self.own_partnership, "history")), self.staff.username)
        response = self.client.post(restore_url(pk))
        self.assertRedirects(response, admin_url(self.own_partnership, "change"))

        restored = Partnership.objects.get(pk=pk)
        self.assertEqual(restored.name, "Partnerstwo testowe mazowieckie")
        self.assertEqual(restored.created_at, self.created_at)
        self.assertEqual(
            set(restored.memberships.values_list("pk", "institution_id", "role", "represented_by_id")),
            {(m.pk, m.institution_id, m.role, m.represented_by_id) for m in self.memberships},
        )
        agreement = restored.agreements.get()
        self.assertEqual((agreement.pk, agreement.signed_at), (self.agreement.pk, self.own_event))
        self.assertEqual(agreement.signatories.get().pk, self.signatory.pk)
        self.assertEqual(restored.evaluations.get().pk, self.evaluation.pk)
        self.assertEqual(list(restored.area_counties.values_list("code", flat=True)), ["1465"])
        self.assertEqual(list(restored.area_communes.values_list("code", flat=True)), ["1465011"])
        self.assertEqual(restored.target_groups.count(), 2)
        self.assertEqual(list(restored.events.all()), [self.own_event])
        self.assertEqual(restored.history.latest().history_user, self.staff)
        self.assertNotContains(self.client.get(DELETED_URL), "Partnerstwo testowe mazowieckie")

    def test_a_membership_deleted_before_the_partnership_stays_deleted(self):
        pk = self.own_partnership.pk
        earlier = self.memberships[1].pk
        Membership.objects.get(pk=earlier).delete()
        deletion = Membership.history.filter(id=earlier, history_type="-")
        deletion.update(history_date=deletion.get().history_date - datetime.timedelta(days=1))
        self.delete_through_the_admin(self.own_partnership)
        restore_partnership(pk=pk, user=self.staff)
        self.assertEqual(list(Membership.objects.filter(partnership_id=pk)), [self.memberships[0]])

    def test_an_event_deleted_since_is_left_out_of_the_restored_relations(self):
        pk = self.own_partnership.pk
        self.delete_through_the_admin(self.own_partnership)
        Event.objects.filter(pk=self.own_event.pk).delete()
        result = restore_partnership(pk=pk, user=self.staff)
        self.assertFalse(result.partnership.events.exists())
        self.assertIsNone(Agreement.objects.get(pk=self.agreement.pk).signed_at)

    def test_staff_of_another_region_cannot_restore_it(self):
        pk = self.other_partnership.pk
        self.client.force_login(self.superuser)
        self.delete_through_the_admin(self.other_partnership)
        self.client.force_login(self.staff)
        response = self.client.get(DELETED_URL)
        self.assertContains(response, "Partnerstwo testowe dolnośląskie")
        self.assertNotContains(response, restore_url(pk))
        self.assertEqual(self.client.post(restore_url(pk)).status_code, 403)
        self.assertFalse(Partnership.objects.filter(pk=pk).exists())
        with self.assertRaises(PermissionDenied):
            restore_partnership(pk=pk, user=self.staff)

    def test_restoring_is_a_post(self):
        pk = self.own_partnership.pk
        self.delete_through_the_admin(self.own_partnership)
        self.assertEqual(self.client.get(restore_url(pk)).status_code, 405)
        self.assertFalse(Partnership.objects.filter(pk=pk).exists())

    def test_an_existing_partnership_cannot_be_restored_twice(self):
        pk = self.own_partnership.pk
        self.delete_through_the_admin(self.own_partnership)
        record = deleted_partnerships().get(id=pk)
        restore_partnership(record.history_id, self.staff)
        with self.assertRaises(RestoreError):
            restore_partnership(record.history_id, self.staff)
        self.assertFalse(deleted_partnerships().filter(id=pk).exists())
