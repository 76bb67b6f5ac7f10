"""The API's docs page (/api/v1/docs/) works in a browser under the site's Content Security
Policy: Swagger UI from our own static files reads the schema and lists every endpoint, with
nothing blocked."""

import pytest

from tests import builders
from tests.e2e.conftest import assert_no_csp_violations


@pytest.fixture
def registry(transactional_db):
    builders.load_territory()
    builders.partnership("Partnerstwo w dokumentacji", counties=["1465"])


def test_the_docs_page_lists_every_endpoint_under_the_policy(page, registry):
    page.goto("/api/v1/docs/")
    page.locator(".opblock-summary-path", has_text="/api/v1/partnerstwa/").first.wait_for()
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    for endpoint in ("partnerstwa", "instytucje", "wydarzenia", "projekty", "wojewodztwa", "powiaty", "gminy"):
        assert f"/api/v1/{endpoint}/" in paths
    assert "/api/v1/certyfikaty/{code}/" in paths
    assert_no_csp_violations(page)
