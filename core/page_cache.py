"""The page cache: whole public pages for visitors, kept per data generation (core.cache).

A view is kept only if it says so with ``cacheable``, naming the query parameters it reads;
every other view is never cached (``PageCacheMiddleware``). The view then
sees only those parameters, sorted by name, so its page depends on nothing of the query
string that the cache key does not hold: a visitor's ``?utm_source=…`` or a flood of random
parameters is neither a new cache entry nor a difference in the page (a link, the language
switch's return address) that the next visitor would be served.
"""

import functools
import hashlib
from collections.abc import Callable, Iterable
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import translation

from .cache import TIMEOUT, generation

# The attribute ``cacheable`` leaves on a view: the sorted names of the parameters it reads.
QUERY_ATTRIBUTE = "page_cache_query"

View = Callable[..., HttpResponse]


def cacheable(*, query: Iterable[str] = ()) -> Callable[[View], View]:
    """Let the page cache keep this view's pages for visitors; ``query`` names every query
    parameter the view (and whatever renders its page) reads. The others are removed from the
    request before the view runs, whether the page cache is on or not, so a view that reads one
    it did not name finds it missing at once rather than serving a page the key does not tell
    apart."""
    names = tuple(sorted(set(query)))

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            normalised = normalised_query(request, names)
            request.GET = QueryDict(normalised, encoding=request.encoding)
            # What request.get_full_path() gives back (the language switch returns to it).
            request.META["QUERY_STRING"] = normalised
            return view(request, *args, **kwargs)

        setattr(wrapper, QUERY_ATTRIBUTE, names)
        return wrapper

    return decorator


def declared_query(view: Callable) -> tuple[str, ...] | None:
    """The parameters ``view`` declared with ``cacheable``; None for a view that may not be cached."""
    return getattr(view, QUERY_ATTRIBUTE, None)


def normalised_query(request: HttpRequest, names: Iterable[str]) -> str:
    """The query string of ``request`` reduced to ``names``, in that order, each parameter with
    its values in the order given; url-encoded. ``?b=1&a=2&x=9`` with names (a, b) is ``a=2&b=1``."""
    return urlencode([(name, value) for name in names for value in request.GET.getlist(name)])


class PageCacheMiddleware:
    """Whole public pages for visitors without a session, cached per data generation.

    Only views declared ``cacheable`` are kept; any other view, a 404 that
    resolved to none, the admin and media are never cached. A page depends on its path, the
    query parameters its view declared (the view sees no others), the language of its address and
    the records; every change to a record starts a new generation (core.cache), so a
    cached page is never older than the last change. Nothing in a page comes from the Host
    header or the scheme (absolute addresses are built from ``SITE_URL``), and the host is
    validated before the cache is read or written: a disallowed host is answered 400 and
    leaves nothing behind.

    GET and HEAD share an entry (HeadMiddleware removes the body of HEAD's answer outside the
    cache). Only plain successful answers are stored: not one that sets a cookie, is streamed
    (exports), or says it must not be cached (certificate verification), and nothing for
    anyone logged in. The security headers are added outside it, to hits as well.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Before anything is read from or written to the cache, whatever the middleware below
        # would do: DisallowedHost becomes Django's 400.
        request.get_host()
        response = self.get_response(request)
        # Set by process_view on a miss of a cacheable view; the answer is stored only now,
        # when every middleware below (sessions, CSRF, messages) has had its say on cookies.
        key = getattr(request, "page_cache_key", None)
        if key is not None and self.may_store(response):
            cache.set(key, response, TIMEOUT)
            response["X-Page-Cache"] = "miss"
        return response

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponse | None:
        """A cached page of a cacheable view, or None (then its key is noted for the answer)."""
        query = declared_query(view_func)
        if query is None or not self.may_cache(request):
            return None
        key = page_key(request, query)
        cached = cache.get(key)
        if cached is not None:
            cached["X-Page-Cache"] = "hit"
            return cached
        request.page_cache_key = key
        return None

    @staticmethod
    def may_cache(request: HttpRequest) -> bool:
        return (
            settings.PAGE_CACHE
            and request.method in ("GET", "HEAD")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
        )

    @staticmethod
    def may_store(response: HttpResponse) -> bool:
        control = response.get("Cache-Control", "")
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not any(word in control for word in ("no-cache", "no-store", "private", "max-age=0"))
        )


def page_key(request: HttpRequest, query: tuple[str, ...]) -> str:
    """The cache key of a page: the data generation, the page's language, and the path with
    the view's declared parameters only, sorted. Neither the method (HEAD is
    GET without the body) nor the host (no page shows it) is part of it."""
    address = f"{request.path}?{normalised_query(request, query)}"
    digest = hashlib.sha256(address.encode()).hexdigest()
    # The language the view renders in, which the language middleware has activated from the
    # address by now (/en/… is English). The path tells the languages apart already; the
    # language stays in the key so that no change of how it is chosen can mix them up.
    return f"page:{generation()}:{translation.get_language()}:{digest}"
