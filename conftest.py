"""Project-wide pytest configuration."""

from django.conf import settings


def pytest_configure(config):
    # The test client and the browser tests' live server speak plain HTTP; production's
    # redirect to HTTPS is covered by `check --deploy`, not by every request in the suite.
    settings.SECURE_SSL_REDIRECT = False
