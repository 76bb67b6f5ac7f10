"""The public certificate verification page, in a real browser, with axe-core: valid, revoked,
superseded, and the page for a code that does not exist."""

import datetime

import pytest
from django.contrib.auth import get_user_model

from members.models import Institution
from partnerships import certificates
from tests import builders
from tests.e2e.conftest import assert_accessible


@pytest.fixture
def issued(transactional_db):
    builders.load_territory()
    members = [
        builders.institution("Stowarzyszenie Żółć Gęśla Łódź", kind=Institution.Kind.ASSOCIATION),
        builders.institution("Miejski Ośrodek Pomocy Społecznej w Łodzi", kind=Institution.Kind.MOPS),
    ]
    partnership = builders.partnership(
        "Partnerstwo Lokalne „Gęśla Jaźń” w Łodzi",
        counties=["1416"],
        members=members,
        founded_on=datetime.date(2014, 10, 28),
    )
    user = get_user_model().objects.create_superuser("administrator", password="hasło-testowe-3")
    certificate = certificates.issue_partnership_certificate(
        partnership, user, "Jan Testowy", "zastępca prezydenta", issued_on=datetime.date(2014, 12, 11)
    )
    return certificate, user


def test_the_page_of_a_valid_certificate_is_accessible(page, issued):
    certificate, _user = issued
    page.goto(certificate.get_absolute_url())
    assert page.get_by_role("heading", level=1).inner_text().endswith(certificate.number)
    assert page.get_by_role("status").is_visible()
    assert page.get_by_text("Stowarzyszenie Żółć Gęśla Łódź").is_visible()
    assert_accessible(page)
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    assert_accessible(page)


def test_the_pages_of_revoked_and_superseded_certificates_are_accessible(page, issued):
    certificate, user = issued
    new = certificates.reissue(certificate, user)
    certificates.revoke(new, user, "Wydany omyłkowo")
    page.goto(new.get_absolute_url())
    assert page.get_by_text("Wydany omyłkowo").is_visible()
    assert_accessible(page)
    page.goto(certificate.get_absolute_url())
    page.get_by_role("link", name=new.number).click()
    assert page.url.endswith(new.get_absolute_url())
    assert_accessible(page)


def test_the_page_for_an_unknown_code_is_accessible(page, issued):
    response = page.goto("/certyfikaty/NieMaTakiegoKodu123/")
    assert response.status == 404
    assert_accessible(page)
