"""Search keys and slugs of Polish text (core.text)."""

from django.test import SimpleTestCase

from core.text import MAX_QUERY_LENGTH, query_key, search_key, slugify_pl

"""Search keys and slugs of Polish text (core.text)."""


class SearchKeyTests(SimpleTestCase):
    def test_folding_removes_case_and_polish_diacritics(self):
        self.assertEqual(search_key("Raków-Reaktywacja"), "rakow-reaktywacja")
        self.assertEqual(search_key("ŁÓDŹ", "Żółć  gęślą"), "lodz zolc gesla")

    def test_a_query_is_folded_like_the_stored_text(self):
        self.assertIn(query_key("RAKOW"), search_key("Partnerstwo Raków-Reaktywacja"))
        self.assertIn(query_key("stare miasto"), search_key("„Stare Miasto-Nowe Życie”"))

    def test_hostile_queries_are_bounded_and_lose_control_characters(self):
        self.assertEqual(query_key("a\x00b\x1fc"), "a b c")
        self.assertEqual(len(query_key("ą" * 10_000)), MAX_QUERY_LENGTH)
        self.assertEqual(query_key("' OR 1=1 --"), "' or 1=1 --")


class SlugTests(SimpleTestCase):
    def test_slugs_transliterate_polish_letters(self):
        self.assertEqual(slugify_pl("Łosice – Żółć Gęśla"), "losice-zolc-gesla")
