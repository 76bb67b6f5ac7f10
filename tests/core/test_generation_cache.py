"""core.cache.cached: a value computed once per data generation, kept in the shared cache and,
for the values a page reads on every request, in this process too."""

from unittest import mock

from django.core.cache import cache
from django.db import transaction
from django.test import TestCase, override_settings

from core import cache as registry_cache
from tests.builders import local_cache


@override_settings(CACHES=local_cache("generation-cache-tests"))
class CachedTests(TestCase):
    def setUp(self):
        cache.clear()
        self.addCleanup(cache.clear)

    def new_generation(self):
        with self.captureOnCommitCallbacks(execute=True), transaction.atomic():
            registry_cache.invalidate()

    def test_a_value_is_computed_once_per_generation(self):
        compute = mock.Mock(side_effect=[{"a": 1}, {"a": 2}])
        self.assertEqual(registry_cache.cached("test-value", compute), {"a": 1})
        self.assertEqual(registry_cache.cached("test-value", compute), {"a": 1})
        self.assertEqual(compute.call_count, 1)
        self.new_generation()
        self.assertEqual(registry_cache.cached("test-value", compute), {"a": 2})
        self.assertEqual(compute.call_count, 2)

    def test_a_value_read_again_in_this_process_is_not_unpickled_again(self):
        first = registry_cache.cached("test-index", lambda: {"myszyniec": ["1415043"]})
        with mock.patch.object(cache, "get", wraps=cache.get) as reads:
            again = registry_cache.cached("test-index", lambda: {})
        self.assertIs(again, first)
        # The generation only: the value itself comes from this process.
        self.assertEqual([call.args[0] for call in reads.call_args_list], [registry_cache.GENERATION_KEY])

    def test_another_process_sees_the_new_generation(self):
        registry_cache.cached("test-shared", lambda: "old")
        # Another process replaces the generation in the shared cache.
        cache.set(registry_cache.GENERATION_KEY, registry_cache.new_generation(), timeout=None)
        self.assertEqual(registry_cache.cached("test-shared", lambda: "new"), "new")
