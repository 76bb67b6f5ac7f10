"""The history page as a person reads it: one entry per save, with who and when, the changes of
the record, its many-to-many relations and its inline rows, in Polish, "—" for nothing."""

import re

from members.models import Institution
from partnerships.models import Membership
from tests.builders import AdminTestCase, admin_url, csrf_token, form_data


def entries(response) -> list[str]:
    body = response.content.decode()
    table = body.split('<table id="change-history"', 1)[1].split("</table>", 1)[0]
    rows = table.split("<tbody>", 1)[1].split("<tr>")[1:]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in rows]


class ReadableHistoryTests(AdminTestCase):
    def setUp(self):
        self.client.force_login(self.staff)
        self.staff.first_name, self.staff.last_name = "Anna", "Nowak"
        self.staff.save()

    def save(self, obj, **changes):
        url = admin_url(obj, "change")
        page = self.client.get(url)
        data = form_data(page)
        data.update(csrfmiddlewaretoken=csrf_token(page), **changes)
        response = self.client.post(url, data)
        self.assertEqual(
            response.status_code, 302, getattr(response, "context", None) and response.context.get("errors")
        )

    def test_one_save_is_one_entry_with_its_relations_and_rows_in_polish(self):
        partnership = self.own_partnership
        before = len(entries(self.client.get(admin_url(partnership, "history"))))
        self.save(
            partnership,
            goal="Wspólny cel",
            area_counties=["1465"],
            **{
                "memberships-TOTAL_FORMS": "1",
                "memberships-0-institution": str(self.own_institution.pk),
                "memberships-0-role": "leader",
            },
        )
        page = self.client.get(admin_url(partnership, "history"))
        self.assertContains(page, "Kiedy")
        self.assertContains(page, "Co się zmieniło")
        for english in ("CHANGE REASON", "Change reason", "Changes", "None"):
            self.assertNotContains(page, english)
        shown = entries(page)
        self.assertEqual(len(shown), before + 1)
        newest = shown[0]
        self.assertIn("Anna Nowak", newest)
        self.assertIn("zmieniono", newest)
        self.assertIn("Cel: — → Wspólny cel", newest)
        self.assertIn("Warszawa", newest)
        self.assertIn("Członkostwo „Instytucja testowa warszawska”: dodano", newest)

    def test_a_member_swapped_shows_who_left_and_who_came(self):
        membership = Membership.objects.create(partnership=self.own_partnership, institution=self.own_institution)
        other = Institution.objects.create(name="Drugi ośrodek", slug="drugi", kind="mops", commune_id="1465011")
        self.save(
            self.own_partnership,
            **{
                "memberships-TOTAL_FORMS": "1",
                "memberships-INITIAL_FORMS": "1",
                "memberships-0-id": str(membership.pk),
                "memberships-0-partnership": str(self.own_partnership.pk),
                "memberships-0-institution": str(other.pk),
                "memberships-0-role": "partner",
            },
        )
        newest = entries(self.client.get(admin_url(self.own_partnership, "history")))[0]
        self.assertIn("Instytucja: Instytucja testowa warszawska → Drugi ośrodek", newest)


class HistoryPagingTests(AdminTestCase):
    def test_a_long_history_is_shown_a_page_at_a_time_newest_first(self):
        import datetime

        from django.utils import timezone

        institution = self.own_institution
        for n in range(59):
            institution.phone = f"22 000 00 {n:02d}"
            institution.save()
        # 60 saves a day apart: each its own entry.
        start = timezone.now() - datetime.timedelta(days=100)
        for day, row in enumerate(Institution.history.filter(id=institution.pk).order_by("history_id")):
            Institution.history.filter(history_id=row.history_id).update(
                history_date=start + datetime.timedelta(days=day)
            )
        total = Institution.history.filter(id=institution.pk).count()
        self.client.force_login(self.superuser)
        first = self.client.get(admin_url(institution, "history"))
        shown = entries(first)
        self.assertEqual(len(shown), 50)
        self.assertIn("22 000 00 58", shown[0])
        self.assertContains(first, f"{total} wpisów")
        self.assertContains(first, 'rel="next"')
        second = self.client.get(admin_url(institution, "history") + "?p=2")
        older = entries(second)
        self.assertEqual(len(older), total - 50)
        self.assertNotIn(shown[0], older)
        self.assertContains(second, 'rel="prev"')
        self.assertNotContains(second, 'rel="next"')
        # A page past the end is the last page, not an error.
        self.assertEqual(entries(self.client.get(admin_url(institution, "history") + "?p=99")), older)
