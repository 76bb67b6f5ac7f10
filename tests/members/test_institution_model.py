import io

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.forms import modelform_factory
from django.test import TestCase, override_settings
from PIL import Image

from members.models import SECTOR_OF_KIND, Institution, Sector
from members.uploads import validate_logo, validate_pdf
from members.validators import validate_krs, validate_nip, validate_regon
from tests.builders import png_bytes

InstitutionForm = modelform_factory(
    Institution, fields=["name", "slug", "kind", "nip", "regon", "krs", "commune", "country"]
)


class IdentifierValidatorTests(TestCase):
    def test_valid_identifiers_pass(self):
        validate_nip("1234563218")
        validate_regon("123456785")
        validate_regon("12345678512347")
        validate_krs("0000012345")

    def test_invalid_identifiers_are_refused_with_a_polish_message(self):
        cases = [
            (validate_nip, "1234563219"),  # wrong check digit
            (validate_nip, "123-456-32-18"),  # formatted: store digits only
            (validate_nip, "123456321"),
            (validate_nip, "１２３４５６３２１８"),  # full-width digits are digits to Python, not to NIP
            (validate_regon, "123456786"),
            (validate_regon, "12345678512348"),
            (validate_regon, "1234567851"),
            (validate_krs, "12345"),
            (validate_krs, "000001234X"),
        ]
        for validator, value in cases:
            with self.subTest(value=value), self.assertRaises(ValidationError) as caught:
                validator(value)
            self.assertIn("nie jest poprawnym", caught.exception.messages[0])


class InstitutionConstraintTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("load_territory", stdout=io.StringIO())
        cls.existing = Institution.objects.create(
            name="Instytucja A",
            slug="a",
            kind=Institution.Kind.MOPS,
            nip="1234563218",
            regon="123456785",
            krs="0000012345",
            commune_id="1465011",
        )

    def test_duplicate_identifiers_are_refused_by_the_database(self):
        for field, value in (("nip", "1234563218"), ("regon", "123456785"), ("krs", "0000012345")):
            with self.subTest(field), self.assertRaises(IntegrityError), transaction.atomic():
                Institution.objects.create(name="B", slug=f"b-{field}", kind=Institution.Kind.OTHER, **{field: value})

    def test_empty_identifiers_do_not_collide(self):
        Institution.objects.create(name="B", slug="b", kind=Institution.Kind.OTHER)
        Institution.objects.create(name="C", slug="c", kind=Institution.Kind.OTHER)
        self.assertEqual(Institution.objects.filter(nip="").count(), 2)

    def test_duplicate_nip_is_explained_by_the_form(self):
        form = InstitutionForm(data={"name": "B", "slug": "b", "kind": "mops", "nip": "1234563218", "country": "PL"})
        self.assertFalse(form.is_valid())
        self.assertEqual(form.errors["nip"], ["Inna instytucja ma już ten NIP."])

    def test_invalid_nip_is_explained_by_the_form(self):
        form = InstitutionForm(data={"name": "B", "slug": "b", "kind": "mops", "nip": "1234563219", "country": "PL"})
        self.assertFalse(form.is_valid())
        self.assertIn("nip", form.errors)

    def test_foreign_institution_has_a_country_and_no_commune(self):
        council = Institution.objects.create(
            name="Hammersmith and Fulham Council", slug="hf", kind=Institution.Kind.FOREIGN_PUBLIC, country="GB"
        )
        self.assertTrue(council.is_foreign)
        self.assertIsNone(council.region_id)
        with self.assertRaises(IntegrityError), transaction.atomic():
            Institution.objects.create(name="X", slug="x", kind="other", country="GB", commune_id="1465011")
        form = InstitutionForm(data={"name": "X", "slug": "x", "kind": "other", "country": "gb", "commune": "1465011"})
        self.assertFalse(form.is_valid())
        self.assertIn("commune", form.errors)

    def test_sector_follows_from_the_kind(self):
        self.assertEqual(self.existing.sector, Sector.PUBLIC)
        self.assertEqual(Institution(kind=Institution.Kind.FOUNDATION).sector, Sector.NON_GOVERNMENTAL)
        self.assertEqual(Institution(kind=Institution.Kind.BUSINESS).sector, Sector.BUSINESS)
        self.assertEqual(Institution(kind=Institution.Kind.RELIGIOUS).sector, Sector.RELIGIOUS)
        self.assertEqual(list(Institution.objects.in_sector(Sector.PUBLIC)), [self.existing])
        self.assertEqual(set(SECTOR_OF_KIND), set(Institution.Kind))  # every kind has its sector

    def test_region_is_the_voivodeship_of_the_commune(self):
        self.assertEqual(self.existing.region_id, "14")
        self.assertEqual(list(Institution.objects.in_region("14")), [self.existing])
        self.assertFalse(Institution.objects.in_region("02").exists())


class UploadTests(TestCase):
    def test_a_png_logo_is_accepted(self):
        validate_logo(SimpleUploadedFile("logo.png", png_bytes(), content_type="image/png"))

    def test_svg_html_and_renamed_files_are_refused_as_logos(self):
        cases = {
            "logo.svg": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "logo.png": b"<html><script>alert(1)</script></html>",
            "logo.jpg": b"MZ\x90\x00 not an image",
        }
        for name, content in cases.items():
            with self.subTest(name), self.assertRaises(ValidationError):
                validate_logo(SimpleUploadedFile(name, content))

    def test_an_oversized_logo_is_refused(self):
        big = SimpleUploadedFile("logo.png", png_bytes() + b"\0" * (2 * 1024 * 1024))
        with self.assertRaisesMessage(ValidationError, "2 MB"):
            validate_logo(big)

    def test_documents_must_be_pdf_by_content(self):
        validate_pdf(SimpleUploadedFile("umowa.pdf", b"%PDF-1.7\n%...\n"))
        with self.assertRaises(ValidationError):
            validate_pdf(SimpleUploadedFile("umowa.pdf", b"<html>not a pdf</html>"))

    @override_settings(MEDIA_ROOT="/tmp/rejestr-test-media")
    def test_saving_a_logo_stores_it_under_a_generated_name_with_a_thumbnail(self):
        institution = Institution(name="Z logo", slug="z-logo", kind=Institution.Kind.OTHER)
        institution.logo = SimpleUploadedFile("Moje Logo <script>.png", png_bytes((800, 400)))
        institution.save()
        self.assertNotIn("Moje", institution.logo.name)
        self.assertRegex(institution.logo.name, r"^logos/[0-9a-f]{32}\.png$")
        with Image.open(institution.logo_thumbnail.path) as thumbnail:
            self.assertLessEqual(max(thumbnail.size), 240)
