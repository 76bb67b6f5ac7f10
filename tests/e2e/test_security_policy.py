"""The Content Security Policy is one the pages actually satisfy: the staff admin's pages, its
widgets (autocomplete, calendar, inline rows) and the history pages run with nothing blocked.
(The public pages are checked by ``assert_accessible`` in every other browser test.)"""

import datetime

import pytest
from django.contrib.auth import get_user_model

from members.models import Institution
from tests import builders
from tests.e2e.conftest import assert_no_csp_violations

PASSWORD = "hasło-testowe-do-panelu"


@pytest.fixture
def staff_registry(transactional_db):
    builders.load_territory()
    get_user_model().objects.create_superuser("administrator", password=PASSWORD)
    member = builders.institution("Ośrodek testowy", commune="1465011", kind=Institution.Kind.MOPS)
    partnership = builders.partnership("Partnerstwo testowe", counties=["1465"], members=[member])
    partnership.goal = "Cel"
    partnership.save()
    builders.event("Wydarzenie testowe", commune="1465011", start_date=datetime.date(2014, 1, 1))
    return partnership


def test_the_admin_works_under_the_policy(page, staff_registry):
    page.goto("/admin/login/")
    page.get_by_label("Nazwa użytkownika").fill("administrator")
    page.get_by_label("Hasło").fill(PASSWORD)
    page.get_by_role("button", name="Zaloguj się").click()
    page.wait_for_url("**/admin/")
    assert "Rejestr Partnerstw Lokalnych" in page.content()

    page.goto("/admin/partnerships/partnership/")
    page.get_by_role("link", name="Partnerstwo testowe").click()
    page.wait_for_load_state("networkidle")
    # The autocomplete (select2) opens and lists choices from the server.
    page.locator(".field-area_counties .select2-selection").click()
    page.locator(".field-area_counties .select2-search__field").fill("ostro")
    page.locator(".select2-results__option", has_text="ostrowski").first.wait_for()
    page.keyboard.press("Escape")
    # The calendar of a date field and a new inline row.
    page.locator("#id_last_verified_on").scroll_into_view_if_needed()
    page.locator(".field-last_verified_on .date-icon").first.click()
    page.locator(".calendarbox:visible").wait_for()
    page.locator("#memberships-group .add-row a").click()
    page.locator("#memberships-1").wait_for()
    assert_no_csp_violations(page)

    page.get_by_role("button", name="Zapisz i kontynuuj edycję").click()
    page.wait_for_load_state("networkidle")
    for url in (
        f"/admin/partnerships/partnership/{staff_registry.pk}/history/",
        "/admin/partnerships/partnership/deleted/",
        "/admin/members/institution/add/",
        "/admin/events/event/",
        "/admin/territory/county/",
        "/admin/auth/user/",
    ):
        page.goto(url)
        page.wait_for_load_state("networkidle")
        assert_no_csp_violations(page)
