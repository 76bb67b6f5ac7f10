"""Every public page on a phone (WCAG 2.1 1.4.10 Reflow): at 320 and 390 CSS px nothing scrolls
sideways, in Polish and in English; axe-core still finds nothing; on a list the first result is
on the first screen, the filters folded above it, and beside the results on a wide screen."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.urls import Resolver404, resolve

from events.models import Project, Speaker
from members.models import Institution
from partnerships import certificates, dumps
from partnerships.models import Membership
from territory.models import County
from tests import builders
from tests.e2e.conftest import assert_accessible

PHONES = (320, 390)
LONG = "Stowarzyszenie na rzecz przeciwdziałania wykluczeniu społecznemu i ubóstwu mieszkańców powiatu"
UNBREAKABLE = "Konstantynopolitańczykowianeczka" * 3


@pytest.fixture
def every_kind(transactional_db):
    """One record of each kind, with long names and long unbroken words, and every page's path."""
    builders.load_territory()
    County.objects.filter(code__in=["1416", "1432", "1465"]).update(outline="M300 200 340 200 340 240 300 240Z")
    mops = builders.institution(
        f"Miejski Ośrodek Pomocy Społecznej {UNBREAKABLE}", commune="1465011", kind=Institution.Kind.MOPS
    )
    # A drop-down option as long as a real project's name.
    Project.objects.create(name=f"{LONG} — projekt o bardzo długiej nazwie w programie operacyjnym", operator=mops)
    court = builders.institution(LONG, commune="1465011", kind=Institution.Kind.COURT)
    partnership = builders.partnership(
        f"Partnerstwo lokalne {LONG}",
        counties=["1416"],
        members=[mops, court],
        founded_on=datetime.date(2012, 1, 1),
        description=f"Opis z adresem https://example.org/{UNBREAKABLE}/{UNBREAKABLE} i długim słowem {UNBREAKABLE}.",
    )
    Membership.objects.filter(institution=mops).update(role=Membership.Role.LEADER)
    event = builders.event(f"Konferencja {LONG}", commune="1465011", start_date=datetime.date(2007, 9, 27))
    speaker = builders.person(mops, last_name=UNBREAKABLE)
    Speaker.objects.create(event=event, person=speaker, topic=LONG)
    user = get_user_model().objects.create_superuser("administrator", password="hasło-testowe-3")
    valid = certificates.issue_partnership_certificate(partnership, user, "Jan Testowy", "dyrektor")
    other = builders.partnership("Partnerstwo odwołane", counties=["1465"], members=[court])
    revoked = certificates.issue_partnership_certificate(other, user, "Jan Testowy", "dyrektor")
    certificates.revoke(revoked, user, f"Wydany omyłkowo {UNBREAKABLE}")
    # /dane/ lists a dump, with its 64-character checksums (into the suite's throwaway media).
    dumps.publish(keep=1)
    paths = [
        "/",
        "/partnerstwa/",
        "/partnerstwa/?q=partnerstwo",
        "/partnerstwa/?q=nic-takiego-nie-ma",
        partnership.get_absolute_url(),
        "/instytucje/",
        "/instytucje/?q=osrodek",
        mops.get_absolute_url(),
        "/wydarzenia/",
        event.get_absolute_url(),
        "/powiaty/",
        "/powiaty/1416/",
        "/powiaty/1465/",
        "/certyfikaty/",
        f"/certyfikaty/?kod={valid.number}",
        "/certyfikaty/?kod=nieznanykodnieznanykod",
        valid.get_absolute_url(),
        revoked.get_absolute_url(),
        "/certyfikaty/NieMaTakiegoKodu123/",
        "/deklaracja-dostepnosci/",
        "/nie-ma-takiej-strony/",
    ]
    # The pages other parts of the registry add, where this version has them.
    optional_paths = ["/dane/", "/gminy/1465011/", "/projekty/", "/zasady/", "/statystyki/"]
    optional_paths += [f"/poprawki/partnerstwo/{partnership.pk}/", "/poprawki/dziekujemy/"]
    for optional in optional_paths:
        try:
            resolve(optional)
        except Resolver404:
            continue
        paths.append(optional)
    return paths


