"""Certificates: numbering, the snapshot, the PDF (one A4 landscape page, Polish text, embedded
fonts, a QR code that leads to the verification page), the public verification page, regional
scope, and the URL fetcher that keeps the renderer away from other files and hosts.

Checking the PDFs needs Debian's poppler-utils (pdftotext, pdftoppm) and zbar-tools (zbarimg),
which `make test` installs. Names are plainly made up for tests.
"""

import datetime
import http.server
import io
import os
import re
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path
from unittest import mock, skipUnless
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.template.loader import render_to_string
from django.test import TestCase, TransactionTestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import formats, timezone, translation
from django.utils.translation import gettext, ngettext
from PIL import Image
from pypdf import PdfReader

from members.models import Institution, StaffProfile
from partnerships import certificates
from partnerships.certificates import CertificateError
from partnerships.models import Agreement, Certificate, CertificateSequence, Membership, Partnership
from tests import builders
from tests.builders import local_cache

WARSZAWA, WROCLAW = "1465011", "0264011"
PARTNERSHIP_NAME = "Partnerstwo Lokalne „Gęśla Jaźń” w Łodzi"
MEMBER_NAME = "Stowarzyszenie Żółć Gęśla Łódź"
ISSUED_ON = datetime.date(2014, 12, 11)
NUMBER_SCHEME = re.compile(r"RPL/[0-9]{2}/[0-9]{4}/[0-9]{5}")
STORED_NAME = re.compile(r"^certificates/[0-9a-f]{32}\.pdf$")
IN_MEMORY_STORAGE = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


def pl(message: str) -> str:
    """What the Polish catalogue says for ``message`` (the pages and the PDF speak Polish)."""
    with translation.override("pl"):
        return gettext(message)


def require(tool: str) -> str:
    path = shutil.which(tool)
    if not path:
        raise AssertionError(f"{tool} is not installed: `make test` installs poppler-utils and zbar-tools.")
    return path


def pdf_text(pdf: bytes) -> str:
    """The PDF's text as pdftotext (poppler) extracts it, whitespace folded to single spaces."""
    result = subprocess.run(
        [require("pdftotext"), "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return " ".join(result.stdout.decode("utf-8").split())


def png_logo(colour: str = "#8a1538") -> ContentFile:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 80), colour).save(buffer, format="PNG")
    return ContentFile(buffer.getvalue(), name="logo.png")


class CertificateTestCase(TestCase):
    """Two regional centres (MCPS in Warszawa, DOPS in Wrocław) with a staff member each who may
    issue certificates, a superuser, and a mazowieckie partnership with three current members
    (one of them with diacritics in every word), a former member and a founding agreement."""

    @classmethod
    def setUpTestData(cls):
        builders.load_territory()
        cls.mcps = builders.institution(
            "Mazowieckie Centrum Polityki Społecznej", commune=WARSZAWA, kind=Institution.Kind.ROPS, short_name="MCPS"
        )
        cls.dops = builders.institution(
            "Dolnośląski Ośrodek Polityki Społecznej", commune=WROCLAW, kind=Institution.Kind.ROPS, short_name="DOPS"
        )
        users = get_user_model().objects
        permissions = Permission.objects.filter(
            content_type__app_label="partnerships", codename__in=["add_certificate", "change_certificate"]
        )
        cls.staff = users.create_user("pracownik.mcps", password="hasło-testowe-1", is_staff=True)
        cls.staff.user_permissions.set(permissions)
        StaffProfile.objects.create(user=cls.staff, centre=cls.mcps)
        cls.other_staff = users.create_user("pracownik.dops", password="hasło-testowe-2", is_staff=True)
        cls.other_staff.user_permissions.set(permissions)
        StaffProfile.objects.create(user=cls.other_staff, centre=cls.dops)
        cls.superuser = users.create_superuser("administrator", password="hasło-testowe-3")

        cls.member = builders.institution(MEMBER_NAME, kind=Institution.Kind.ASSOCIATION)
        cls.leader = builders.institution("Miejski Ośrodek Pomocy Społecznej w Łodzi", kind=Institution.Kind.MOPS)
        cls.court = builders.institution("Sąd Rejonowy dla Łodzi-Śródmieścia", kind=Institution.Kind.COURT)
        cls.former = builders.institution("Fundacja Dawna", kind=Institution.Kind.FOUNDATION)
        cls.partnership = builders.partnership(
            PARTNERSHIP_NAME,
            region="14",
            counties=["1416"],
            communes=[WARSZAWA],
            members=[cls.member, cls.leader, cls.court],
            founded_on=datetime.date(2014, 10, 28),
        )
        Membership.objects.filter(institution=cls.leader).update(role=Membership.Role.LEADER)
        Membership.objects.create(
            partnership=cls.partnership,
            institution=cls.former,
            joined_on=datetime.date(2010, 1, 1),
            left_on=datetime.date(2012, 1, 1),
        )
        Agreement.objects.create(
            partnership=cls.partnership, title="Porozumienie o współpracy", signed_on=datetime.date(2014, 10, 28)
        )
        cls.other_partnership = builders.partnership("Partnerstwo dolnośląskie", region="02", communes=[WROCLAW])

    def issue(self, partnership=None, user=None, **kwargs) -> Certificate:
        kwargs.setdefault("issued_on", ISSUED_ON)
        return certificates.issue_partnership_certificate(
            partnership or self.partnership,
            user or self.staff,
            kwargs.pop("signatory_name", "Jan Testowy"),
            kwargs.pop("signatory_function", "zastępca prezydenta"),
            **kwargs,
        )

    def served(self, certificate: Certificate) -> bytes:
        """The certificate's PDF as a browser gets it: shown inline, named after the number,
        never sniffed nor indexed."""
        response = self.client.get(certificate.get_pdf_url())
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/pdf")
        filename = certificate.number.replace("/", "-") + ".pdf"
        self.assertEqual(response["Content-Disposition"], f'inline; filename="{filename}"')
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertEqual(response["X-Robots-Tag"], "noindex")
        return b"".join(response.streaming_content)


