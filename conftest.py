"""Project-wide pytest configuration."""

import shutil
import tempfile

from django.conf import settings

_media_root = None


def pytest_configure(config):
    global _media_root
    # The test client and the browser tests' live server speak plain HTTP; production's
    # redirect to HTTPS is covered by `check --deploy`, not by every request in the suite.
    settings.SECURE_SSL_REDIRECT = False
    # Nothing is cached between (or within) tests unless a test says so: a TestCase never
    # commits, so the generation that keeps cached pages fresh would never move on.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    settings.PAGE_CACHE = False
    # What the code stores (certificate PDFs after a commit, on a first request) goes to a
    # throwaway folder, never the developer's var/media; tests that look at files use their own.
    _media_root = tempfile.mkdtemp(prefix="rejestr-test-media-")
    settings.MEDIA_ROOT = _media_root


def pytest_unconfigure(config):
    if _media_root:
        shutil.rmtree(_media_root, ignore_errors=True)
