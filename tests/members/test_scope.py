"""Staff change only their own region's records, and the server enforces it whatever is POSTed."""

import datetime

from django.apps import apps
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.utils import timezone

from core.admin import ScopedAdminMixin
from events.models import Event, Project
from members.models import Institution, Person
from members.scope import can_change, region_of
from partnerships.models import Agreement, Certificate, Membership, Partnership
from tests.builders import (
    DOLNOSLASKIE,
    MAZOWIECKIE,
    WARSZAWA,
    WROCLAW,
    AdminTestCase,
    admin_url,
    build,
    csrf_token,
    form_data,
)


class ScopeRuleTests(AdminTestCase):
    def test_the_region_of_staff_is_their_centres_voivodeship(self):
        self.assertEqual(region_of(self.staff), MAZOWIECKIE)
        self.assertIsNone(region_of(self.staff_without_profile))
        self.assertIsNone(region_of(self.superuser))

    def test_staff_may_change_only_records_of_their_voivodeship(self):
        self.assertTrue(can_change(self.staff, self.own_partnership))
        self.assertFalse(can_change(self.staff, self.other_partnership))
        self.assertTrue(can_change(self.staff, self.own_institution))
        self.assertFalse(can_change(self.staff, self.other_institution))
        self.assertFalse(can_change(self.staff, self.other_event))

    def test_children_follow_their_parent(self):
        agreement = Agreement(partnership=self.other_partnership, title="Porozumienie")
        self.assertFalse(can_change(self.staff, agreement))
        agreement.partnership = self.own_partnership
        self.assertTrue(can_change(self.staff, agreement))

    def test_records_without_a_region_are_changed_only_by_superusers(self):
        foreign = Institution(name="Rada gminy testowej", slug="rada", kind="foreign_public", country="GB")
        self.assertFalse(can_change(self.staff, foreign))
        self.assertTrue(can_change(self.superuser, foreign))

    def test_staff_without_a_profile_may_change_nothing(self):
        self.assertFalse(can_change(self.staff_without_profile, self.own_partnership))
        self.assertFalse(can_change(self.staff_without_profile, self.other_partnership))


