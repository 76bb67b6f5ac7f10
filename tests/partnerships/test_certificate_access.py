"""Certificates for everyone: the look-up page at /certyfikaty/, the verification page's panels,
numbers linked where the holder published the verification, and a PDF that a screen reader can
read (tagged PDF/UA-1, in Polish, in reading order)."""

import io
import re
import subprocess

from django.test import override_settings
from django.urls import reverse
from pypdf import PdfReader

from partnerships import certificates
from partnerships.models import Certificate
from tests.partnerships import test_certificates as base
from tests.partnerships.test_certificates import LOCAL_CACHE, CertificateTestCase, pdf_text, pl, require

LOOKUP = "/certyfikaty/"


def pdf_info(pdf: bytes) -> dict[str, str]:
    """pdfinfo's fields (poppler): Tagged, Title, PDF version, …"""
    result = subprocess.run([require("pdfinfo"), "-"], input=pdf, capture_output=True, check=True)
    fields = {}
    for line in result.stdout.decode("utf-8").splitlines():
        name, _, value = line.partition(":")
        fields[name.strip()] = value.strip()
    return fields


def structure_tags(node) -> list[tuple[str, str | None]]:
    """(tag, alternative text) of every element of a PDF's structure tree, in reading order."""
    node = node.get_object()
    if isinstance(node, list):
        return [tag for child in node for tag in structure_tags(child)]
    if not hasattr(node, "get"):
        return []  # a marked-content identifier: the text itself
    tags = [(str(node["/S"]), node.get("/Alt"))] if "/S" in node else []
    return tags + (structure_tags(node["/K"]) if "/K" in node else [])