class NumberingTests(CertificateTestCase):
    def test_numbers_follow_the_scheme_and_count_per_voivodeship_and_year(self):
        second = builders.partnership("Drugie partnerstwo mazowieckie", region="14")
        numbers = [
            self.issue(issued_on=datetime.date(2026, 1, 5)).number,
            self.issue(second, issued_on=datetime.date(2026, 3, 1)).number,
            self.issue(self.other_partnership, self.other_staff, issued_on=datetime.date(2026, 3, 1)).number,
            certificates.issue_membership_certificates(
                self.partnership, self.staff, "Jan Testowy", issued_on=datetime.date(2025, 6, 1)
            )[0].number,
        ]
        self.assertEqual(numbers, ["RPL/14/2026/00001", "RPL/14/2026/00002", "RPL/02/2026/00001", "RPL/14/2025/00001"])
        for number in numbers:
            self.assertRegex(number, f"^{NUMBER_SCHEME.pattern}$")
        self.assertEqual(
            set(CertificateSequence.objects.values_list("voivodeship_id", "year", "last")),
            {("14", 2026, 2), ("02", 2026, 1), ("14", 2025, 3)},
        )

    def test_membership_certificates_go_to_current_members_with_consecutive_numbers(self):
        issued = certificates.issue_membership_certificates(self.partnership, self.staff, "Jan Testowy", "prezes")
        year = timezone.localdate().year
        self.assertEqual(
            [(c.number, c.institution) for c in issued],
            [
                (f"RPL/14/{year}/00001", self.leader),
                (f"RPL/14/{year}/00002", self.court),
                (f"RPL/14/{year}/00003", self.member),
            ],
        )
        self.assertTrue(all(c.kind == Certificate.Kind.MEMBERSHIP for c in issued))
        self.assertFalse(Certificate.objects.filter(institution=self.former).exists())
        # Again: every member already holds a valid one, so nothing new is issued.
        self.assertEqual(certificates.issue_membership_certificates(self.partnership, self.staff, "Jan Testowy"), [])

    def test_a_partnership_has_one_valid_certificate_at_a_time(self):
        first = self.issue()
        with self.assertRaisesMessage(CertificateError, first.number):
            self.issue()
        self.assertEqual(Certificate.objects.count(), 1)

    def test_the_database_refuses_a_repeated_number(self):
        first = self.issue()
        duplicate = Certificate(
            partnership=self.other_partnership, number=first.number, issued_on=ISSUED_ON, signatory_name="X"
        )
        with self.assertRaises(IntegrityError), transaction.atomic():
            duplicate.save()

    def test_the_database_refuses_a_membership_certificate_without_its_institution_and_the_reverse(self):
        for kind, institution in ((Certificate.Kind.MEMBERSHIP, None), (Certificate.Kind.PARTNERSHIP, self.member)):
            certificate = Certificate(
                kind=kind,
                partnership=self.partnership,
                institution=institution,
                number="RPL/14/2014/09999",
                issued_on=ISSUED_ON,
                signatory_name="X",
            )
            with self.subTest(kind=kind), self.assertRaises(IntegrityError), transaction.atomic():
                certificate.save()

    def test_a_wrong_signatory_or_date_is_refused_before_a_number_is_taken(self):
        future = timezone.localdate() + datetime.timedelta(days=1)
        for kwargs in ({"signatory_name": "  "}, {"issued_on": future}, {"issued_on": datetime.date(1999, 12, 31)}):
            with self.subTest(kwargs=kwargs), self.assertRaises(CertificateError):
                self.issue(**kwargs)
        self.assertFalse(CertificateSequence.objects.exists())


@skipUnless(connection.vendor == "postgresql", "Row locks need PostgreSQL; CI runs this test on PostgreSQL.")
class ConcurrentNumberingTests(TransactionTestCase):
    """Four people issue certificates in the same voivodeship at the same moment."""

    THREADS = 4

    def setUp(self):
        builders.load_territory()
        self.user = get_user_model().objects.create_superuser("administrator", password="hasło-testowe-3")
        self.partnerships = [builders.partnership(f"Partnerstwo równoległe {i}", region="14") for i in range(4)]

    def test_numbers_stay_unique_when_certificates_are_issued_at_once(self):
        start = threading.Barrier(self.THREADS)
        numbers, errors = [], []
        save = CertificateSequence.save

        def slow_save(sequence, *args, **kwargs):
            # Widen the window between reading the counter and writing it: without the row
            # lock, every thread would read the same value and take the same number.
            threading.Event().wait(0.2)
            return save(sequence, *args, **kwargs)

        def issue(partnership):
            try:
                start.wait(timeout=10)
                certificate = certificates.issue_partnership_certificate(
                    partnership, self.user, "Jan Testowy", issued_on=datetime.date(2026, 5, 4)
                )
                numbers.append(certificate.number)
            except Exception as error:  # reported by the assertion below
                errors.append(error)
            finally:
                connection.close()

        with mock.patch.object(CertificateSequence, "save", slow_save):
            threads = [threading.Thread(target=issue, args=(p,)) for p in self.partnerships]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
        self.assertEqual(errors, [])
        self.assertEqual(sorted(numbers), [f"RPL/14/2026/{n:05d}" for n in range(1, self.THREADS + 1)])
        self.assertEqual(CertificateSequence.objects.get(voivodeship_id="14", year=2026).last, self.THREADS)


class RegionalScopeTests(CertificateTestCase):
    def test_staff_of_another_region_cannot_issue_revoke_or_reissue(self):
        certificate = self.issue()
        membership = certificates.issue_membership_certificates(self.partnership, self.staff, "Jan Testowy")[0]
        before = (
            list(Certificate.objects.order_by("pk").values_list("pk", "status", "number")),
            list(CertificateSequence.objects.values_list("voivodeship_id", "year", "last")),
        )
        attempts = {
            "issue": lambda: self.issue(self.partnership, self.other_staff),
            "issue for members": lambda: certificates.issue_membership_certificates(
                self.partnership, self.other_staff, "Jan Testowy"
            ),
            "revoke": lambda: certificates.revoke(certificate, self.other_staff, "Bez powodu"),
            "reissue": lambda: certificates.reissue(certificate, self.other_staff),
            "reissue membership": lambda: certificates.reissue(membership, self.other_staff),
        }
        for name, attempt in attempts.items():
            with self.subTest(name), self.assertRaises(PermissionDenied):
                attempt()
        after = (
            list(Certificate.objects.order_by("pk").values_list("pk", "status", "number")),
            list(CertificateSequence.objects.values_list("voivodeship_id", "year", "last")),
        )
        self.assertEqual(before, after)

    def test_the_region_is_read_from_the_database_not_from_the_object_passed(self):
        forged = Partnership.objects.get(pk=self.partnership.pk)
        forged.home_voivodeship_id = "02"  # changed in memory only
        with self.assertRaises(PermissionDenied):
            self.issue(forged, self.other_staff)
        self.assertFalse(Certificate.objects.exists())

    def test_staff_without_a_region_or_the_permission_cannot_issue(self):
        users = get_user_model().objects
        no_profile = users.create_user("bez.profilu", password="hasło-testowe-4", is_staff=True)
        no_profile.user_permissions.set(Permission.objects.filter(codename="add_certificate"))
        no_permission = users.create_user("bez.uprawnien", password="hasło-testowe-5", is_staff=True)
        StaffProfile.objects.create(user=no_permission, centre=self.mcps)
        for user in (no_profile, no_permission, None):
            with self.subTest(user=user), self.assertRaises(PermissionDenied):
                certificates.issue_partnership_certificate(self.partnership, user, "Jan Testowy")
        self.assertFalse(Certificate.objects.exists())

    def test_staff_issue_for_their_region_and_superusers_for_any(self):
        own = self.issue()
        other = self.issue(self.other_partnership, self.superuser)
        self.assertEqual(own.issuing_centre, self.mcps)
        self.assertIsNone(other.issuing_centre)
        self.assertEqual(own.history.latest().history_user, self.staff)


