from io import StringIO
from pathlib import Path
from tempfile import TemporaryDirectory

from django.core.management import CommandError, call_command
from django.test import TestCase

from territory.models import Commune, County, Voivodeship
from territory.teryt import TercError, read_register
from tests.builders import SMALL_TERC, TERC_HEADER, territory_snapshot
from tests.official_data import TERYT_CSV, TERYT_XML, needs


def import_teryt(path) -> str:
    out = StringIO()
    call_command("import_teryt", str(path), stdout=out)
    return out.getvalue()


class TemporaryFiles(TestCase):
    def setUp(self):
        directory = TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        self.directory = Path(directory.name)

    def write(self, text: str, name: str = "terc.csv", encoding: str = "utf-8-sig") -> Path:
        path = self.directory / name
        path.write_bytes(text.encode(encoding))
        return path


@needs("TERYT_CSV")
class OfficialRegisterTests(TemporaryFiles):
    @classmethod
    def setUpTestData(cls):
        cls.output = import_teryt(TERYT_CSV)

    def test_official_csv_gives_16_voivodeships_380_counties_2479_communes(self):
        self.assertEqual(Voivodeship.objects.count(), 16)
        self.assertEqual(County.objects.count(), 380)
        cities = County.objects.exclude(kind=County.Kind.LAND)
        self.assertEqual(cities.count(), 66)
        self.assertEqual(County.objects.get(kind=County.Kind.CAPITAL).code, "1465")
        self.assertEqual(Commune.objects.count(), 2479)
        self.assertFalse(Commune.objects.filter(is_active=False).exists())

    def test_import_reports_counts_and_state_date_in_polish(self):
        self.assertIn("2025-01-01", self.output)
        self.assertIn("gminy: utworzono 2479", self.output)
        self.assertIn("powiaty: utworzono 380", self.output)
        self.assertIn("województwa: utworzono 16", self.output)
        self.assertIn("pominięto 1473", self.output)

    def test_names_are_written_as_polish_prose(self):
        mazowieckie = Voivodeship.objects.get(code="14")
        self.assertEqual(str(mazowieckie), "mazowieckie")
        self.assertEqual(mazowieckie.full_name, "województwo mazowieckie")
        west_warsaw = County.objects.get(code="1432")
        self.assertEqual(str(west_warsaw), "powiat warszawski zachodni")
        self.assertEqual(west_warsaw.voivodeship, mazowieckie)
        wroclaw = County.objects.get(code="0264")
        self.assertEqual(str(wroclaw), "Wrocław")
        self.assertEqual(wroclaw.kind, County.Kind.CITY)
        self.assertEqual(str(Commune.objects.get(code="0264011")), "Wrocław")
        self.assertEqual(Commune.objects.get(code="0201022").kind, Commune.Kind.RURAL)

    def test_same_names_in_two_voivodeships_stay_distinct_units(self):
        ostrowski_maz, ostrowski_wlkp = County.objects.get(code="1416"), County.objects.get(code="3017")
        self.assertEqual(ostrowski_maz.name, ostrowski_wlkp.name)
        self.assertEqual(ostrowski_maz.voivodeship.name, "mazowieckie")
        self.assertEqual(ostrowski_wlkp.voivodeship.name, "wielkopolskie")
        self.assertNotEqual(ostrowski_maz.slug, ostrowski_wlkp.slug)

    def test_reimporting_the_same_file_changes_nothing(self):
        before = territory_snapshot()
        output = import_teryt(TERYT_CSV)
        self.assertEqual(territory_snapshot(), before)
        self.assertIn("gminy: utworzono 0, zaktualizowano 0, oznaczono jako nieaktywne 0, bez zmian 2479", output)
        self.assertIn("Baza danych była już zgodna z plikiem.", output)

    @needs("TERYT_XML")
    def test_xml_and_csv_give_the_same_database(self):
        from_csv = territory_snapshot()
        Commune.objects.all().delete()
        County.objects.all().delete()
        Voivodeship.objects.all().delete()
        import_teryt(TERYT_XML)
        self.assertEqual(territory_snapshot(), from_csv)

    def test_newer_file_renames_adds_and_deactivates_exactly_those_units(self):
        lines = TERYT_CSV.read_text(encoding="utf-8-sig").splitlines()
        renamed = "02;01;03;2;Gromadka;gmina wiejska;2025-01-01"
        gone = "02;01;04;3;Nowogrodziec;gmina miejsko-wiejska;2025-01-01"
        city = "02;64;;;Wrocław;miasto na prawach powiatu;2025-01-01"
        self.assertIn(renamed, lines)
        self.assertIn(gone, lines)
        newer = []
        for line in lines:
            if line == gone:
                continue
            line = line.replace("2025-01-01", "2026-01-01")
            if line.startswith("02;01;03;2;"):
                line = "02;01;03;2;Gromadka Nowa;gmina wiejska;2026-01-01"
            if line.startswith("02;64;;;"):
                line = "02;64;;;Wrocław;powiat;2026-01-01"
            newer.append(line)
            if line.startswith("02;01;03;2;"):
                newer.append("02;01;10;2;Nowa Gmina;gmina wiejska;2026-01-01")
        self.assertNotIn(city, newer)
        before = {row["code"]: row for row in territory_snapshot()["Commune"]}

        output = import_teryt(self.write("\r\n".join(newer) + "\r\n"))

        self.assertIn("2026-01-01", output)
        self.assertIn("gminy: utworzono 1, zaktualizowano 1, oznaczono jako nieaktywne 1, bez zmian 2477", output)
        self.assertIn("powiaty: utworzono 0, zaktualizowano 1, oznaczono jako nieaktywne 0, bez zmian 379", output)
        self.assertEqual(Commune.objects.get(code="0201032").name, "Gromadka Nowa")
        self.assertEqual(Commune.objects.get(code="0201102").name, "Nowa Gmina")
        self.assertFalse(Commune.objects.get(code="0201043").is_active)
        self.assertEqual(County.objects.get(code="0264").kind, County.Kind.LAND)
        after = {row["code"]: row for row in territory_snapshot()["Commune"]}
        changed = {code for code in before if before[code] != after[code]}
        self.assertEqual(changed, {"0201032", "0201043"})
        self.assertEqual(Commune.objects.count(), 2480)  # nothing deleted

        # The unit comes back in a later file: it is active again, under the same record.
        import_teryt(TERYT_CSV)
        self.assertTrue(Commune.objects.get(code="0201043").is_active)
        self.assertFalse(Commune.objects.get(code="0201102").is_active)

    def test_malformed_file_is_refused_with_its_line_and_changes_nothing(self):
        lines = TERYT_CSV.read_text(encoding="utf-8-sig").splitlines()
        before = territory_snapshot()
        broken = {
            "truncated mid-row": ("\r\n".join(lines[:2000]) + "\r\n" + lines[2000][:12], "2001"),
            "bad date": (
                "\r\n".join([*lines[:99], lines[99].replace("2025-01-01", "2025-13-01"), *lines[100:]]),
                "100",
            ),
            "cut after a county": ("\r\n".join(lines[:3]), "3"),
        }
        for name, (text, line) in broken.items():
            with self.subTest(name), self.assertRaisesMessage(CommandError, f"wiersz {line}:"):
                import_teryt(self.write(text))
            self.assertEqual(territory_snapshot(), before)


