"""``python -m bench.seed``: marked, unevenly spread, valid and reproducible synthetic data over the
official register, and the refusals that protect real data."""

import re
import statistics
import subprocess
import sys
from collections import Counter
from io import StringIO
from pathlib import Path

from django.apps import apps
from django.core.management import call_command
from django.db.models import Count, Q
from django.test import SimpleTestCase, TestCase
from faker.providers.person.pl_PL import Provider as PolishNames
from stdnum.pl import nip, regon

from bench.seed import main
from bench.synthetic import MARKED_MODELS, NAME_MARK, SLUG_PREFIX, Refused, real, synthetic
from core.text import search_key
from events.models import Event, Material, Patron, Project, Speaker
from members.models import Institution, Person
from partnerships.models import Agreement, DatePrecision, Evaluation, Membership, Partnership, Signatory
from territory.models import County
from tests import builders
from tests.official_data import TERYT_CSV, needs

PROJECT = Path(__file__).resolve().parents[2]
# Small enough for seconds, large enough for the spread to show.
COUNTS = {"institutions": 1200, "partnerships": 240, "memberships": 2400, "events": 240, "persons": 480}
TINY = {"institutions": 200, "partnerships": 40, "memberships": 300, "events": 40, "persons": 80}


def seed(counts=COUNTS, *options: str) -> str:
    out = StringIO()
    arguments = [f"--{name}={value}" for name, value in counts.items()]
    main([*arguments, *options], stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }


def fingerprint() -> dict[str, list]:
    """The synthetic data by natural keys (slugs, names), whatever primary keys it was given."""
    institution = dict(Institution.objects.values_list("pk", "slug"))
    person = dict(Person.objects.values_list("pk", "last_name"))
    partnership = dict(Partnership.objects.values_list("pk", "slug"))
    event = dict(Event.objects.values_list("pk", "slug"))
    counties = Partnership.area_counties.through.objects.values_list("partnership", "county")
    communes = Partnership.area_communes.through.objects.values_list("partnership", "commune")
    organisers = Event.organisers.through.objects.values_list("event", "institution")
    people = Person.objects.values_list("last_name", "academic_title", "function", "affiliation")
    memberships = Membership.objects.values_list(
        "partnership", "institution", "role", "joined_on", "left_on", "represented_by"
    )
    return {
        "institutions": sorted(
            Institution.objects.values_list(
                "slug", "name", "short_name", "kind", "commune", "country", "address", "nip", "regon", "krs"
            )
        ),
        "people": sorted((last, title, function, institution.get(aff)) for last, title, function, aff in people),
        "partnerships": sorted(
            Partnership.objects.values_list(
                "slug",
                "name",
                "status",
                "stage",
                "founded_on",
                "founded_precision",
                "home_voivodeship",
                "declared_member_count",
                "listed_member_count",
                "goal",
                "description",
            )
        ),
        "areas": sorted([(partnership[p], c) for p, c in counties] + [(partnership[p], c) for p, c in communes]),
        "memberships": sorted(
            (partnership[p], institution[i], role, joined, left, person.get(r))
            for p, i, role, joined, left, r in memberships
        ),
        "events": sorted(
            Event.objects.values_list("slug", "title", "kind", "start_date", "end_date", "commune", "participant_count")
        ),
        "organisers": sorted((event[e], institution[i]) for e, i in organisers),
        "speakers": sorted(
            (event[e], person[p], role) for e, p, role in Speaker.objects.values_list("event", "person", "role")
        ),
    }


