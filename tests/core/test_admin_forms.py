"""Pickers and forms that say what they are: communes with kind, powiat and voivodeship,
institutions with kind and place, a founding date typed as a year, a month or a day, a country
chosen by name, and "required" said before anything about regions."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.models import Event
from members.models import Institution
from partnerships.models import Partnership
from territory.models import Commune
from tests.builders import AdminTestCase, admin_url, csrf_token, form_data

TOWN = "Ostrów Mazowiecka (miasto, powiat ostrowski, mazowieckie)"
RURAL = "Ostrów Mazowiecka (gmina wiejska, powiat ostrowski, mazowieckie)"


class PickerTests(AdminTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        Commune.objects.create(
            code="1416011", name="Ostrów Mazowiecka", slug="ostrow-mazowiecka-miasto", county_id="1416", kind="1"
        )
        Commune.objects.create(
            code="1416072", name="Ostrów Mazowiecka", slug="ostrow-mazowiecka-gmina", county_id="1416", kind="2"
        )

    def setUp(self):
        self.client.force_login(self.staff)

    def autocomplete(self, model_name: str, field: str, term: str, app_label="members") -> list[str]:
        response = self.client.get(
            "/admin/autocomplete/",
            {"app_label": app_label, "model_name": model_name, "field_name": field, "term": term},
        )
        self.assertEqual(response.status_code, 200)
        return [result["text"] for result in response.json()["results"]]

    def test_the_commune_autocomplete_tells_the_town_from_the_rural_gmina(self):
        self.assertEqual(sorted(self.autocomplete("institution", "commune", "Ostrów")), sorted([TOWN, RURAL]))

    def test_the_commune_autocomplete_costs_the_same_queries_for_one_result_or_many(self):
        with CaptureQueriesContext(connection) as one:
            self.assertEqual(len(self.autocomplete("institution", "commune", "Warszawa")), 1)
        with CaptureQueriesContext(connection) as many:
            self.assertGreater(len(self.autocomplete("institution", "commune", "a")), 3)
        self.assertEqual(len(one), len(many))

    def test_the_institution_autocomplete_gives_kind_and_place(self):
        texts = self.autocomplete("membership", "institution", "warszawska", app_label="partnerships")
        self.assertEqual(texts, ["Instytucja testowa warszawska — miejski ośrodek pomocy społecznej (MOPS), Warszawa"])

    def test_the_chosen_commune_is_shown_with_its_kind_on_the_form(self):
        institution = Institution.objects.create(
            name="GOPS Ostrów", slug="gops-ostrow", kind="gops", commune_id="1416072"
        )
        self.assertContains(self.client.get(admin_url(institution, "change")), RURAL)

    def test_the_country_is_chosen_by_its_polish_name(self):
        page = self.client.get(admin_url(Institution, "add"))
        self.assertContains(page, '<option value="GB">Wielka Brytania</option>', html=True)
        self.assertContains(page, '<option value="PL" selected>Polska</option>', html=True)


class FoundingDateTests(AdminTestCase):
    def setUp(self):
        self.client.force_login(self.staff)

    def save_founded(self, typed: str):
        url = admin_url(self.own_partnership, "change")
        page = self.client.get(url)
        data = form_data(page)
        data.update(csrfmiddlewaretoken=csrf_token(page), founded=typed)
        return self.client.post(url, data)

    def test_the_precision_follows_from_what_was_typed(self):
        for typed, date, precision, shown in [
            ("2012", datetime.date(2012, 1, 1), "year", "2012"),
            ("03.2012", datetime.date(2012, 3, 1), "month", "03.2012"),
            ("2012-03", datetime.date(2012, 3, 1), "month", "03.2012"),
            ("15.03.2012", datetime.date(2012, 3, 15), "day", "15.03.2012"),
            ("2012-03-15", datetime.date(2012, 3, 15), "day", "15.03.2012"),
        ]:
            with self.subTest(typed):
                self.assertEqual(self.save_founded(typed).status_code, 302)
                self.own_partnership.refresh_from_db()
                self.assertEqual(
                    (self.own_partnership.founded_on, self.own_partnership.founded_precision), (date, precision)
                )
                self.assertContains(self.client.get(admin_url(self.own_partnership, "change")), f'value="{shown}"')
        self.assertEqual(self.save_founded("").status_code, 302)
        self.own_partnership.refresh_from_db()
        self.assertIsNone(self.own_partnership.founded_on)

    def test_a_date_that_is_not_one_is_refused_in_polish_and_changes_nothing(self):
        self.save_founded("2012")
        for typed, message in [
            ("dawno", "Podaj rok (2012), miesiąc (03.2012) lub dzień (15.03.2012)."),
            ("13.2012", "Nie ma takiej daty."),
            ("31.02.2012", "Nie ma takiej daty."),
        ]:
            with self.subTest(typed):
                response = self.save_founded(typed)
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, message)
                self.own_partnership.refresh_from_db()
                self.assertEqual(self.own_partnership.founded_on, datetime.date(2012, 1, 1))


class RequiredFirstTests(AdminTestCase):
    def setUp(self):
        self.client.force_login(self.staff)

    def test_an_empty_commune_says_it_is_required_not_that_it_is_another_region(self):
        for model, extra in [
            (Institution, {"name": "Bez gminy", "slug": "bez-gminy", "kind": "mops", "country": "PL"}),
            (Event, {"title": "Bez gminy", "slug": "bez-gminy", "kind": "conference"}),
        ]:
            with self.subTest(model._meta.model_name):
                page = self.client.get(admin_url(model, "add"))
                data = form_data(page)
                data.update(csrfmiddlewaretoken=csrf_token(page), commune="", **extra)
                response = self.client.post(admin_url(model, "add"), data)
                self.assertEqual(response.status_code, 200)
                errors = response.context["adminform"].form.errors["commune"]
                self.assertEqual(errors, ["To pole jest wymagane."])
                self.assertNotContains(response, "swojego województwa")
                self.assertFalse(model.objects.filter(slug="bez-gminy").exists())

    def test_a_commune_of_another_region_still_says_so(self):
        page = self.client.get(admin_url(Institution, "add"))
        data = form_data(page)
        data.update(
            csrfmiddlewaretoken=csrf_token(page), name="Obca", slug="obca", kind="mops", country="PL", commune="0264011"
        )
        response = self.client.post(admin_url(Institution, "add"), data)
        self.assertEqual(response.status_code, 200)
        self.assertNotEqual(response.context["adminform"].form.errors["commune"], ["To pole jest wymagane."])
        self.assertFalse(Partnership.objects.filter(slug="obca").exists())
        self.assertFalse(Institution.objects.filter(slug="obca").exists())