class AccessiblePdfTests(CertificateTestCase):
    def test_the_pdf_is_tagged_with_its_title_and_polish_language(self):
        certificate = self.issue()
        pdf = certificates.render_pdf(certificate)
        info = pdf_info(pdf)
        self.assertEqual(info["Tagged"], "yes")
        self.assertIn(certificate.number, info["Title"])
        catalogue = PdfReader(io.BytesIO(pdf)).trailer["/Root"]
        # The document's language, which a screen reader uses to pick its voice.
        self.assertEqual(catalogue["/Lang"], "pl")
        self.assertTrue(catalogue["/MarkInfo"]["/Marked"])
        # PDF/UA-1's identification in the XMP metadata, and the title shown instead of the file name.
        metadata = catalogue["/Metadata"].get_object().get_data()
        self.assertIn(b"pdfuaid:part", metadata)
        self.assertTrue(catalogue["/ViewerPreferences"]["/DisplayDocTitle"])

    def test_the_structure_meets_pdf_ua_checkpoints_a_validator_would_check(self):
        # veraPDF does not install from the registries this machine reaches; these are the
        # machine-checkable checkpoints of PDF/UA-1 (the Matterhorn Protocol) a reader relies on.
        certificate = self.issue()
        reader = PdfReader(io.BytesIO(certificates.render_pdf(certificate)))
        tags = structure_tags(reader.trailer["/Root"]["/StructTreeRoot"])
        names = [name for name, _alt in tags]
        # A heading first, then the members as a list (13-004: figures with alternative text).
        self.assertEqual(names.count("/H1"), 1)
        self.assertLess(names.index("/H1"), names.index("/L"))
        self.assertGreaterEqual(names.count("/LI"), 1)
        figures = [alt for name, alt in tags if name == "/Figure"]
        self.assertTrue(figures)
        self.assertTrue(all(alt and alt.strip() for alt in figures), figures)
        for page in reader.pages:
            # 09-004: tab order follows the structure; 31-001: every font embedded.
            self.assertEqual(page["/Tabs"], "/S")
            for font in page["/Resources"]["/Font"].values():
                font = font.get_object()
                if "/DescendantFonts" in font:
                    font = font["/DescendantFonts"][0].get_object()
                descriptor = font["/FontDescriptor"].get_object()
                self.assertTrue({"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), font["/BaseFont"])

    def test_the_stored_and_served_pdf_is_tagged_too(self):
        certificate = self.issue()
        self.assertEqual(pdf_info(self.served(certificate))["Tagged"], "yes")

    def test_the_text_is_read_in_order_title_partnership_members_address_date_signatory(self):
        certificate = self.issue(signatory_name="Jan Testowy")
        text = pdf_text(certificates.render_pdf(certificate))
        # The page's order, left to right along its foot: what to verify, where and when, who signed.
        order = [
            pl("Certificate of a local partnership"),
            certificate.number,
            "Partnerstwo",
            "Sąd Rejonowy dla Łodzi-Śródmieścia",
            certificate.verification_code,
            "Warszawa, 11 grudnia 2014 r.",
            "Jan Testowy",
        ]
        positions = [text.find(part) for part in order]
        self.assertNotIn(-1, positions, text)
        self.assertEqual(positions, sorted(positions), text)


class LookupTests(CertificateTestCase):
    def test_the_page_offers_a_form_for_the_code(self):
        response = self.client.get(LOOKUP)
        self.assertContains(response, pl("Verify a certificate"))
        self.assertContains(response, 'name="kod"')
        self.assertEqual(reverse("certificates:certificate_lookup"), LOOKUP)

    def test_a_code_as_typed_from_paper_leads_to_its_verification_page(self):
        certificate = self.issue()
        for typed in (
            certificate.verification_code,
            certificate.verification_code.upper(),
            f"  {certificate.verification_code[:13]} {certificate.verification_code[13:]} ",
            certificate.public_url,
        ):
            with self.subTest(typed=typed):
                response = self.client.get(LOOKUP, {"kod": typed})
                self.assertRedirects(response, certificate.get_absolute_url(), fetch_redirect_response=False)

    def test_an_unknown_code_is_a_404_with_the_form_and_a_polish_error(self):
        self.issue()
        response = self.client.get(LOOKUP, {"kod": "abcdefghijklmnopqrstuvwxyz"})
        self.assertContains(
            response,
            pl("No certificate in the registry has this code or number. Check it against the paper."),
            status_code=404,
        )
        self.assertContains(response, 'aria-invalid="true"', status_code=404)
        for hostile in ("<script>", "x" * 500, "'; DROP TABLE", "\x00"):
            with self.subTest(hostile=hostile):
                self.assertIn(self.client.get(LOOKUP, {"kod": hostile}).status_code, (200, 404))

    def test_a_number_does_not_reveal_the_code_unless_the_holder_published_it(self):
        certificate = self.issue()
        response = self.client.get(LOOKUP, {"kod": certificate.number})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, certificate.number)
        self.assertContains(response, PARTNERSHIP_NAME_PART)
        self.assertNotContains(response, certificate.verification_code)
        Certificate.objects.filter(pk=certificate.pk).update(verification_published=True)
        response = self.client.get(LOOKUP, {"kod": certificate.number.lower()})
        self.assertRedirects(response, certificate.get_absolute_url(), fetch_redirect_response=False)


PARTNERSHIP_NAME_PART = "Partnerstwo"


@override_settings(CACHES=LOCAL_CACHE, CERTIFICATE_VERIFICATIONS_PER_MINUTE=3)
class LookupRateLimitTests(CertificateTestCase):
    """The look-up is a verification attempt: it counts against the same budget (3 a minute here)."""

    # The verification page's rate-limit fixture (a real cache, a still clock), not its tests.
    CLIENT_A, CLIENT_B = base.CertificateRateLimitTests.CLIENT_A, base.CertificateRateLimitTests.CLIENT_B
    setUp = base.CertificateRateLimitTests.setUp
    tearDown = base.CertificateRateLimitTests.tearDown
    get = base.CertificateRateLimitTests.get
    assertLimited = base.CertificateRateLimitTests.assertLimited

    def test_lookups_share_the_verification_rate_limit(self):
        self.get(LOOKUP + "?kod=abcdefghijklmnopqrstuvwxyz")
        self.get(self.certificate.get_absolute_url())
        self.get(LOOKUP + "?kod=" + self.certificate.verification_code)
        self.assertLimited(self.get(LOOKUP + "?kod=" + self.certificate.verification_code))
        self.assertEqual(self.get(LOOKUP, self.CLIENT_B).status_code, 200)


class VerificationPanelTests(CertificateTestCase):
    def test_valid_is_a_green_panel_and_revoked_a_red_one(self):
        certificate = self.issue()
        self.assertContains(self.client.get(certificate.get_absolute_url()), 'class="panel panel--valid"')
        certificates.revoke(certificate, self.staff, "Wydany omyłkowo")
        response = self.client.get(certificate.get_absolute_url())
        self.assertContains(response, 'class="panel panel--revoked"')
        self.assertNotContains(response, "panel--valid")

    def test_the_panels_colours_meet_aa_contrast(self):
        css = (require_static("css/site.css")).read_text(encoding="utf-8")
        for kind in ("valid", "revoked", "superseded"):
            rule = re.search(rf"\.panel--{kind} \{{([^}}]*)\}}", css).group(1)
            background = re.search(r"background: (#[0-9a-f]{6})", rule).group(1)
            colour = re.search(r"[^-]color: (#[0-9a-f]{6})", rule).group(1)
            border = re.search(r"border-color: (#[0-9a-f]{6})", rule).group(1)
            with self.subTest(kind=kind):
                self.assertGreaterEqual(contrast(colour, background), 4.5)
                # The border carries the meaning too (WCAG 1.4.11, 3:1 against the page).
                self.assertGreaterEqual(contrast(border, "#ffffff"), 3)

    def test_the_not_found_page_no_longer_says_letter_case_matters(self):
        response = self.client.get("/certyfikaty/NieMaTakiegoKodu123/")
        self.assertNotContains(response, "z zachowaniem wielkości liter", status_code=404)
        self.assertContains(response, "wielkość liter nie ma znaczenia", status_code=404)
        self.assertContains(response, f'href="{LOOKUP}"', status_code=404)


class PublishedVerificationTests(CertificateTestCase):
    def test_a_number_links_to_its_verification_only_where_the_holder_published_it(self):
        certificate = self.issue()
        url = self.partnership.get_absolute_url()
        response = self.client.get(url)
        self.assertContains(response, certificate.number)
        self.assertNotContains(response, certificate.verification_code)
        certificates.set_verification_published(certificate, self.staff, True)
        self.assertContains(
            self.client.get(url), f'<a href="{certificate.get_absolute_url()}">{certificate.number}</a>', html=True
        )

    def test_staff_of_another_region_cannot_publish_the_verification(self):
        from django.core.exceptions import PermissionDenied

        certificate = self.issue()
        with self.assertRaises(PermissionDenied):
            certificates.set_verification_published(certificate, self.other_staff, True)
        certificate.refresh_from_db()
        self.assertFalse(certificate.verification_published)


def require_static(name: str):
    from django.contrib.staticfiles import finders

    return __import__("pathlib").Path(finders.find(name))


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    """WCAG 2's contrast ratio of two #rrggbb colours."""
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)