class LifecycleTests(CertificateTestCase):
    def test_revoking_needs_a_reason_and_only_a_valid_certificate_is_revoked(self):
        certificate = self.issue()
        with self.assertRaises(CertificateError):
            certificates.revoke(certificate, self.staff, "   ")
        certificates.revoke(certificate, self.staff, "Wydany omyłkowo")
        certificate.refresh_from_db()
        self.assertEqual(
            (certificate.status, certificate.revoked_on, certificate.revocation_reason),
            (Certificate.Status.REVOKED, timezone.localdate(), "Wydany omyłkowo"),
        )
        with self.assertRaises(CertificateError):
            certificates.revoke(certificate, self.staff, "Jeszcze raz")
        with self.assertRaises(CertificateError):
            certificates.reissue(certificate, self.staff)

    def test_reissuing_supersedes_the_old_certificate_with_a_new_number_and_a_fresh_snapshot(self):
        old = self.issue()
        Partnership.objects.filter(pk=self.partnership.pk).update(name="Nowa nazwa partnerstwa")
        new = certificates.reissue(old, self.staff)
        old.refresh_from_db()
        self.assertEqual((old.status, old.superseded_by), (Certificate.Status.SUPERSEDED, new))
        self.assertEqual(new.status, Certificate.Status.VALID)
        self.assertNotEqual(new.number, old.number)
        self.assertNotEqual(new.verification_code, old.verification_code)
        self.assertEqual(new.snapshot["partnership"]["name"], "Nowa nazwa partnerstwa")
        self.assertEqual(old.snapshot["partnership"]["name"], PARTNERSHIP_NAME)
        self.assertEqual((new.signatory_name, new.signatory_function), ("Jan Testowy", "zastępca prezydenta"))

    def test_a_membership_certificate_of_a_former_member_is_not_reissued(self):
        certificate = certificates.issue_membership_certificates(self.partnership, self.staff, "Jan Testowy")[0]
        Membership.objects.filter(institution=certificate.institution).update(left_on=timezone.localdate())
        with self.assertRaises(CertificateError):
            certificates.reissue(certificate, self.staff)
        certificate.refresh_from_db()
        self.assertEqual(certificate.status, Certificate.Status.VALID)

    def test_the_snapshot_holds_what_was_certified(self):
        snapshot = self.issue().snapshot
        self.assertEqual(snapshot["partnership"]["name"], PARTNERSHIP_NAME)
        self.assertEqual(snapshot["partnership"]["slug"], self.partnership.slug)
        self.assertEqual(snapshot["partnership"]["home_voivodeship"], {"code": "14", "name": "mazowieckie"})
        self.assertEqual(snapshot["partnership"]["founded_display"], "28 października 2014")
        self.assertEqual([c["code"] for c in snapshot["area"]["counties"]], ["1416"])
        self.assertEqual([(c["code"], c["name"]) for c in snapshot["area"]["communes"]], [(WARSZAWA, "Warszawa")])
        self.assertEqual(
            [(m["name"], m["kind"], m["role"]) for m in snapshot["members"]],
            [
                (self.leader.name, "mops", "leader"),
                (self.court.name, "court", "partner"),
                (MEMBER_NAME, "association", "partner"),
            ],
        )
        self.assertEqual(
            snapshot["founding_agreement"], {"title": "Porozumienie o współpracy", "signed_on": "2014-10-28"}
        )
        self.assertEqual(snapshot["issuing_centre"]["name"], self.mcps.name)
        self.assertEqual(snapshot["issuing_centre"]["place"], "Warszawa")
        self.assertIsNone(snapshot["institution"])


