"""``/readyz``: ready when the database, the cache and the storage answer; 503 naming what
failed otherwise. ``/healthz`` (tests/config/test_pages.py) asks none of them."""

import json
import socket
from unittest import mock

from django.core.files.storage import default_storage
from django.db import OperationalError, connection
from django.test import TestCase, override_settings

from tests.builders import local_cache


def closed_port() -> int:
    """A port of loopback nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# A cache that keeps what it is given (the suite's default, a dummy cache, keeps nothing).
@override_settings(CACHES=local_cache("readiness"))
class ReadinessTests(TestCase):
    def get(self, expected_status: int) -> dict:
        response = self.client.get("/readyz")
        self.assertEqual(response.status_code, expected_status)
        self.assertEqual(response["Content-Type"], "application/json")
        self.assertIn("no-cache", response["Cache-Control"])
        self.assertNotIn("X-Page-Cache", response)
        return json.loads(response.content)

    def test_ready_when_every_service_answers_with_one_query_that_reads_no_record(self):
        with self.assertNumQueries(1) as queries:
            answer = self.get(200)
        self.assertEqual(queries.captured_queries[0]["sql"], "SELECT 1")
        self.assertEqual(answer, {"ready": True, "checks": {"database": "ok", "cache": "ok", "storage": "ok"}})

    def test_a_cache_that_does_not_answer_makes_it_unready_and_says_so(self):
        broken = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
            }
        }
        with override_settings(CACHES=broken), self.assertLogs("core.readiness", "ERROR") as logs:
            answer = self.get(503)
        self.assertEqual(answer, {"ready": False, "checks": {"database": "ok", "cache": "failed", "storage": "ok"}})
        self.assertIn("the cache does not answer", logs.output[0])
        # Not cached itself: ready again as soon as the cache is.
        self.get(200)

    def test_a_database_that_does_not_answer_makes_it_unready_and_says_so(self):
        with (
            mock.patch.object(connection, "cursor", side_effect=OperationalError("connection refused")),
            self.assertLogs("core.readiness", "ERROR"),
        ):
            answer = self.get(503)
        self.assertEqual(answer["checks"], {"database": "failed", "cache": "ok", "storage": "ok"})

    def test_a_storage_that_does_not_answer_makes_it_unready_and_says_so(self):
        with (
            mock.patch.object(default_storage, "exists", side_effect=OSError("endpoint unreachable")),
            self.assertLogs("core.readiness", "ERROR"),
        ):
            answer = self.get(503)
        self.assertEqual(answer["checks"], {"database": "ok", "cache": "ok", "storage": "failed"})

    @override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}})
    def test_a_cache_that_keeps_nothing_is_not_ready(self):
        with self.assertLogs("core.readiness", "ERROR"):
            self.assertEqual(self.get(503)["checks"]["cache"], "failed")

    def test_only_reads_are_answered(self):
        self.assertEqual(self.client.head("/readyz").status_code, 200)
        self.assertEqual(self.client.post("/readyz").status_code, 405)
