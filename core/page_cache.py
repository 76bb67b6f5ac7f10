"""Which pages the page cache may keep, and the address it keeps each one under.

A view is kept only if it says so with ``cacheable``, naming the query parameters it reads;
every other view is never cached (config.middleware.PageCacheMiddleware). The view then
sees only those parameters, sorted by name, so its page depends on nothing of the query
string that the cache key does not hold: a visitor's ``?utm_source=…`` or a flood of random
parameters is neither a new cache entry nor a difference in the page (a link, the language
switch's return address) that the next visitor would be served.
"""

import functools
from collections.abc import Callable, Iterable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, QueryDict

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
