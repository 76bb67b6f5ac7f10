"""The admin as a regional centre's staff member uses it, in a real browser: their region first
(issue 15, point 2), pickers that say what they are (point 5), and lists and forms that fit a
1366 px and a 1024 px screen without cutting names (point 6)."""

import datetime

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from playwright.sync_api import expect

from config.staff_group import sync_staff_group
from events.models import Project
from members.models import STAFF_GROUP, Institution, StaffProfile
from partnerships.models import Agreement, Membership
from territory.models import Commune
from tests import builders
from tests.e2e.conftest import assert_no_csp_violations

PASSWORD = "hasło-testowe-do-panelu"
LONG = "Stowarzyszenie na rzecz Rozwoju Przedsiębiorczości Społecznej i Aktywizacji Zawodowej"
TOWN = "Ostrów Mazowiecka (miasto, powiat ostrowski, mazowieckie)"
RURAL = "Ostrów Mazowiecka (gmina wiejska, powiat ostrowski, mazowieckie)"


@pytest.fixture
def registry(transactional_db):
    # The permissions as migrate creates them: a test class with serialized_rollback (the
    # backups') ends with a flush that skips post_migrate, so the first test after it finds none.
    ContentType.objects.clear_cache()
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    builders.load_territory()
    sync_staff_group()
    Commune.objects.create(
        code="1416011", name="Ostrów Mazowiecka", slug="ostrow-maz-miasto", county_id="1416", kind="1"
    )
    Commune.objects.create(
        code="1416072", name="Ostrów Mazowiecka", slug="ostrow-maz-gmina", county_id="1416", kind="2"
    )
    mcps = builders.institution("Mazowieckie Centrum Polityki Społecznej", kind=Institution.Kind.ROPS)
    builders.institution("Dolnośląski Ośrodek Polityki Społecznej", commune="0264011", kind=Institution.Kind.ROPS)
    staff = get_user_model().objects.create_user(
        "pracownik.mcps", password=PASSWORD, is_staff=True, first_name="Anna", last_name="Nowak"
    )
    staff.groups.add(Group.objects.get(name=STAFF_GROUP))
    StaffProfile.objects.create(user=staff, centre=mcps)
    members = [
        builders.institution(f"{LONG} nr {n} w Warszawie", kind=Institution.Kind.ASSOCIATION) for n in range(1, 5)
    ]
    own = builders.partnership(
        "Partnerstwo Lokalne na rzecz Włączenia Społecznego Mieszkańców Powiatu Ostrowskiego i Okolic",
        counties=["1416", "1465"],
        members=members,
        founded_on=datetime.date(2012, 1, 1),
        founded_precision="year",
        declared_member_count=9,
    )
    Membership.objects.filter(partnership=own).update(notes="Reprezentuje zarząd; kontakt przez sekretariat")
    Agreement.objects.create(partnership=own, title="Porozumienie o współpracy na rzecz włączenia społecznego")
    other = builders.partnership(
        "Partnerstwo Dolnośląskie na rzecz Aktywności Lokalnej", region="02", counties=["0264"]
    )
    # A project's long name: the events list's project filter must not widen its column.
    project = Project.objects.create(
        name="Projekt systemowy w zakresie podnoszenia kwalifikacji kadr pomocy i integracji społecznej "
        "oraz wzmacniania współpracy międzysektorowej na poziomie lokalnym",
        slug="projekt-systemowy",
    )
    builders.event(
        "Konferencja regionalna partnerstw lokalnych", start_date=datetime.date(2024, 5, 6), project=project
    )
    return {"own": own, "other": other, "member": members[0]}


def log_in(page) -> None:
    page.goto("/admin/login/")
    page.get_by_label("Nazwa użytkownika").fill("pracownik.mcps")
    page.get_by_label("Hasło").fill(PASSWORD)
    page.get_by_role("button", name="Zaloguj się").click()
    page.wait_for_url("**/admin/")


def test_staff_work_in_their_region_first(page, registry):
    log_in(page)
    region = page.locator(".registry-home")
    assert "Twój region: mazowieckie" in region.inner_text()
    assert "Mazowieckie Centrum Polityki Społecznej" in region.inner_text()
    worklist = page.locator("#worklist")
    assert "Partnerstwa deklarujące więcej członków, niż wymieniono" in worklist.inner_text()
    worklist.get_by_role("link", name="Partnerstwa deklarujące więcej członków, niż wymieniono").click()
    page.wait_for_url("**czlonkowie=brakuje**")
    expect(page.get_by_role("link", name=registry["own"].name)).to_be_visible()

    page.goto("/admin/partnerships/partnership/")
    assert page.get_by_role("link", name=registry["own"].name).is_visible()
    assert page.get_by_role("link", name=registry["other"].name).count() == 0
    page.get_by_role("link", name="wszystkie regiony").click()
    page.get_by_role("link", name=registry["other"].name).click()
    reason = page.locator("#read-only-reason")
    assert "dolnośląskie" in reason.inner_text()
    assert "Dolnośląski Ośrodek Polityki Społecznej" in reason.inner_text()
    assert page.locator("input[name=_save]").count() == 0
    assert_no_csp_violations(page)


