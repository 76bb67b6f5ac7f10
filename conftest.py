"""Project-wide pytest configuration."""

from django.conf import settings


def pytest_configure(config):
    # The test client and the browser tests' live server speak plain HTTP; production's
    # redirect to HTTPS is covered by `check --deploy`, not by every request in the suite.
    settings.SECURE_SSL_REDIRECT = False
    # Nothing is cached between (or within) tests unless a test says so: a TestCase never
    # commits, so the generation that keeps cached pages fresh would never move on.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    settings.PAGE_CACHE = False