class MalformedRegisterTests(TemporaryFiles):
    header = TERC_HEADER
    valid = SMALL_TERC

    def assertRefused(self, text: str, line: int, message: str, name: str = "terc.csv"):
        with self.assertRaises(TercError) as caught:
            read_register(self.write(text, name=name))
        self.assertEqual(caught.exception.line, line)
        self.assertIn(message, caught.exception.message)

    def test_a_small_valid_file_is_read(self):
        register = read_register(self.write(self.valid))
        self.assertEqual(list(register.communes), ["0201011"])

    def test_each_kind_of_damage_names_its_line(self):
        cases = [
            ("WOJ;POW;NAZWA\r\n", 1, "WOJ;POW;GMI;RODZ;NAZWA;NAZWA_DOD;STAN_NA"),
            (self.valid + "02;01;02;2;Bolesławiec\r\n", 5, "7"),
            (self.valid + "2;01;02;2;X;gmina wiejska;2025-01-01\r\n", 5, "WOJ"),
            (self.valid + "02;01;02;7;X;gmina wiejska;2025-01-01\r\n", 5, "RODZ"),
            (self.valid + "02;01;01;1;Bolesławiec;gmina miejska;2025-01-01\r\n", 5, "wierszu 4"),
            (self.valid + "02;09;01;1;X;gmina miejska;2025-01-01\r\n", 5, "0209"),
            (self.valid + "02;01;02;2;;gmina wiejska;2025-01-01\r\n", 5, "NAZWA"),
            (self.valid + "02;02;;;x;gmina;2025-01-01\r\n", 5, "gmina"),
            (self.valid + "02;02;;;x;powiat;2025-01-01\r\n", 5, "0202"),
            (self.valid + "02;01;02;2;X;gmina wiejska;wczoraj\r\n", 5, "STAN_NA"),
            (self.valid + "02;01;02;2;X\x00;gmina wiejska;2025-01-01\r\n", 5, "NUL"),
            (self.header, 1, "województw"),
        ]
        for text, line, message in cases:
            with self.subTest(text=text[-40:]):
                self.assertRefused(text, line, message)

    def test_text_that_is_not_utf8_is_refused(self):
        path = self.directory / "cp1250.csv"
        path.write_bytes(self.valid.encode() + "02;01;02;2;Gać;gmina wiejska;2025-01-01\r\n".encode("cp1250"))
        with self.assertRaises(TercError) as caught:
            read_register(path)
        self.assertEqual((caught.exception.line, "UTF-8" in caught.exception.message), (5, True))

    def test_broken_xml_names_its_line(self):
        xml = (
            '<?xml version="1.0" encoding="utf-8"?>\n<teryt>\n<catalog name="TERC">\n'
            "<row><WOJ>02</WOJ><POW/><GMI/><RODZ/><NAZWA>DOLNOŚLĄSKIE</NAZWA>"
            "<NAZWA_DOD>województwo</NAZWA_DOD><STAN_NA>2025-01-01</STAN_NA></row>\n"
            "<row><WOJ>02</WOJ><POW>01</POW>\n"
        )
        self.assertRefused(xml, 6, "XML", name="terc.xml")
        missing = xml.replace("<row><WOJ>02</WOJ><POW>01</POW>\n", "<row><WOJ>02</WOJ></row>\n</catalog></teryt>\n")
        self.assertRefused(missing, 5, "POW")

    def test_xml_with_entities_is_refused(self):
        xml = '<?xml version="1.0"?>\n<!DOCTYPE teryt [<!ENTITY a "aaaaaaaaaa">]>\n<teryt>&a;</teryt>\n'
        self.assertRefused(xml, 2, "encj")

    def test_refused_file_leaves_database_as_it_was(self):
        import_teryt(self.write(self.valid))
        before = territory_snapshot()
        with self.assertRaisesMessage(CommandError, "nic nie zmieniono"):
            import_teryt(self.write(self.valid.replace("bolesławiecki;powiat", "bolesławiecki;gmina")))
        self.assertEqual(territory_snapshot(), before)

    def test_missing_file_is_a_clear_error(self):
        with self.assertRaisesMessage(CommandError, "Nie znaleziono pliku"):
            import_teryt(self.directory / "nie-ma.csv")
