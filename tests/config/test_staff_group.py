"""A staff member's account in one form, with exactly the permissions staff need, named in Polish."""

from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.test import TestCase

from config.staff_group import STAFF_PERMISSIONS, sync_staff_group
from members.models import STAFF_GROUP, StaffProfile
from tests.builders import AdminTestCase, csrf_token

# Registered in the admin but kept by the site administrator alone.
ADMINISTRATORS_ONLY = {"members.staffprofile"}
# Records staff work on in part only, each for its reason (config.staff_group): certificates are
# issued by the admin's actions, imports only uploaded and undone, shared sources only added,
# corrections from the public only decided.
PARTLY = {
    "partnerships.certificate": {"change", "view"},
    "partnerships.importrun": {"add", "view"},
    "core.source": {"add", "view"},
    "core.job": {"view"},
    "core.correction": {"change", "view"},
}
REGISTRY_APPS = {"core", "members", "events", "partnerships"}


def group_permissions() -> set[str]:
    group = Group.objects.get(name=STAFF_GROUP)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


class StaffGroupTests(TestCase):
    def test_the_migration_created_the_group_with_every_listed_permission(self):
        granted = group_permissions()
        expected = {
            f"{label.split('.')[0]}.{action}_{label.split('.')[1]}"
            for label, actions in STAFF_PERMISSIONS.items()
            for action in actions
        }
        self.assertEqual(granted, expected)

    def test_every_registry_model_in_the_admin_is_in_the_list_with_what_staff_do_with_it(self):
        granted = group_permissions()
        for model in apps.get_models():
            label = model._meta.label_lower
            if model._meta.app_label not in REGISTRY_APPS or not admin.site.is_registered(model):
                continue
            if label in ADMINISTRATORS_ONLY:
                continue
            with self.subTest(label):
                self.assertIn(label, STAFF_PERMISSIONS, "add the model to config.staff_group.STAFF_PERMISSIONS")
                name = model._meta.model_name
                actions = STAFF_PERMISSIONS[label]
                self.assertIn(f"{model._meta.app_label}.view_{name}", granted)
                for action in actions:
                    self.assertIn(f"{model._meta.app_label}.{action}_{name}", granted)
                self.assertEqual(set(actions), PARTLY.get(label, {"add", "change", "delete", "view"}))

    def test_no_history_login_attempt_user_or_reference_data_write_permission(self):
        for permission in group_permissions():
            app_label, codename = permission.split(".")
            with self.subTest(permission):
                self.assertNotIn("historical", codename)
                self.assertNotIn(app_label, {"axes", "auth", "admin", "contenttypes", "sessions"})
                if app_label == "territory" or codename.endswith(("targetgroup", "thematicarea", "principle")):
                    self.assertTrue(codename.startswith("view_"), permission)
                self.assertNotIn("staffprofile", codename)
                self.assertNotIn("certificatesequence", codename)

    def test_the_group_is_set_again_from_the_list_after_a_migrate(self):
        group = Group.objects.get(name=STAFF_GROUP)
        group.permissions.add(Permission.objects.get(codename="add_user"))
        group.permissions.remove(Permission.objects.get(codename="change_partnership"))
        sync_staff_group()
        self.assertNotIn("auth.add_user", group_permissions())
        self.assertIn("partnerships.change_partnership", group_permissions())


class StaffAccountTests(AdminTestCase):
    def setUp(self):
        self.client.force_login(self.superuser)

    def test_one_form_creates_a_staff_member_who_works_in_their_region_at_once(self):
        url = "/admin/auth/user/add/"
        page = self.client.get(url)
        for label in (
            "Imię",
            "Nazwisko",
            "Adres e-mail",
            "Regionalny ośrodek",
            "Mazowieckie Centrum Polityki Społecznej (mazowieckie)",
        ):
            self.assertContains(page, label)
        response = self.client.post(
            url,
            {
                "csrfmiddlewaretoken": csrf_token(page),
                "username": "anna.nowak",
                "first_name": "Anna",
                "last_name": "Nowak",
                "email": "anna.nowak@example.org",
                "centre": self.mcps.pk,
                "usable_password": "true",
                "password1": "Dluzsze-haslo-2026!",
                "password2": "Dluzsze-haslo-2026!",
            },
        )
        self.assertEqual(response.status_code, 302)
        user = get_user_model().objects.get(username="anna.nowak")
        self.assertTrue(user.is_staff)
        self.assertFalse(user.is_superuser)
        self.assertEqual(list(user.groups.values_list("name", flat=True)), [STAFF_GROUP])
        self.assertEqual(StaffProfile.objects.get(user=user).centre, self.mcps)
        self.assertTrue(user.has_perm("partnerships.change_partnership"))
        self.assertFalse(user.has_perm("partnerships.change_historicalpartnership"))
        # At once: the new account opens the add page of a partnership, in its region.
        self.client.force_login(user)
        self.assertEqual(self.client.get("/admin/partnerships/partnership/add/").status_code, 200)
        self.assertContains(self.client.get("/admin/"), "Twój region: mazowieckie")

    def test_a_form_without_name_email_or_centre_is_refused_and_creates_nobody(self):
        page = self.client.get("/admin/auth/user/add/")
        response = self.client.post(
            "/admin/auth/user/add/",
            {
                "csrfmiddlewaretoken": csrf_token(page),
                "username": "bez.danych",
                "usable_password": "true",
                "password1": "Dluzsze-haslo-2026!",
                "password2": "Dluzsze-haslo-2026!",
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(set(response.context["adminform"].form.errors), {"first_name", "last_name", "email", "centre"})
        self.assertContains(response, "To pole jest wymagane.")
        self.assertFalse(get_user_model().objects.filter(username="bez.danych").exists())

    def test_permissions_are_listed_in_polish(self):
        page = self.client.get(f"/admin/auth/group/{Group.objects.get(name=STAFF_GROUP).pk}/change/")
        self.assertContains(page, "Wydarzenia i projekty | historia zmian (wydarzenie) | może dodawać")
        self.assertContains(page, "Partnerstwa | partnerstwo | może zmieniać")
        self.assertNotContains(page, "Can add")
        self.assertNotContains(page, "historical")
        self.assertNotContains(page, "HistoricalEvent_organisers")
