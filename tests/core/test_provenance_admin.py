"""Sources and judgements are kept on a record's change form, by the staff of its region."""

from django.contrib.auth.models import Permission

from core.models import Citation, Source
from tests.builders import AdminTestCase, admin_url, form_data


class CitationInlineTests(AdminTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.staff.groups.get().permissions.add(*Permission.objects.filter(content_type__app_label="core"))
        cls.source = Source.objects.create(key="uchwala", title="Uchwała nr 1", description="uchwała")

    def post_citation(self, user, partnership):
        self.client.force_login(user)
        url = admin_url(partnership, "change")
        page = self.client.get(url)
        data = form_data(page)
        prefix = next(
            inline.formset.prefix
            for inline in page.context["inline_admin_formsets"]
            if inline.formset.model is Citation
        )
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "1",
                f"{prefix}-0-source": str(self.source.pk),
                f"{prefix}-0-field": "status",
                f"{prefix}-0-quote": "Partnerstwo działa.",
            }
        )
        return self.client.post(url, data)

    def test_staff_cite_a_source_for_their_own_regions_record_and_the_page_shows_it(self):
        response = self.post_citation(self.staff, self.own_partnership)
        self.assertEqual(response.status_code, 302)
        citation = Citation.objects.get()
        self.assertEqual((citation.record, citation.field), (self.own_partnership, "status"))
        self.assertEqual(citation.region_id, "14")
        page = self.client.get(self.own_partnership.get_absolute_url())
        self.assertContains(page, "Uchwała nr 1")
        self.assertContains(page, "„Partnerstwo działa.”")

    def test_staff_of_another_region_cannot_cite_for_it(self):
        response = self.post_citation(self.other_staff, self.own_partnership)
        self.assertNotEqual(response.status_code, 302)
        self.assertFalse(Citation.objects.exists())
