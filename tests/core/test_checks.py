"""The system checks of core: the rate limits need a cache that counts, shared by the workers."""

from django.core.checks import run_checks
from django.test import SimpleTestCase, override_settings

FILES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": "/tmp/x"}}
REDIS = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1"}}
LOCAL = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
DUMMY = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


def core_check_ids(deploy: bool) -> list[str]:
    return [m.id for m in run_checks(tags=["caches"], include_deployment_checks=deploy) if m.id.startswith("core.")]


class RateLimitCacheCheckTests(SimpleTestCase):
    def test_a_dummy_cache_is_an_error_since_nothing_would_be_limited(self):
        with override_settings(CACHES=DUMMY):
            self.assertEqual(core_check_ids(deploy=False), ["core.E001"])

    def test_local_memory_is_refused_for_production_only(self):
        with override_settings(CACHES=LOCAL):
            self.assertEqual(core_check_ids(deploy=False), [])
            self.assertEqual(core_check_ids(deploy=True), ["core.W001"])

    def test_the_file_cache_and_redis_pass(self):
        for caches in (FILES, REDIS):
            with self.subTest(caches["default"]["BACKEND"]), override_settings(CACHES=caches):
                self.assertEqual(core_check_ids(deploy=True), [])