class PdfTests(CertificateTestCase):
    def test_the_printed_code_reads_back_whole_whatever_its_letters(self):
        # Spaced letters made a PDF reader see "f j" in a code with "fj": copied, it failed.
        certificate = self.issue(signatory_name="Jan Testowy", signatory_function="zastępca prezydenta")
        for code in ("3tdnqfj7giejdtwusakt577tga", "fj" * 13, "wm" * 13, "i" * 26):
            with self.subTest(code):
                Certificate.objects.filter(pk=certificate.pk).update(verification_code=code)
                certificate.refresh_from_db()
                self.assertIn(f" {code}/ ", pdf_text(certificates.render_pdf(certificate)))

    def test_the_pdf_is_one_a4_landscape_page_in_polish_with_the_names_and_the_number(self):
        certificate = self.issue(signatory_name="Jan Testowy", signatory_function="zastępca prezydenta")
        pdf = certificates.render_pdf(certificate)
        reader = PdfReader(io.BytesIO(pdf))
        self.assertEqual(len(reader.pages), 1)
        box = reader.pages[0].mediabox
        self.assertAlmostEqual(float(box.width), 841.89, delta=1)
        self.assertAlmostEqual(float(box.height), 595.28, delta=1)
        text = pdf_text(pdf)
        for expected in (
            PARTNERSHIP_NAME,
            MEMBER_NAME,
            "Sąd Rejonowy dla Łodzi-Śródmieścia",
            certificate.number,
            "Warszawa, 11 grudnia 2014 r.",
            "Jan Testowy",
            "zastępca prezydenta",
            self.mcps.name,
            pl("Certificate of a local partnership"),
        ):
            self.assertIn(expected, text)
        # The address is printed on two lines, the code unbroken on the second.
        self.assertIn(certificate.public_url, text.replace(" ", ""))
        self.assertIn(f" {certificate.verification_code}/ ", text)
        self.assertNotIn("Fundacja Dawna", text)
        # pypdf reads the same letters: the fonts map their glyphs back to Unicode.
        pypdf_text = " ".join(reader.pages[0].extract_text().split())
        self.assertIn(MEMBER_NAME, pypdf_text)

    def test_the_fonts_are_the_shipped_ones_and_embedded(self):
        reader = PdfReader(io.BytesIO(certificates.render_pdf(self.issue())))
        fonts = reader.pages[0]["/Resources"]["/Font"]
        self.assertGreaterEqual(len(fonts), 3)
        for name, font in fonts.items():
            font = font.get_object()
            descriptor = (font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font)[
                "/FontDescriptor"
            ].get_object()
            with self.subTest(font=str(font["/BaseFont"])):
                self.assertTrue({"/FontFile2", "/FontFile3"} & set(descriptor.keys()), name)
                self.assertRegex(str(font["/BaseFont"]), "Libertine|Biolinum")

    def test_sixty_members_with_long_names_fit_one_page(self):
        partnership = builders.partnership("Partnerstwo bardzo liczne", region="14")
        names = [f"Stowarzyszenie Przyjaciół Żółtej Łąki i Gęślarzy numer {n:02d} w Łodzi" for n in range(60)]
        for name in names:
            Membership.objects.create(partnership=partnership, institution=builders.institution(name))
        pdf = certificates.render_pdf(self.issue(partnership))
        self.assertEqual(len(PdfReader(io.BytesIO(pdf)).pages), 1)
        text = pdf_text(pdf)
        for name in (names[0], names[29], names[-1]):
            self.assertIn(name, text)

    def test_a_list_longer_than_a_page_is_cut_short_with_a_pointer_to_the_verification_page(self):
        partnership = builders.partnership("Partnerstwo ogromne", region="14")
        for n in range(130):
            Membership.objects.create(
                partnership=partnership,
                institution=builders.institution(f"Organizacja pozarządowa „Źdźbło” numer {n:03d} w Łodzi"),
            )
        pdf = certificates.render_pdf(self.issue(partnership))
        self.assertEqual(len(PdfReader(io.BytesIO(pdf)).pages), 1)
        unlisted = 130 - certificates.MEMBERS_LISTED_AT_MOST
        with translation.override("pl"):
            more = ngettext(
                "and %(counter)s more member, listed on the verification page",
                "and %(counter)s more members, listed on the verification page",
                unlisted,
            ) % {"counter": unlisted}
        self.assertIn(more, pdf_text(pdf))

    def test_even_absurdly_long_names_keep_the_certificate_on_one_page(self):
        partnership = builders.partnership("Partnerstwo o długich nazwach", region="14")
        for n in range(70):
            name = f"Stowarzyszenie {n:02d} " + "Przyjaciół Żółtej Łąki, Gęśli i Jaźni " * 7
            Membership.objects.create(partnership=partnership, institution=builders.institution(name.strip()))
        pdf = certificates.render_pdf(self.issue(partnership))
        self.assertEqual(len(PdfReader(io.BytesIO(pdf)).pages), 1)
        text = pdf_text(pdf)
        self.assertIn(pl("The members are listed on the verification page."), text)
        self.assertIn("Jan Testowy", text)

    def test_a_membership_certificate_names_the_institution_and_the_partnership(self):
        issued = certificates.issue_membership_certificates(self.partnership, self.staff, "Jan Testowy")
        certificate = next(c for c in issued if c.institution == self.member)
        text = pdf_text(certificates.render_pdf(certificate))
        self.assertIn(MEMBER_NAME, text)
        self.assertIn(PARTNERSHIP_NAME, text)
        self.assertIn(pl("Certificate of membership of a local partnership"), text)
        self.assertNotIn(self.court.name, text)

    def test_a_batch_is_one_pdf_with_a_page_per_certificate(self):
        issued = certificates.issue_membership_certificates(self.partnership, self.staff, "Jan Testowy")
        pdf = certificates.render_batch_pdf(issued)
        self.assertEqual(len(PdfReader(io.BytesIO(pdf)).pages), 3)
        text = pdf_text(pdf)
        positions = [text.index(certificate.number) for certificate in issued]
        self.assertEqual(positions, sorted(positions))
        for certificate in issued:
            self.assertIn(certificate.snapshot["institution"]["name"], text)

    def test_the_logos_of_the_centre_and_the_partnership_are_printed(self):
        with tempfile.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media):
            without = certificates.render_pdf(self.issue(self.other_partnership, self.superuser))
            self.mcps.logo.save("logo.png", png_logo("#8a1538"))
            self.partnership.logo.save("logo.png", png_logo("#0b4f8a"))
            with_logos = certificates.render_pdf(self.issue())
        self.assertEqual(len(PdfReader(io.BytesIO(without)).pages[0].images), 0)
        self.assertEqual(len(PdfReader(io.BytesIO(with_logos)).pages[0].images), 2)

    @override_settings(STORAGES=IN_MEMORY_STORAGE)
    def test_the_logos_are_read_through_the_storage_api(self):
        with tempfile.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media):
            self.mcps.logo.save("logo.png", png_logo("#8a1538"))
            self.partnership.logo.save("logo.png", png_logo("#0b4f8a"))
            pdf = certificates.render_pdf(self.issue())
            self.assertEqual(os.listdir(media), [])
        self.assertEqual(len(PdfReader(io.BytesIO(pdf)).pages[0].images), 2)

    def test_a_revoked_or_superseded_certificate_prints_marked_void(self):
        certificate = self.issue()
        replaced = certificates.issue_membership_certificates(self.partnership, self.staff, "Jan Testowy")[0]
        self.assertNotIn(pl("REVOKED"), pdf_text(certificates.render_pdf(certificate)))
        certificates.revoke(certificate, self.staff, "Wydany omyłkowo")
        certificates.reissue(replaced, self.staff)
        revoked_text = pdf_text(certificates.render_pdf(certificate))
        self.assertIn(pl("REVOKED"), revoked_text)
        with translation.override("pl"):
            revoked_on = formats.date_format(timezone.localdate(), "j E Y")
        self.assertIn(revoked_on, revoked_text)
        superseded_text = pdf_text(certificates.render_pdf(replaced))
        self.assertIn(pl("SUPERSEDED"), superseded_text)
        self.assertIn(pl("This certificate has been replaced by a newer one and is no longer valid."), superseded_text)


