"""The admin as a regional centre's staff member meets it: lists open on their region, the home
page names their region and centre and lists what waits for them there, and a record of another
region says why it cannot be changed and who keeps it."""

import datetime
import re

from django.utils import timezone

from core.models import Correction
from members.models import Institution
from partnerships.models import Certificate, Membership, Partnership
from tests.builders import DOLNOSLASKIE, MAZOWIECKIE, AdminTestCase, admin_url


class RegionFirstTests(AdminTestCase):
    def test_staff_lists_open_on_their_region_with_all_regions_one_click_away(self):
        self.client.force_login(self.staff)
        url = admin_url(Partnership, "changelist")
        response = self.client.get(url)
        self.assertContains(response, self.own_partnership.name)
        self.assertNotContains(response, self.other_partnership.name)
        self.assertContains(response, "wszystkie regiony")
        response = self.client.get(url, {"zakres": "wszystkie"})
        self.assertContains(response, self.own_partnership.name)
        self.assertContains(response, self.other_partnership.name)
        response = self.client.get(url, {"zakres": "inne"})
        self.assertNotContains(response, self.own_partnership.name)
        self.assertContains(response, self.other_partnership.name)
        for model, own in [(Institution, self.own_institution), (Partnership, self.own_partnership)]:
            with self.subTest(model._meta.model_name):
                self.assertContains(self.client.get(admin_url(model, "changelist")), str(own))

    def test_a_superuser_and_staff_without_a_region_see_every_region(self):
        for user in (self.superuser, self.staff_without_profile):
            with self.subTest(user.username):
                self.client.force_login(user)
                response = self.client.get(admin_url(Partnership, "changelist"))
                self.assertContains(response, self.own_partnership.name)
                self.assertContains(response, self.other_partnership.name)

    def test_the_home_page_names_the_region_and_the_centre(self):
        self.client.force_login(self.staff)
        response = self.client.get("/admin/")
        self.assertContains(response, "Twój region: mazowieckie")
        self.assertContains(response, "Mazowieckie Centrum Polityki Społecznej")
        self.client.force_login(self.staff_without_profile)
        response = self.client.get("/admin/")
        self.assertContains(response, "nie jest przypisane do regionalnego ośrodka")
        self.assertNotContains(response, "Twój region")

    def test_a_record_of_another_region_says_why_it_is_read_only_and_who_keeps_it(self):
        self.client.force_login(self.staff)
        for obj in (self.other_partnership, self.other_institution, self.other_event):
            with self.subTest(obj._meta.model_name):
                response = self.client.get(admin_url(obj, "change"))
                self.assertContains(response, 'id="read-only-reason"')
                self.assertContains(response, "dolnośląskie")
                self.assertContains(response, "Dolnośląski Ośrodek Polityki Społecznej")
                self.assertNotContains(response, 'name="_save"')
        response = self.client.get(admin_url(self.own_partnership, "change"))
        self.assertNotContains(response, 'id="read-only-reason"')


def worklist(response) -> dict[str, tuple[int, str]]:
    """The worklist of the admin home: label -> (count, link)."""
    rows = re.findall(
        r'<th scope="row"><a href="([^"]+)">([^<]+)</a></th><td class="worklist-count">(\d+)</td>',
        response.content.decode(),
    )
    return {label: (int(count), url.replace("&amp;", "&")) for url, label, count in rows}


