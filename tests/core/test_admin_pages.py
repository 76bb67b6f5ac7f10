"""The admin pages themselves: they render, their lists do not grow queries with rows, and the
CSV export gives the selected rows without anyone's private data."""

import csv
import io

from django.apps import apps
from django.contrib import admin
from django.contrib.admin import helpers
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.text import capfirst

from events.models import Event, Speaker
from members.models import Institution, Person
from partnerships.exports import COLUMNS
from partnerships.models import Agreement, Certificate, Membership, Partnership, Signatory
from partnerships.resources import PartnershipResource
from tests.builders import AdminTestCase, admin_url

PRIVATE = {"email": "prywatny.adres@example.org", "phone": "+48 600 111 222", "private_notes": "NOTATKA-PRYWATNA"}
REGISTRY_APPS = {"members", "events", "partnerships", "territory", "auth"}


def csv_rows(response) -> list[list[str]]:
    content = (b"".join(response.streaming_content) if response.streaming else response.content).decode("utf-8")
    assert content.startswith("\ufeff")
    return list(csv.reader(io.StringIO(content[1:]), delimiter=";"))


def header_of(model, field: str) -> str:
    return str(capfirst(model._meta.get_field(field).verbose_name))


class PagesRenderTests(AdminTestCase):
    def setUp(self):
        self.client.force_login(self.superuser)

    def test_every_changelist_and_add_page_renders_for_a_superuser(self):
        models = [m for m in apps.get_models() if m._meta.app_label in REGISTRY_APPS and admin.site.is_registered(m)]
        self.assertIn(Agreement, models)
        for model in models:
            model_admin = admin.site.get_model_admin(model)
            with self.subTest(model._meta.label, page="changelist"):
                self.assertEqual(self.client.get(admin_url(model, "changelist")).status_code, 200)
            # Reference data (TERYT) is read-only, and certificates are issued only by the actions
            # (numbered, with a snapshot): neither has an add page.
            if model._meta.app_label != "territory" and model is not Certificate:
                with self.subTest(model._meta.label, page="add"):
                    self.assertTrue(model_admin.has_add_permission(self.client.get("/admin/").wsgi_request))
                    self.assertEqual(self.client.get(admin_url(model, "add")).status_code, 200)

    def test_change_and_history_pages_render(self):
        agreement = Agreement.objects.create(partnership=self.own_partnership, title="Porozumienie testowe")
        for obj in [self.own_partnership, self.own_institution, self.own_event, agreement]:
            for view in ("change", "history"):
                with self.subTest(obj._meta.model_name, view=view):
                    self.assertContains(self.client.get(admin_url(obj, view)), str(obj))

    def test_the_changelists_filter_by_voivodeship_and_search_without_diacritics(self):
        response = self.client.get(admin_url(Partnership, "changelist"), {"wojewodztwo": "02"})
        self.assertContains(response, self.other_partnership.name)
        self.assertNotContains(response, self.own_partnership.name)
        response = self.client.get(admin_url(Institution, "changelist"), {"q": "wroclawska"})
        self.assertContains(response, self.other_institution.name)
        self.assertNotContains(response, self.own_institution.name)
        # A partnership is found by the name of a member, without diacritics too.
        response = self.client.get(admin_url(Partnership, "changelist"), {"q": "wroclawska"})
        self.assertContains(response, self.other_partnership.name)
        self.assertNotContains(response, self.own_partnership.name)

    def test_every_autocomplete_field_answers(self):
        registered = [m for m in apps.get_models() if admin.site.is_registered(m)]
        for model, model_admin in [(m, admin.site.get_model_admin(m)) for m in registered]:
            inlines = [inline(model, admin.site) for inline in model_admin.inlines]
            for source in [model_admin, *inlines]:
                for field in source.autocomplete_fields:
                    opts = source.model._meta
                    with self.subTest(opts.label, field=field):
                        response = self.client.get(
                            "/admin/autocomplete/",
                            {
                                "app_label": opts.app_label,
                                "model_name": opts.model_name,
                                "field_name": field,
                                "term": "a",
                            },
                        )
                        self.assertEqual(response.status_code, 200)

    def test_the_deleted_partnerships_page_renders(self):
        response = self.client.get(admin_url(Partnership, "deleted"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(self.client.get(admin_url(Partnership, "changelist")), admin_url(Partnership, "deleted"))

    def test_staff_profiles_are_managed_by_superusers_only(self):
        self.assertEqual(self.client.get(admin_url(self.staff, "change")).status_code, 200)
        self.client.force_login(self.staff)
        self.assertEqual(self.client.get(admin_url(self.staff.staff_profile, "changelist")).status_code, 403)


class ChangelistQueryCountTests(AdminTestCase):
    def add_partnerships(self, count: int, start: int) -> None:
        for number in range(start, start + count):
            partnership = Partnership.objects.create(
                name=f"Partnerstwo testowe {number}", slug=f"partnerstwo-{number}", home_voivodeship_id="14"
            )
            partnership.area_counties.add("1465")
            Membership.objects.create(partnership=partnership, institution=self.own_institution)

    def test_the_partnership_changelist_makes_the_same_number_of_queries_at_5_and_50_rows(self):
        self.client.force_login(self.staff)
        # Every region's rows: a staff user's list opens on their own region.
        url = admin_url(Partnership, "changelist") + "?zakres=wszystkie"
        self.add_partnerships(3, start=1)
        self.assertEqual(Partnership.objects.count(), 5)
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(url)
        self.assertEqual(len(response.context["cl"].result_list), 5)
        self.add_partnerships(45, start=4)
        with self.assertNumQueries(len(queries)):
            response = self.client.get(url)
        # A full page of the 50 (pages of RegistryAdmin.list_per_page rows).
        self.assertEqual(len(response.context["cl"].result_list), min(50, response.context["cl"].list_per_page))


class CsvExportTests(AdminTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.person = Person.objects.create(
            first_name="Jan", last_name="Testowy", function="dyrektor", affiliation=cls.own_institution, **PRIVATE
        )
        Membership.objects.create(
            partnership=cls.own_partnership, institution=cls.own_institution, represented_by=cls.person
        )
        agreement = Agreement.objects.create(partnership=cls.own_partnership, title="Porozumienie testowe")
        Signatory.objects.create(agreement=agreement, person=cls.person, institution=cls.own_institution)
        Speaker.objects.create(event=cls.own_event, person=cls.person)
        cls.unselected = Partnership.objects.create(
            name="Partnerstwo testowe niewybrane", slug="niewybrane", home_voivodeship_id="14"
        )

    def setUp(self):
        self.client.force_login(self.staff)

    def export(self, model, pks) -> list[list[str]]:
        # Posted from the list of every region, as a browser does from that page (the form
        # posts to the list's own address with its filters).
        response = self.client.post(
            admin_url(model, "changelist") + "?zakres=wszystkie",
            {"action": "export_csv", helpers.ACTION_CHECKBOX_NAME: pks},
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        self.assertIn("attachment;", response["Content-Disposition"])
        rows = csv_rows(response)
        for value in PRIVATE.values():
            self.assertNotIn(value, "\n".join(";".join(row) for row in rows))
        return rows

    def test_the_export_has_the_selected_rows_of_every_region_and_no_others(self):
        rows = self.export(Partnership, [self.own_partnership.pk, self.other_partnership.pk])
        # The import's columns (partnerships.resources), so that the file imports back: those
        # of the open data a person sets, under the same labels, then the member's.
        self.assertEqual(rows[0], PartnershipResource().headers())
        self.assertEqual(rows[0][1], capfirst(str(COLUMNS["name"])))
        name = rows[0].index(header_of(Partnership, "name"))
        names = {row[name] for row in rows[1:]}
        self.assertEqual(names, {self.own_partnership.name, self.other_partnership.name})

    def test_no_export_contains_a_persons_private_data(self):
        for model, pks in [
            (Person, [self.person.pk]),
            (Partnership, [self.own_partnership.pk]),
            (Agreement, list(Agreement.objects.values_list("pk", flat=True))),
            (Event, [self.own_event.pk]),
            (Institution, [self.own_institution.pk]),
        ]:
            with self.subTest(model._meta.model_name):
                self.export(model, pks)

    def test_the_person_export_gives_the_official_capacity_only(self):
        rows = self.export(Person, [self.person.pk])
        self.assertEqual(rows[1][1:], ["Jan", "Testowy", "dyrektor", self.own_institution.name])
        self.assertEqual(len(rows[0]), 5)

    def test_a_formula_in_a_cell_is_neutralised_for_spreadsheets(self):
        Institution.objects.filter(pk=self.own_institution.pk).update(short_name="=HYPERLINK(1)", phone="+48 22 1")
        rows = self.export(Institution, [self.own_institution.pk])
        header = rows[0]
        row = dict(zip(header, rows[1], strict=True))
        self.assertEqual(row[header_of(Institution, "short_name")], "'=HYPERLINK(1)")
        self.assertEqual(row[header_of(Institution, "phone")], "+48 22 1")
