from io import StringIO

from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import TestCase

from territory.builtin import COMMUNES, COUNTIES, VOIVODESHIPS
from territory.models import Commune, County, Voivodeship
from tests.official_data import TERYT_CSV, needs


class BuiltinTerritoryTests(TestCase):
    def test_load_territory_creates_the_16_voivodeships_and_demo_units_once(self):
        out = StringIO()
        call_command("load_territory", stdout=out)
        self.assertEqual(Voivodeship.objects.count(), 16)
        self.assertEqual(County.objects.count(), len(COUNTIES))
        self.assertEqual(Commune.objects.count(), len(COMMUNES))
        self.assertEqual(str(County.objects.get(code="1432")), "powiat warszawski zachodni")
        call_command("load_territory", stdout=out)
        self.assertIn("utworzono: 0", out.getvalue())
        self.assertEqual(Voivodeship.objects.count(), 16)

    def test_load_territory_never_overwrites_an_imported_unit(self):
        Voivodeship.objects.create(code="14", name="mazowieckie (z rejestru)", slug="mazowieckie")
        call_command("load_territory", stdout=StringIO())
        self.assertEqual(Voivodeship.objects.get(code="14").name, "mazowieckie (z rejestru)")


class TerritoryConstraintTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.mazowieckie = Voivodeship.objects.create(code="14", name="mazowieckie", slug="mazowieckie")

    def test_database_refuses_codes_that_break_the_teryt_hierarchy(self):
        cases = [
            lambda: Voivodeship.objects.create(code="1", name="x", slug="x"),
            lambda: County.objects.create(code="0201", name="x", slug="x", kind="land", voivodeship=self.mazowieckie),
            lambda: County.objects.create(code="14a1", name="x", slug="x", kind="land", voivodeship=self.mazowieckie),
        ]
        for create in cases:
            with self.subTest(), self.assertRaises(IntegrityError), transaction.atomic():
                create()

    def test_commune_code_ends_with_its_kind(self):
        county = County.objects.create(
            code="1432", name="warszawski zachodni", slug="wz", kind="land", voivodeship=self.mazowieckie
        )
        with self.assertRaises(IntegrityError), transaction.atomic():
            Commune.objects.create(code="1432011", name="x", slug="x", kind=Commune.Kind.RURAL, county=county)
        Commune.objects.create(code="1432012", name="x", slug="x", kind=Commune.Kind.RURAL, county=county)


@needs("TERYT_CSV")
class BuiltinAgreesWithOfficialRegisterTests(TestCase):
    def test_every_builtin_unit_matches_the_official_register(self):
        call_command("load_territory", stdout=StringIO())
        before = {
            m: {o.code: (o.name, getattr(o, "kind", "")) for o in m.objects.all()}
            for m in (Voivodeship, County, Commune)
        }
        out = StringIO()
        call_command("import_teryt", str(TERYT_CSV), stdout=out)
        for model, units in before.items():
            for code, values in units.items():
                unit = model.objects.get(code=code)
                self.assertEqual((unit.name, getattr(unit, "kind", "")), values, code)
        self.assertIn(
            f"województwa: utworzono 0, zaktualizowano 0, oznaczono jako nieaktywne 0, bez zmian {len(VOIVODESHIPS)}",
            out.getvalue(),
        )
