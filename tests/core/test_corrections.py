"""Corrections from the public: the form, its abuse limits, the region's queue and the decision."""

import datetime
from io import StringIO
from unittest import mock

from django.contrib.auth.models import Permission
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from core.corrections import correction_url
from core.models import Correction
from partnerships.models import Partnership
from tests import builders
from tests.builders import AdminTestCase, admin_url, form_data


def valid_post(**overrides) -> dict:
    data = {
        "what_is_wrong": "Nazwa partnerstwa jest nieaktualna.",
        "what_is_right": "Partnerstwo nazywa się teraz „Razem w powiecie”.",
        "source": "Uchwała zarządu powiatu z 2024 r.",
        "email": "",
        "website": "",
    }
    return {**data, **overrides}


class CorrectionTestCase(AdminTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        # The staff group may work the queue of corrections, as it may edit records.
        group = cls.staff.groups.get()
        group.permissions.add(*Permission.objects.filter(content_type__app_label="core"))

    def submit(self, record, address: str = "203.0.113.5", **overrides):
        return self.client.post(correction_url(record), valid_post(**overrides), REMOTE_ADDR=address)


class PublicFormTests(CorrectionTestCase):
    def test_every_public_record_page_links_to_its_correction_form(self):
        event = builders.event("Wydarzenie do poprawy")
        for record in (self.own_partnership, self.own_institution, event):
            with self.subTest(record=record):
                response = self.client.get(record.get_absolute_url())
                self.assertContains(response, f'href="{correction_url(record)}"')
                self.assertContains(response, "Zgłoś poprawkę")
                self.assertContains(response, "Źródła")

    def test_the_form_states_consent_and_retention_and_is_never_cached(self):
        response = self.client.get(correction_url(self.own_partnership))
        self.assertContains(response, "Co jest błędne")
        self.assertContains(response, "Zgadzam się, by rejestr przechował mój adres e-mail")
        self.assertContains(response, "90 dni po decyzji")
        self.assertIn("no-cache", response["Cache-Control"])

    def test_a_correction_lands_in_the_region_that_keeps_the_record_and_publishes_nothing(self):
        response = self.submit(self.own_partnership)
        self.assertRedirects(response, "/poprawki/dziekujemy/")
        correction = Correction.objects.get()
        self.assertEqual(correction.region, "14")
        self.assertEqual(correction.record, self.own_partnership)
        self.assertEqual(correction.state, Correction.State.PENDING)
        page = self.client.get(self.own_partnership.get_absolute_url())
        self.assertNotContains(page, "Razem w powiecie")

    def test_an_email_without_consent_is_refused_with_a_clear_error(self):
        response = self.submit(self.own_partnership, email="czytelnik@example.org")
        self.assertContains(response, "Wyraź zgodę na przechowanie adresu e-mail", status_code=400)
        self.assertFalse(Correction.objects.exists())
        response = self.submit(self.own_partnership, email="czytelnik@example.org", consent="on")
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Correction.objects.get().email, "czytelnik@example.org")

    def test_the_honeypot_refuses_without_writing(self):
        response = self.submit(self.own_partnership, website="https://spam.example")
        self.assertContains(response, "Formularz nie został przyjęty", status_code=400)
        self.assertFalse(Correction.objects.exists())

    def test_an_unknown_kind_or_record_is_a_404(self):
        for url in ("/poprawki/osoba/1/", f"/poprawki/partnerstwo/{Partnership.objects.count() + 1000}/"):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)


class HostileInputTests(CorrectionTestCase):
    """Hostile input gets a clear error or is stored inert, never a 500."""

    def test_ten_thousand_characters_are_refused_with_the_limit_named(self):
        response = self.submit(self.own_partnership, what_is_wrong="x" * 10_000)
        self.assertContains(response, "2000", status_code=400)
        self.assertFalse(Correction.objects.exists())

    def test_nul_bytes_are_refused(self):
        for field in ("what_is_wrong", "what_is_right", "source", "email", "website"):
            with self.subTest(field=field):
                response = self.submit(self.own_partnership, **{field: "a\x00b"})
                self.assertIn(response.status_code, (400,))
        self.assertFalse(Correction.objects.exists())

    def test_fifty_links_are_refused(self):
        links = " ".join(f"http://a.pl/{n}" for n in range(50))
        self.assertLess(len(links), 1000)
        response = self.submit(self.own_partnership, source=links)
        self.assertContains(response, "Najwyżej 3 linki", status_code=400)
        self.assertFalse(Correction.objects.exists())

    def test_html_is_stored_as_text_and_shown_inert_to_staff(self):
        hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
        self.assertEqual(self.submit(self.own_partnership, what_is_wrong=hostile).status_code, 302)
        correction = Correction.objects.get()
        self.assertEqual(correction.what_is_wrong, hostile)
        self.client.force_login(self.staff)
        page = self.client.get(admin_url(correction, "change"))
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, "<script>alert")
        self.assertContains(page, "&lt;script&gt;")


LOCAL_CACHE = builders.local_cache("correction-limits")


