"""A project is listed (/projekty/, the sitemap, the API) only when it has a page of its own."""

from django.core.cache import cache
from django.test import TestCase

from events.models import Project


class ProjectsWithPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.with_page = Project.objects.create(name="Projekt ze stroną", slug="ze-strona")
        # save() gives every project a slug; rows written in bulk (older data) may have none.
        cls.without_page = Project.objects.create(name="Projekt bez strony")
        Project.objects.filter(pk=cls.without_page.pk).update(slug=None)

    def setUp(self):
        cache.clear()

    def test_only_a_project_with_a_slug_is_listed_everywhere(self):
        self.assertEqual(list(Project.objects.with_page()), [self.with_page])
        page = self.client.get("/projekty/").content.decode()
        self.assertIn("Projekt ze stroną", page)
        self.assertNotIn("Projekt bez strony", page)
        sitemap = self.client.get("/sitemap-pages.xml").content.decode()
        self.assertIn("/projekty/ze-strona/", sitemap)
        api = self.client.get("/api/v1/projekty/").json()
        self.assertEqual([row["slug"] for row in api["results"]], ["ze-strona"])
