from django.core.management import call_command

from tests.e2e.conftest import assert_accessible


def test_home_page_is_polish_and_accessible(page, transactional_db):
    call_command("load_territory", verbosity=0)
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "pl"
    assert page.get_by_role("heading", level=1).inner_text() == "Rejestr Partnerstw Lokalnych"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Przejdź do treści głównej"
    assert_accessible(page)


def test_language_switch_shows_english_and_back(page, transactional_db):
    page.goto("/")
    page.get_by_role("link", name="English").click()
    assert page.url.endswith("/en/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "Local Partnerships Registry"
    assert_accessible(page)
    page.get_by_role("link", name="Polski").click()
    assert page.locator("html").get_attribute("lang") == "pl"


def test_accessibility_statement_is_accessible(page, transactional_db):
    page.goto("/deklaracja-dostepnosci/")
    assert page.get_by_role("heading", level=1).inner_text() == "Deklaracja dostępności"
    assert_accessible(page)