@override_settings(CACHES=LOCAL_CACHE, CORRECTIONS_PER_MINUTE=2)
class RateLimitTests(CorrectionTestCase):
    def setUp(self):
        self.enterContext(mock.patch("django_ratelimit.core.time", mock.Mock(time=lambda: 1_900_000_000)))

    def tearDown(self):
        cache.clear()

    def test_the_rate_limit_refuses_with_429_without_writing(self):
        self.assertEqual(self.submit(self.own_partnership).status_code, 302)
        self.assertEqual(self.submit(self.own_partnership).status_code, 302)
        response = self.submit(self.own_partnership)
        self.assertContains(response, "Zbyt wiele zapytań", status_code=429)
        self.assertTrue(response["Retry-After"])
        self.assertEqual(Correction.objects.count(), 2)
        # Reading the form is not counted, and another address has its own budget.
        self.assertEqual(self.client.get(correction_url(self.own_partnership)).status_code, 200)
        self.assertEqual(self.submit(self.own_partnership, address="198.51.100.7").status_code, 302)


class QueueTests(CorrectionTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.own = Correction.objects.create(
            record=cls.own_partnership,
            region="14",
            record_label=str(cls.own_partnership),
            what_is_wrong="Zła nazwa.",
            what_is_right="Partnerstwo mazowieckie poprawione",
            email="czytelnik@example.org",
        )
        cls.other = Correction.objects.create(
            record=cls.other_partnership,
            region="02",
            record_label=str(cls.other_partnership),
            what_is_wrong="Zła nazwa.",
            what_is_right="Partnerstwo dolnośląskie poprawione",
        )

    def test_staff_see_only_their_regions_corrections(self):
        self.client.force_login(self.staff)
        response = self.client.get(admin_url(Correction, "changelist"))
        self.assertEqual(list(response.context["cl"].result_list), [self.own])
        self.client.force_login(self.other_staff)
        response = self.client.get(admin_url(Correction, "changelist"))
        self.assertEqual(list(response.context["cl"].result_list), [self.other])

    def test_staff_of_another_region_can_neither_read_nor_decide_it(self):
        self.client.force_login(self.other_staff)
        response = self.client.get(admin_url(self.own, "change"))
        self.assertNotEqual(response.status_code, 200)
        response = self.client.post(
            admin_url(self.own, "change"), {"state": "rejected", "decision_reason": "Nie nasze."}
        )
        self.assertNotEqual(response.status_code, 200)
        self.own.refresh_from_db()
        self.assertEqual(self.own.state, Correction.State.PENDING)
        # Nor can they accept it through the record: it is not theirs to change.
        url = admin_url(self.own_partnership, "change") + f"?correction={self.own.pk}"
        self.assertIsNone(self.client.get(url).context.get("correction"))
        self.own.refresh_from_db()
        self.assertEqual(self.own.state, Correction.State.PENDING)

    def test_accepting_changes_the_record_with_the_correction_in_its_history(self):
        self.client.force_login(self.staff)
        url = admin_url(self.own_partnership, "change") + f"?correction={self.own.pk}"
        page = self.client.get(url)
        self.assertEqual(page.context["correction"], self.own)
        self.assertContains(page, "Partnerstwo mazowieckie poprawione")
        data = form_data(page)
        data["name"] = "Partnerstwo mazowieckie poprawione"
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(url, data)
        self.assertEqual(
            response.status_code, 302, getattr(response, "context", None) and response.context.get("errors")
        )
        self.own_partnership.refresh_from_db()
        self.assertEqual(self.own_partnership.name, "Partnerstwo mazowieckie poprawione")
        latest = self.own_partnership.history.latest()
        self.assertIn(f"Poprawka nr {self.own.pk} od czytelnika", latest.history_change_reason)
        self.own.refresh_from_db()
        self.assertEqual(self.own.state, Correction.State.ACCEPTED)
        self.assertEqual(self.own.decided_by, self.staff)
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].to, ["czytelnik@example.org"])
        self.assertIn("została przyjęta", mail.outbox[0].subject)

    def test_rejecting_changes_nothing_but_the_correction_and_needs_a_reason(self):
        self.client.force_login(self.staff)
        before = self.own_partnership.history.count()
        response = self.client.post(admin_url(self.own, "change"), {"state": "rejected", "decision_reason": ""})
        self.assertContains(response, "Odrzucenie podaje powód.")
        self.own.refresh_from_db()
        self.assertEqual(self.own.state, Correction.State.PENDING)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                admin_url(self.own, "change"), {"state": "rejected", "decision_reason": "Źródło tego nie potwierdza."}
            )
        self.assertEqual(response.status_code, 302)
        self.own.refresh_from_db()
        self.assertEqual(self.own.state, Correction.State.REJECTED)
        self.own_partnership.refresh_from_db()
        self.assertEqual(self.own_partnership.name, "Partnerstwo testowe mazowieckie")
        self.assertEqual(self.own_partnership.history.count(), before)
        self.assertEqual(len(mail.outbox), 1)
        self.assertIn("Źródło tego nie potwierdza.", mail.outbox[0].body)

    def test_expired_emails_are_deleted_by_the_command_and_current_ones_kept(self):
        long_ago = timezone.now() - datetime.timedelta(days=91)
        Correction.objects.filter(pk=self.own.pk).update(state="rejected", decision_reason="x", decided_at=long_ago)
        fresh = Correction.objects.create(
            record=self.own_partnership,
            region="14",
            record_label="x",
            what_is_wrong="a",
            what_is_right="b",
            email="swiezy@example.org",
        )
        out = StringIO()
        call_command("delete_expired_correction_emails", stdout=out)
        self.own.refresh_from_db()
        fresh.refresh_from_db()
        self.assertEqual(self.own.email, "")
        self.assertEqual(fresh.email, "swiezy@example.org")
        self.assertIn("1", out.getvalue())
