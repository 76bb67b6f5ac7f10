"""A delete of an own record never changes another region's record silently.

Every relation between the registry's models is read from the models themselves, and for each
one a record of dolnośląskie points at a record of mazowieckie; staff of mazowieckie then
delete theirs through the admin (real POSTs with CSRF, the single delete page and the bulk
action). Staff are refused with the other region's record listed; a superuser sees the same
list, may confirm, and the record changed gets a history row naming the delete.
"""

from django.apps import apps
from django.contrib import admin
from django.contrib.admin import helpers
from django.db import models
from django.test import Client
from simple_history.models import HistoricalChanges

from events.models import Material, Project
from members.models import Institution, Person, StaffProfile
from partnerships.models import (
    Agreement,
    Certificate,
    Membership,
)
from tests.builders import DOLNOSLASKIE, MAZOWIECKIE, WARSZAWA, AdminTestCase, admin_url, build, csrf_token, form_data

REGISTRY_APPS = ("members", "events", "partnerships")


def registry_relations() -> list[tuple[type, models.Field]]:
    """Every foreign key and many-to-many field from a model of the registry's apps to a record
    that a region keeps (one with a ``region_id``: not the fixed vocabularies, which no region
    owns), history tables aside (they keep ids, not relations)."""
    found = []
    for model in apps.get_models():
        if model._meta.app_label not in REGISTRY_APPS or issubclass(model, HistoricalChanges):
            continue
        for field in model._meta.get_fields():
            if not (field.concrete and field.is_relation and field.related_model):
                continue
            target = field.related_model
            if target._meta.app_label in REGISTRY_APPS and hasattr(target, "region_id"):
                found.append((model, field))
    return found


# What a record needs so that it may point at the other one (the database checks these).
LINK_NEEDS = {
    (Certificate, "institution"): {"kind": "membership"},
    (Certificate, "superseded_by"): {"status": "superseded"},
}


class CascadeTestCase(AdminTestCase):
    def login(self, user) -> Client:
        client = Client(enforce_csrf_checks=True)
        client.force_login(user)
        return client

    def delete_page(self, client, obj):
        return client.get(admin_url(obj, "delete"))

    def post_delete(self, client, obj):
        page = client.get(admin_url(obj, "change"))
        return client.post(admin_url(obj, "delete"), {"post": "yes", "csrfmiddlewaretoken": csrf_token(page)})

    def post_bulk_delete(self, client, obj, confirm=True):
        page = client.get(admin_url(obj, "changelist"))
        data = {
            "action": "delete_selected",
            helpers.ACTION_CHECKBOX_NAME: [obj.pk],
            "csrfmiddlewaretoken": csrf_token(page),
        }
        if confirm:
            data["post"] = "yes"
        return client.post(admin_url(obj, "changelist"), data)


def state_of(record, field):
    """What the pointing record holds now: its field's value, or None once it is deleted."""
    current = type(record)._default_manager.filter(pk=record.pk).first()
    if current is None:
        return None
    if field.many_to_many:
        return sorted(getattr(current, field.name).values_list("pk", flat=True))
    return ("kept", getattr(current, field.attname))


