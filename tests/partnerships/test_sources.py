"""The demo dataset as a reader sees it: every fact with its source, status as of a date,
members known only by kind, and the pages of projects and principles."""

import json
import re
from io import StringIO

from django.conf import settings
from django.core.management import call_command
from django.test import TestCase

from core.models import Citation, Source
from events.models import Event, Patron, Project, Speaker
from members.models import Person
from partnerships.models import Partnership

# The five documents the demo cites, beside the clone as the official data is (.ci/run).
SOURCES_DIR = settings.BASE_DIR.parent / "shared" / "sources"
REF = re.compile(r'<a class="ref" href="#zrodlo-(\d+)"')


def status_of(html: str) -> str:
    """The text of the Status fact of a partnership page."""
    match = re.search(r"<dt>Status</dt><dd>(.*?)</dd>", html, re.S)
    assert match, "no status shown"
    return match.group(1)


class DemoSourcesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("load_demo", stdout=StringIO())

    def page(self, url: str) -> str:
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200, url)
        return response.content.decode()

    def assertHasSources(self, html: str, url: str) -> None:
        self.assertIn('id="zrodla"', html, url)
        self.assertRegex(html, r'<li id="zrodlo-1"', url)
        self.assertRegex(html, REF, url)

    def test_each_demo_partnership_shows_at_least_one_source(self):
        for partnership in Partnership.objects.all():
            with self.subTest(partnership=partnership.slug):
                self.assertHasSources(self.page(partnership.get_absolute_url()), partnership.slug)

    def test_each_demo_event_and_project_shows_at_least_one_source(self):
        for record in [*Event.objects.all(), *Project.objects.all()]:
            with self.subTest(record=str(record)):
                self.assertHasSources(self.page(record.get_absolute_url()), str(record))

    def test_each_demo_person_is_shown_with_a_source_marker(self):
        for person in Person.objects.all():
            event = (
                Event.objects.filter(speakers__person=person).first()
                or Event.objects.filter(patrons__person=person).first()
            )
            with self.subTest(person=person.full_name):
                self.assertIsNotNone(event)
                html = self.page(event.get_absolute_url())
                self.assertRegex(html, re.escape(person.full_name) + r'<sup><a class="ref" href="#zrodlo-\d+"')

    def test_every_shown_status_carries_its_date_and_source_and_none_says_active_without_one(self):
        for partnership in Partnership.objects.all():
            with self.subTest(partnership=partnership.slug):
                shown = status_of(self.page(partnership.get_absolute_url()))
                if partnership.status == Partnership.Status.UNKNOWN:
                    self.assertIn("status nieznany", shown)
                    self.assertNotIn("aktywne", shown)
                else:
                    self.assertIn("stan na", shown)
                    self.assertRegex(shown, r'href="#zrodlo-\d+"')
                if "aktywne" in shown.lower():
                    self.assertRegex(shown, r"źródło.*#zrodlo-\d+", shown)

    def test_statuses_are_stated_only_where_a_source_states_them(self):
        active = set(Partnership.objects.exclude(status=Partnership.Status.UNKNOWN).values_list("slug", flat=True))
        self.assertIn("rakow-reaktywacja", active)
        self.assertNotIn("siemianowicki-pakt-na-rzecz-zatrudnienia", active)
        self.assertNotIn("aktywne-gajowice", active)
        for slug in active:
            partnership = Partnership.objects.get(slug=slug)
            self.assertTrue(Citation.objects.filter(object_id=partnership.pk, field="status").exists(), slug)
        html = self.page("/partnerstwa/rakow-reaktywacja/")
        self.assertIn("aktywne — stan na 28 października 2014, źródło", status_of(html))

    def test_an_old_status_says_so(self):
        html = self.page("/partnerstwa/rakow-reaktywacja/")
        self.assertIn("podany dawno: może być nieaktualny", status_of(html))

    def test_mazowsze_dates_are_the_start_of_building_not_a_founding(self):
        html = self.page("/partnerstwa/partnerstwo-lokalne-w-powiecie-lipskim-1409/")
        self.assertIn("<dt>Rozpoczęto budowanie partnerstwa</dt>", html)
        self.assertNotIn("<dt>Powstało</dt>", html)
        # The undated source's date is a visible staff judgement.
        self.assertIn("Stan na 2013 rok", html)
        self.assertIn('href="#ocena-', status_of(html))

    def test_gajowice_shows_its_unnamed_partners_by_kind(self):
        html = self.page("/partnerstwa/aktywne-gajowice/")
        for text in (
            "lokalna komenda Policji — 1",
            "związek wyznaniowy — 1",
            "instytucje oświaty — kilka",
            "wiele innych podmiotów — liczby nie podano",
            "nie wymieniono z nazwy",
            "Miejski Ośrodek Pomocy Społecznej we Wrocławiu",
        ):
            self.assertIn(text, html)
        # Counts by sector include both: the public sector has 1 named and 1 + several unnamed.
        self.assertRegex(
            html,
            r"<th scope=\"row\">Sektor publiczny</th><td data-label=\"Wymienieni z nazwy\">1</td>"
            r"<td data-label=\"Znani tylko z rodzaju\">1 i więcej, liczby nie podano</td>",
        )

    def test_mazowsze_partnerships_list_the_kinds_of_source_004_as_unnamed(self):
        html = self.page("/partnerstwa/partnerstwo-lokalne-w-powiecie-lipskim-1409/")
        for kind in ("Powiatowe Centra Pomocy Rodzinie", "Sądy Rejonowe", "Komendy Powiatowe Policji"):
            self.assertIn(kind, html)
        self.assertIn("Rodzaje członków wspólne dla wszystkich partnerstw Mazowsza", html)

    def test_roles_are_what_the_sources_say(self):
        self.assertEqual(
            set(Speaker.objects.filter(role=Speaker.Role.PRESENT).values_list("person__last_name", flat=True)),
            {"Szmit", "Rafalska"},
        )
        self.assertFalse(Speaker.objects.filter(person__last_name="Stefaniak", role=Speaker.Role.SPEAKER).exists())
        html = self.page("/wydarzenia/partnerstwa-lokalne-i-rozwoj-przedsiebiorczosci-spolecznej-2014/")
        self.assertIn("Wręczenie certyfikatów", html)
        self.assertTrue(Patron.objects.filter(person__last_name="Borusewicz").exists())

    def test_inferred_places_are_visible_judgements(self):
        html = self.page("/partnerstwa/barka-hammersmith-and-fulham/")
        self.assertIn("Rekord prowadzi centrum województwa wielkopolskiego", html)
        html = self.page(
            "/wydarzenia/lokalne-partnerstwa-spoleczne-droga-do-rozwoju-lokalnego-i-spojnosci-spolecznej-2007/"
        )
        self.assertIn("Miejsce: Warszawa", html)
        html = self.page("/instytucje/mazowieckie-centrum-polityki-spolecznej/")
        self.assertIn("Siedziba: Warszawa", html)

    def test_sources_are_cited_with_their_titles_and_dates_as_the_documents_give_them(self):
        self.assertEqual(Source.objects.count(), 5)
        news = Source.objects.get(key="zrodlo-002")
        self.assertEqual(news.title, "PARTNERSTWO LOKALNE, SPOŁECZNA PRZEDSIĘBIORCZOŚĆ")
        self.assertEqual(news.published_on.isoformat(), "2014-10-28")
        # No document but 002 gives its date: none is invented.
        self.assertEqual(Source.objects.exclude(published_on=None).count(), 1)
        self.assertEqual(Source.objects.get(key="zrodlo-000").title, "")

    def test_every_quote_is_the_sources_own_words(self):
        if not SOURCES_DIR.is_dir():
            self.skipTest("the source documents are not on this machine")

        def words(text: str) -> str:
            return re.sub(r"\s+", " ", text).strip()

        documents = {path.name[:3]: words(path.read_text()) for path in SOURCES_DIR.glob("*.txt")}
        for citation in Citation.objects.select_related("source"):
            with self.subTest(quote=citation.quote[:60]):
                self.assertIn(words(citation.quote), documents[citation.source.key[-3:]])

    def test_exports_carry_sources_and_named_and_unnamed_members_apart(self):
        response = self.client.get("/partnerstwa/?format=json")
        rows = {row["slug"]: row for row in json.loads(b"".join(response.streaming_content))["partnerships"]}
        self.assertTrue(all(row["sources"] for row in rows.values()))
        gajowice = rows["aktywne-gajowice"]
        self.assertEqual([m["name"] for m in gajowice["members"]], ["Miejski Ośrodek Pomocy Społecznej we Wrocławiu"])
        self.assertIn(
            {
                "kind": "police",
                "sector": "public",
                "description": "lokalna komenda Policji",
                "count_kind": "exact",
                "count": 1,
            },
            gajowice["unnamed_members"],
        )
        rakow = rows["rakow-reaktywacja"]
        self.assertEqual(
            (rakow["status"], rakow["status_stated_on"], rakow["status_stated_by"]), ("active", "2014-10-28", "source")
        )
        self.assertEqual(rows["siemianowicki-pakt-na-rzecz-zatrudnienia"]["status"], "unknown")
        csv = b"".join(self.client.get("/partnerstwa/?format=csv").streaming_content).decode()
        self.assertIn("lokalna komenda Policji: 1", csv)
        self.assertIn("PARTNERSTWO LOKALNE, SPOŁECZNA PRZEDSIĘBIORCZOŚĆ – 2014-10-28 – status", csv)


class ProjectAndPrinciplePagesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("load_demo", stdout=StringIO())

    def test_projects_list_and_page_show_funding_operator_years_events_materials_and_partnerships(self):
        response = self.client.get("/projekty/")
        self.assertContains(response, "Razem dla Mazowsza – Edukacja w działaniu")
        project = Project.objects.get(name="Razem dla Mazowsza – Edukacja w działaniu")
        response = self.client.get(project.get_absolute_url())
        self.assertContains(response, "PO KL, Priorytet VII, Działanie 7.1, Poddziałanie 7.1.3")
        self.assertContains(response, "Mazowieckie Centrum Polityki Społecznej")
        self.assertContains(response, "od 2007")
        self.assertContains(response, "ABC aktywnego pomagania")
        self.assertContains(response, "Jak budować partnerstwa dla wspólnych działań projektowych")
        self.assertContains(response, "Partnerstwo lokalne w powiecie lipskim")
        self.assertEqual(self.client.get("/projekty/nie-ma-takiego/").status_code, 404)

    def test_principles_page_shows_the_eight_with_their_source_and_the_stages_as_own_vocabulary(self):
        response = self.client.get("/zasady/")
        self.assertEqual(response.context["principles"].__len__(), 8)
        self.assertContains(response, "równość partnerów wobec siebie")
        self.assertContains(response, "W ZAKRESIE TWORZENIA PARTNERSTW LOKALNYCH")
        self.assertContains(response, "Etapy to słownik samego rejestru")
        self.assertContains(response, 'id="etapy"')

    def test_the_new_pages_are_in_the_sitemap(self):
        pages = self.client.get("/sitemap-pages.xml").content.decode()
        self.assertIn("/projekty/</loc>", pages)
        self.assertIn("/zasady/</loc>", pages)
        self.assertIn("/projekty/razem-dla-mazowsza-edukacja-w-dzialaniu/</loc>", pages)
