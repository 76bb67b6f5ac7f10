"""Two staff members editing the same partnership: the second save does not silently
overwrite the first; it is refused with what changed, and nothing of it is written."""

from django.test import Client

from partnerships.models import Partnership
from tests.builders import AdminTestCase, admin_url, form_data


class ConcurrentEditTests(AdminTestCase):
    def setUp(self):
        self.url = admin_url(self.own_partnership, "change")
        self.first, self.second = Client(), Client()
        self.first.force_login(self.staff)
        self.second.force_login(self.superuser)

    def test_the_second_save_is_refused_with_who_changed_what(self):
        first_form = form_data(self.first.get(self.url))
        second_form = form_data(self.second.get(self.url))

        second_form["name"] = "Nazwa zapisana jako pierwsza"
        self.assertEqual(self.second.post(self.url, second_form).status_code, 302)

        first_form["goal"] = "Cel wpisany w drugim oknie"
        response = self.first.post(self.url, first_form)
        self.assertEqual(response.status_code, 200)
        errors = " ".join(response.context["adminform"].form.non_field_errors())
        self.assertIn("administrator", errors)
        self.assertIn("Twoje zmiany nie zostały zapisane", errors)
        self.assertIn("Nazwa: „Partnerstwo testowe mazowieckie” → „Nazwa zapisana jako pierwsza”", errors)

        partnership = Partnership.objects.get(pk=self.own_partnership.pk)
        self.assertEqual((partnership.name, partnership.goal), ("Nazwa zapisana jako pierwsza", ""))
        self.assertEqual(partnership.history.count(), 2)

    def test_saving_again_after_reading_the_conflict_keeps_the_second_version(self):
        first_form = form_data(self.first.get(self.url))
        second_form = form_data(self.second.get(self.url))
        second_form["name"] = "Nazwa zapisana jako pierwsza"
        self.second.post(self.url, second_form)

        first_form["goal"] = "Cel wpisany w drugim oknie"
        refused = self.first.post(self.url, first_form)
        # The form came back with the user's input and the version it was refused against.
        first_form["_loaded_version"] = str(refused.context["loaded_version"])
        self.assertEqual(self.first.post(self.url, first_form).status_code, 302)
        partnership = Partnership.objects.get(pk=self.own_partnership.pk)
        self.assertEqual(partnership.goal, "Cel wpisany w drugim oknie")

    def test_marking_as_verified_in_between_is_noticed_too(self):
        first_form = form_data(self.first.get(self.url))
        changelist = admin_url(Partnership, "changelist")
        self.second.post(
            changelist, {"action": "mark_verified", "_selected_action": [self.own_partnership.pk], "index": 0}
        )
        self.assertIsNotNone(Partnership.objects.get(pk=self.own_partnership.pk).last_verified_on)

        first_form["goal"] = "Cel"
        response = self.first.post(self.url, first_form)
        self.assertEqual(response.status_code, 200)
        self.assertIn("Ostatnio zweryfikowano", " ".join(response.context["adminform"].form.non_field_errors()))
        partnership = Partnership.objects.get(pk=self.own_partnership.pk)
        self.assertIsNotNone(partnership.last_verified_on)
        self.assertEqual(partnership.goal, "")

    def test_one_editor_alone_saves_as_often_as_they_like(self):
        for goal in ("Pierwszy cel", "Drugi cel"):
            data = form_data(self.first.get(self.url))
            data["goal"] = goal
            self.assertEqual(self.first.post(self.url, data).status_code, 302)
        self.assertEqual(Partnership.objects.get(pk=self.own_partnership.pk).goal, "Drugi cel")
