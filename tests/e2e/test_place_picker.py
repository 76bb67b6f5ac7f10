"""The place picker and the dependent powiats in a real browser: typing a gmina's name offers
it with its powiat and voivodeship, choosing it filters the list, and choosing a voivodeship
leaves only its powiats (issue 17, point 1). axe-core checks the page with the open listbox."""

import pytest

from tests import builders
from tests.e2e.conftest import assert_accessible
from tests.partnerships.test_place_search import MYSZYNIEC, add_myszyniec


@pytest.fixture
def registry(transactional_db):
    builders.load_territory()
    add_myszyniec()
    builders.partnership("Razem na Kurpiach", communes=[MYSZYNIEC])
    builders.partnership("Aktywne Gajowice", region="02", communes=["0264011"])


def test_a_resident_types_their_gmina_chooses_it_and_sees_its_partnerships(page, registry):
    page.goto("/partnerstwa/")
    field = page.get_by_role("combobox", name="Gmina")
    field.fill("mysz")
    option = page.get_by_role("option", name="Myszyniec (gmina miejsko-wiejska, powiat ostrołęcki, woj. mazowieckie)")
    option.wait_for()
    assert field.get_attribute("aria-expanded") == "true"
    assert_accessible(page)
    field.press("ArrowDown")
    field.press("Enter")
    assert field.input_value().endswith(f"TERYT {MYSZYNIEC}")
    page.get_by_role("button", name="Pokaż wyniki").click()
    page.wait_for_url(f"**gmina=*{MYSZYNIEC}*")
    results = page.locator(".result__title").all_inner_texts()
    assert results == ["Razem na Kurpiach"]
    assert page.csp_violations == []


def test_choosing_a_voivodeship_leaves_only_its_powiats(page, registry):
    page.goto("/partnerstwa/")
    county = page.locator("#id_powiat")
    assert county.locator("option[value='0264']").count() == 1
    page.locator("#id_wojewodztwo").select_option("14")
    values = county.locator("option").evaluate_all("options => options.map(o => o.value)")
    assert "1416" in values
    assert all(value == "" or value.startswith("14") for value in values)