class OtherRegionIsReadOnlyTests(AdminTestCase):
    """Staff of mazowieckie against dolnośląskie's partnership, institution and event."""

    def setUp(self):
        self.client.force_login(self.staff)
        self.others = [self.other_partnership, self.other_institution, self.other_event]

    def superuser_form_data(self, obj) -> dict:
        """What a full change form of ``obj`` submits: a forged POST needs no form on the page."""
        self.client.force_login(self.superuser)
        data = form_data(self.client.get(admin_url(obj, "change")))
        self.client.force_login(self.staff)
        return data

    def test_the_changelist_shows_other_regions_records_one_click_away(self):
        # The list opens on the user's own region; "all regions" shows the others too.
        for obj in self.others:
            with self.subTest(obj._meta.model_name):
                self.assertNotContains(self.client.get(admin_url(obj, "changelist")), str(obj))
                self.assertContains(self.client.get(admin_url(obj, "changelist"), {"zakres": "wszystkie"}), str(obj))

    def test_the_change_form_of_another_region_has_no_save_button(self):
        for obj in self.others:
            with self.subTest(obj._meta.model_name):
                response = self.client.get(admin_url(obj, "change"))
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, str(obj))
                self.assertNotContains(response, 'name="_save"')
                self.assertNotContains(response, 'name="_continue"')

    def test_own_change_form_has_a_save_button(self):
        self.assertContains(self.client.get(admin_url(self.own_partnership, "change")), 'name="_save"')

    def test_posting_a_change_to_another_region_is_forbidden_and_changes_nothing(self):
        for obj in self.others:
            with self.subTest(obj._meta.model_name):
                data = self.superuser_form_data(obj)
                field = "title" if isinstance(obj, Event) else "name"
                data[field] = "Zmienione przez inny region"
                response = self.client.post(admin_url(obj, "change"), data)
                self.assertEqual(response.status_code, 403)
                obj.refresh_from_db()
                self.assertNotEqual(getattr(obj, field), "Zmienione przez inny region")

    def test_deleting_another_regions_record_is_forbidden(self):
        for obj in self.others:
            with self.subTest(obj._meta.model_name):
                self.assertEqual(self.client.get(admin_url(obj, "delete")).status_code, 403)
                self.assertEqual(self.client.post(admin_url(obj, "delete"), {"post": "yes"}).status_code, 403)
                self.assertTrue(type(obj).objects.filter(pk=obj.pk).exists())

    def test_bulk_delete_does_not_delete_another_regions_rows(self):
        for own, other in [
            (self.own_partnership, self.other_partnership),
            (self.own_institution, self.other_institution),
            (self.own_event, self.other_event),
        ]:
            with self.subTest(own._meta.model_name):
                self.client.post(
                    admin_url(own, "changelist"),
                    {"action": "delete_selected", helpers.ACTION_CHECKBOX_NAME: [own.pk, other.pk], "post": "yes"},
                )
                self.assertTrue(type(other).objects.filter(pk=other.pk).exists())

    def test_bulk_delete_of_own_rows_deletes_them(self):
        response = self.client.post(
            admin_url(Partnership, "changelist"),
            {"action": "delete_selected", helpers.ACTION_CHECKBOX_NAME: [self.own_partnership.pk], "post": "yes"},
        )
        self.assertEqual(response.status_code, 302)
        self.assertFalse(Partnership.objects.filter(pk=self.own_partnership.pk).exists())

    def test_reverting_another_regions_record_to_an_earlier_version_is_forbidden(self):
        for obj in self.others:
            with self.subTest(obj._meta.model_name):
                version = obj.history.earliest()
                data = self.superuser_form_data(obj)
                field = "title" if isinstance(obj, Event) else "name"
                data[field] = "Przywrócone przez inny region"
                url = admin_url(obj, "simple_history", obj.pk, version.history_id)
                self.assertEqual(self.client.post(url, data).status_code, 403)
                obj.refresh_from_db()
                self.assertNotEqual(getattr(obj, field), "Przywrócone przez inny region")

    def test_the_revert_page_of_another_region_offers_no_revert(self):
        version = self.other_partnership.history.earliest()
        url = admin_url(self.other_partnership, "simple_history", self.other_partnership.pk, version.history_id)
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, 'name="_save"')

    def test_mark_verified_marks_only_own_regions_rows_and_keeps_the_modification_time(self):
        for own, other in [
            (self.own_partnership, self.other_partnership),
            (self.own_institution, self.other_institution),
        ]:
            with self.subTest(own._meta.model_name):
                modified = type(own).objects.get(pk=own.pk).updated_at
                response = self.client.post(
                    admin_url(own, "changelist"),
                    {"action": "mark_verified", helpers.ACTION_CHECKBOX_NAME: [own.pk, other.pk]},
                )
                self.assertEqual(response.status_code, 302)
                own.refresh_from_db()
                other.refresh_from_db()
                self.assertEqual(own.last_verified_on, timezone.localdate())
                self.assertEqual(own.updated_at, modified)
                self.assertIsNone(other.last_verified_on)
                self.assertEqual(own.history.latest().history_user, self.staff)

    def test_moving_another_regions_partnership_into_mine_is_forbidden(self):
        data = self.superuser_form_data(self.other_partnership)
        data["home_voivodeship"] = MAZOWIECKIE
        response = self.client.post(admin_url(self.other_partnership, "change"), data)
        self.assertEqual(response.status_code, 403)
        self.other_partnership.refresh_from_db()
        self.assertEqual(self.other_partnership.home_voivodeship_id, DOLNOSLASKIE)

    def test_moving_own_partnership_out_of_my_region_is_refused_with_a_form_error(self):
        data = form_data(self.client.get(admin_url(self.own_partnership, "change")))
        data["home_voivodeship"] = DOLNOSLASKIE
        response = self.client.post(admin_url(self.own_partnership, "change"), data)
        self.assertEqual(response.status_code, 200)
        self.assertIn("home_voivodeship", response.context["adminform"].form.errors)
        self.own_partnership.refresh_from_db()
        self.assertEqual(self.own_partnership.home_voivodeship_id, MAZOWIECKIE)

    def test_moving_own_institution_to_another_regions_commune_is_refused(self):
        data = form_data(self.client.get(admin_url(self.own_institution, "change")))
        data["commune"] = WROCLAW
        response = self.client.post(admin_url(self.own_institution, "change"), data)
        self.assertEqual(response.status_code, 200)
        self.assertIn("commune", response.context["adminform"].form.errors)
        self.own_institution.refresh_from_db()
        self.assertEqual(self.own_institution.commune_id, WARSZAWA)

    def test_the_home_voivodeship_offers_only_my_region(self):
        form = self.client.get(admin_url(Partnership, "add")).context["adminform"].form
        self.assertEqual([v.code for v in form.fields["home_voivodeship"].queryset], [MAZOWIECKIE])

    def test_adding_a_partnership_in_another_region_is_refused(self):
        data = form_data(self.client.get(admin_url(Partnership, "add")))
        data.update(name="Partnerstwo testowe cudze", slug="partnerstwo-cudze", home_voivodeship=DOLNOSLASKIE)
        response = self.client.post(admin_url(Partnership, "add"), data)
        self.assertEqual(response.status_code, 200)
        self.assertIn("home_voivodeship", response.context["adminform"].form.errors)
        self.assertFalse(Partnership.objects.filter(slug="partnerstwo-cudze").exists())

    def test_adding_an_institution_in_another_regions_commune_is_refused(self):
        data = form_data(self.client.get(admin_url(Institution, "add")))
        data.update(name="Instytucja testowa cudza", slug="instytucja-cudza", kind="gops", commune=WROCLAW)
        response = self.client.post(admin_url(Institution, "add"), data)
        self.assertEqual(response.status_code, 200)
        self.assertIn("commune", response.context["adminform"].form.errors)
        self.assertFalse(Institution.objects.filter(slug="instytucja-cudza").exists())

    def test_adding_an_institution_without_a_region_is_refused(self):
        data = form_data(self.client.get(admin_url(Institution, "add")))
        data.update(name="Instytucja testowa zagraniczna", slug="instytucja-zagraniczna", kind="other", country="GB")
        data.pop("commune", None)
        response = self.client.post(admin_url(Institution, "add"), data)
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["adminform"].form.errors)
        self.assertFalse(Institution.objects.filter(slug="instytucja-zagraniczna").exists())

    def test_adding_a_membership_to_another_regions_partnership_is_forbidden(self):
        data = self.superuser_form_data(self.other_partnership)
        data.update(
            {
                "memberships-TOTAL_FORMS": "2",
                "memberships-1-institution": str(self.own_institution.pk),
                "memberships-1-role": "partner",
            }
        )
        response = self.client.post(admin_url(self.other_partnership, "change"), data)
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.other_partnership.memberships.count(), 1)

    def test_adding_an_agreement_to_another_regions_partnership_is_refused(self):
        data = form_data(self.client.get(admin_url(Agreement, "add")))
        data.update(partnership=str(self.other_partnership.pk), kind="founding", title="Porozumienie testowe")
        response = self.client.post(admin_url(Agreement, "add"), data)
        self.assertEqual(response.status_code, 200)
        self.assertIn("partnership", response.context["adminform"].form.errors)
        self.assertFalse(Agreement.objects.exists())