class QrCodeTests(CertificateTestCase):
    def test_the_qr_code_leads_to_the_verification_page_which_says_valid(self):
        certificate = self.issue()
        with tempfile.TemporaryDirectory() as directory:
            pdf = Path(directory) / "certificate.pdf"
            pdf.write_bytes(certificates.render_pdf(certificate))
            subprocess.run([require("pdftoppm"), "-r", "150", "-png", pdf, Path(directory) / "page"], check=True)
            [png] = Path(directory).glob("page*.png")
            scanned = subprocess.run([require("zbarimg"), "--raw", "-q", png], capture_output=True, check=True)
        url = scanned.stdout.decode().strip()
        self.assertEqual(url, settings.SITE_URL + f"/certyfikaty/{certificate.verification_code}/")
        response = self.client.get(urlsplit(url).path)
        self.assertContains(response, pl("This certificate is genuine and valid."))
        self.assertContains(response, certificate.number)


class VerificationPageTests(CertificateTestCase):
    def test_a_valid_certificate_page_shows_what_it_certified(self):
        certificate = self.issue()
        response = self.client.get(certificate.get_absolute_url())
        self.assertContains(response, pl("This certificate is genuine and valid."))
        self.assertNotContains(
            response, pl("This certificate has been replaced by a newer one and is no longer valid.")
        )
        for text in (
            PARTNERSHIP_NAME,
            MEMBER_NAME,
            certificate.number,
            "Jan Testowy",
            self.mcps.name,
            "11 grudnia 2014",
        ):
            self.assertContains(response, text)
        self.assertNotContains(response, "Fundacja Dawna")
        self.assertContains(response, f'href="{certificate.get_pdf_url()}"')
        self.assertEqual(response["X-Robots-Tag"], "noindex")

    def test_revoking_changes_what_the_page_says(self):
        certificate = self.issue()
        certificates.revoke(certificate, self.staff, "Partnerstwo nie spełniło warunków")
        response = self.client.get(certificate.get_absolute_url())
        self.assertNotContains(response, pl("This certificate is genuine and valid."))
        with translation.override("pl"):
            revoked_on = formats.date_format(timezone.localdate(), "j E Y")
        self.assertContains(response, revoked_on)
        self.assertContains(response, "Partnerstwo nie spełniło warunków")

    def test_reissuing_points_the_old_page_to_the_new_certificate(self):
        old = self.issue()
        new = certificates.reissue(old, self.staff)
        response = self.client.get(old.get_absolute_url())
        self.assertNotContains(response, pl("This certificate is genuine and valid."))
        self.assertContains(response, pl("This certificate has been replaced by a newer one and is no longer valid."))
        self.assertContains(response, f'href="{new.get_absolute_url()}"')
        self.assertContains(response, new.number)
        self.assertContains(self.client.get(new.get_absolute_url()), pl("This certificate is genuine and valid."))

    def test_later_edits_change_neither_the_page_nor_the_pdf(self):
        certificate = self.issue()
        page_before = self.client.get(certificate.get_absolute_url()).content.decode()
        pdf_before = pdf_text(certificates.render_pdf(certificate))

        Partnership.objects.filter(pk=self.partnership.pk).update(name="Zupełnie inna nazwa")
        Membership.objects.filter(institution=self.member).delete()
        Institution.objects.filter(pk=self.court.pk).update(name="Sąd o nowej nazwie")
        self.partnership.area_counties.clear()
        certificate.refresh_from_db()

        page_after = self.client.get(certificate.get_absolute_url()).content.decode()
        pdf_after = pdf_text(certificates.render_pdf(certificate))
        self.assertEqual(pdf_after, pdf_before)
        for text in (PARTNERSHIP_NAME, MEMBER_NAME, "Sąd Rejonowy dla Łodzi-Śródmieścia", "powiat ostrowski"):
            self.assertIn(text, page_after)
            self.assertIn(text, pdf_after)
        for text in ("Zupełnie inna nazwa", "Sąd o nowej nazwie"):
            self.assertNotIn(text, page_after)
            self.assertNotIn(text, pdf_after)
        self.assertIn(PARTNERSHIP_NAME, page_before)

    def test_the_code_is_unguessable_and_easy_to_type_even_in_capitals(self):
        first, second = self.issue(), self.issue(self.other_partnership, self.superuser)
        self.assertRegex(first.verification_code, r"^[a-z2-7]{26}$")
        self.assertNotEqual(first.verification_code, second.verification_code)
        response = self.client.get(f"/certyfikaty/{first.verification_code.upper()}/")
        self.assertContains(response, pl("This certificate is genuine and valid."))
        self.assertContains(response, first.number)

    def test_each_verification_is_counted_but_not_the_pdf_download_nor_a_head_request(self):
        certificate = self.issue()
        self.client.get(certificate.get_absolute_url())
        self.client.get(certificate.get_absolute_url())
        self.client.get(certificate.get_pdf_url())
        self.client.head(certificate.get_absolute_url())
        certificate.refresh_from_db()
        self.assertEqual(certificate.verification_count, 2)

    def test_the_pdf_is_served_inline_named_after_the_number(self):
        self.assertTrue(self.served(self.issue()).startswith(b"%PDF-"))

    def test_an_unknown_code_is_a_404_that_says_what_to_do(self):
        self.issue()
        for url in ("/certyfikaty/NieMaTakiegoKodu123/", "/certyfikaty/NieMaTakiegoKodu123/pdf/"):
            response = self.client.get(url)
            with self.subTest(url=url):
                self.assertContains(response, pl("Certificate not found"), status_code=404)
                self.assertContains(
                    response,
                    pl(
                        "If the certificate is still not found, contact the regional social policy centre that "
                        "the certificate names as its issuer, and give the certificate's number: the centre can "
                        "confirm whether it issued it."
                    ),
                    status_code=404,
                )

    def test_a_malformed_code_never_reaches_the_database(self):
        certificate = self.issue()
        code = certificate.verification_code
        for path in (
            f"/certyfikaty/{code}%00/",
            f"/certyfikaty/%00{code}/pdf/",
            "/certyfikaty/krotki/",
            f"/certyfikaty/{'a' * 65}/",
            f"/certyfikaty/{code[:12]}'--/",
            f"/certyfikaty/{code[:12]}%C5%BC%C3%B3%C5%82%C4%87/",
            f"/certyfikaty/{code[:12]}%0A/",
        ):
            with self.subTest(path=path), CaptureQueriesContext(connection) as queries:
                response = self.client.get(path)
                self.assertContains(response, pl("Certificate not found"), status_code=404)
                self.assertFalse([q for q in queries if "certificate" in q["sql"].lower()], path)
        # A path that leaves the certificate address altogether is the site's ordinary 404.
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(self.client.get("/certyfikaty/..%2F..%2Fetc%2Fpasswd/").status_code, 404)
        self.assertFalse([q for q in queries if "certificate" in q["sql"].lower()])


