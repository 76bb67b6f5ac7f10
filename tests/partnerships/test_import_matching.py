"""What a row means, shown with its reason (issue 14, point 3), and whose rows staff may import
(point 4): institutions by NIP, REGON or KRS, else by a very similar name in the same gmina,
confirmed by a person; places by code or by name; partnerships by slug or by name."""

from members.models import Institution
from partnerships import imports
from partnerships.models import ImportRun, Membership, Partnership
from territory.models import Commune, County
from tests.builders import MAZOWIECKIE, WARSZAWA, AdminTestCase

from .import_files import csv_bytes, rows_of

OSTROW_TOWN, OSTROW_RURAL = "1416011", "1416072"


class MatchingTests(AdminTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.registered = Institution.objects.create(
            name="Fundacja Testowa Pomocy",
            slug="fundacja-testowa",
            kind="foundation",
            commune_id=WARSZAWA,
            nip="8961003179",
            regon="012345675",
            krs="0000123456",
        )
        cls.mops = Institution.objects.create(
            name="Miejski Ośrodek Pomocy Społecznej w Warszawie", slug="mops-testowy", kind="mops", commune_id=WARSZAWA
        )
        Commune.objects.get_or_create(
            code=OSTROW_TOWN,
            defaults={"name": "Ostrów Mazowiecka", "slug": "ostrow-m-1", "county_id": "1416", "kind": "1"},
        )
        Commune.objects.get_or_create(
            code=OSTROW_RURAL,
            defaults={"name": "Ostrów Mazowiecka", "slug": "ostrow-m-2", "county_id": "1416", "kind": "2"},
        )
        County.objects.get_or_create(
            code="3017",
            defaults={"name": "ostrowski", "slug": "ostrowski-wlkp", "voivodeship_id": "30", "kind": "land"},
        )

    def preview(self, *rows: dict, user=None, decisions=None) -> imports.Preview:
        full = [
            {"name": "Partnerstwo z arkusza", "home_voivodeship_teryt": MAZOWIECKIE, "member_kind": "fundacja", **row}
            for row in rows
        ]
        return imports.preview("plik.csv", csv_bytes(*rows_of(full)), user or self.staff, decisions)

    def member(self, result: imports.Preview) -> imports.Record:
        return next(r for r in result.rows[0].records if r.model is Institution)

    def test_an_institution_is_found_by_each_register_number(self):
        for key, value, reason in [
            ("member_nip", "896-100-31-79", "ten sam NIP"),
            ("member_regon", "012345675", "ten sam REGON"),
            ("member_krs", "123456", "ten sam numer KRS"),
        ]:
            with self.subTest(key):
                result = self.preview({"member_name": "Zupełnie inna nazwa", key: value})
                record = self.member(result)
                self.assertEqual((record.instance, record.state, record.reason), (self.registered, "unchanged", reason))
                self.assertIsNone(record.similar)

    def test_a_very_similar_name_in_the_same_gmina_waits_for_a_person(self):
        row = {"member_name": "MOPS Warszawa", "member_kind": "MOPS", "member_commune_teryt": WARSZAWA}
        result = self.preview(row)
        record = self.member(result)
        self.assertEqual(record.similar, self.mops)
        self.assertIn("bardzo podobna nazwa w tej samej gminie", record.reason)
        self.assertEqual(len(result.to_confirm), 1)
        run = ImportRun.objects.create(file_name="plik.csv", user=self.staff, voivodeship_id=MAZOWIECKIE)
        with self.assertRaisesMessage(imports.ImportRefused, "Najpierw potwierdź lub odrzuć"):
            imports.apply(result, run, self.staff)
        # Confirmed: the member is the existing institution.
        same = self.preview(row, decisions={"2": imports.SAME})
        imports.apply(same, run, self.staff, {"2": imports.SAME})
        self.assertEqual(Membership.objects.get(partnership__name="Partnerstwo z arkusza").institution, self.mops)

    def test_a_similar_name_turned_into_new_adds_an_institution(self):
        row = {"member_name": "MOPS Warszawa", "member_kind": "MOPS", "member_commune_teryt": WARSZAWA}
        result = self.preview(row, decisions={"2": imports.AS_NEW})
        self.assertEqual(self.member(result).state, "new")
        run = ImportRun.objects.create(file_name="plik.csv", user=self.staff, voivodeship_id=MAZOWIECKIE)
        imports.apply(result, run, self.staff, {"2": imports.AS_NEW})
        self.assertTrue(Institution.objects.filter(name="MOPS Warszawa").exists())

    def test_a_name_in_another_gmina_or_with_another_number_is_not_similar(self):
        row = {"member_name": "Miejski Ośrodek Pomocy Społecznej w Warszawie 2", "member_commune_teryt": WARSZAWA}
        self.assertEqual(self.member(self.preview(row)).state, "new")

    def test_a_commune_by_name_with_its_voivodeship(self):
        row = {"member_name": "Stowarzyszenie Nowe", "member_commune": "Warszawa", "member_voivodeship": "mazowieckie"}
        self.assertEqual(self.member(self.preview(row)).instance.commune_id, WARSZAWA)

    def test_a_commune_name_that_fits_a_town_and_a_rural_gmina_lists_both(self):
        row = {"member_name": "Stowarzyszenie Nowe", "member_commune": "Ostrów Mazowiecka", "member_voivodeship": "14"}
        result = self.preview(row)
        column, message = result.rows[0].errors[0]
        self.assertEqual(column, "Członek: gmina")
        self.assertIn(OSTROW_TOWN, message)
        self.assertIn(OSTROW_RURAL, message)
        self.assertIn("gmina miejska", message)
        self.assertIn("gmina wiejska", message)
        self.assertIn("Podaj kod TERYT", message)

    def test_a_county_name_of_two_voivodeships_lists_both(self):
        result = self.preview({"area_county_teryt": "ostrowski", "home_voivodeship_teryt": "02"}, user=self.other_staff)
        column, message = result.rows[0].errors[0]
        self.assertEqual(column, "Kody TERYT powiatów obszaru")
        self.assertIn("1416 ostrowski (mazowieckie)", message)
        self.assertIn("3017 ostrowski (wielkopolskie)", message)
        # Within the home voivodeship the name is one county.
        result = self.preview({"area_county_teryt": "ostrowski"})
        self.assertFalse(result.has_errors)
        self.assertEqual(next(r for r in result.records if r.model is Partnership).m2m["area_counties"], ["1416"])

    def test_a_partnership_is_found_by_slug_or_by_name_within_its_home_voivodeship(self):
        by_slug = self.preview({"slug": self.own_partnership.slug, "name": self.own_partnership.name})
        record = next(r for r in by_slug.records if r.model is Partnership)
        self.assertEqual((record.instance, record.reason), (self.own_partnership, "ten sam identyfikator w adresie"))
        by_name = self.preview({"name": self.own_partnership.name.upper()})
        record = next(r for r in by_name.records if r.model is Partnership)
        self.assertEqual((record.instance, record.reason), (self.own_partnership, "ta sama nazwa w województwie"))
        elsewhere = self.preview(
            {"name": self.own_partnership.name, "home_voivodeship_teryt": "02"}, user=self.superuser
        )
        self.assertEqual(next(r for r in elsewhere.records if r.model is Partnership).state, "new")


class ScopeTests(AdminTestCase):
    def test_a_mazowieckie_user_cannot_import_a_dolnoslaskie_row(self):
        rows = [
            {"name": "Partnerstwo mazowieckie z arkusza", "home_voivodeship_teryt": "14"},
            {"name": "Partnerstwo dolnośląskie z arkusza", "home_voivodeship_teryt": "02"},
        ]
        result = imports.preview("plik.csv", csv_bytes(*rows_of(rows)), self.staff)
        self.assertEqual(result.rows[0].errors, [])
        column, message = result.rows[1].errors[0]
        self.assertEqual(column, "Kod TERYT województwa macierzystego")
        self.assertIn("Prowadzisz tylko rekordy województwa mazowieckie; ten należy do: dolnośląskie.", message)
        run = ImportRun.objects.create(file_name="plik.csv", user=self.staff, voivodeship_id=MAZOWIECKIE)
        with self.assertRaises(imports.ImportRefused):
            imports.apply(result, run, self.staff)
        self.assertFalse(Partnership.objects.filter(name__endswith="z arkusza").exists())

    def test_another_regions_partnership_named_by_slug_cannot_be_changed(self):
        row = {"slug": self.other_partnership.slug, "name": "Nowa nazwa", "home_voivodeship_teryt": "14"}
        result = imports.preview("plik.csv", csv_bytes(*rows_of([row])), self.staff)
        self.assertTrue(result.rows[0].errors)

    def test_a_new_member_institution_of_another_region_is_refused_an_existing_one_is_linked(self):
        new_elsewhere = {
            "name": "Partnerstwo",
            "member_name": "Nowy ośrodek",
            "member_kind": "MOPS",
            "member_commune_teryt": "0264011",
        }
        result = imports.preview("plik.csv", csv_bytes(*rows_of([new_elsewhere])), self.staff)
        self.assertIn("ten należy do: dolnośląskie", result.rows[0].errors[0][1])
        existing = {
            "name": "Partnerstwo",
            "member_slug": self.other_institution.slug,
            "member_name": self.other_institution.name,
        }
        result = imports.preview("plik.csv", csv_bytes(*rows_of([existing])), self.staff)
        self.assertFalse(result.has_errors)

    def test_staff_without_a_region_import_nothing(self):
        result = imports.preview("plik.csv", csv_bytes(*rows_of([{"name": "P"}])), self.staff_without_profile)
        self.assertIn("nie jest przypisane do żadnego ośrodka regionalnego", result.errors[0])

    def test_each_record_written_has_a_history_row_naming_the_file_and_row(self):
        rows = [
            {
                "name": "Partnerstwo A",
                "member_name": "Stowarzyszenie A",
                "member_kind": "stowarzyszenie",
                "member_commune_teryt": WARSZAWA,
            },
            {
                "name": "Partnerstwo A",
                "member_name": "Stowarzyszenie B",
                "member_kind": "stowarzyszenie",
                "member_commune_teryt": WARSZAWA,
            },
        ]
        result = imports.preview("wykaz-partnerstw.csv", csv_bytes(*rows_of(rows)), self.staff)
        run = ImportRun.objects.create(file_name="wykaz-partnerstw.csv", user=self.staff, voivodeship_id=MAZOWIECKIE)
        imports.apply(result, run, self.staff)
        prefix = f"Import nr {run.pk} z pliku „wykaz-partnerstw.csv”, wiersz "
        partnership = Partnership.objects.get(name="Partnerstwo A")
        self.assertEqual(partnership.history.get().history_change_reason, prefix + "2")
        self.assertEqual(partnership.history.get().history_user, self.staff)
        second = Institution.objects.get(name="Stowarzyszenie B")
        self.assertEqual(second.history.get().history_change_reason, prefix + "3")
        membership = Membership.objects.get(institution=second)
        self.assertEqual(membership.history.get().history_change_reason, prefix + "3")
        self.assertEqual(partnership.listed_member_count, 2)


class ImportedHistoryTests(AdminTestCase):
    def test_an_imported_partnerships_history_holds_its_area_so_a_delete_can_be_restored(self):
        from partnerships.history import deleted_partnerships, restore_partnership

        row = {"name": "Partnerstwo z obszarem", "home_voivodeship_teryt": "14", "area_county_teryt": "1416|1434"}
        result = imports.preview("plik.csv", csv_bytes(*rows_of([row])), self.staff)
        run = ImportRun.objects.create(file_name="plik.csv", user=self.staff, voivodeship_id=MAZOWIECKIE)
        imports.apply(result, run, self.staff)
        partnership = Partnership.objects.get(name="Partnerstwo z obszarem")
        self.assertEqual(sorted(partnership.area_counties.values_list("pk", flat=True)), ["1416", "1434"])
        self.assertEqual(partnership.history.get().history_type, "+")
        pk = partnership.pk
        partnership.delete()
        deleted = next(record for record in deleted_partnerships() if record.id == pk)
        restored = restore_partnership(deleted.history_id, self.staff).partnership
        self.assertEqual(sorted(restored.area_counties.values_list("pk", flat=True)), ["1416", "1434"])
