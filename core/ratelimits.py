"""Rate limits of public views, per client address: django-ratelimit counts, this answers.

``rate_limited(group, setting)`` limits a view to the number of requests a minute that the
named setting holds, per client address (``core.clients.client_address``, through
``RATELIMIT_IP_META_KEY``; IPv6 addresses by their /64, django-ratelimit's default), counted
in the cache ``RATELIMIT_USE_CACHE``. Over the limit the view does not run at all: the client
gets ``too_many_requests``, a 429 page in its language that says how long to wait, with the
same figure in ``Retry-After``. The library's own decorator raises a ``PermissionDenied``
(a 403) and does not say when the window ends; ``get_usage`` does.
"""

import functools
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django_ratelimit.core import get_usage

from .clients import client_address


def rate_limited(group: str, per_minute_setting: str) -> Callable:
    """Limit the decorated view to ``settings.<per_minute_setting>`` requests a minute per
    client address; ``group`` names the counter (views sharing a group share their budget).
    The setting is read on each request. One cache read and one write a request."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def limited_view(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not client_address(request):
                # Nothing to count by: a server that gives no address (a Unix socket, no proxy
                # count). Let it through, as a counter the cache lost is (RATELIMIT_FAIL_OPEN).
                return view(request, *args, **kwargs)
            rate = f"{getattr(settings, per_minute_setting)}/m"
            usage = get_usage(request, group=group, key="ip", rate=rate, increment=True)
            if usage is not None and usage["should_limit"]:
                # The window ends after its last second: time_left is 0 during that second.
                return too_many_requests(request, usage["time_left"] + 1)
            return view(request, *args, **kwargs)

        return limited_view

    return decorator


def too_many_requests(request: HttpRequest, seconds: int) -> HttpResponse:
    """429 with ``templates/429.html``: how long to wait, in words and in ``Retry-After``."""
    seconds = max(1, seconds)
    response = render(request, "429.html", {"seconds": seconds}, status=429)
    response["Retry-After"] = str(seconds)
    add_never_cache_headers(response)
    return response