class UrlFetcherTests(TestCase):
    def setUp(self):
        self.media = tempfile.TemporaryDirectory()
        self.addCleanup(self.media.cleanup)
        self.enterContext(override_settings(MEDIA_ROOT=self.media.name))
        self.outside = tempfile.TemporaryDirectory()
        self.addCleanup(self.outside.cleanup)

    def test_it_serves_static_and_media_files_and_data_uris(self):
        stylesheet = certificates._stylesheet_path()
        result = certificates.url_fetcher(stylesheet.as_uri())
        with result["file_obj"] as file:
            self.assertIn(b"@page", file.read())
        self.assertEqual(result["mime_type"], "text/css")
        logo = Path(self.media.name) / "logos" / "a.png"
        logo.parent.mkdir()
        logo.write_bytes(png_logo().read())
        with certificates.url_fetcher(logo.as_uri())["file_obj"] as file:
            self.assertTrue(file.read().startswith(b"\x89PNG"))
        self.assertEqual(certificates.url_fetcher("data:text/plain,ok")["file_obj"].read(), b"ok")

    def test_it_refuses_other_files_remote_addresses_and_escapes(self):
        secret = Path(self.outside.name) / "secret.css"
        secret.write_text("body::after { content: 'LEAKED' }")
        (Path(self.media.name) / "link.css").symlink_to(secret)
        static_dir = certificates._stylesheet_path().parent
        refused = [
            "file:///etc/passwd",
            secret.as_uri(),
            f"{static_dir.as_uri()}/../../../../../../etc/passwd",
            f"{static_dir.as_uri()}/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
            (Path(self.media.name) / "link.css").as_uri(),
            "file://example.org/etc/passwd",
            "http://127.0.0.1:9/x.png",
            "https://example.org/logo.png",
            "ftp://example.org/logo.png",
            "/etc/passwd",
        ]
        for url in refused:
            with self.subTest(url=url), self.assertRaises(ValueError):
                certificates.url_fetcher(url)

    def test_rendering_hostile_html_fetches_nothing_outside_static_and_media(self):
        requests = []

        class Recorder(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                requests.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "text/css")
                self.end_headers()
                self.wfile.write(b"body::after { content: 'LEAKED-REMOTE' }")

            def log_message(self, *args):
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        remote = f"http://127.0.0.1:{server.server_address[1]}"
        secret = Path(self.outside.name) / "secret.css"
        secret.write_text("body::before { content: 'LEAKED-LOCAL' }")
        allowed = Path(self.media.name) / "allowed.css"
        allowed.write_text("body::before { content: 'ALLOWED-MEDIA' }")
        html = f"""<!DOCTYPE html><html><head>
            <link rel="stylesheet" href="{secret.as_uri()}">
            <link rel="stylesheet" href="{remote}/style.css">
            <link rel="stylesheet" href="{allowed.as_uri()}">
            <style>@import url("{remote}/imported.css");</style>
            </head><body><p>Treść</p>
            <img src="file:///etc/passwd"><img src="http://127.0.0.1:9/x.png"><img src="{remote}/logo.png">
            <object data="file:///etc/passwd"></object></body></html>"""
        text = pdf_text(certificates.render_html_pdf(html))
        self.assertEqual(requests, [])
        self.assertNotIn("LEAKED", text)
        self.assertNotIn("root:", text)
        # The same path does fetch what it may: the test would see a leak.
        self.assertIn("ALLOWED-MEDIA", text)

    def test_a_logo_name_escaping_media_is_left_out(self):
        self.assertEqual(certificates._media_uri("../../../../../../etc/passwd"), "")
        self.assertEqual(certificates._media_uri("logos/missing.png"), "")


class CertificateListPartialTests(CertificateTestCase):
    def test_the_partial_lists_number_kind_and_status_but_not_the_codes(self):
        revoked = self.issue()
        certificates.revoke(revoked, self.staff, "Wydany omyłkowo")
        valid = self.issue()
        member = certificates.issue_membership_certificates(self.partnership, self.staff, "Jan Testowy")[0]
        with translation.override("pl"):
            html = render_to_string(
                "partnerships/includes/certificates.html", {"certificates": [valid, revoked, member]}
            )
            self.assertIn(str(Certificate.Status.REVOKED.label), html)
            self.assertIn(str(Certificate.Status.VALID.label), html)
        for certificate in (valid, revoked, member):
            # The code is the holder's proof: printed on the paper, never published.
            self.assertNotIn(certificate.verification_code, html)
            self.assertIn(certificate.number, html)
        self.assertIn(member.snapshot["institution"]["name"], html)
        self.assertIn(
            pl("No certificates have been issued."),
            render_to_string("partnerships/includes/certificates.html", {"certificates": []}),
        )


class RateLimitClock:
    """django-ratelimit's clock, held still: a test's requests fall in one window whatever the
    second they start at, and moving on to the next window is a step of the test."""

    def __init__(self, now: int = 1_900_000_000):
        self.now = now

    def time(self) -> float:
        return self.now


LOCAL_CACHE = local_cache("rate-limits")


