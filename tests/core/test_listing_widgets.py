"""The public lists' drop-downs: written out in Python, from choices that are not normalised
again on every iteration."""

from unittest import mock

from django.core.cache import cache
from django.test import TestCase, override_settings
from django.utils.choices import normalize_choices

from core.listing import PlainChoices, QuickSelect, cached_choices
from partnerships.filters import PartnershipFilterSet
from tests.builders import local_cache


@override_settings(CACHES=local_cache("listing-widget-tests"))
class DropDownTests(TestCase):
    def setUp(self):
        cache.clear()
        self.addCleanup(cache.clear)

    def test_cached_choices_are_iterated_as_they_are(self):
        pairs = [("1465", "Warszawa"), ("1432", "powiat ostrołęcki")]
        choices = cached_choices("test-counties", lambda: pairs)
        self.assertIsInstance(choices, PlainChoices)
        self.assertIs(normalize_choices(choices), choices)
        field = PartnershipFilterSet().form.fields["powiat"]
        # Django normalises pair by pair through this name; plain choices never reach it.
        normalised = mock.patch("django.utils.choices.normalize_choices", side_effect=AssertionError("normalised"))
        field.choices = choices
        with normalised:
            self.assertEqual(list(field.choices)[1:], pairs)
        field.choices = list(pairs)
        with normalised, self.assertRaisesMessage(AssertionError, "normalised"):
            list(field.choices)
        # Still a list where one is expected (the admin's filters add to it).
        self.assertEqual([*choices, ("", "")][-1], ("", ""))

    def test_the_ordering_is_a_quick_select_that_marks_the_chosen_order(self):
        form = PartnershipFilterSet({"sortuj": "-czlonkowie"}).form
        self.assertIsInstance(form.fields["sortuj"].widget, QuickSelect)
        html = str(form["sortuj"])
        self.assertIn('<option value="-czlonkowie" selected>', html)
        self.assertIn('<option value="czlonkowie">', html)
        self.assertEqual(html.count(" selected"), 1)
        self.assertIn('<option value="" selected>', str(PartnershipFilterSet().form["sortuj"]))