def test_pickers_and_forms_say_what_they_are(page, registry):
    log_in(page)
    page.goto("/admin/members/institution/add/")
    page.locator(".field-commune .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill("Ostrów")
    options = page.locator(".select2-results__option")
    expect(options).to_have_count(2)
    assert sorted(options.all_inner_texts()) == sorted([TOWN, RURAL])
    page.keyboard.press("Escape")
    assert page.locator("#id_country option:checked").inner_text() == "Polska"
    assert page.locator("#id_country option[value=GB]").inner_text() == "Wielka Brytania"

    # The founding date typed as a year stays a year.
    page.goto(f"/admin/partnerships/partnership/{registry['own'].pk}/change/")
    founded = page.locator("#id_founded")
    assert founded.input_value() == "2012"
    founded.fill("03.2014")
    page.get_by_role("button", name="Zapisz i kontynuuj edycję").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#id_founded").input_value() == "03.2014"
    # A member is picked by name, kind and place.
    page.locator("#memberships-group .add-row a").click()
    row = page.locator("#memberships-4")
    row.locator(".field-institution .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill("Centrum Polityki")
    option = page.locator(".select2-results__option", has_text="Mazowieckie Centrum Polityki Społecznej")
    option.wait_for()
    assert "regionalny ośrodek polityki społecznej" in option.inner_text().lower()
    assert "Warszawa" in option.inner_text()
    assert_no_csp_violations(page)


def pages_to_fit(registry) -> list[str]:
    own = registry["own"]
    return [
        "/admin/",
        "/admin/partnerships/partnership/?zakres=wszystkie",
        f"/admin/partnerships/partnership/{own.pk}/change/",
        f"/admin/partnerships/partnership/{own.pk}/history/",
        "/admin/partnerships/agreement/",
        f"/admin/partnerships/agreement/{own.agreements.get().pk}/change/",
        "/admin/partnerships/certificate/",
        "/admin/members/institution/",
        f"/admin/members/institution/{registry['member'].pk}/change/",
        "/admin/members/institution/add/",
        "/admin/members/person/",
        "/admin/members/person/add/",
        "/admin/events/event/",
        "/admin/events/event/add/",
        "/admin/events/project/",
        "/admin/events/project/add/",
        "/admin/partnerships/partnership/add/",
    ]


@pytest.mark.parametrize("width", [1366, 1024])
def test_lists_and_forms_fit_the_screen_without_cutting_names(page, registry, width):
    log_in(page)
    page.set_viewport_size({"width": width, "height": 900})
    too_wide = {}
    for url in pages_to_fit(registry):
        page.goto(url)
        page.wait_for_load_state("networkidle")
        scroll, viewport = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if scroll > viewport:
            too_wide[url] = scroll
        # A list's table scrolls inside its box when it is wider than it: cut on screen.
        table, room = page.evaluate(
            "(() => { const t = document.querySelector('#result_list');"
            " return t ? [t.offsetWidth, t.closest('.results').clientWidth] : [0, 0]; })()"
        )
        if table > room:
            too_wide[url] = f"list {table} px in {room} px"
    assert not too_wide, f"pages wider than {width} px: {too_wide}"

    # The members' names are shown whole in their rows, not cut off.
    page.goto(f"/admin/partnerships/partnership/{registry['own'].pk}/change/")
    names = page.locator("#memberships-group .field-institution .select2-selection__rendered")
    assert names.count() == 4
    for i in range(4):
        cut = names.nth(i).evaluate("e => e.scrollWidth > e.clientWidth + 1")
        assert not cut, f"member name cut at {width} px: {names.nth(i).inner_text()}"
    # The list shows a 90-letter partnership name on at most three lines (four on a 1024 px
    # laptop), and all its columns.
    page.goto("/admin/partnerships/partnership/")
    lines = page.locator("#result_list th.field-name a").first.evaluate("e => e.getClientRects().length")
    assert lines <= (3 if width >= 1366 else 4), f"partnership name on {lines} lines at {width} px"
    table, room = page.evaluate(
        "[document.querySelector('#result_list').offsetWidth, document.querySelector('.results').clientWidth]"
    )
    assert table <= room, f"the list is {table} px wide in {room} px at {width} px"
