import datetime
from collections import Counter
from io import StringIO

from django.apps import apps
from django.core.management import call_command
from django.db.models import Q
from django.test import TestCase
from django.utils import translation

from events.models import Event, Material, Project, Speaker
from members.models import Institution, Person
from partnerships.demo import MCPS_PROJECT, load_demo
from partnerships.models import Agreement, DatePrecision, Partnership


def snapshot() -> dict[str, list[dict]]:
    """Every row of every table, history tables included, as the database holds it."""
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
    }


class LoadDemoTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("load_demo", stdout=StringIO())

    def test_running_twice_changes_nothing(self):
        before = snapshot()
        out = StringIO()
        with translation.override("en"):
            call_command("load_demo", stdout=out)
        after = snapshot()
        self.assertEqual({t: len(rows) for t, rows in after.items()}, {t: len(rows) for t, rows in before.items()})
        for table, rows in before.items():
            # Every value, modification times included: nothing was saved again.
            self.assertEqual(after[table], rows, table)
        self.assertIn("nothing changed", out.getvalue())

    def test_second_run_records_no_history(self):
        history_models = [m for m in apps.get_models() if m.__name__.startswith("Historical")]
        self.assertTrue(history_models)
        before = {m: m.objects.count() for m in history_models}
        report = load_demo()
        self.assertFalse(report.changed)
        self.assertEqual({m: m.objects.count() for m in history_models}, before)

    def test_second_run_reports_every_row_unchanged(self):
        report = load_demo()
        self.assertEqual(report.units_created, 0)
        self.assertEqual(report.rows[Partnership].unchanged, 30)
        self.assertEqual(report.rows[Person].unchanged, 19)
        self.assertFalse(any(c.created or c.updated for c in report.rows.values()))

    def test_a_value_changed_in_the_database_is_restored_and_counted_as_updated(self):
        Event.objects.filter(slug="partnerstwo-w-teorii-i-praktyce-2014").update(venue="gdzieś")
        report = load_demo()
        self.assertEqual(report.rows[Event].updated, 1)
        self.assertEqual(Event.objects.get(slug="partnerstwo-w-teorii-i-praktyce-2014").venue, "")

    # The conference of 27 September 2007 (source 000).

    def event_2007(self) -> Event:
        return Event.objects.get(start_date=datetime.date(2007, 9, 27))

    def test_2007_conference_has_the_stated_date_venue_city_and_over_100_participants(self):
        event = self.event_2007()
        self.assertEqual(
            event.title, "Lokalne partnerstwa społeczne - droga do rozwoju lokalnego i spójności społecznej"
        )
        self.assertEqual(event.venue, "Ministerstwo Gospodarki")
        self.assertEqual(event.commune_id, "1465011")
        self.assertEqual(event.participant_count, 100)
        self.assertEqual(event.participant_count_qualifier, Event.CountQualifier.OVER)
        self.assertEqual(
            set(event.organisers.values_list("kind", flat=True)),
            {Institution.Kind.PARLIAMENT, Institution.Kind.MINISTRY},
        )

    def test_2007_conference_is_under_the_patronage_of_the_senate_marshal(self):
        patron = self.event_2007().patrons.get()
        self.assertEqual(patron.person.last_name, "Borusewicz")
        self.assertEqual(patron.honorary_title, "marszałek Senatu")

    def test_sztanderska_is_of_the_university_of_warsaw(self):
        person = Person.objects.get(last_name="Sztanderska")
        self.assertEqual(person.academic_title, "prof.")
        self.assertEqual(person.affiliation.name, "Uniwersytet Warszawski")

    def test_warzywoda_kruszynska_directs_the_institute_of_sociology_in_lodz(self):
        person = Person.objects.get(last_name="Warzywoda-Kruszyńska")
        self.assertEqual(person.function, "dyrektor Instytutu Socjologii")
        self.assertEqual(person.affiliation.name, "Uniwersytet Łódzki")
        self.assertEqual(person.affiliation.commune_id, "1061011")

    def test_the_four_discussants_are_panellists_and_the_two_officials_only_present(self):
        # 000 lists Szmit and Rafalska among those present; it does not say that they spoke.
        speakers = self.event_2007().speakers.select_related("person")
        by_role = {role: {s.person.last_name for s in speakers if s.role == role} for role in Speaker.Role}
        self.assertEqual(by_role[Speaker.Role.PANELLIST], {"Leś", "Schimanek", "Sadowski", "Drozdek"})
        self.assertEqual(by_role[Speaker.Role.PRESENT], {"Szmit", "Rafalska"})
        self.assertEqual(len(by_role[Speaker.Role.SPEAKER]), 8)

    def test_a_part_the_sources_do_not_support_is_removed_and_reported(self):
        # What migration events 0007 leaves of an earlier demo's "guest of honour".
        stefaniak = Speaker.objects.get(person__last_name="Stefaniak")
        Speaker.objects.create(event=stefaniak.event, person=stefaniak.person, role=Speaker.Role.PRESENT)
        out = StringIO()
        call_command("load_demo", stdout=out)
        self.assertEqual(
            list(Speaker.objects.filter(person__last_name="Stefaniak").values_list("role", flat=True)),
            [Speaker.Role.CERTIFICATES],
        )
        self.assertIn("usunięto 1", out.getvalue())

    def test_stefaniak_handed_out_certificates_and_is_not_said_to_have_spoken(self):
        roles = set(Speaker.objects.filter(person__last_name="Stefaniak").values_list("role", flat=True))
        self.assertEqual(roles, {Speaker.Role.CERTIFICATES})

    def test_siemianowice_pact_is_presented_in_2007_without_an_invented_founding_year(self):
        pact = Partnership.objects.get(slug="siemianowicki-pakt-na-rzecz-zatrudnienia")
        self.assertEqual(pact.home_voivodeship_id, "24")
        self.assertEqual(list(pact.area_communes.values_list("code", flat=True)), ["2474011"])
        self.assertEqual(list(pact.events.all()), [self.event_2007()])
        self.assertIsNone(pact.founded_on)

    # The conference of 28 October 2014 (source 002).

    def test_rakow_reaktywacja_declares_13_members_lists_none_and_was_signed_at_the_conference(self):
        partnership = Partnership.objects.get(slug="rakow-reaktywacja")
        self.assertEqual(partnership.declared_member_count, 13)
        self.assertEqual(partnership.memberships.count(), 0)
        self.assertEqual(partnership.founded_on, datetime.date(2014, 10, 28))
        self.assertEqual(partnership.founded_precision, DatePrecision.DAY)
        agreement = partnership.agreements.get()
        self.assertEqual(agreement.kind, Agreement.Kind.FOUNDING)
        self.assertEqual(agreement.signed_on, datetime.date(2014, 10, 28))
        self.assertEqual(agreement.signed_at.title, "Partnerstwa lokalne i rozwój przedsiębiorczości społecznej")
        self.assertEqual(agreement.signed_at.start_date, datetime.date(2014, 10, 28))
        self.assertFalse(agreement.signatories.exists())

    def test_stare_miasto_nowe_zycie_declares_11_members(self):
        partnership = Partnership.objects.get(slug="stare-miasto-nowe-zycie")
        self.assertEqual(partnership.declared_member_count, 11)
        self.assertEqual(partnership.memberships.count(), 0)

    def test_the_city_of_the_2014_barka_conference_is_left_unknown(self):
        event = Event.objects.get(slug="partnerstwa-lokalne-i-rozwoj-przedsiebiorczosci-spolecznej-2014")
        self.assertIsNone(event.commune)
        self.assertEqual([i.name for i in event.organisers.all()], ["Fundacja Pomocy Wzajemnej „Barka”"])
        stefaniak = Person.objects.get(last_name="Stefaniak")
        self.assertEqual(stefaniak.function, "zastępca prezydenta")
        self.assertIsNone(stefaniak.affiliation)

    # The 24 Mazowsze powiats (source 004).

    def mazowsze(self):
        return Partnership.objects.filter(project__name=MCPS_PROJECT)

    def test_24_mazowsze_partnerships_each_in_one_mazowieckie_powiat(self):
        self.assertEqual(self.mazowsze().count(), 24)
        codes = set()
        for partnership in self.mazowsze().prefetch_related("area_counties"):
            counties = list(partnership.area_counties.all())
            self.assertEqual(len(counties), 1, partnership.name)
            self.assertEqual(counties[0].voivodeship_id, "14", partnership.name)
            self.assertEqual(partnership.home_voivodeship_id, "14")
            codes.add(counties[0].code)
        self.assertEqual(len(codes), 24)

    def test_mazowsze_partnerships_began_in_the_stated_years(self):
        self.assertEqual(set(self.mazowsze().values_list("founded_precision", flat=True)), {DatePrecision.YEAR})
        years = Counter(p.founded_on.year for p in self.mazowsze())
        self.assertEqual(years, {2010: 4, 2011: 10, 2012: 5, 2013: 5})
        self.assertTrue(all(p.founded_on.timetuple()[1:3] == (1, 1) for p in self.mazowsze()))

    def test_powiat_names_shared_with_other_voivodeships_resolve_to_the_mazowsze_codes(self):
        for locative, code in (("ostrowskim", "1416"), ("nowodworskim", "1414"), ("grodziskim", "1405")):
            partnership = self.mazowsze().get(name=f"Partnerstwo lokalne w powiecie {locative}")
            self.assertEqual(partnership.area_counties.get().code, code)

    def test_mazowsze_partnerships_work_for_children_and_families(self):
        for partnership in self.mazowsze().prefetch_related("target_groups", "thematic_areas"):
            self.assertIn("dzieci-i-rodziny", [t.slug for t in partnership.target_groups.all()])
            self.assertIn("wsparcie-rodziny", [t.slug for t in partnership.thematic_areas.all()])

    def test_mcps_project_its_undated_trainings_and_the_2013_reportages(self):
        project = Project.objects.get(name=MCPS_PROJECT)
        self.assertEqual(project.operator.short_name, "MCPS")
        self.assertEqual(project.start_year, 2007)
        trainings = project.events.all()
        self.assertEqual(len(trainings), 2)
        for training in trainings:
            self.assertEqual(training.kind, Event.Kind.TRAINING)
            self.assertIsNone(training.start_date)
        video = project.materials.get()
        self.assertEqual(
            (video.kind, video.title, video.year, video.url), ("video", "ABC aktywnego pomagania", 2013, "")
        )

    def test_regional_centres_have_a_region_so_their_staff_can_work(self):
        self.assertEqual(Institution.objects.get(short_name="MCPS").region_id, "14")
        self.assertEqual(Institution.objects.get(short_name="DOPS").region_id, "02")

    # The conference of 11 December 2014 (source 001).

    def test_dops_conference_in_wroclaw_is_funded_by_po_kl_713(self):
        event = Event.objects.get(slug="partnerstwo-w-teorii-i-praktyce-2014")
        self.assertEqual(event.start_date, datetime.date(2014, 12, 11))
        self.assertEqual(event.commune_id, "0264011")
        self.assertEqual(event.project.operator.kind, Institution.Kind.ROPS)
        self.assertEqual(
            event.project.funding_line,
            "PO KL, Priorytet VII, Działanie 7.1, Poddziałanie 7.1.3, współfinansowany z EFS",
        )
        publication = event.materials.get()
        self.assertEqual((publication.kind, publication.url, publication.year), ("publication", "", None))

    def test_dops_conference_speakers_and_their_seats(self):
        event = Event.objects.get(slug="partnerstwo-w-teorii-i-praktyce-2014")
        speakers = [s.person for s in event.speakers.select_related("person__affiliation")]
        self.assertEqual([p.last_name for p in speakers], ["Lejkam", "Woźniak", "Mika", "Sobolewski"])
        seats = {p.last_name: p.affiliation.commune_id for p in speakers}
        self.assertEqual(seats, {"Lejkam": "0264011", "Woźniak": "0265011", "Mika": "3021021", "Sobolewski": "3262011"})

    def test_aktywne_gajowice_lists_only_the_named_member(self):
        partnership = Partnership.objects.get(slug="aktywne-gajowice")
        self.assertEqual(
            [m.institution.name for m in partnership.memberships.all()],
            ["Miejski Ośrodek Pomocy Społecznej we Wrocławiu"],
        )

    def test_walbrzych_partnership_lists_the_self_help_home_and_not_the_unnamed_business(self):
        partnership = Partnership.objects.get(slug__contains="walbrzychu")
        members = list(partnership.memberships.select_related("institution"))
        self.assertEqual([m.institution.kind for m in members], [Institution.Kind.SDS])
        self.assertIn("nie wymienia z nazwy", partnership.description)
        self.assertFalse(Institution.objects.filter(kind=Institution.Kind.BUSINESS).exists())

    # Foreign partners and what must not be invented.

    def test_hammersmith_and_fulham_is_a_foreign_public_body(self):
        council = Institution.objects.get(slug="london-borough-of-hammersmith-and-fulham")
        self.assertEqual(council.country, "GB")
        self.assertIsNone(council.commune)
        self.assertEqual(council.kind, Institution.Kind.FOREIGN_PUBLIC)
        cooperation = Partnership.objects.get(slug="barka-hammersmith-and-fulham")
        self.assertEqual(
            {m.institution.slug for m in cooperation.memberships.all()},
            {"london-borough-of-hammersmith-and-fulham", "fundacja-pomocy-wzajemnej-barka"},
        )

    def test_no_person_has_contact_data(self):
        self.assertFalse(Person.objects.filter(~Q(email="") | ~Q(phone="") | ~Q(private_notes="")).exists())

    def test_no_identifiers_addresses_or_links_are_invented(self):
        self.assertFalse(
            Institution.objects.filter(
                ~Q(nip="") | ~Q(regon="") | ~Q(krs="") | ~Q(address="") | ~Q(website="") | ~Q(email="") | ~Q(phone="")
            ).exists()
        )
        self.assertFalse(Partnership.objects.exclude(website="").exists())
        self.assertFalse(Project.objects.exclude(website="").exists())
        self.assertFalse(Material.objects.exclude(url="").exists())
        self.assertFalse(Agreement.objects.exclude(document="").exists())


class LoadDemoOutputTests(TestCase):
    def test_first_run_prints_what_it_created_per_model(self):
        out = StringIO()
        with translation.override("en"):
            call_command("load_demo", stdout=out)
        output = out.getvalue()
        self.assertIn("partnerships: 30 created, 0 updated, 0 unchanged.", output)
        self.assertIn("institutions: 17 created, 0 updated, 0 unchanged.", output)
        self.assertIn("people: 19 created, 0 updated, 0 unchanged.", output)
        self.assertNotIn("nothing changed", output)
