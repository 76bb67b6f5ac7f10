import datetime

from django.conf import settings
from django.test import TestCase

from events.models import Event, Material, Patron, Project, Speaker
from members.models import Institution
from partnerships.models import Agreement
from tests import builders
from tests.builders import PRIVATE
from tests.page_checks import HOSTILE_QUERIES, count_queries, structure_problems


class EventListTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        builders.load_territory()
        cls.project = Project.objects.create(name="Projekt testowy", programme="PO KL")
        cls.conference = builders.event(
            "Konferencja w Łodzi",
            commune="1061011",
            venue="Aula Testowa",
            start_date=datetime.date(2013, 3, 14),
            end_date=datetime.date(2013, 3, 15),
            project=cls.project,
        )
        cls.seminar = builders.event(
            "Seminarium partnerskie",
            kind=Event.Kind.SEMINAR,
            commune="0264011",
            start_date=datetime.date(2012, 5, 10),
            description="Spotkanie o ekonomii społecznej.",
        )
        cls.undated = builders.event("Spotkanie robocze", kind=Event.Kind.MEETING, commune="0265011")
        university = builders.institution("Uniwersytet Testowy", commune="1061011")
        Speaker.objects.create(event=cls.conference, person=builders.person(university, **PRIVATE))

    def titles(self, query: str) -> list[str]:
        response = self.client.get(f"/wydarzenia/{query}")
        self.assertEqual(response.status_code, 200)
        return [event.title for event in response.context["paging"].objects]

    def test_list_shows_events_newest_first_with_date_kind_and_place(self):
        response = self.client.get("/wydarzenia/")
        self.assertContains(response, "<title>Wydarzenia – Rejestr Partnerstw Lokalnych</title>", html=True)
        self.assertEqual(response.context["paging"].page.paginator.count, 3)
        self.assertEqual(
            [e.title for e in response.context["paging"].objects],
            ["Konferencja w Łodzi", "Seminarium partnerskie", "Spotkanie robocze"],
        )
        self.assertContains(response, f'<a href="/wydarzenia/{self.conference.slug}/">Konferencja w Łodzi</a>')
        self.assertContains(response, '<time datetime="2013-03-14">14 marca 2013</time>', html=True)
        self.assertContains(response, '<time datetime="2013-03-15">15 marca 2013</time>', html=True)
        self.assertContains(response, "· Konferencja")
        self.assertContains(response, "Aula Testowa, Łódź")

    def test_page_structure_is_accessible(self):
        self.assertEqual(structure_problems(self.client.get("/wydarzenia/?rok=abc").content.decode()), [])

    def test_search_ignores_case_and_diacritics_in_title_venue_and_description(self):
        self.assertEqual(self.titles("?q=lodzi"), ["Konferencja w Łodzi"])
        self.assertEqual(self.titles("?q=AULA+testowa"), ["Konferencja w Łodzi"])
        self.assertEqual(self.titles("?q=ekonomii+spoleczne"), ["Seminarium partnerskie"])

    def test_the_year_filter_takes_the_year_of_the_start_date(self):
        self.assertEqual(self.titles("?rok=2013"), ["Konferencja w Łodzi"])
        self.assertEqual(self.titles("?rok=2012"), ["Seminarium partnerskie"])
        self.assertEqual(self.titles("?rok=2011"), [])

    def test_a_voivodeship_includes_events_held_in_any_of_its_counties(self):
        self.assertEqual(self.titles("?wojewodztwo=02"), ["Seminarium partnerskie", "Spotkanie robocze"])
        self.assertEqual(self.titles("?powiat=0265"), ["Spotkanie robocze"])
        self.assertEqual(self.titles("?wojewodztwo=10"), ["Konferencja w Łodzi"])
        self.assertEqual(self.titles("?wojewodztwo=14"), [])

    def test_filters_by_kind_and_project(self):
        self.assertEqual(self.titles("?rodzaj=seminar"), ["Seminarium partnerskie"])
        self.assertEqual(self.titles(f"?projekt={self.project.pk}"), ["Konferencja w Łodzi"])

    def test_an_invalid_year_shows_the_fields_error_and_the_other_filters_still_apply(self):
        for year, message in (
            ("abc", "Wpisz liczbę całkowitą"),
            ("2012.5", "Wpisz liczbę całkowitą"),
            ("1800", "1900"),
        ):
            with self.subTest(year=year):
                response = self.client.get(f"/wydarzenia/?rok={year}&rodzaj=meeting")
                self.assertContains(response, message)
                self.assertContains(response, "field--error")
                self.assertEqual([e.title for e in response.context["paging"].objects], ["Spotkanie robocze"])

    def test_bad_input_gives_a_normal_page_with_the_error_shown(self):
        cases = {**HOSTILE_QUERIES, "?rok=abc": "Wpisz liczbę całkowitą", "?projekt=abc": "Wybierz poprawną wartość"}
        for query, message in cases.items():
            with self.subTest(query=query[:40]):
                response = self.client.get(f"/wydarzenia/{query}")
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, message)

    def test_private_data_of_speakers_never_appears(self):
        for url in ("/wydarzenia/", "/wydarzenia/?q=konferencja"):
            response = self.client.get(url)
            for value in PRIVATE.values():
                with self.subTest(url=url, value=value):
                    self.assertNotContains(response, value)

    def test_an_event_without_a_date_says_so_in_english(self):
        response = self.client.get("/en/wydarzenia/?rodzaj=meeting")
        self.assertContains(response, "1 event")
        self.assertContains(response, "date not known · Meeting")

    def test_list_runs_the_same_number_of_queries_at_5_and_at_50_rows(self):
        for _ in range(2):
            builders.event(commune="0264011", start_date=datetime.date(2014, 1, 1), project=self.project)
        self.assertEqual(Event.objects.count(), 5)
        url = "/wydarzenia/?wojewodztwo=02&q=wydarzenie"
        at_5, at_5_unfiltered = count_queries(self.client, url), count_queries(self.client, "/wydarzenia/")
        for number in range(45):
            builders.event(commune=("0264011", "3021021", None)[number % 3], start_date=datetime.date(2014, 1, 1))
        self.assertEqual(Event.objects.count(), 50)
        self.assertEqual(count_queries(self.client, url), at_5)
        self.assertEqual(count_queries(self.client, "/wydarzenia/"), at_5_unfiltered)
        self.assertEqual(count_queries(self.client, "/wydarzenia/?page=3"), at_5_unfiltered)


class EventDetailTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        builders.load_territory()
        cls.project = Project.objects.create(
            name="Projekt testowy",
            programme="PO KL",
            priority="VII",
            measure="7.1",
            sub_measure="7.1.3",
            fund="EFS",
        )
        cls.university = builders.institution("Uniwersytet Testowy", commune="1061011")
        cls.ministry = builders.institution("Ministerstwo Testowe", kind=Institution.Kind.MINISTRY)
        cls.event = builders.event(
            "Konferencja w Łodzi",
            commune="1061011",
            venue="Aula Testowa",
            start_date=datetime.date(2013, 3, 14),
            end_date=datetime.date(2013, 3, 15),
            participant_count=100,
            participant_count_qualifier=Event.CountQualifier.OVER,
            project=cls.project,
            description="Dwa dni o partnerstwach lokalnych.",
        )
        cls.event.organisers.add(cls.university, cls.ministry)
        cls.patron_person = builders.person(first_name="Adam", last_name="Patronowy")
        Patron.objects.create(event=cls.event, person=cls.patron_person, honorary_title="Marszałek Testowy")
        Patron.objects.create(event=cls.event, institution=cls.ministry)
        cls.moderator = builders.person(
            cls.university, first_name="Jan", last_name="Testowy", academic_title="dr hab.", function="prorektor"
        )
        cls.private_speaker = builders.person(cls.university, first_name="Anna", last_name="Prywatna", **PRIVATE)
        Speaker.objects.create(event=cls.event, person=cls.private_speaker, order=2, topic="Wnioski")
        Speaker.objects.create(event=cls.event, person=cls.moderator, role=Speaker.Role.MODERATOR, order=1)
        Material.objects.create(
            event=cls.event,
            kind=Material.Kind.REPORT,
            title="Raport z konferencji",
            url="https://example.org/r",
            year=2013,
        )
        Material.objects.create(
            event=cls.event, kind=Material.Kind.PUBLICATION, title="Publikacja testowa", file="dokumenty/test.pdf"
        )
        cls.signed = builders.partnership("Partnerstwo Podpisane", region="10")
        Agreement.objects.create(
            partnership=cls.signed,
            title="Porozumienie testowe",
            signed_on=datetime.date(2013, 3, 15),
            signed_at=cls.event,
        )
        cls.presented = builders.partnership("Partnerstwo Prezentowane", region="14")
        cls.presented.events.add(cls.event)
        cls.url = cls.event.get_absolute_url()

    def test_detail_shows_kind_dates_place_organisers_and_patrons(self):
        response = self.client.get(self.url)
        self.assertContains(response, "<h1>Konferencja w Łodzi</h1>", html=True)
        self.assertContains(response, "<title>Konferencja w Łodzi – Rejestr Partnerstw Lokalnych</title>", html=True)
        self.assertContains(response, '<a href="/wydarzenia/">Wydarzenia</a>', html=True)
        self.assertContains(response, "<dd>Konferencja</dd>", html=True)
        self.assertContains(response, '<time datetime="2013-03-14">14 marca 2013</time>', html=True)
        self.assertContains(response, "Aula Testowa")
        self.assertContains(response, '<a href="/powiaty/1061/">Łódź</a>')
        self.assertContains(response, f'<a href="{self.university.get_absolute_url()}">Uniwersytet Testowy</a>')
        self.assertContains(response, "Marszałek Testowy: Adam Patronowy")
        self.assertContains(response, f'<a href="{self.ministry.get_absolute_url()}">Ministerstwo Testowe</a>')

    def test_participant_count_keeps_its_qualifier(self):
        response = self.client.get(self.url)
        self.assertContains(response, "<dd>ponad 100</dd>", html=True)
        self.assertNotContains(response, "<dd>100</dd>", html=True)
        Event.objects.filter(pk=self.event.pk).update(participant_count_qualifier=Event.CountQualifier.ABOUT)
        self.assertContains(self.client.get(self.url), "<dd>około 100</dd>", html=True)
        Event.objects.filter(pk=self.event.pk).update(participant_count_qualifier=Event.CountQualifier.EXACT)
        self.assertContains(self.client.get(self.url), "<dd>100</dd>", html=True)

    def test_project_is_shown_with_its_funding_line_written_out(self):
        response = self.client.get(self.url)
        self.assertContains(response, "Projekt testowy")
        self.assertContains(response, "PO KL, Priorytet VII, Działanie 7.1, Poddziałanie 7.1.3, współfinansowany z EFS")

    def test_speakers_are_listed_in_programme_order_with_role_function_and_affiliation(self):
        response = self.client.get(self.url)
        self.assertEqual([s.person.last_name for s in response.context["speakers"]], ["Testowy", "Prywatna"])
        self.assertContains(
            response,
            # Each cell names its column (data-label), read out where the table becomes rows on a phone.
            f'<tr><th scope="row">dr hab. Jan Testowy</th><td data-label="Rola">Moderacja</td>'
            f'<td data-label="Funkcja">prorektor</td><td data-label="Instytucja">'
            f'<a href="{self.university.get_absolute_url()}">Uniwersytet Testowy</a></td>'
            '<td data-label="Temat">—</td></tr>',
            html=True,
        )
        self.assertContains(response, "Wnioski")

    def test_agreements_signed_and_partnerships_presented_are_linked(self):
        response = self.client.get(self.url)
        self.assertContains(response, "Porozumienie testowe")
        self.assertContains(response, f'<a href="/partnerstwa/{self.signed.slug}/">Partnerstwo Podpisane</a>')
        self.assertContains(response, f'<a href="/partnerstwa/{self.presented.slug}/">Partnerstwo Prezentowane</a>')

    def test_materials_link_to_their_page_or_file(self):
        response = self.client.get(self.url)
        self.assertContains(
            response, '<a href="https://example.org/r" rel="nofollow noopener">Raport z konferencji</a>'
        )
        self.assertContains(response, "(raport, 2013)")
        self.assertContains(response, f'href="{settings.MEDIA_URL}dokumenty/test.pdf"')

    def test_private_data_of_people_never_appears(self):
        response = self.client.get(self.url)
        self.assertContains(response, "Anna Prywatna")
        for value in PRIVATE.values():
            self.assertNotContains(response, value)

    def test_private_fields_of_speakers_are_not_even_loaded(self):
        response = self.client.get(self.url)
        for speaker in response.context["speakers"]:
            self.assertTrue(set(speaker.person.PRIVATE_FIELDS) <= speaker.person.get_deferred_fields())

    def test_page_structure_is_accessible(self):
        self.assertEqual(structure_problems(self.client.get(self.url).content.decode()), [])

    def test_an_event_without_a_date_says_so_in_english(self):
        response = self.client.get("/en" + builders.event("Spotkanie bez daty").get_absolute_url())
        self.assertContains(response, "<dd>date not known</dd>", html=True)
        self.assertContains(response, "<dt>Kind</dt>", html=True)

    def test_unknown_or_hostile_slug_is_a_404(self):
        for url in ("/wydarzenia/nie-ma-takiego/", "/wydarzenia/a%00b/", "/wydarzenia/" + "x" * 5000 + "/"):
            with self.subTest(url=url[:40]):
                self.assertEqual(self.client.get(url).status_code, 404)

    def test_detail_runs_the_same_number_of_queries_at_5_and_at_50_related_rows(self):
        def add_related_rows(count: int) -> None:
            for number in range(count):
                person = builders.person(builders.institution(commune="0264011"), function="ekspert")
                Speaker.objects.create(event=self.event, person=person, order=10 + number)
                Patron.objects.create(event=self.event, person=person, institution=person.affiliation)
                self.event.organisers.add(person.affiliation)
                Material.objects.create(event=self.event, kind=Material.Kind.OTHER, title="Materiał", year=2013)
                Agreement.objects.create(
                    partnership=builders.partnership(region="02"), title="Aneks", signed_at=self.event
                )
                builders.partnership(region="02").events.add(self.event)

        add_related_rows(3)  # with the 2 of setUpTestData: 5 speakers, patrons, organisers, materials
        self.assertEqual(self.event.speakers.count(), 5)
        at_5 = count_queries(self.client, self.url)
        add_related_rows(45)
        self.assertEqual(self.event.speakers.count(), 50)
        self.assertEqual(self.event.organisers.count(), 50)
        self.assertEqual(count_queries(self.client, self.url), at_5)
