"""The numbered sources and staff judgements of a record page (core.provenance.References)."""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.test import TestCase

from core.models import Citation, Judgement, Source
from core.provenance import References
from tests import builders


class ReferencesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        builders.load_territory()
        cls.institution = builders.institution("Miejski Ośrodek Pomocy Społecznej w Ostrołęce")
        cls.person = builders.person(affiliation=cls.institution, first_name="Anna", last_name="Nowak")
        cls.other = builders.institution("Powiatowy Urząd Pracy w Ostrołęce")
        cls.report = Source.objects.create(
            key="raport", title="Raport roczny", description="sprawozdanie", published_on=datetime.date(2014, 5, 1)
        )
        cls.web = Source.objects.create(key="strona", description="strona internetowa", url="https://example.org/")

        def cite(record, source, field="", quote=""):
            Citation.objects.create(
                content_type=ContentType.objects.get_for_model(record),
                object_id=record.pk,
                source=source,
                field=field,
                quote=quote,
            )

        def judge(record, statement, field=""):
            Judgement.objects.create(
                content_type=ContentType.objects.get_for_model(record),
                object_id=record.pk,
                field=field,
                statement=statement,
                reason="Tak wynika z adresu siedziby.",
                made_by="MCPS",
                made_on=datetime.date(2024, 1, 2),
            )

        cite(cls.institution, cls.web, "name")
        cite(cls.institution, cls.report, "", "Ośrodek działa od 1990 roku.")
        judge(cls.institution, "Gmina siedziby", "commune")
        cite(cls.person, cls.web, "function", "kierownik")
        judge(cls.person, "Funkcja")
        cite(cls.other, cls.report)  # another record's: not on this page
        judge(cls.other, "Nie na tej stronie")

    def test_sources_are_numbered_in_the_order_first_cited_with_their_quotes(self):
        refs = References([self.institution, self.person])
        self.assertEqual([(r.number, r.source.key) for r in refs.references], [(1, "strona"), (2, "raport")])
        self.assertEqual(refs.references[0].quotes, ["kierownik"])
        self.assertEqual(refs.references[1].quotes, ["Ośrodek działa od 1990 roku."])
        self.assertEqual(refs.references[1].source.published_display, self.report.published_display)
        self.assertEqual([r.number for r in refs.sources_of(self.institution, "name")], [1])
        self.assertEqual([r.number for r in refs.sources_of(self.person, "function")], [1])
        self.assertEqual(refs.sources_of(self.institution, "commune"), [])

    def test_judgements_are_numbered_and_attached_to_their_fact(self):
        refs = References([self.institution, self.person])
        numbered = [(n.number, n.judgement.statement) for n in refs.notes]
        self.assertEqual(numbered, [(1, "Gmina siedziby"), (2, "Funkcja")])
        note = refs.judgements_of(self.institution, "commune")[0]
        self.assertEqual(
            (note.judgement.reason, note.judgement.made_by, note.judgement.made_on),
            ("Tak wynika z adresu siedziby.", "MCPS", datetime.date(2024, 1, 2)),
        )
        self.assertEqual(refs.judgements_of(self.institution, "name"), [])
        self.assertNotIn("Nie na tej stronie", [n.judgement.statement for n in refs.notes])

    def test_citations_and_judgements_are_read_in_one_query(self):
        ContentType.objects.get_for_model(self.institution)  # the content types are cached
        ContentType.objects.get_for_model(self.person)
        with self.assertNumQueries(1):
            refs = References([self.institution, self.person, self.other])
        self.assertEqual(len(refs.references), 2)
        self.assertEqual(len(refs.notes), 3)

    def test_a_record_without_any_has_none(self):
        refs = References([builders.institution("Bez źródeł")])
        self.assertFalse(refs)
        self.assertEqual((refs.references, refs.notes), ([], []))
