"""What every admin changelist must hold at national scale, checked per app
(tests/<app>/test_admin_changelists.py): the same number of queries at a few rows and at many,
as it opens, searched, and with each of its list filters applied, for a superuser and for
regional staff. A query per row, a filter whose choices grow with the table or a count of
the whole table beside the filtered one would each show here as a number that grows."""

from unittest import mock

from django.contrib import admin
from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import builders

# A fixed page: session, user, region, permissions, each filter's choices (cold cache), the
# count (on PostgreSQL the planner's estimate first), the page's ids and its rows.
MOST_QUERIES = 16


def changelist_urls(model, user, term: str) -> list[str]:
    """The changelist as it opens, searched for ``term``, and with each list filter set to the
    first value it offers (as a user clicks it in the sidebar)."""
    model_admin = admin.site.get_model_admin(model)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    request = RequestFactory().get(url)
    request.user = user
    urls = [url]
    if model_admin.get_search_fields(request):
        urls.append(f"{url}?q={term}")
    changelist = model_admin.get_changelist_instance(request)
    for spec in changelist.filter_specs:
        choice = next((c for c in spec.choices(changelist) if not c["selected"]), None)
        if choice is not None:
            # A drop-down filter (core.admin.SelectRelatedFilter) gives its values, not links.
            query = choice.get("query_string") or f"?{spec.lookup_kwarg}={choice['value']}"
            urls.append(url + query)
    return urls


class ChangelistQueriesMixin:
    """For an AdminTestCase: ``changelists`` maps each model to the search term that finds
    some of its rows; ``grow(model)`` adds rows of it in two regions."""

    changelists: dict = {}

    def grow(self, model, count: int) -> None:
        for _ in range(count):
            for region in (builders.MAZOWIECKIE, builders.DOLNOSLASKIE):
                builders.build(model, region)

    def request_of(self, user):
        request = RequestFactory().get("/admin/")
        request.user = user
        return request

    def queries_of(self, url: str) -> int:
        # Cold: every page computes what a new data generation would (the cached choices too).
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(url)
        self.assertEqual(response.status_code, 200, url)
        return len(queries)

    def test_a_page_number_past_the_end_is_never_a_server_error(self):
        self.client.force_login(self.superuser)
        for model in self.changelists:
            url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
            for page in ("2", "99", "0", "x"):
                with self.subTest(model=model._meta.label, page=page):
                    response = self.client.get(url, {"p": page})
                    # A list that fits on one page shows it; Django sends a bad page to "?e=1".
                    self.assertIn(response.status_code, (200, 302))

    def test_queries_do_not_grow_with_the_rows(self):
        for model, term in self.changelists.items():
            # Pages of 3 rows: a few rows already fill several pages, as 100,000 do.
            with mock.patch.object(admin.site.get_model_admin(model), "list_per_page", 3):
                self.check_queries(model, term)

    def check_queries(self, model, term: str) -> None:
        for user in (self.superuser, self.staff):
            if not admin.site.get_model_admin(model).has_view_permission(self.request_of(user)):
                continue  # who works where: superusers only
            self.grow(model, 4)
            self.client.force_login(user)
            urls = changelist_urls(model, user, term)
            few = {url: self.queries_of(url) for url in urls}
            self.grow(model, 12)
            many = {url: self.queries_of(url) for url in urls}
            for url in urls:
                with self.subTest(model=model.__name__, user=user.username, url=url):
                    self.assertEqual(many[url], few[url])
                    self.assertLessEqual(many[url], MOST_QUERIES)
