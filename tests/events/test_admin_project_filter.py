"""The events list's project filter: one drop-down that keeps the list's other filters."""

import re

from django.core.cache import cache

from events.models import Event, Project
from tests.builders import AdminTestCase, event

URL = "/admin/events/event/"


class ProjectFilterTests(AdminTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.first = Project.objects.create(name="Projekt pierwszy", slug="pierwszy")
        cls.second = Project.objects.create(name="Projekt drugi", slug="drugi")
        cls.conference = event("Konferencja w projekcie", project=cls.first)
        cls.workshop = event("Seminarium w projekcie", project=cls.first, kind=Event.Kind.SEMINAR)
        cls.other = event("Konferencja innego projektu", project=cls.second)

    def setUp(self):
        cache.clear()
        self.client.force_login(self.superuser)

    def test_the_drop_down_offers_every_project_and_keeps_the_other_filters(self):
        page = self.client.get(URL, {"kind__exact": "conference", "p": "2"}).content.decode()
        form = page.split('class="filter-select"', 1)[1].split("</form>", 1)[0]
        self.assertIn('<select name="project__id__exact" id="filter-project__id__exact">', form)
        self.assertIn(f'<option value="{self.first.pk}">Projekt pierwszy</option>', form)
        self.assertIn(f'<option value="{self.second.pk}">Projekt drugi</option>', form)
        self.assertIn('<input type="hidden" name="kind__exact" value="conference">', form)
        # A new filter starts on the first page.
        self.assertNotIn('name="p"', form)
        self.assertRegex(form, r'<label class="visually-hidden" for="filter-project__id__exact">Projekt</label>')

    def test_a_chosen_project_lists_its_events_only_and_stays_selected(self):
        response = self.client.get(URL, {"project__id__exact": self.first.pk, "kind__exact": "conference"})
        self.assertEqual(list(response.context["cl"].result_list), [self.conference])
        self.assertRegex(
            response.content.decode(), re.escape(f'<option value="{self.first.pk}" selected>Projekt pierwszy</option>')
        )

    def test_a_malformed_project_is_refused_as_django_refuses_any_bad_filter(self):
        response = self.client.get(URL, {"project__id__exact": "abc"})
        self.assertEqual(response.status_code, 302)
        self.assertIn("e=1", response["Location"])