class OwnRegionIsEditableTests(AdminTestCase):
    def setUp(self):
        self.client.force_login(self.staff)

    def test_staff_add_change_and_delete_their_regions_partnership(self):
        data = form_data(self.client.get(admin_url(Partnership, "add")))
        data.update(name="Partnerstwo testowe nowe", slug="partnerstwo-nowe")
        data.update(
            {
                "memberships-TOTAL_FORMS": "1",
                "memberships-0-institution": str(self.other_institution.pk),
                "memberships-0-role": "partner",
            }
        )
        self.assertEqual(self.client.post(admin_url(Partnership, "add"), data).status_code, 302)
        partnership = Partnership.objects.get(slug="partnerstwo-nowe")
        self.assertEqual(partnership.home_voivodeship_id, MAZOWIECKIE)
        # A member may come from any region; the membership belongs to the partnership.
        self.assertEqual(partnership.memberships.get().institution, self.other_institution)

        data = form_data(self.client.get(admin_url(partnership, "change")))
        data["name"] = "Partnerstwo testowe przemianowane"
        self.assertEqual(self.client.post(admin_url(partnership, "change"), data).status_code, 302)
        partnership.refresh_from_db()
        self.assertEqual(partnership.name, "Partnerstwo testowe przemianowane")

        self.assertEqual(self.client.post(admin_url(partnership, "delete"), {"post": "yes"}).status_code, 302)
        self.assertFalse(Partnership.objects.filter(pk=partnership.pk).exists())
        self.assertFalse(Membership.objects.filter(partnership_id=partnership.pk).exists())

    def test_staff_add_change_and_delete_their_regions_institution(self):
        data = form_data(self.client.get(admin_url(Institution, "add")))
        data.update(name="Instytucja testowa nowa", slug="instytucja-nowa", kind="gops", commune=WARSZAWA)
        self.assertEqual(self.client.post(admin_url(Institution, "add"), data).status_code, 302)
        institution = Institution.objects.get(slug="instytucja-nowa")

        data = form_data(self.client.get(admin_url(institution, "change")))
        data["short_name"] = "ITN"
        self.assertEqual(self.client.post(admin_url(institution, "change"), data).status_code, 302)
        institution.refresh_from_db()
        self.assertEqual(institution.short_name, "ITN")

        self.assertEqual(self.client.post(admin_url(institution, "delete"), {"post": "yes"}).status_code, 302)
        self.assertFalse(Institution.objects.filter(pk=institution.pk).exists())

    def test_staff_add_change_and_delete_their_regions_event(self):
        data = form_data(self.client.get(admin_url(Event, "add")))
        data.update(title="Wydarzenie testowe nowe", slug="wydarzenie-nowe", kind="seminar", commune=WARSZAWA)
        data.update(start_date="2014-10-28")
        self.assertEqual(self.client.post(admin_url(Event, "add"), data).status_code, 302)
        event = Event.objects.get(slug="wydarzenie-nowe")
        self.assertEqual(event.start_date, datetime.date(2014, 10, 28))

        data = form_data(self.client.get(admin_url(event, "change")))
        data["venue"] = "Sala konferencyjna"
        self.assertEqual(self.client.post(admin_url(event, "change"), data).status_code, 302)
        event.refresh_from_db()
        self.assertEqual(event.venue, "Sala konferencyjna")

        self.assertEqual(self.client.post(admin_url(event, "delete"), {"post": "yes"}).status_code, 302)
        self.assertFalse(Event.objects.filter(pk=event.pk).exists())


