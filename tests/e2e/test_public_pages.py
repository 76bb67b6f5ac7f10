"""A newcomer's path through the public registry, in a real browser, with axe-core on every
kind of page."""

import csv
import datetime
import io
from pathlib import Path

import pytest

from members.models import Institution
from partnerships.models import Membership
from territory.models import County
from tests import builders
from tests.e2e.conftest import assert_accessible


@pytest.fixture
def registry(transactional_db):
    builders.load_territory()
    County.objects.filter(code__in=["1416", "1432", "1465"]).update(outline="M300 200 340 200 340 240 300 240Z")
    mops = builders.institution("Miejski Ośrodek Pomocy Społecznej w Ostrowi", commune=None, kind=Institution.Kind.MOPS)
    court = builders.institution("Sąd Rejonowy Testowy", commune="1465011", kind=Institution.Kind.COURT)
    partnership = builders.partnership(
        "Partnerstwo lokalne w powiecie ostrowskim",
        counties=["1416"],
        members=[mops, court],
        founded_on=datetime.date(2012, 1, 1),
        founded_precision="year",
    )
    Membership.objects.filter(institution=mops).update(role=Membership.Role.LEADER)
    builders.partnership("Raków-Reaktywacja", region="24", declared_member_count=13)
    builders.event("Konferencja o partnerstwach", commune="1465011", start_date=datetime.date(2007, 9, 27))
    return partnership


def test_newcomer_goes_from_home_to_a_member_institution(page, registry):
    page.goto("/")
    assert_accessible(page)
    page.get_by_role("link", name="mazowieckie").click()
    assert page.url.endswith("/powiaty/#woj-14")
    assert_accessible(page)
    page.get_by_role("link", name="powiat ostrowski").click()
    assert page.get_by_role("heading", level=1).inner_text() == "powiat ostrowski"
    assert_accessible(page)
    page.get_by_role("link", name="Partnerstwo lokalne w powiecie ostrowskim").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Partnerstwo lokalne w powiecie ostrowskim"
    assert page.get_by_text("lider").is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Sąd Rejonowy Testowy").first.click()
    assert page.get_by_role("heading", level=1).inner_text() == "Sąd Rejonowy Testowy"
    assert_accessible(page)


def test_filter_search_without_diacritics_and_csv_export(page, registry):
    page.goto("/partnerstwa/")
    assert_accessible(page)
    page.get_by_label("Województwo").select_option("14")
    page.get_by_role("button", name="Pokaż wyniki").click()
    assert "wojewodztwo=14" in page.url
    assert page.get_by_role("heading", name="1 partnerstwo").is_visible()
    assert page.get_by_role("link", name="Województwo: mazowieckie").is_visible()

    page.goto("/partnerstwa/")
    page.get_by_label("Szukaj").fill("rakow")
    page.get_by_role("button", name="Pokaż wyniki").click()
    assert page.get_by_role("link", name="Raków-Reaktywacja").is_visible()
    assert page.get_by_text("13 członków zadeklarowanych, 0 wymienionych z nazwy").is_visible()
    assert_accessible(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV").click()
    rows = list(
        csv.DictReader(io.StringIO(Path(download_info.value.path()).read_text(encoding="utf-8-sig")), delimiter=";")
    )
    assert [row["name"] for row in rows] == ["Raków-Reaktywacja"]


@pytest.mark.parametrize(
    "path",
    [
        "/wydarzenia/",
        "/instytucje/",
        "/powiaty/",
        "/powiaty/1465/",
        "/deklaracja-dostepnosci/",
        "/nie-ma/",
        "/dane/",
        "/statystyki/",
        "/statystyki/?wojewodztwo=14",
        "/statystyki/?wojewodztwo=99",
    ],
)
def test_every_kind_of_public_page_is_accessible(page, registry, path):
    page.goto(path)
    assert_accessible(page)
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    assert_accessible(page)


def test_event_detail_is_accessible(page, registry):
    page.goto("/wydarzenia/")
    page.get_by_role("link", name="Konferencja o partnerstwach").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Konferencja o partnerstwach"
    assert_accessible(page)


def test_pages_work_in_english(page, registry):
    page.goto("/partnerstwa/")
    page.get_by_role("link", name="English").click()
    assert page.url.endswith("/en/partnerstwa/")
    assert page.get_by_role("heading", level=1).inner_text() == "Local partnerships"
    assert_accessible(page)


def test_the_statistics_charts_follow_high_contrast_mode(page, registry):
    page.goto("/statystyki/")
    bar = page.locator(".chart__bar").first
    fill = page.evaluate("(bar) => getComputedStyle(bar).fill", bar.element_handle())
    # In normal colours the bars are the link blue, 8.4:1 against the white page.
    assert fill == "rgb(11, 79, 138)"
    page.emulate_media(forced_colors="active", color_scheme="dark")
    forced = page.evaluate("(bar) => getComputedStyle(bar).fill", bar.element_handle())
    text = page.evaluate("() => getComputedStyle(document.body).color")
    # The bars take the system's text colour, as the words around them do.
    assert forced == text != fill
