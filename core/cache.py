"""The registry's data generation: a value that every change to a record replaces, so that
whatever is cached under it (whole public pages, counts) is never served after a change.

Invalidation by generation rather than by key: a change to one institution alters its page,
every list it appears in, the county pages, the map's counts and the sitemap; working out
which cached entries those are would be a second copy of every view's queries. Entries of
an old generation are simply never asked for again and expire.

``config`` connects the model signals of the registry's apps to ``invalidate``. Writers that
bypass model signals (bulk inserts and updates) send ``records_changed``.
"""

import hashlib
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import transaction
from django.dispatch import Signal

GENERATION_KEY = "registry:generation"
# How long an entry may live at all; the generation, not this, keeps them fresh.
TIMEOUT = 60 * 60

# Sent by code that writes records without model signals (bulk_create, bulk_update, update()).
records_changed = Signal()

T = TypeVar("T")

# When this thread last replaced the generation (time.monotonic()).
_replaced = threading.local()


def new_generation() -> str:
    """A generation value: when it started (Unix seconds, which the API's Last-Modified gives)
    and a random part that tells apart two generations of the same second."""
    return f"{time.time():.6f}-{uuid.uuid4().hex}"


def generation() -> str:
    """The current generation; a new one if the cache lost it (then nothing cached is reused)."""
    value = cache.get(GENERATION_KEY)
    if value is None:
        value = new_generation()
        # add(), not set(): two processes starting at once agree on one value.
        if not cache.add(GENERATION_KEY, value, timeout=None):
            value = cache.get(GENERATION_KEY) or value
    return value


def generation_started(value: str) -> float | None:
    """When the generation ``value`` started, in Unix seconds; None for a value of another form
    (one written before generations carried their time)."""
    started, _sep, _random = value.partition("-")
    try:
        return float(started)
    except ValueError:
        return None


def _replace_generation() -> None:
    cache.set(GENERATION_KEY, new_generation(), timeout=None)


def invalidate(**kwargs) -> None:
    """Start a new generation once the current transaction commits (at once outside one).

    Not before the commit: a page rendered meanwhile from the old rows must not be stored
    under the new generation. A transaction that writes 10,000 rows schedules 10,000 callbacks,
    but only the first of them to run writes to the cache: the others see that this thread
    replaced the generation after they were scheduled, which is all they were for.
    """
    scheduled = time.monotonic()

    def replace_generation() -> None:
        if getattr(_replaced, "at", float("-inf")) > scheduled:
            return
        _replace_generation()
        _replaced.at = time.monotonic()

    transaction.on_commit(replace_generation)


records_changed.connect(invalidate, dispatch_uid="registry_records_changed")


class _Recent:
    """The values this process read last, by key, at most ``size`` of them. A key holds the
    generation, so a value here is never stale: a change to a record is a new key."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.values: OrderedDict[str, object] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str):
        with self.lock:
            value = self.values.get(key)
            if value is not None:
                self.values.move_to_end(key)
            return value

    def put(self, key: str, value) -> None:
        with self.lock:
            self.values[key] = value
            self.values.move_to_end(key)
            while len(self.values) > self.size:
                self.values.popitem(last=False)


# A list page reads a few cached values on every request (its choices, its count, the index of
# place names): unpickling them from the shared cache each time cost a list 1–3 ms.
_recent = _Recent(size=128)


def cached(name: str, compute: Callable[[], T]) -> T:
    """``compute()`` at most once per generation for ``name`` (any string; hashed for the key).

    The value is shared by every caller in this process until the generation changes: treat it
    as read-only (copy it to change it)."""
    key = f"registry:{generation()}:{hashlib.sha256(name.encode()).hexdigest()}"
    value = _recent.get(key)
    if value is not None:
        return value
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TIMEOUT)
    _recent.put(key, value)
    return value


def cached_count(queryset) -> int:
    """The number of rows of ``queryset``, counted once per generation: a list's paginator and
    the home page's totals then cost one cache read instead of a scan."""
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # a filter that can match nothing, such as an empty IN list
        return 0
    return cached(f"count:{sql}:{params!r}", queryset.count)