class SuperuserAndProfilelessStaffTests(AdminTestCase):
    def test_superuser_changes_records_of_any_region(self):
        self.client.force_login(self.superuser)
        data = form_data(self.client.get(admin_url(self.other_partnership, "change")))
        data.update(name="Zmienione przez administratora", home_voivodeship=MAZOWIECKIE)
        self.assertEqual(self.client.post(admin_url(self.other_partnership, "change"), data).status_code, 302)
        self.other_partnership.refresh_from_db()
        self.assertEqual(self.other_partnership.name, "Zmienione przez administratora")
        self.assertEqual(self.other_partnership.home_voivodeship_id, MAZOWIECKIE)

    def test_superuser_adds_an_institution_without_a_region(self):
        self.client.force_login(self.superuser)
        data = form_data(self.client.get(admin_url(Institution, "add")))
        data.update(name="Instytucja testowa zagraniczna", slug="instytucja-zagraniczna", kind="other", country="GB")
        self.assertEqual(self.client.post(admin_url(Institution, "add"), data).status_code, 302)
        self.assertIsNone(Institution.objects.get(slug="instytucja-zagraniczna").region_id)

    def test_staff_without_a_profile_can_change_nothing(self):
        self.client.force_login(self.staff_without_profile)
        response = self.client.get(admin_url(Partnership, "changelist"))
        self.assertContains(response, self.own_partnership.name)
        self.assertEqual([m.level for m in response.context["messages"]], [messages.WARNING])
        self.assertEqual(self.client.get(admin_url(Partnership, "add")).status_code, 403)
        self.assertNotContains(self.client.get(admin_url(self.own_partnership, "change")), 'name="_save"')
        self.client.force_login(self.superuser)
        data = form_data(self.client.get(admin_url(self.own_partnership, "change")))
        self.client.force_login(self.staff_without_profile)
        data["name"] = "Zmienione bez profilu"
        self.assertEqual(self.client.post(admin_url(self.own_partnership, "change"), data).status_code, 403)
        self.assertEqual(self.client.post(admin_url(self.own_partnership, "delete"), {"post": "yes"}).status_code, 403)
        self.own_partnership.refresh_from_db()
        self.assertEqual(self.own_partnership.name, "Partnerstwo testowe mazowieckie")


