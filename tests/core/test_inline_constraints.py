"""Rows of an inline that the database would refuse together are refused with a message on
the row, never an error page: every unique constraint of every inline's model is checked
across the rows of the form, conditional ones included."""

from django.apps import apps
from django.contrib import admin
from django.db import models
from django.test import RequestFactory

from core.admin import UniqueRowsFormSet
from events.models import Speaker
from members.models import Person
from partnerships.models import Membership
from tests.builders import AdminTestCase, admin_url, form_data


class InlineConstraintTests(AdminTestCase):
    def setUp(self):
        self.client.force_login(self.staff)

    def rows(self, obj, prefix: str, rows: list[dict]) -> dict:
        data = form_data(self.client.get(admin_url(obj, "change")))
        initial = int(data[f"{prefix}-TOTAL_FORMS"])
        for index, row in enumerate(rows, start=initial):
            data.update({f"{prefix}-{index}-{name}": value for name, value in row.items()})
        data[f"{prefix}-TOTAL_FORMS"] = str(initial + len(rows))
        return data

    def test_every_inline_checks_the_unique_constraints_of_its_model(self):
        request = RequestFactory().get("/")
        request.user = self.superuser
        checked = set()
        admins = [admin.site.get_model_admin(m) for m in apps.get_models() if admin.site.is_registered(m)]
        for model_admin in admins:
            for inline in model_admin.get_inline_instances(request):
                constraints = [c for c in inline.model._meta.constraints if isinstance(c, models.UniqueConstraint)]
                if constraints:
                    formset = inline.get_formset(request)
                    self.assertTrue(issubclass(formset, UniqueRowsFormSet), inline)
                    checked.add(inline.model)
        self.assertEqual(checked, {Membership, Speaker})

    def test_an_institution_twice_a_current_member_is_refused_on_the_row(self):
        institution = str(self.own_institution.pk)
        data = self.rows(
            self.own_partnership,
            "memberships",
            [{"institution": institution, "role": "partner"}, {"institution": institution, "role": "leader"}],
        )
        response = self.client.post(admin_url(self.own_partnership, "change"), data)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Ta instytucja jest już obecnym członkiem partnerstwa.")
        self.assertFalse(Membership.objects.filter(partnership=self.own_partnership).exists())

    def test_a_former_and_a_current_membership_of_one_institution_are_accepted(self):
        institution = str(self.own_institution.pk)
        data = self.rows(
            self.own_partnership,
            "memberships",
            [
                {"institution": institution, "role": "partner", "joined_on": "2010-01-01", "left_on": "2012-01-01"},
                {"institution": institution, "role": "partner", "joined_on": "2014-01-01"},
            ],
        )
        response = self.client.post(admin_url(self.own_partnership, "change"), data)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Membership.objects.filter(partnership=self.own_partnership).count(), 2)

    def test_an_institution_already_a_current_member_is_refused_again(self):
        Membership.objects.create(partnership=self.own_partnership, institution=self.own_institution)
        data = self.rows(
            self.own_partnership, "memberships", [{"institution": str(self.own_institution.pk), "role": "partner"}]
        )
        response = self.client.post(admin_url(self.own_partnership, "change"), data)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Ta instytucja jest już obecnym członkiem partnerstwa.")
        self.assertEqual(Membership.objects.filter(partnership=self.own_partnership).count(), 1)

    def test_a_person_twice_in_one_role_at_an_event_is_refused(self):
        person = Person.objects.create(first_name="Jan", last_name="Testowy", affiliation=self.own_institution)
        rows = [{"person": str(person.pk), "role": "speaker", "order": "1"}] * 2
        response = self.client.post(admin_url(self.own_event, "change"), self.rows(self.own_event, "speakers", rows))
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Speaker.objects.filter(event=self.own_event).exists())