@override_settings(CACHES=LOCAL_CACHE, CERTIFICATE_VERIFICATIONS_PER_MINUTE=3, CERTIFICATE_PDFS_PER_MINUTE=2)
class CertificateRateLimitTests(CertificateTestCase):
    """The verification page and the PDF are limited per client address and minute, with a
    real (local memory) cache; the suite's dummy cache counts nothing."""

    CLIENT_A, CLIENT_B = "203.0.113.5", "198.51.100.7"

    def setUp(self):
        self.media = self.enterContext(tempfile.TemporaryDirectory())
        self.enterContext(override_settings(MEDIA_ROOT=self.media))
        self.clock = RateLimitClock()
        self.enterContext(mock.patch("django_ratelimit.core.time", self.clock))
        self.certificate = self.issue()

    def tearDown(self):
        from django.core.cache import cache

        cache.clear()

    def get(self, url: str, address: str = CLIENT_A, **headers):
        return self.client.get(url, REMOTE_ADDR=address, **headers)

    def assertLimited(self, response) -> int:
        """The 429 page, in Polish, with the wait in Retry-After and in words; the wait."""
        self.assertContains(response, "Zbyt wiele zapytań", status_code=429)
        seconds = int(response["Retry-After"])
        self.assertTrue(1 <= seconds <= 60, seconds)
        with translation.override("pl"):
            wait = ngettext(
                "Wait %(counter)s second and try again.", "Wait %(counter)s seconds and try again.", seconds
            ) % {"counter": seconds}
        self.assertContains(response, wait, status_code=429)
        self.assertIn("no-cache", response["Cache-Control"])
        return seconds

    def test_the_verification_page_is_limited_per_address_and_minute(self):
        url = self.certificate.get_absolute_url()
        for _request in range(3):
            self.assertContains(self.get(url), self.certificate.number)
        seconds = self.assertLimited(self.get(url))
        # Another address is not affected.
        self.assertContains(self.get(url, self.CLIENT_B), self.certificate.number)
        # A refused request runs no view: it is not counted as a verification.
        self.certificate.refresh_from_db()
        self.assertEqual(self.certificate.verification_count, 4)
        # Retry-After is exact: one second earlier still refused, then answered.
        self.clock.now += seconds - 1
        self.assertLimited(self.get(url))
        self.clock.now += 1
        self.assertContains(self.get(url), self.certificate.number)

    def test_the_pdf_is_limited_per_address_and_minute(self):
        url = self.certificate.get_pdf_url()
        for _request in range(2):
            self.assertEqual(self.get(url).status_code, 200)
        self.assertLimited(self.get(url))
        self.assertEqual(self.get(url, self.CLIENT_B).status_code, 200)
        # The verification page keeps its own budget.
        self.assertEqual(self.get(self.certificate.get_absolute_url()).status_code, 200)

    def test_a_request_without_a_client_address_is_answered_not_refused(self):
        # A server that gives no address (a Unix socket without a proxy count) has nothing to
        # count by; such a request gets its page, never an error.
        url = self.certificate.get_absolute_url()
        for _request in range(5):
            self.assertContains(self.get(url, address=""), self.certificate.number)

    def test_guessing_codes_is_limited_too(self):
        for _request in range(3):
            self.assertEqual(self.get("/certyfikaty/NieMaTakiegoKodu123/").status_code, 404)
        self.assertLimited(self.get("/certyfikaty/NieMaTakiegoKoduXYZ/"))

    @override_settings(PROXY_COUNT=1)
    def test_behind_a_proxy_each_client_has_its_own_budget(self):
        url = self.certificate.get_absolute_url()
        proxy = "10.0.0.2"
        for _request in range(3):
            self.assertEqual(self.get(url, proxy, HTTP_X_FORWARDED_FOR=self.CLIENT_A).status_code, 200)
        self.assertLimited(self.get(url, proxy, HTTP_X_FORWARDED_FOR=f"{self.CLIENT_B}, {self.CLIENT_A}"))
        self.assertEqual(self.get(url, proxy, HTTP_X_FORWARDED_FOR=self.CLIENT_B).status_code, 200)

    def test_without_a_proxy_a_forwarded_header_does_not_open_a_new_budget(self):
        url = self.certificate.get_absolute_url()
        for n in range(3):
            self.assertEqual(self.get(url, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code, 200)
        self.assertLimited(self.get(url, HTTP_X_FORWARDED_FOR="198.51.100.99"))


class StoredPdfTests(CertificateTestCase):
    """A certificate's PDF is rendered once per status (when it is issued, revoked or
    superseded, after the commit), kept in the media storage and served from there."""

    def setUp(self):
        self.media = self.enterContext(tempfile.TemporaryDirectory())
        self.enterContext(override_settings(MEDIA_ROOT=self.media))
        # Every certificate layout goes through render_html_documents: a spy counts them.
        self.renders = self.enterContext(
            mock.patch.object(certificates, "render_html_documents", wraps=certificates.render_html_documents)
        )

    def issue_and_commit(self, **kwargs) -> Certificate:
        with self.captureOnCommitCallbacks(execute=True):
            certificate = self.issue(**kwargs)
        certificate.refresh_from_db()
        return certificate

    def stored(self, certificate: Certificate) -> bytes:
        with certificate.pdf.storage.open(certificate.pdf.name, "rb") as file:
            return file.read()

    def test_the_pdf_is_rendered_when_issued_and_then_served_as_stored(self):
        certificate = self.issue_and_commit()
        self.assertRegex(certificate.pdf.name, STORED_NAME)
        self.assertEqual(self.renders.call_count, 1)
        stored = self.stored(certificate)
        self.assertIn(certificate.number, pdf_text(stored))
        self.assertEqual(self.served(certificate), stored)
        self.assertEqual(self.served(certificate), stored)
        self.assertEqual(self.renders.call_count, 1)

    def test_membership_certificates_issued_together_get_a_pdf_each(self):
        with self.captureOnCommitCallbacks(execute=True):
            issued = certificates.issue_membership_certificates(self.partnership, self.staff, "Jan Testowy")
        names = set()
        for certificate in issued:
            certificate.refresh_from_db()
            text = pdf_text(self.stored(certificate))
            self.assertIn(certificate.number, text)
            self.assertIn(certificate.snapshot["institution"]["name"], text)
            self.assertEqual(len(PdfReader(io.BytesIO(self.stored(certificate))).pages), 1)
            names.add(certificate.pdf.name)
        self.assertEqual(len(names), len(issued))

    def test_a_certificate_without_a_stored_pdf_is_rendered_on_its_first_request_only(self):
        # Issued before PDFs were kept, or its render after issue failed: the commit hook never ran.
        certificate = self.issue()
        self.assertFalse(certificate.pdf)
        first = self.served(certificate)
        self.assertEqual(self.renders.call_count, 1)
        certificate.refresh_from_db()
        self.assertRegex(certificate.pdf.name, STORED_NAME)
        self.assertEqual(self.stored(certificate), first)
        self.assertEqual(self.served(certificate), first)
        self.assertEqual(self.renders.call_count, 1)

    def test_a_missing_file_is_rendered_and_stored_again(self):
        certificate = self.issue_and_commit()
        certificate.pdf.storage.delete(certificate.pdf.name)
        with self.assertLogs("partnerships.certificates", "WARNING"):
            self.assertIn(certificate.number, pdf_text(self.served(certificate)))
        certificate.refresh_from_db()
        self.assertTrue(certificate.pdf.storage.exists(certificate.pdf.name))
        self.assertEqual(self.renders.call_count, 2)

    def test_a_render_that_fails_after_issue_leaves_the_certificate_issued(self):
        with (
            mock.patch.object(certificates, "store_pdfs", side_effect=OSError("no fonts")),
            self.assertLogs("django.test", "ERROR"),
        ):
            certificate = self.issue_and_commit()
        self.assertEqual(certificate.status, Certificate.Status.VALID)
        self.assertFalse(certificate.pdf)
        self.assertIn(certificate.number, pdf_text(self.served(certificate)))

    def test_revoking_stores_the_stamped_pdf_in_place_of_the_valid_one(self):
        certificate = self.issue_and_commit()
        valid_name = certificate.pdf.name
        self.assertNotIn(pl("REVOKED"), pdf_text(self.served(certificate)))
        with self.captureOnCommitCallbacks(execute=True):
            certificates.revoke(certificate, self.staff, "Wydany omyłkowo")
        certificate.refresh_from_db()
        self.assertRegex(certificate.pdf.name, STORED_NAME)
        self.assertNotEqual(certificate.pdf.name, valid_name)
        self.assertFalse(certificate.pdf.storage.exists(valid_name))
        renders = self.renders.call_count
        text = pdf_text(self.served(certificate))
        self.assertIn(pl("REVOKED"), text)
        with translation.override("pl"):
            self.assertIn(formats.date_format(timezone.localdate(), "j E Y"), text)
        self.assertEqual(self.renders.call_count, renders)
        self.assertEqual(os.listdir(Path(self.media) / "certificates"), [Path(certificate.pdf.name).name])

    def test_reissuing_stamps_the_old_pdf_and_stores_the_new_one(self):
        old = self.issue_and_commit()
        valid_name = old.pdf.name
        with self.captureOnCommitCallbacks(execute=True):
            new = certificates.reissue(old, self.staff)
        old.refresh_from_db()
        new.refresh_from_db()
        self.assertFalse(old.pdf.storage.exists(valid_name))
        self.assertIn(pl("SUPERSEDED"), pdf_text(self.served(old)))
        new_text = pdf_text(self.served(new))
        self.assertIn(new.number, new_text)
        self.assertNotIn(pl("SUPERSEDED"), new_text)
        self.assertEqual(
            sorted(os.listdir(Path(self.media) / "certificates")),
            sorted(Path(c.pdf.name).name for c in (old, new)),
        )

    def test_a_revocation_in_a_transaction_that_rolls_back_changes_no_file(self):
        certificate = self.issue_and_commit()
        with (
            self.captureOnCommitCallbacks(execute=True) as callbacks,
            self.assertRaises(RuntimeError),
            transaction.atomic(),
        ):
            certificates.revoke(certificate, self.staff, "Wydany omyłkowo")
            raise RuntimeError("rolled back")
        self.assertEqual(callbacks, [])
        certificate.refresh_from_db()
        self.assertEqual(certificate.status, Certificate.Status.VALID)
        self.assertTrue(certificate.pdf.storage.exists(certificate.pdf.name))

    def test_two_requests_rendering_at_once_keep_one_file(self):
        certificate = self.issue()
        first, second = Certificate.objects.get(pk=certificate.pk), Certificate.objects.get(pk=certificate.pk)
        self.assertTrue(certificates._store(first, b"%PDF-first"))
        self.assertFalse(certificates._store(second, b"%PDF-second"))
        certificate.refresh_from_db()
        self.assertEqual(self.stored(certificate), b"%PDF-first")
        self.assertEqual(os.listdir(Path(self.media) / "certificates"), [Path(certificate.pdf.name).name])

    def test_a_pdf_rendered_before_a_revocation_never_replaces_the_revoked_one(self):
        certificate = self.issue_and_commit()
        read_before = Certificate.objects.get(pk=certificate.pk)
        with self.captureOnCommitCallbacks(execute=True):
            certificates.revoke(certificate, self.staff, "Wydany omyłkowo")
        self.assertFalse(certificates._store(read_before, b"%PDF-valid-and-late"))
        certificate.refresh_from_db()
        self.assertIn(pl("REVOKED"), pdf_text(self.stored(certificate)))
        self.assertEqual(len(os.listdir(Path(self.media) / "certificates")), 1)

    def test_the_stored_file_is_not_served_under_media(self):
        certificate = self.issue_and_commit()
        self.assertEqual(self.client.get(f"/media/{certificate.pdf.name}").status_code, 404)
        self.assertNotIn(certificate.pdf.name, self.client.get(certificate.get_absolute_url()).content.decode())

    @override_settings(STORAGES=IN_MEMORY_STORAGE)
    def test_pdfs_go_through_the_storage_api_and_never_a_path(self):
        from django.core.files.storage import default_storage

        certificate = self.issue_and_commit()
        valid_name = certificate.pdf.name
        self.assertTrue(default_storage.exists(valid_name))
        self.assertEqual(self.served(certificate), self.stored(certificate))
        with self.captureOnCommitCallbacks(execute=True):
            certificates.revoke(certificate, self.staff, "Wydany omyłkowo")
        certificate.refresh_from_db()
        self.assertFalse(default_storage.exists(valid_name))
        self.assertIn(pl("REVOKED"), pdf_text(self.served(certificate)))
        # Rendered on its first request, and stored in the same storage.
        lazily = self.issue(self.other_partnership, self.superuser)
        self.assertIn(lazily.number, pdf_text(self.served(lazily)))
        lazily.refresh_from_db()
        self.assertTrue(default_storage.exists(lazily.pdf.name))
        self.assertEqual(
            sorted(default_storage.listdir("certificates")[1]),
            sorted(Path(c.pdf.name).name for c in (certificate, lazily)),
        )
        # Nothing reached the file system's media folder.
        self.assertEqual(os.listdir(self.media), [])
