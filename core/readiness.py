"""Whether this instance can serve: the services it depends on answer (``/readyz``).

Each check asks its service the cheapest question that needs a working connection and reads
no records: the database ``SELECT 1``, the cache a write and read of a short-lived key of its
own, the storage whether a fixed name exists (whether it does is not the question; that the
store answered is). A load balancer takes an instance that fails one out of rotation; a
liveness check (``/healthz``) asks none of them, so a database outage does not make every
instance look dead and get restarted.
"""

import logging
import uuid
from collections.abc import Callable

from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import connection

logger = logging.getLogger(__name__)

# How long the cache's probe key may outlive a check that failed between writing and removing it.
PROBE_SECONDS = 10
# A name no upload can take (uploads are generated under logos/ and documents/).
STORAGE_PROBE = "readyz-probe"


def database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def cache_answers() -> None:
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", PROBE_SECONDS)
    try:
        if cache.get(key) != "1":
            raise LookupError("the cache did not keep a value just written")
    finally:
        cache.delete(key)


def storage() -> None:
    default_storage.exists(STORAGE_PROBE)


CHECKS: dict[str, Callable[[], None]] = {"database": database, "cache": cache_answers, "storage": storage}


def failures() -> list[str]:
    """The names of the services that did not answer; each failure is logged with its cause."""
    failed = []
    for name, check in CHECKS.items():
        try:
            check()
        except Exception:  # any failure of any backend means "not ready", never a 500
            logger.exception("readiness: the %s does not answer", name)
            failed.append(name)
    return failed