class CrossRegionDeleteMatrixTests(CascadeTestCase):
    """Every relation, every way of deleting: refused for staff, confirmed by a superuser."""

    def link(self, model, field):
        """A record of dolnośląskie (where it can be) pointing through ``field`` at a new record of
        mazowieckie; returns (the pointing record, the record pointed at)."""
        target = build(field.related_model, MAZOWIECKIE)
        source = build(model, DOLNOSLASKIE)
        if field.many_to_many:
            getattr(source, field.name).add(target)
        else:
            for name, value in LINK_NEEDS.get((model, field.name), {}).items():
                setattr(source, name, value)
            setattr(source, field.name, target)
            source.save()
        return source, target

    def deleted_by(self, obj) -> bool:
        return not type(obj)._default_manager.filter(pk=obj.pk).exists()

    def test_the_matrix_covers_every_relation_between_the_registry_models(self):
        relations = registry_relations()
        names = {f"{model.__name__}.{field.name}" for model, field in relations}
        # The relations the red-team report named are among them.
        for name in ("Membership.represented_by", "Partnership.project", "Agreement.signed_at", "Event.organisers"):
            self.assertIn(name, names)
        for model, field in relations:
            if model is not StaffProfile:
                build(model, DOLNOSLASKIE)
                build(field.related_model, MAZOWIECKIE)

    def relations_to_test(self):
        for model, field in registry_relations():
            if model is StaffProfile:  # points at a centre with PROTECT; profiles are superusers' business
                continue
            yield model, field

    def test_staff_cannot_delete_a_record_another_region_points_at(self):
        staff = self.login(self.staff)
        for model, field in self.relations_to_test():
            for how in ("single", "bulk"):
                with self.subTest(relation=f"{model.__name__}.{field.name}", how=how):
                    source, target = self.link(model, field)
                    if not admin.site.is_registered(type(target)):
                        self.fail(f"{type(target).__name__} has no admin: test its deletion through its parent")
                    before = state_of(source, field)
                    follows = source.region_id == target.region_id
                    if how == "single":
                        page = self.delete_page(staff, target)
                        response = self.post_delete(staff, target)
                    else:
                        page = self.post_bulk_delete(staff, target, confirm=False)
                        response = self.post_bulk_delete(staff, target)
                    protected = field.remote_field.on_delete is models.PROTECT and not field.many_to_many
                    if isinstance(target, Certificate):
                        # Certificates are never deleted (revoked or superseded instead): the
                        # delete page is forbidden and the list has no delete action.
                        self.assertEqual(page.status_code, 403 if how == "single" else 302)
                        self.assertFalse(self.deleted_by(target))
                    elif protected:
                        self.assertFalse(self.deleted_by(target))
                        self.assertEqual(state_of(source, field), before)
                    elif follows:
                        # The record's region is the target's (a person's affiliation, a
                        # membership's partnership): deleting it is the staff's own business.
                        self.assertEqual(response.status_code, 302)
                        self.assertTrue(self.deleted_by(target))
                    else:
                        self.assertEqual(page.status_code, 200)
                        self.assertContains(page, 'id="cross-region-records"')
                        self.assertContains(page, str(source))
                        self.assertNotContains(page, "Tak, na pewno")
                        self.assertEqual(response.status_code, 403)
                        self.assertContains(response, str(source), status_code=403)
                        self.assertFalse(self.deleted_by(target))
                        self.assertEqual(state_of(source, field), before)

    def test_a_superuser_sees_the_records_confirms_and_each_changed_one_gets_a_history_row(self):
        superuser = self.login(self.superuser)
        for model, field in self.relations_to_test():
            protected = field.remote_field.on_delete is models.PROTECT and not field.many_to_many
            if protected or field.related_model is Certificate:
                continue
            for how in ("single", "bulk"):
                with self.subTest(relation=f"{model.__name__}.{field.name}", how=how):
                    source, target = self.link(model, field)
                    follows = source.region_id == target.region_id
                    page = (
                        self.delete_page(superuser, target)
                        if how == "single"
                        else self.post_bulk_delete(superuser, target, confirm=False)
                    )
                    self.assertEqual(page.status_code, 200)
                    if not follows:
                        self.assertContains(page, 'id="cross-region-records"')
                        self.assertContains(page, str(source))
                    response = (
                        self.post_delete(superuser, target)
                        if how == "single"
                        else self.post_bulk_delete(superuser, target)
                    )
                    self.assertEqual(response.status_code, 302)
                    self.assertTrue(self.deleted_by(target))
                    after = state_of(source, field)
                    if after is None:
                        self.assertEqual(field.remote_field.on_delete, models.CASCADE)
                        continue
                    self.assertEqual(after, [] if field.many_to_many else ("kept", None))
                    record = source.history.latest()
                    self.assertEqual(record.history_user, self.superuser)
                    self.assertIn(str(target), record.history_change_reason)


