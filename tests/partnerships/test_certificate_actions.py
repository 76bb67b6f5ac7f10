import io

from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from pypdf import PdfReader

from partnerships.models import Certificate, Membership
from tests.builders import AdminTestCase, admin_url

ISSUE = {"signatory_name": "Jan Testowy", "signatory_function": "dyrektor", "issued_on": "2026-11-23"}


class CertificateAdminTests(AdminTestCase):
    def setUp(self):
        self.client.force_login(self.staff)
        Membership.objects.create(partnership=self.own_partnership, institution=self.own_institution)
        Membership.objects.create(partnership=self.own_partnership, institution=self.mcps)

    def issue(self, partnership, kind="partnership"):
        # From the list of every region (a staff user's list opens on their own region).
        return self.client.post(
            admin_url(partnership, "changelist") + "?zakres=wszystkie",
            {
                "action": "issue_certificates",
                ACTION_CHECKBOX_NAME: [partnership.pk],
                "apply": "1",
                "kind": kind,
                **ISSUE,
            },
        )

    def test_the_action_asks_for_the_signatory_first_and_issues_nothing_yet(self):
        response = self.client.post(
            admin_url(self.own_partnership, "changelist"),
            {"action": "issue_certificates", ACTION_CHECKBOX_NAME: [self.own_partnership.pk]},
        )
        self.assertContains(response, "Podpisujący")
        self.assertFalse(Certificate.objects.exists())

    def test_staff_issue_a_partnership_certificate_for_their_own_region(self):
        response = self.issue(self.own_partnership)
        certificate = Certificate.objects.get()
        self.assertRedirects(response, admin_url(Certificate, "changelist") + f"?id__in={certificate.pk}")
        self.assertRegex(certificate.number, r"^RPL/14/2026/\d{5}$")
        self.assertEqual(certificate.signatory_name, "Jan Testowy")

    def test_membership_certificates_for_every_current_member_from_the_partnership_page(self):
        url = admin_url(self.own_partnership, "issue_certificates", self.own_partnership.pk)
        self.assertContains(self.client.get(url), "Podpisujący")
        self.client.post(url, {"apply": "1", "kind": "membership", **ISSUE})
        self.assertEqual(
            set(Certificate.objects.values_list("institution", flat=True)), {self.own_institution.pk, self.mcps.pk}
        )
        change_page = self.client.get(admin_url(self.own_partnership, "change"))
        self.assertContains(change_page, url)

    def test_staff_of_another_region_cannot_issue(self):
        response = self.issue(self.other_partnership)
        self.assertEqual(response.status_code, 302)
        self.assertFalse(Certificate.objects.exists())
        # The message the staff member reads on the page the action returns to.
        self.assertContains(self.client.get(response["Location"]), "własnego województwa")

    def test_revoke_needs_a_reason_then_revokes(self):
        self.issue(self.own_partnership)
        certificate = Certificate.objects.get()
        data = {"action": "revoke_certificates", ACTION_CHECKBOX_NAME: [certificate.pk], "apply": "1"}
        response = self.client.post(admin_url(Certificate, "changelist"), data)
        self.assertContains(response, "To pole jest wymagane")
        self.assertEqual(Certificate.objects.get().status, Certificate.Status.VALID)
        self.client.post(admin_url(Certificate, "changelist"), {**data, "reason": "Partnerstwo rozwiązane"})
        certificate.refresh_from_db()
        self.assertEqual((certificate.status, certificate.revocation_reason), ("revoked", "Partnerstwo rozwiązane"))

    def test_reissue_supersedes_the_old_certificate(self):
        self.issue(self.own_partnership)
        old = Certificate.objects.get()
        self.client.post(
            admin_url(Certificate, "changelist"), {"action": "reissue_certificates", ACTION_CHECKBOX_NAME: [old.pk]}
        )
        old.refresh_from_db()
        self.assertEqual(old.status, Certificate.Status.SUPERSEDED)
        self.assertEqual(old.superseded_by.status, Certificate.Status.VALID)

    def test_a_selection_downloads_as_one_multi_page_pdf(self):
        url = admin_url(self.own_partnership, "issue_certificates", self.own_partnership.pk)
        self.client.post(url, {"apply": "1", "kind": "membership", **ISSUE})
        ids = list(Certificate.objects.values_list("pk", flat=True))
        response = self.client.post(
            admin_url(Certificate, "changelist"), {"action": "download_pdf", ACTION_CHECKBOX_NAME: ids}
        )
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertEqual(len(PdfReader(io.BytesIO(response.content)).pages), 2)

    def test_certificates_cannot_be_edited_or_deleted_in_the_admin(self):
        self.client.force_login(self.superuser)
        self.issue(self.own_partnership)
        certificate = Certificate.objects.get()
        page = self.client.get(admin_url(certificate, "change"))
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, 'name="_save"')
        self.assertEqual(self.client.post(admin_url(certificate, "delete"), {"post": "yes"}).status_code, 403)
        self.assertTrue(Certificate.objects.filter(pk=certificate.pk).exists())
