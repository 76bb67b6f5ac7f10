"""Which existing institution a name or a register's number means (members.matching)."""

from django.test import SimpleTestCase, TestCase
from django.utils import translation

from members.matching import CommuneNames, comparable_name, match_institution, name_score, pairs_alike
from tests import builders

WROCLAW, WARSZAWA = "0264011", "1465011"


class ComparableNameTests(SimpleTestCase):
    def test_abbreviations_are_written_out_and_little_words_left_out(self):
        self.assertEqual(
            comparable_name("MOPS we Wrocławiu"), comparable_name("Miejski Ośrodek Pomocy Społecznej Wrocławiu")
        )

    def test_names_alike_score_high_and_other_kinds_low(self):
        mops = comparable_name("Miejski Ośrodek Pomocy Społecznej we Wrocławiu")
        self.assertGreaterEqual(name_score(mops, comparable_name("MOPS Wrocław")), 90)
        gops = comparable_name("Gminny Ośrodek Pomocy Społecznej w Łosicach")
        self.assertLess(name_score(gops, comparable_name("Powiatowe Centrum Pomocy Rodzinie w Łosicach")), 90)

    def test_names_with_other_numbers_are_never_alike(self):
        first, second = comparable_name("Szkoła Podstawowa nr 1"), comparable_name("Szkoła Podstawowa nr 2")
        self.assertEqual(name_score(first, second), 0)
        self.assertEqual(name_score(first, comparable_name("Szkola podstawowa NR 1")), 100)


class MatchInstitutionTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        builders.load_territory()
        cls.mops = builders.institution(
            "Miejski Ośrodek Pomocy Społecznej we Wrocławiu", commune=WROCLAW, nip="1234563218", regon="123456785"
        )
        cls.school = builders.institution("Szkoła Podstawowa nr 1", commune=WROCLAW, kind="school")

    def test_a_register_number_names_the_institution_whatever_the_name(self):
        for numbers, reason in (
            ({"nip": "1234563218"}, "NIP"),
            ({"regon": "123456785"}, "REGON"),
            ({"nip": "0000000000", "regon": "123456785"}, "REGON"),
        ):
            with self.subTest(numbers):
                match = match_institution(name="Zupełnie inna nazwa", commune=WARSZAWA, **numbers)
                self.assertEqual(match.institution, self.mops)
                self.assertIn(reason, match.reason)
                self.assertFalse(match.needs_confirmation)

    def test_a_very_similar_name_in_the_same_gmina_is_offered_for_confirmation(self):
        match = match_institution(name="MOPS Wrocław", commune=WROCLAW)
        self.assertEqual(match.institution, self.mops)
        self.assertTrue(match.needs_confirmation)
        with translation.override("pl"):
            self.assertIn("tej samej gminie", str(match_institution(name="MOPS Wrocław", commune=WROCLAW).reason))

    def test_no_match_in_another_gmina_nor_for_another_number_or_kind(self):
        self.assertIsNone(match_institution(name="MOPS Wrocław", commune=WARSZAWA))
        self.assertIsNone(match_institution(name="Szkoła Podstawowa nr 2", commune=WROCLAW))
        self.assertIsNone(match_institution(name="Powiatowy Urząd Pracy we Wrocławiu", commune=WROCLAW))

    def test_an_institution_created_meanwhile_is_found_by_the_next_row(self):
        names = CommuneNames()
        self.assertIsNone(match_institution(name="Klub Integracji Społecznej", commune=WROCLAW, names=names))
        club = builders.institution("Klub Integracji Społecznej", commune=WROCLAW, kind="cis")
        names.add(club)
        self.assertEqual(match_institution(name="KIS", commune=WROCLAW, names=names).institution, club)

    def test_pairs_alike_within_a_gmina(self):
        twin = builders.institution("MOPS Wrocław", commune=WROCLAW)
        names = CommuneNames().of(WROCLAW)
        self.assertEqual([(a, b) for a, b, _score in pairs_alike(names)], [(self.mops.pk, twin.pk)])
