"""The pages of issue "records a reader can trust" in a real browser: a partnership with its
sources and unnamed members, the correction form, /projekty/ and /zasady/, at a phone's and a
desktop's width, with axe-core on each."""

from importlib import import_module
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command

from core.models import Correction
from tests.e2e.conftest import ARTIFACTS, assert_accessible

WIDTHS = {"390": {"width": 390, "height": 844}, "1366": {"width": 1366, "height": 900}}


@pytest.fixture
def demo(transactional_db):
    # A live-server test empties every table after it, the reference terms that a migration
    # seeds included: seed them again as that migration does.
    import_module("partnerships.migrations.0002_reference_terms").seed(apps, None)
    call_command("load_demo", stdout=StringIO())


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(
    "name, path",
    [
        ("partnership-sources", "/partnerstwa/aktywne-gajowice/"),
        ("partnership-status", "/partnerstwa/rakow-reaktywacja/"),
        ("projects", "/projekty/"),
        ("project", "/projekty/razem-dla-mazowsza-edukacja-w-dzialaniu/"),
        ("principles", "/zasady/"),
    ],
)
def test_new_pages_are_accessible_at_both_widths(page, demo, name, path, width):
    page.set_viewport_size(WIDTHS[width])
    page.goto(path)
    # Record pages show their sources; the list of projects is a list, not a record.
    assert page.get_by_role("heading", name="Źródła").is_visible() == (name != "projects")
    assert_accessible(page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"sources-{name}-{width}.png", full_page=True)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_reader_reports_a_correction_from_the_partnership_page(page, demo, width):
    page.set_viewport_size(WIDTHS[width])
    page.goto("/partnerstwa/aktywne-gajowice/")
    page.get_by_role("link", name="Zgłoś poprawkę").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Zgłoś poprawkę"
    assert_accessible(page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"sources-correction-form-{width}.png", full_page=True)
    page.get_by_label("Co jest błędne").fill("Brakuje nazwy szkoły.")
    page.get_by_label("Jak jest poprawnie").fill("W partnerstwie jest Szkoła Podstawowa nr 1.")
    page.get_by_role("button", name="Wyślij poprawkę").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Dziękujemy"
    assert_accessible(page)
    assert Correction.objects.get().region == "02"