class RedTeamScenarioTests(CascadeTestCase):
    """The report's case, click by click: dolnośląskie points four of its records at mazowieckie's
    person, project, event and institution; mazowieckie then deletes its own."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.person = Person.objects.create(first_name="Anna", last_name="Testowa", affiliation=cls.own_institution)
        cls.project = Project.objects.create(name="Projekt testowy mazowiecki", operator=cls.own_institution)
        cls.membership = Membership.objects.get(partnership=cls.other_partnership)
        cls.agreement = Agreement.objects.create(partnership=cls.other_partnership, title="Porozumienie dolnośląskie")
        cls.organiser = Institution.objects.create(
            name="Organizator testowy warszawski",
            slug="organizator-warszawski",
            kind="association",
            commune_id=WARSZAWA,
        )

    def save_as_dops(self, obj, **changes):
        client = self.login(self.other_staff)
        response = client.get(admin_url(obj, "change"))
        data = form_data(response)
        data.update(changes, csrfmiddlewaretoken=csrf_token(response))
        saved = client.post(admin_url(obj, "change"), data)
        self.assertEqual(saved.status_code, 302, getattr(saved, "context", None) and saved.context.get("errors"))

    def test_deleting_own_records_that_another_region_uses_is_refused_and_changes_nothing(self):
        prefix = "memberships-0-"
        self.save_as_dops(
            self.other_partnership, project=str(self.project.pk), **{f"{prefix}represented_by": str(self.person.pk)}
        )
        self.save_as_dops(self.agreement, signed_at=str(self.own_event.pk))
        self.save_as_dops(self.other_event, organisers=[str(self.organiser.pk)])
        self.membership.refresh_from_db()
        self.assertEqual(self.membership.represented_by, self.person)

        mcps = self.login(self.staff)
        for obj in (self.person, self.project, self.own_event, self.organiser):
            with self.subTest(type(obj).__name__):
                response = self.post_delete(mcps, obj)
                self.assertEqual(response.status_code, 403)
                self.assertContains(response, "Nic nie zostało usunięte", status_code=403)
                self.assertTrue(type(obj).objects.filter(pk=obj.pk).exists())

        self.membership.refresh_from_db()
        self.agreement.refresh_from_db()
        self.other_partnership.refresh_from_db()
        self.assertEqual(self.membership.represented_by, self.person)
        self.assertEqual(self.other_partnership.project, self.project)
        self.assertEqual(self.agreement.signed_at, self.own_event)
        self.assertEqual(list(self.other_event.organisers.all()), [self.organiser])


class InlineDeleteTests(CascadeTestCase):
    """A row deleted from an inline is a delete like any other: a material of dolnośląskie's event
    that is also filed under mazowieckie's project shows on the project's page."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.project = Project.objects.create(name="Projekt testowy mazowiecki", operator=cls.own_institution)
        cls.shared = Material.objects.create(
            event=cls.other_event, project=cls.project, kind="report", title="Raport wspólny testowy"
        )
        cls.own = Material.objects.create(project=cls.project, kind="report", title="Raport własny testowy")

    def post_without(self, client, material):
        response = client.get(admin_url(self.project, "change"))
        data = form_data(response)
        index = next(i for i in range(2) if data.get(f"materials-{i}-id") == str(material.pk))
        data[f"materials-{index}-DELETE"] = "on"
        data["csrfmiddlewaretoken"] = csrf_token(response)
        return client.post(admin_url(self.project, "change"), data)

    def test_staff_cannot_delete_a_row_of_another_regions_record_from_their_own_page(self):
        response = self.post_without(self.login(self.staff), self.shared)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Usunięcie tych wierszy zmieniłoby wpisy prowadzone przez inne regiony")
        self.assertTrue(Material.objects.filter(pk=self.shared.pk).exists())

    def test_staff_delete_their_own_rows(self):
        response = self.post_without(self.login(self.staff), self.own)
        self.assertEqual(response.status_code, 302)
        self.assertFalse(Material.objects.filter(pk=self.own.pk).exists())

    def test_a_superuser_may_delete_the_row(self):
        response = self.post_without(self.login(self.superuser), self.shared)
        self.assertEqual(response.status_code, 302)
        self.assertFalse(Material.objects.filter(pk=self.shared.pk).exists())

    def test_staff_cannot_change_a_row_of_another_regions_record_from_their_own_page(self):
        client = self.login(self.staff)
        response = client.get(admin_url(self.project, "change"))
        data = form_data(response)
        index = next(i for i in range(2) if data.get(f"materials-{i}-id") == str(self.shared.pk))
        data[f"materials-{index}-title"] = "Zmienione przez inny region"
        data["csrfmiddlewaretoken"] = csrf_token(response)
        response = client.post(admin_url(self.project, "change"), data)
        self.assertContains(response, "należy do wpisu innego regionu")
        self.shared.refresh_from_db()
        self.assertEqual(self.shared.title, "Raport wspólny testowy")
