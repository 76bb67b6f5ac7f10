"""The registry's data generation: a value that every change to a record replaces, so that
whatever is cached under it (whole public pages, counts) is never served after a change.

Invalidation by generation rather than by key: a change to one institution alters its page,
every list it appears in, the county pages, the map's counts and the sitemap; working out
which cached entries those are would be a second copy of every view's queries. Entries of
an old generation are simply never asked for again and expire.

It lives in the leftmost app so that every app can announce a change and every list can
cache its count; ``config`` connects the model signals of all apps to ``invalidate``.
Writers that bypass model signals (bulk inserts and updates) send ``records_changed``.
"""

import hashlib
import uuid
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


def generation() -> str:
    """The current generation; a new one if the cache lost it (then nothing cached is reused)."""
    value = cache.get(GENERATION_KEY)
    if value is None:
        value = uuid.uuid4().hex
        # add(), not set(): two processes starting at once agree on one value.
        if not cache.add(GENERATION_KEY, value, timeout=None):
            value = cache.get(GENERATION_KEY) or value
    return value


def _replace_generation() -> None:
    cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)


def invalidate(**kwargs) -> None:
    """Start a new generation once the current transaction commits (at once outside one).

    Not before the commit: a page rendered meanwhile from the old rows must not be stored
    under the new generation. Scheduled once per transaction, however many rows it writes.
    """
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        # Django keeps pending callbacks as (savepoint ids, function, robust); one registered at
        # this very level runs exactly when this write is committed.
        current = set(connection.savepoint_ids)
        if any(entry[1] is _replace_generation and entry[0] == current for entry in connection.run_on_commit):
            return
    transaction.on_commit(_replace_generation)


records_changed.connect(invalidate, dispatch_uid="registry_records_changed")


def cached(name: str, compute: Callable[[], T]) -> T:
    """``compute()`` at most once per generation for ``name`` (any string; hashed for the key)."""
    key = f"registry:{generation()}:{hashlib.sha256(name.encode()).hexdigest()}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TIMEOUT)
    return value


def cached_count(queryset) -> int:
    """The number of rows of ``queryset``, counted once per generation: a list's paginator and
    the home page's totals then cost one cache read instead of a scan."""
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # a filter that can match nothing, such as an empty IN list
        return 0
    return cached(f"count:{sql}:{params!r}", queryset.count)