@needs("TERYT_CSV")
class SeedSyntheticTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("import_teryt", str(TERYT_CSV), stdout=StringIO())
        cls.output = seed()
        cls.fingerprint = fingerprint()

    def test_creates_the_requested_numbers_and_prints_the_time_of_every_table(self):
        for model, name in (
            (Institution, "institutions"),
            (Partnership, "partnerships"),
            (Event, "events"),
            (Person, "persons"),
        ):
            self.assertEqual(synthetic(model).count(), COUNTS[name], name)
        self.assertEqual(Membership.objects.count(), COUNTS["memberships"])
        for table in ("members_institution", "partnerships_membership", "events_event", "members_person"):
            self.assertIn(table, self.output)
        self.assertIn("pamięć podręczną wyczyszczono", self.output)

    def test_scale_multiplies_the_five_numbers(self):
        seed(COUNTS, "--scale=0.1", "--replace")
        self.assertEqual(synthetic(Institution).count(), 120)
        self.assertEqual(synthetic(Partnership).count(), 24)
        self.assertEqual(Membership.objects.count(), 240)
        self.assertEqual(synthetic(Event).count(), 24)
        self.assertEqual(synthetic(Person).count(), 48)

    def test_every_record_is_marked_and_none_is_real(self):
        for model in MARKED_MODELS:
            self.assertEqual(real(model).count(), 0, model)
            self.assertTrue(synthetic(model).exists(), model)
        for name, slug in Institution.objects.values_list("name", "slug"):
            self.assertTrue(name.endswith(NAME_MARK) and slug.startswith(SLUG_PREFIX), name)
        for name, slug in Partnership.objects.values_list("name", "slug"):
            self.assertTrue(name.endswith(NAME_MARK) and slug.startswith(SLUG_PREFIX), name)
        for title, slug in Event.objects.values_list("title", "slug"):
            self.assertTrue(title.endswith(NAME_MARK) and slug.startswith(SLUG_PREFIX), title)
        for project in Project.objects.all():
            self.assertTrue(project.name.endswith(NAME_MARK), project.name)
        for person in Person.objects.all():
            self.assertRegex(str(person), r"^(\S+ )*Osoba Syntetyczna \d+$")

    def test_people_carry_no_realistic_name(self):
        # Faker could invent Polish names; a benchmark needs none, and invented people are personal
        # data lookalikes (DESIGN.md): number and marker only.
        names = {*PolishNames.first_names, *PolishNames.unisex_last_names, *PolishNames.male_last_names}
        for first, last in Person.objects.values_list("first_name", "last_name"):
            self.assertEqual(first, "Osoba")
            self.assertRegex(last, r"^Syntetyczna \d+$")
            self.assertFalse({first, *last.split()} & names, last)

    def test_polish_institutions_have_a_valid_unique_nip_and_regon_and_organisations_a_krs_number(self):
        rows = list(Institution.objects.values_list("kind", "country", "nip", "regon", "krs"))
        organisations = {Institution.Kind.FOUNDATION, Institution.Kind.ASSOCIATION}
        organisations |= {Institution.Kind.SOCIAL_COOPERATIVE, Institution.Kind.TRADE_UNION}
        for kind, country, tax_number, statistical_number, krs in rows:
            with self.subTest(kind=kind, nip=tax_number, regon=statistical_number, krs=krs):
                if country == "PL":
                    self.assertTrue(nip.is_valid(tax_number) and len(tax_number) == 10)
                    self.assertTrue(regon.is_valid(statistical_number) and len(statistical_number) == 9)
                else:
                    self.assertEqual((tax_number, statistical_number), ("", ""))
                self.assertEqual(bool(krs), kind in organisations)
                self.assertRegex(krs, r"^(\d{10})?$")
        for column in (2, 3, 4):
            numbers = [row[column] for row in rows if row[column]]
            self.assertEqual(len(numbers), len(set(numbers)))
        self.assertTrue(any(row[4] for row in rows))

    def test_spread_over_counties_is_uneven_and_reaches_most_of_them(self):
        per_county = Counter(
            Institution.objects.filter(commune__isnull=False).values_list("commune__county", flat=True)
        )
        counts = [per_county.get(code, 0) for code in County.objects.values_list("code", flat=True)]
        median = statistics.median(counts)
        self.assertGreaterEqual(max(counts), 4 * max(1, median), "the busiest county holds several times the median")
        self.assertGreater(sum(1 for c in counts if c), 300, "most of the 380 counties have an institution")
        partnerships = sorted(Partnership.objects.counts_by_county().values())
        self.assertGreaterEqual(partnerships[-1], 3 * statistics.median(partnerships))

    def test_kinds_of_institutions_are_in_realistic_proportions(self):
        kinds = Counter(Institution.objects.values_list("kind", flat=True))
        self.assertEqual(kinds.most_common(1)[0][0], Institution.Kind.SCHOOL)
        welfare = Institution.objects.filter(kind__in=[Institution.Kind.MOPS, Institution.Kind.GOPS])
        per_commune = welfare.values("commune").annotate(n=Count("pk")).filter(n__gt=1)
        self.assertFalse(per_commune.exists(), "at most one welfare centre (MOPS/GOPS) per gmina")
        for kind in (Institution.Kind.PCPR,):
            per_county = Institution.objects.filter(kind=kind).values("commune__county").annotate(n=Count("pk"))
            self.assertFalse(per_county.filter(n__gt=1).exists())
        foreign = Institution.objects.exclude(country="PL")
        self.assertTrue(foreign.exists())
        self.assertFalse(foreign.filter(commune__isnull=False).exists())

    def test_partnerships_have_dates_of_all_precisions_one_leader_and_realistic_relations(self):
        precisions = set(
            Partnership.objects.filter(founded_on__isnull=False).values_list("founded_precision", flat=True)
        )
        self.assertEqual(precisions, set(DatePrecision))
        self.assertFalse(
            Partnership.objects.filter(
                Q(founded_precision=DatePrecision.MONTH) | Q(founded_precision=DatePrecision.YEAR),
                founded_on__isnull=False,
            )
            .exclude(founded_on__day=1)
            .exists()
        )
        with_members = Partnership.objects.filter(memberships__isnull=False).distinct()
        leaders = with_members.annotate(leaders=Count("memberships", filter=Q(memberships__role="leader")))
        self.assertEqual(set(leaders.values_list("leaders", flat=True)), {1})
        self.assertTrue(Membership.objects.filter(left_on__isnull=False).exists())
        self.assertTrue(Membership.objects.filter(represented_by__isnull=False).exists())
        self.assertTrue(Partnership.objects.filter(declared_member_count__isnull=False).exists())
        self.assertTrue(Partnership.objects.filter(project__isnull=False).exists())
        self.assertTrue(Partnership.objects.filter(events__isnull=False).exists())
        self.assertTrue(Partnership.objects.filter(area_counties__isnull=False).exists())
        self.assertTrue(Partnership.objects.filter(area_communes__isnull=False).exists())
        self.assertTrue(Partnership.objects.filter(target_groups__isnull=False).exists())
        self.assertTrue(Partnership.objects.filter(principles__isnull=False).exists())
        self.assertTrue(Person.objects.exclude(academic_title="").exists())
        self.assertTrue(Event.objects.filter(organisers__isnull=False).exists())

    def test_a_sample_of_every_model_passes_full_clean(self):
        for model in (
            Institution, Person, Project, Event, Partnership, Membership, Agreement, Signatory, Evaluation,
            Speaker, Patron, Material,
        ):  # fmt: skip
            rows = list(model.objects.order_by("pk"))
            self.assertTrue(rows, model)
            for obj in rows[:: max(1, len(rows) // 15)]:
                with self.subTest(model=model.__name__, pk=obj.pk):
                    obj.full_clean()

    def test_search_text_is_what_save_would_compute(self):
        for name, short_name, text in Institution.objects.values_list("name", "short_name", "search_text"):
            self.assertEqual(text, search_key(name, short_name))
        for name, goal, description, text in Partnership.objects.values_list(
            "name", "goal", "description", "search_text"
        ):
            self.assertEqual(text, search_key(name, goal, description))
        for title, venue, description, text in Event.objects.values_list(
            "title", "venue", "description", "search_text"
        ):
            self.assertEqual(text, search_key(title, venue, description))  # fmt: skip

    def test_listed_member_count_counts_the_current_members(self):
        current = Count("memberships", filter=Q(memberships__left_on__isnull=True))
        for listed, counted in Partnership.objects.annotate(counted=current).values_list(
            "listed_member_count", "counted"
        ):
            self.assertEqual(listed, counted)
        self.assertTrue(Partnership.objects.filter(listed_member_count__gt=10).exists())

    def test_the_same_seed_gives_the_same_data(self):
        seed(COUNTS, "--replace")
        self.assertEqual(fingerprint(), self.fingerprint)

    def test_another_seed_gives_other_data(self):
        seed(COUNTS, "--replace", "--seed=7")
        self.assertNotEqual(fingerprint()["partnerships"], self.fingerprint["partnerships"])

    def test_replace_deletes_the_earlier_synthetic_records(self):
        before = set(Institution.objects.values_list("pk", flat=True))
        output = seed(TINY, "--replace")
        self.assertEqual(synthetic(Institution).count(), TINY["institutions"])
        self.assertEqual(Membership.objects.count(), TINY["memberships"])
        self.assertFalse(Institution.objects.filter(pk__in=before).exists())
        self.assertIn("Usunięto wcześniejsze rekordy syntetyczne", output)

    def test_refuses_to_seed_again_without_replace_and_changes_nothing(self):
        before = row_counts()
        with self.assertRaisesMessage(Refused, "--replace"):
            seed(TINY)
        self.assertEqual(row_counts(), before)

    def test_refuses_beside_real_records_without_allow_real_data_and_changes_nothing(self):
        builders.institution("Ośrodek Pomocy Społecznej testowy")
        before = row_counts()
        with self.assertRaises(Refused) as refused:
            seed(TINY, "--replace")
        self.assertIn("--allow-real-data", str(refused.exception))
        self.assertIn("Niczego nie zapisano", str(refused.exception))
        self.assertEqual(row_counts(), before)
        self.assertEqual(fingerprint()["memberships"], self.fingerprint["memberships"])

    def test_allow_real_data_seeds_beside_real_records_and_keeps_them(self):
        member = builders.institution("Ośrodek Pomocy Społecznej testowy")
        kept = builders.partnership("Partnerstwo testowe rzeczywiste", members=[member])
        seed(TINY, "--replace", "--allow-real-data")
        self.assertEqual(synthetic(Institution).count(), TINY["institutions"])
        self.assertEqual(list(real(Partnership)), [kept])
        self.assertEqual(list(kept.memberships.values_list("institution", flat=True)), [member.pk])

    def test_replace_refuses_when_a_real_record_refers_to_a_synthetic_one(self):
        institution = synthetic(Institution).first()
        builders.person(affiliation=institution)
        before = row_counts()
        with self.assertRaises(Refused) as refused:
            seed(TINY, "--replace", "--allow-real-data")
        self.assertIn("Niczego nie zmieniono", str(refused.exception))
        self.assertEqual(row_counts(), before)
        self.assertTrue(Institution.objects.filter(pk=institution.pk).exists())

    def test_refuses_numbers_that_cannot_be_met(self):
        before = row_counts()
        with self.assertRaises(Refused):
            seed({**TINY, "partnerships": 1, "memberships": 1000}, "--replace")
        with self.assertRaises(Refused):
            seed(TINY, "--replace", "--scale=0")
        self.assertEqual(row_counts(), before)

    def test_public_pages_answer_with_the_synthetic_data(self):
        largest = Partnership.objects.order_by("-listed_member_count").first()
        busiest = Counter(Institution.objects.values_list("commune__county", flat=True)).most_common(2)
        county = next(code for code, _count in busiest if code)
        for url in (
            "/",
            "/partnerstwa/",
            largest.get_absolute_url(),
            "/instytucje/",
            synthetic(Institution).first().get_absolute_url(),
            "/wydarzenia/",
            synthetic(Event).first().get_absolute_url(),
            f"/powiaty/{county}/",
        ):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                if url != "/":
                    self.assertContains(response, NAME_MARK)


class SeedSyntheticRegisterTests(TestCase):
    """No official file needed: the built-in units alone are the incomplete register."""

    def test_refuses_an_incomplete_register_and_says_to_import_it(self):
        builders.load_territory()
        before = row_counts()
        with self.assertRaises(Refused) as refused:
            seed(TINY)
        self.assertIn("import_teryt", str(refused.exception))
        self.assertIn("Niczego nie zapisano", str(refused.exception))
        self.assertEqual(row_counts(), before)


class SeedScriptTests(SimpleTestCase):
    """The script's own set-up, and the wall between the benchmarks and what production runs."""

    def test_runs_as_a_module_that_sets_django_up_itself(self):
        result = subprocess.run(
            [sys.executable, "-m", "bench.seed", "--help"], cwd=PROJECT, capture_output=True, text=True, check=False
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        for option in ("--institutions", "--memberships", "--scale", "--seed", "--replace", "--allow-real-data"):
            self.assertIn(option, result.stdout)

    def test_no_app_and_no_setting_imports_the_benchmarks(self):
        for directory in ("config", "core", "territory", "members", "events", "partnerships"):
            for path in (PROJECT / directory).rglob("*.py"):
                self.assertIsNone(re.search(r"(?m)^\s*(from|import) bench\b", path.read_text()), path)
