"""The words people use for institutions: "MOPS", "PUP", "ŚDS" find institutions of that kind,
and a place's name the institutions seated there (issue 17, point 1)."""

from django.test import TestCase

from members.matching import KIND_ABBREVIATIONS, KINDS_OF_ABBREVIATION
from members.models import Institution
from territory.models import Commune
from tests import builders

K = Institution.Kind


class KindAbbreviationSearchTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        builders.load_territory()
        # Facts of the TERYT register: gminas Łosice (urban-rural) and Huszlew (rural), powiat łosicki.
        Commune.objects.create(code="1410023", county_id="1410", name="Łosice", kind="3", slug="losice")
        Commune.objects.create(code="1410012", county_id="1410", name="Huszlew", kind="2", slug="huszlew")
        # Named without the abbreviation: only the kind says what they are.
        cls.mops = builders.institution("Miejski Ośrodek Pomocy Społecznej w Łosicach", commune="1410023", kind=K.MOPS)
        cls.gops = builders.institution("Ośrodek w gminie wiejskiej", commune="1410012", kind=K.GOPS)
        cls.pup = builders.institution("Urząd Pracy w Łosicach", commune="1410023", kind=K.LABOUR_OFFICE)
        cls.sds = builders.institution("Dom „Przystań”", commune="1465011", kind=K.SDS)
        cls.foundation = builders.institution("Fundacja MOPS-owa pomoc", commune="0264011", kind=K.FOUNDATION)
        cls.police = builders.institution("Komenda w Łosicach", commune="1410023", kind=K.POLICE)

    def names(self, query: str) -> list[str]:
        response = self.client.get("/instytucje/", {"q": query})
        self.assertEqual(response.status_code, 200)
        return sorted(i.name for i in response.context["paging"].objects)

    def test_mops_finds_a_mops_by_its_kind_and_by_its_name(self):
        found = self.names("MOPS")
        self.assertIn(self.mops.name, found)
        self.assertIn(self.foundation.name, found)  # its own name contains the word
        self.assertNotIn(self.gops.name, found)
        self.assertNotIn(self.pup.name, found)
        self.assertEqual(self.names("mops"), found)
        self.assertEqual(self.names("M.O.P.S."), found)

    def test_each_abbreviation_finds_its_kinds_and_no_other(self):
        self.assertEqual(self.names("PUP"), [self.pup.name])
        self.assertEqual(self.names("ŚDS"), [self.sds.name])
        self.assertEqual(self.names("sds"), [self.sds.name])
        self.assertEqual(self.names("KPP"), [self.police.name])
        self.assertEqual(sorted(self.names("OPS")), sorted([self.mops.name, self.gops.name, self.foundation.name]))
        self.assertEqual(self.names("WTZ"), [])

    def test_every_abbreviation_the_issue_names_is_known_and_has_one_written_out_form(self):
        for word in (
            "mops",
            "gops",
            "ops",
            "pcpr",
            "pup",
            "wup",
            "kpp",
            "kmp",
            "sds",
            "wtz",
            "cis",
            "kis",
            "dps",
            "rops",
        ):
            with self.subTest(word):
                self.assertIn(word, KINDS_OF_ABBREVIATION)
                self.assertIn(word, KIND_ABBREVIATIONS)  # one definition of what it stands for
        self.assertLessEqual(set(KINDS_OF_ABBREVIATION), set(KIND_ABBREVIATIONS))

    def test_a_place_name_finds_the_institutions_seated_there(self):
        self.assertEqual(sorted(self.names("Łosice")), sorted([self.mops.name, self.pup.name, self.police.name]))
        self.assertEqual(
            self.names("losicki"), sorted([self.mops.name, self.gops.name, self.pup.name, self.police.name])
        )

    def test_the_gmina_picker_filters_institutions_and_events(self):
        response = self.client.get("/instytucje/", {"gmina": "Łosice"})
        self.assertContains(response, "Łosice (gmina miejsko-wiejska, powiat łosicki, woj. mazowieckie)")
        self.assertEqual(
            sorted(i.name for i in response.context["paging"].objects),
            sorted([self.mops.name, self.pup.name, self.police.name]),
        )
        builders.event("Konferencja w Łosicach", commune="1410023")
        builders.event("Konferencja w Warszawie", commune="1465011")
        response = self.client.get("/wydarzenia/", {"gmina": "1410023"})
        self.assertEqual([e.title for e in response.context["paging"].objects], ["Konferencja w Łosicach"])
        response = self.client.get("/wydarzenia/", {"q": "losice"})
        self.assertEqual([e.title for e in response.context["paging"].objects], ["Konferencja w Łosicach"])

    def test_partnerships_are_found_by_a_members_abbreviated_kind_written_out(self):
        builders.partnership("Partnerstwo łosickie", members=[self.mops])
        builders.partnership("Partnerstwo bez ośrodka", members=[self.pup])
        response = self.client.get("/partnerstwa/", {"q": "MOPS"})
        self.assertEqual([p.name for p in response.context["paging"].objects], ["Partnerstwo łosickie"])