class ServerSideBackstopTests(AdminTestCase):
    """The last checks behind the forms and Django's confirmation pages, called directly."""

    def request(self):
        request = RequestFactory().post("/admin/")
        request.user = self.staff
        return request

    def test_save_model_refuses_another_regions_record(self):
        model_admin = admin.site.get_model_admin(Partnership)
        self.other_partnership.name = "Zmienione z pominięciem formularza"
        with self.assertRaises(PermissionDenied):
            model_admin.save_model(self.request(), self.other_partnership, form=None, change=True)
        self.other_partnership.refresh_from_db()
        self.assertEqual(self.other_partnership.name, "Partnerstwo testowe dolnośląskie")

    def test_delete_queryset_deletes_only_own_regions_rows(self):
        model_admin = admin.site.get_model_admin(Partnership)
        model_admin.delete_queryset(self.request(), Partnership.objects.all())
        self.assertEqual(list(Partnership.objects.all()), [self.other_partnership])

    def test_delete_model_refuses_another_regions_record(self):
        model_admin = admin.site.get_model_admin(Event)
        with self.assertRaises(PermissionDenied):
            model_admin.delete_model(self.request(), self.other_event)
        self.assertTrue(Event.objects.filter(pk=self.other_event.pk).exists())


class SaveAsNewTests(AdminTestCase):
    """ "Save as new" copies a record: it needs the right to change it, whatever the form says."""

    def scoped_models(self):
        for model in apps.get_models():
            if admin.site.is_registered(model) and isinstance(admin.site.get_model_admin(model), ScopedAdminMixin):
                yield model

    def post_save_as_new(self, user, obj):
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.superuser)
        data = form_data(client.get(admin_url(obj, "change")))
        client.force_login(user)
        page = client.get(admin_url(obj, "change"))
        data.update(_saveasnew="Zapisz jako nowy", csrfmiddlewaretoken=csrf_token(page))
        return client.post(admin_url(obj, "change"), data)

    def test_saving_another_regions_record_as_new_is_forbidden_and_writes_nothing(self):
        tested = set()
        for model in self.scoped_models():
            if model is Certificate:  # never added through the admin at all
                continue
            with self.subTest(model.__name__):
                obj = build(model, DOLNOSLASKIE)
                if model is Person:
                    Person.objects.filter(pk=obj.pk).update(email="prywatny@example.org", private_notes="Notatka")
                before = model.objects.count()
                response = self.post_save_as_new(self.staff, obj)
                self.assertEqual(response.status_code, 403)
                self.assertEqual(model.objects.count(), before)
                tested.add(model)
        self.assertTrue({Partnership, Institution, Person, Event, Project, Agreement} <= tested)
        self.assertFalse(
            Person.objects.filter(email="prywatny@example.org").exclude(affiliation__commune=WROCLAW).exists()
        )

    def test_saving_an_own_record_as_new_makes_a_copy_as_django_does(self):
        person = build(Person, MAZOWIECKIE)
        response = self.post_save_as_new(self.staff, person)
        self.assertEqual(response.status_code, 302)
        copies = Person.objects.filter(last_name=person.last_name)
        self.assertEqual(copies.count(), 2)
        self.assertEqual({p.affiliation_id for p in copies}, {person.affiliation_id})