def horizontal_overflow(page) -> dict | None:
    """How far the page is wider than the window, and its widest element; None if it fits."""
    return page.evaluate(
        """() => {
            const width = window.innerWidth;
            const total = document.documentElement.scrollWidth;
            if (total <= width) return null;
            let widest = null;
            for (const element of document.querySelectorAll('body *')) {
                const right = element.getBoundingClientRect().right;
                if (right > width && (!widest || right > widest.right)) {
                    const text = (element.textContent || '').slice(0, 60);
                    widest = {right, tag: element.tagName, cls: element.className.toString(), text};
                }
            }
            return {scrollWidth: total, innerWidth: width, widest};
        }"""
    )


def test_every_public_page_reflows_at_320_and_390_px_in_both_languages(page, every_kind):
    problems = []
    for prefix in ("", "/en"):
        for path in every_kind:
            for width in PHONES:
                page.set_viewport_size({"width": width, "height": 700})
                page.goto(prefix + path)
                overflow = horizontal_overflow(page)
                if overflow:
                    problems.append((prefix + path, width, overflow))
    assert not problems, "Pages that scroll sideways:\n" + "\n".join(map(str, problems))


def test_every_public_page_is_accessible_on_a_phone(page, every_kind):
    page.set_viewport_size({"width": 320, "height": 700})
    for path in every_kind:
        page.goto(path)
        assert_accessible(page)
    page.set_viewport_size({"width": 390, "height": 844})
    for path in every_kind:
        page.goto("/en" + path)
        assert page.locator("html").get_attribute("lang") == "en"
        assert_accessible(page)


@pytest.mark.parametrize("path", ["/partnerstwa/", "/instytucje/", "/wydarzenia/"])
def test_on_a_phone_the_first_result_comes_before_the_folded_filters(page, every_kind, path):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(path)
    disclosure = page.locator("details.filters-disclosure")
    assert disclosure.get_attribute("open") is None
    assert not page.get_by_role("button", name="Pokaż wyniki").is_visible()
    first = page.locator(".result").first
    assert first.bounding_box()["y"] < 844, "the first result is not on the first screen"
    # One tap unfolds them, and they work.
    page.locator("details.filters-disclosure > summary").click()
    assert page.get_by_role("button", name="Pokaż wyniki").is_visible()
    page.get_by_label("Szukaj").fill("nic-takiego-nie-ma")
    page.get_by_role("button", name="Pokaż wyniki").click()
    assert "q=nic-takiego-nie-ma" in page.url


def test_on_a_wide_screen_the_filters_stand_open_beside_the_results(page, every_kind):
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto("/partnerstwa/")
    assert page.locator("details.filters-disclosure").get_attribute("open") is not None
    filters = page.get_by_role("button", name="Pokaż wyniki").bounding_box()
    results = page.locator(".result").first.bounding_box()
    assert filters["x"] < results["x"]


def test_a_table_becomes_labelled_rows_on_a_phone(page, every_kind):
    page.set_viewport_size({"width": 320, "height": 700})
    page.goto("/partnerstwa/")
    page.locator(".result__title a").first.click()
    cell = page.locator("table.table td[data-label]").first
    label = page.evaluate("(cell) => getComputedStyle(cell, '::before').content", cell.element_handle())
    assert label.strip('"').endswith(": ")
    assert page.evaluate("(cell) => getComputedStyle(cell).display", cell.element_handle()) == "block"


def test_the_language_switch_keeps_the_page(page, every_kind):
    page.goto("/powiaty/1416/")
    page.get_by_role("link", name="English").click()
    assert page.url.endswith("/en/powiaty/1416/")
    assert page.locator("html").get_attribute("lang") == "en"
    # What the records say stays Polish, and says so.
    assert page.locator("h1").get_attribute("lang") is None
    page.get_by_role("link", name="Polski").click()
    assert page.url.endswith("/powiaty/1416/") and "/en/" not in page.url


def test_the_favicon_is_served(page, every_kind):
    page.goto("/")
    icons = page.locator("link[rel=icon]")
    assert icons.count() >= 1
    for index in range(icons.count()):
        href = icons.nth(index).get_attribute("href")
        assert page.request.get(href).status == 200
    assert page.request.get("/favicon.ico").status == 200