class WorklistTests(AdminTestCase):
    def setUp(self):
        self.client.force_login(self.staff)
        today = timezone.localdate()
        # Own region: one partnership verified recently, with a leader; the rest due.
        self.own_partnership.last_verified_on = today
        self.own_partnership.save()
        Membership.objects.create(partnership=self.own_partnership, institution=self.own_institution, role="leader")
        self.unchecked = Partnership.objects.create(
            name="Partnerstwo bez weryfikacji",
            slug="bez-weryfikacji",
            home_voivodeship_id=MAZOWIECKIE,
            last_verified_on=today - datetime.timedelta(days=400),
            declared_member_count=5,
        )
        self.with_website = Partnership.objects.create(
            name="Partnerstwo ze stroną",
            slug="ze-strona",
            home_voivodeship_id=MAZOWIECKIE,
            website="https://example.org",
            last_verified_on=today,
        )
        Certificate.objects.create(
            partnership=self.own_partnership,
            number=f"RPL/14/{today.year}/00001",
            issued_on=today,
            signatory_name="Dyrektor",
        )
        Certificate.objects.create(
            partnership=self.with_website,
            number=f"RPL/14/{today.year - 1}/00001",
            issued_on=today.replace(year=today.year - 1),
            signatory_name="Dyrektor",
        )
        Certificate.objects.create(
            partnership=self.other_partnership,
            number=f"RPL/02/{today.year}/00001",
            issued_on=today,
            signatory_name="Dyrektor",
        )
        # Another region's partnership, due on every count: never counted for this user.
        self.other_partnership.declared_member_count = 9
        self.other_partnership.save()

    def test_the_counts_are_of_the_users_region_and_each_link_lists_exactly_those(self):
        items = worklist(self.client.get("/admin/"))
        year = timezone.localdate().year
        expected = {
            "Partnerstwa niezweryfikowane od 12 miesięcy": {self.unchecked},
            "Partnerstwa deklarujące więcej członków, niż wymieniono": {self.unchecked},
            "Partnerstwa bez lidera i bez strony internetowej": {self.unchecked},
        }
        for label, records in expected.items():
            with self.subTest(label):
                count, url = items[label]
                self.assertEqual(count, len(records))
                page = self.client.get(url)
                self.assertEqual(page.status_code, 200)
                listed = set(page.context["cl"].result_list)
                self.assertEqual(listed, records)
        count, url = items[f"Certyfikaty wydane w {year}"]
        self.assertEqual(count, 1)
        self.assertEqual([c.number for c in self.client.get(url).context["cl"].result_list], [f"RPL/14/{year}/00001"])
        count, url = items["Instytucje niezweryfikowane od 12 miesięcy"]
        listed = set(self.client.get(url).context["cl"].result_list)
        self.assertEqual(count, len(listed))
        self.assertIn(self.own_institution, listed)
        self.assertNotIn(self.other_institution, listed)

    def test_a_record_verified_today_leaves_the_worklist(self):
        before = worklist(self.client.get("/admin/"))["Partnerstwa niezweryfikowane od 12 miesięcy"][0]
        self.unchecked.last_verified_on = timezone.localdate()
        self.unchecked.save()
        after = worklist(self.client.get("/admin/"))["Partnerstwa niezweryfikowane od 12 miesięcy"][0]
        self.assertEqual((before, after), (1, 0))

    def test_corrections_waiting_are_those_of_the_users_region_and_the_link_lists_them(self):
        from django.contrib.auth.models import Permission

        self.staff.user_permissions.add(*Permission.objects.filter(content_type__app_label="core"))
        waiting = Correction.objects.create(
            record=self.own_partnership, region="14", record_label="own", what_is_wrong="Zła nazwa."
        )
        Correction.objects.create(
            record=self.own_partnership,
            region="14",
            record_label="own, decided",
            what_is_wrong="Zła nazwa.",
            state=Correction.State.REJECTED,
            decision_reason="Nazwa jest dobra.",
        )
        Correction.objects.create(
            record=self.other_partnership, region="02", record_label="other", what_is_wrong="Zła nazwa."
        )
        count, url = worklist(self.client.get("/admin/"))["Poprawki czekające na rozpatrzenie"]
        self.assertEqual(count, 1)
        self.assertEqual(list(self.client.get(url).context["cl"].result_list), [waiting])

    def test_staff_without_the_corrections_permission_see_no_corrections_line(self):
        self.assertNotIn("Poprawki czekające na rozpatrzenie", worklist(self.client.get("/admin/")))

    def test_the_home_page_costs_the_same_queries_whatever_the_number_of_records(self):
        baseline = self.queries_of_home()
        for n in range(15):
            Partnership.objects.create(
                name=f"Dodatkowe {n}", slug=f"dodatkowe-{n}", home_voivodeship_id=MAZOWIECKIE, declared_member_count=3
            )
            Partnership.objects.create(name=f"Inne {n}", slug=f"inne-{n}", home_voivodeship_id=DOLNOSLASKIE)
        self.assertEqual(self.queries_of_home(), baseline)
        self.assertLessEqual(baseline, 16)

    def queries_of_home(self) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(self.client.get("/admin/").status_code, 200)
        return len(queries)


class PolishTitlesTests(AdminTestCase):
    """Every list of the admin, ours and the libraries' (users, groups, login attempts), titled
    with its model's name in the accusative, not Django's "Wybierz użytkownik do zmiany"."""

    def test_every_changelist_and_add_form_names_its_model_in_the_accusative(self):
        from django.apps import apps
        from django.contrib import admin

        from core.admin import PolishMessagesMixin

        self.client.force_login(self.superuser)
        registered = [model for model in apps.get_models() if admin.site.is_registered(model)]
        self.assertGreater(len(registered), 20)
        for model in registered:
            with self.subTest(model._meta.label):
                model_admin = admin.site.get_model_admin(model)
                self.assertIsInstance(model_admin, PolishMessagesMixin)
                self.assertIsNotNone(model_admin.grammar())
        expected = {
            "auth/user/": "Wybierz użytkownika do zmiany",
            "auth/user/add/": "Dodaj użytkownika",
            "auth/group/add/": "Dodaj grupę",
            "core/correction/": "Wybierz poprawkę do zmiany",
            "territory/commune/": "Wybierz gminę do obejrzenia",
            "axes/accessattempt/": "Wybierz próbę dostępu do zmiany",
        }
        for path, title in expected.items():
            with self.subTest(path):
                response = self.client.get(f"/admin/{path}")
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, f"<title>{title} |")
