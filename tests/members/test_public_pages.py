import datetime

from django.test import TestCase

from events.models import Speaker
from members.models import Institution
from partnerships.models import Membership
from partnerships.views import DETAIL_LIST_LIMIT
from tests import builders
from tests.builders import PRIVATE
from tests.page_checks import HOSTILE_QUERIES, count_queries, structure_problems


class InstitutionListTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        builders.load_territory()
        cls.university = builders.institution(
            "Uniwersytet Łódzki", commune="1061011", kind=Institution.Kind.UNIVERSITY, short_name="UŁ"
        )
        cls.foundation = builders.institution(
            "Fundacja Przykładowa", commune="0264011", kind=Institution.Kind.FOUNDATION
        )
        cls.walbrzych = builders.institution("Stowarzyszenie Testowe", commune="0265011", kind="association")
        cls.mops = builders.institution("Miejski Ośrodek Pomocy Społecznej w Testowie", commune="1465011")
        cls.council = builders.institution(
            "Testing Borough Council", commune=None, country="GB", kind=Institution.Kind.FOREIGN_PUBLIC
        )
        cls.person = builders.person(cls.university, function="rektor", **PRIVATE)

    def names(self, query: str) -> list[str]:
        response = self.client.get(f"/instytucje/{query}")
        self.assertEqual(response.status_code, 200)
        return [institution.name for institution in response.context["paging"].objects]

    def test_list_shows_every_institution_with_kind_sector_and_seat_in_polish(self):
        response = self.client.get("/instytucje/")
        self.assertContains(response, '<html lang="pl">')
        self.assertContains(response, "<title>Instytucje – Rejestr Partnerstw Lokalnych</title>", html=True)
        self.assertEqual(response.context["paging"].page.paginator.count, 5)
        self.assertContains(response, f'<a href="/instytucje/{self.university.slug}/">Uniwersytet Łódzki</a>')
        self.assertContains(response, "Uczelnia lub instytut badawczy · sektor publiczny")
        self.assertContains(response, "Fundacja · sektor pozarządowy")
        self.assertContains(response, "Łódź</p>")  # a city county is not repeated after its commune
        self.assertContains(response, "Wielka Brytania</p>")  # the country's name, not its code (issue 17)

    def test_page_structure_is_accessible(self):
        self.assertEqual(structure_problems(self.client.get("/instytucje/?powiat=XYZ").content.decode()), [])

    def test_search_ignores_case_and_diacritics(self):
        self.assertEqual(self.names("?q=lodz"), ["Uniwersytet Łódzki"])
        self.assertEqual(self.names("?q=ŁÓDZKI"), ["Uniwersytet Łódzki"])
        self.assertEqual(self.names("?q=osrodek+pomocy"), ["Miejski Ośrodek Pomocy Społecznej w Testowie"])

    def test_search_finds_the_short_name(self):
        self.assertEqual(self.names("?q=ul"), ["Uniwersytet Łódzki"])

    def test_filters_by_kind_and_by_sector(self):
        self.assertEqual(self.names("?rodzaj=foundation"), ["Fundacja Przykładowa"])
        self.assertEqual(self.names("?sektor=ngo"), ["Fundacja Przykładowa", "Stowarzyszenie Testowe"])
        self.assertEqual(
            self.names("?sektor=public"),
            ["Miejski Ośrodek Pomocy Społecznej w Testowie", "Testing Borough Council", "Uniwersytet Łódzki"],
        )
        self.assertEqual(self.names("?sektor=business"), [])

    def test_a_voivodeship_includes_institutions_seated_in_any_of_its_counties(self):
        self.assertEqual(self.names("?wojewodztwo=02"), ["Fundacja Przykładowa", "Stowarzyszenie Testowe"])
        self.assertEqual(self.names("?powiat=0265"), ["Stowarzyszenie Testowe"])
        self.assertEqual(self.names("?wojewodztwo=10&sektor=public"), ["Uniwersytet Łódzki"])
        self.assertEqual(self.names("?wojewodztwo=30"), [])

    def test_sorting_by_name_both_ways(self):
        self.assertEqual(self.names("?sortuj=-nazwa")[0], "Uniwersytet Łódzki")
        self.assertEqual(self.names("?sortuj=nazwa")[0], "Fundacja Przykładowa")

    def test_active_filters_are_shown_each_with_a_link_that_removes_it(self):
        response = self.client.get("/instytucje/?wojewodztwo=02&q=fundacja&page=1")
        self.assertContains(response, "Województwo: dolnośląskie")
        self.assertContains(response, 'href="?q=fundacja"')
        self.assertContains(response, 'href="?wojewodztwo=02"')

    def test_an_invalid_filter_value_shows_the_fields_error_and_the_other_filters_still_apply(self):
        response = self.client.get("/instytucje/?powiat=XYZ&rodzaj=foundation")
        self.assertContains(response, "Wybierz poprawną wartość")
        self.assertContains(response, "field--error")
        self.assertEqual([i.name for i in response.context["paging"].objects], ["Fundacja Przykładowa"])

    def test_bad_input_gives_a_normal_page_with_the_error_shown(self):
        for query, message in HOSTILE_QUERIES.items():
            with self.subTest(query=query[:40]):
                response = self.client.get(f"/instytucje/{query}")
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, message)

    def test_private_data_of_people_never_appears(self):
        response = self.client.get("/instytucje/?q=uniwersytet")
        for value in PRIVATE.values():
            self.assertNotContains(response, value)

    def test_list_runs_the_same_number_of_queries_at_5_and_at_50_rows(self):
        self.assertEqual(Institution.objects.count(), 5)
        at_5 = count_queries(self.client, "/instytucje/?sektor=public&q=a")
        at_5_unfiltered = count_queries(self.client, "/instytucje/")
        for number in range(45):
            builders.institution(f"Ośrodek testowy {number}", commune=("0264011", "3021021", None)[number % 3])
        self.assertEqual(Institution.objects.count(), 50)
        self.assertEqual(count_queries(self.client, "/instytucje/?sektor=public&q=a"), at_5)
        self.assertEqual(count_queries(self.client, "/instytucje/"), at_5_unfiltered)
        self.assertEqual(count_queries(self.client, "/instytucje/?page=3"), at_5_unfiltered)


class InstitutionDetailTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        builders.load_territory()
        cls.university = builders.institution(
            "Uniwersytet Łódzki",
            commune="1061011",
            kind=Institution.Kind.UNIVERSITY,
            short_name="UŁ",
            website="https://uni.example.org/",
            email="sekretariat@uni.example.org",
            phone="+48 42 000 00 00",
            description="Uczelnia publiczna w Łodzi.",
            last_verified_on=datetime.date(2024, 5, 6),
        )
        cls.council = builders.institution(
            "Testing Borough Council", commune=None, country="GB", kind=Institution.Kind.FOREIGN_PUBLIC
        )
        cls.speaker = builders.person(
            cls.university, first_name="Jan", last_name="Testowy", academic_title="dr hab.", function="prorektor"
        )
        cls.private_person = builders.person(cls.university, first_name="Anna", last_name="Prywatna", **PRIVATE)
        cls.conference = builders.event("Konferencja o partnerstwach", start_date=datetime.date(2013, 3, 14))
        cls.organised = builders.event("Seminarium uczelni", start_date=datetime.date(2014, 6, 1), commune="1061011")
        cls.organised.organisers.add(cls.university)
        Speaker.objects.create(
            event=cls.conference, person=cls.speaker, role=Speaker.Role.PANELLIST, topic="Badania w terenie"
        )
        Speaker.objects.create(event=cls.conference, person=cls.private_person, role=Speaker.Role.SPEAKER)
        cls.partnership = builders.partnership("Łódzkie Partnerstwo Testowe", region="10", members=[cls.university])
        cls.former = builders.partnership("Partnerstwo dawne", region="10")
        Membership.objects.create(
            partnership=cls.former,
            institution=cls.university,
            role=Membership.Role.LEADER,
            joined_on=datetime.date(2010, 1, 1),
            left_on=datetime.date(2012, 12, 31),
        )
        cls.url = cls.university.get_absolute_url()

    def test_detail_shows_the_public_facts_of_the_institution(self):
        response = self.client.get(self.url)
        self.assertContains(response, "<h1>Uniwersytet Łódzki</h1>", html=True)
        self.assertContains(response, "<title>Uniwersytet Łódzki – Rejestr Partnerstw Lokalnych</title>", html=True)
        self.assertContains(response, "UŁ")
        self.assertContains(response, "Uczelnia lub instytut badawczy")
        self.assertContains(response, "Sektor publiczny")
        self.assertContains(response, '<a href="/powiaty/1061/">Łódź</a>')
        self.assertContains(response, 'href="https://uni.example.org/"')
        self.assertContains(response, "sekretariat@uni.example.org")
        self.assertContains(response, "+48 42 000 00 00")
        self.assertContains(response, "Uczelnia publiczna w Łodzi.")
        self.assertContains(response, '<time datetime="2024-05-06">')
        self.assertContains(response, 'aria-label="Ścieżka nawigacji"')
        self.assertContains(response, '<a href="/instytucje/">Instytucje</a>', html=True)

    def test_seat_in_a_land_county_names_the_commune_and_links_the_county(self):
        institution = builders.institution("Ośrodek w Puszczykowie", commune="3021021")
        response = self.client.get(institution.get_absolute_url())
        self.assertContains(
            response, '<a href="/gminy/3021021/">gmina Puszczykowo</a>, <a href="/powiaty/3021/">powiat poznański</a>'
        )
        self.assertContains(response, "wielkopolskie")

    def test_detail_of_a_foreign_institution_shows_its_country_not_a_seat(self):
        response = self.client.get(self.council.get_absolute_url())
        self.assertContains(response, "<dd>Wielka Brytania</dd>", html=True)  # the name, not "GB" (issue 17)
        self.assertNotRegex(response.content.decode(), r"/powiaty/[0-9]{4}/")

    def test_detail_lists_every_partnership_with_the_role_and_dates(self):
        response = self.client.get(self.url)
        self.assertContains(
            response, f'<a href="/partnerstwa/{self.partnership.slug}/">Łódzkie Partnerstwo Testowe</a>'
        )
        self.assertContains(response, f'<a href="/partnerstwa/{self.former.slug}/">Partnerstwo dawne</a>')
        self.assertContains(response, "Lider")
        self.assertContains(response, "31 grudnia 2012")

    def test_detail_lists_events_organised_and_those_where_its_people_spoke(self):
        response = self.client.get(self.url)
        self.assertContains(response, f'href="{self.organised.get_absolute_url()}">Seminarium uczelni</a>')
        self.assertContains(response, f'href="{self.conference.get_absolute_url()}">Konferencja o partnerstwach</a>')
        self.assertContains(response, "dr hab. Jan Testowy")
        self.assertContains(response, "Badania w terenie")
        self.assertEqual([talk.person.last_name for talk in response.context["talks"]], ["Prywatna", "Testowy"])

    def test_detail_lists_affiliated_people_with_their_function(self):
        response = self.client.get(self.url)
        self.assertContains(
            response, '<th scope="row">dr hab. Jan Testowy</th><td data-label="Funkcja">prorektor</td>', html=True
        )
        self.assertContains(response, "Anna Prywatna")

    def test_private_data_of_people_never_appears(self):
        for url in (self.url, "/instytucje/", "/instytucje/?q=lodz"):
            response = self.client.get(url)
            for value in PRIVATE.values():
                with self.subTest(url=url, value=value):
                    self.assertNotContains(response, value)

    def test_private_fields_of_people_are_not_even_loaded(self):
        response = self.client.get(self.url)
        for person in response.context["people"]:
            self.assertTrue(set(person.PRIVATE_FIELDS) <= person.get_deferred_fields())

    def test_page_structure_is_accessible(self):
        self.assertEqual(structure_problems(self.client.get(self.url).content.decode()), [])

    def test_unknown_or_hostile_slug_is_a_404(self):
        for url in ("/instytucje/nie-ma-takiej/", "/instytucje/a%00b/", "/instytucje/" + "x" * 5000 + "/"):
            with self.subTest(url=url[:40]):
                self.assertEqual(self.client.get(url).status_code, 404)

    def test_detail_runs_the_same_number_of_queries_at_5_and_at_50_related_rows(self):
        def add_related_rows(count: int) -> None:
            for _ in range(count):
                builders.partnership(region="10", members=[self.university])
                person = builders.person(self.university, function="specjalista", **PRIVATE)
                event = builders.event(start_date=datetime.date(2015, 1, 1))
                Speaker.objects.create(event=event, person=person)
                builders.event(commune="0264011").organisers.add(self.university)

        add_related_rows(3)  # with the 2 of setUpTestData: 5 memberships, people and talks
        self.assertEqual(self.university.memberships.count(), 5)
        at_5 = count_queries(self.client, self.url)
        add_related_rows(45)
        self.assertEqual(self.university.memberships.count(), 50)
        self.assertEqual(self.university.people.count(), 50)
        self.assertEqual(Speaker.objects.filter(person__affiliation=self.university).count(), 50)
        self.assertEqual(count_queries(self.client, self.url), at_5)

    def test_long_lists_stop_at_the_limit_and_link_to_all_on_the_filtered_lists(self):
        limit = DETAIL_LIST_LIMIT
        response = self.client.get(self.url)
        self.assertNotContains(response, "?czlonek=")
        self.assertNotContains(response, "?organizator=")
        for number in range(limit + 5):
            builders.partnership(f"Partnerstwo liczne {number:02}", region="10", members=[self.university])
            event = builders.event(f"Wydarzenie liczne {number:02}", start_date=datetime.date(2016, 1, 1 + number % 28))
            event.organisers.add(self.university)
        Membership.objects.filter(partnership__name="Partnerstwo liczne 00").update(left_on=datetime.date(2019, 1, 1))
        response = self.client.get(self.url)
        memberships = response.context["memberships"]
        self.assertEqual(len(memberships), limit)
        self.assertEqual(len(response.context["organised_events"]), limit)
        # Current memberships first: the former one (and the fixture's former) fall off the page.
        self.assertTrue(all(m.left_on is None for m in memberships))
        self.assertContains(response, f"Pokazano pierwszych {limit}.")
        self.assertContains(response, f"Pokazano najnowszych {limit}.")
        self.assertContains(response, f'<a href="/partnerstwa/?czlonek={self.university.slug}">')
        self.assertContains(response, f'<a href="/wydarzenia/?organizator={self.university.slug}">')
        self.assertEqual(structure_problems(response.content.decode()), [])

        partnerships = self.client.get(f"/partnerstwa/?czlonek={self.university.slug}")
        # Every partnership it was ever a member of, once each, the former ones too.
        self.assertEqual(partnerships.context["paging"].page.paginator.count, self.university.memberships.count())
        self.assertContains(partnerships, "Instytucja członkowska: Uniwersytet Łódzki")
        self.assertContains(partnerships, f'<input type="hidden" name="czlonek" value="{self.university.slug}"')
        events = self.client.get(f"/wydarzenia/?organizator={self.university.slug}")
        self.assertEqual(events.context["paging"].page.paginator.count, limit + 5 + 1)
        self.assertContains(events, "Organizator: Uniwersytet Łódzki")
        unknown = self.client.get("/partnerstwa/?czlonek=nie-ma-takiej")
        self.assertEqual(unknown.context["paging"].page.paginator.count, 0)
        self.assertContains(unknown, "Instytucja członkowska: nie-ma-takiej")


class LanguageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        builders.load_territory()
        builders.institution("Fundacja Przykładowa", kind=Institution.Kind.FOUNDATION)

    def test_the_list_is_available_in_english(self):
        response = self.client.get("/en/instytucje/")
        self.assertContains(response, '<html lang="en">')
        self.assertContains(response, "<h1>Member institutions</h1>", html=True)
        self.assertContains(response, "1 institution")
        self.assertContains(response, "Foundation · non-governmental sector")
