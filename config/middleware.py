"""Request and response handling around every view: the visitor's language, security
headers, a bound on request size, and the page cache."""

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from core.cache import TIMEOUT, generation
from core.page_cache import declared_query, normalised_query


class HeadMiddleware:
    """Answer HEAD with GET's status and headers and no body, under any server.

    Views treat HEAD as GET (``require_safe``); removing the body is left to the server by
    Django's WSGI handler, and not every server does it (gunicorn writes what the
    application gives it). First in the stack, so that the headers are complete when the
    body goes. ``Content-Length`` is the length of GET's body: set here on every answer that
    has a body in memory and none yet (the answers of the middleware above CommonMiddleware),
    so that HEAD and GET carry the same one. A streamed body (an export, a file) is closed
    unread.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # Not on the answers that carry no body by definition, whose length would be a lie.
        has_body = response.status_code >= 200 and response.status_code not in (204, 304)
        if has_body and not response.streaming and not response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))
        if request.method == "HEAD":
            if response.streaming:
                # The replaced iterator and file stay registered with the response, which
                # closes them when the server closes it.
                response.streaming_content = []
            else:
                response.content = b""
        return response


class LanguageCookieMiddleware:
    """Activate the language the visitor chose with the switch, else Polish.

    Django's LocaleMiddleware would follow the browser's Accept-Language and show most
    visitors' browsers English by default; the registry is Polish first, and English is
    an explicit choice stored in the language cookie by ``set_language``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = chosen_language(request)
        request.LANGUAGE_CODE = language
        # Scoped to the request, so that a thread serving the next one (or the test that
        # follows) starts from Polish again.
        with translation.override(language):
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        # The same URL answers in two languages: caches must key on the cookie.
        patch_vary_headers(response, ("Cookie",))
        return response


class ContentSecurityPolicyMiddleware:
    """Send the site's Content Security Policy and Permissions Policy with every response.

    Django 5.2 has no CSP support of its own. The pages need no inline script or style, so
    the policy allows only the site's own files; a view that serves untrusted bytes (an
    uploaded file) sets a stricter policy of its own, which is kept.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class RequestSizeLimitMiddleware:
    """Refuse a request body larger than ``MAX_REQUEST_BYTES`` before Django reads it.

    The largest legitimate upload is a 20 MB document; a bigger body would only be spooled to
    disk to be refused by the form afterwards. Answered 413 with a page that says why.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_BYTES:
            message = _("The data sent is larger than %(size)d MB; nothing was saved.") % {
                "size": settings.MAX_REQUEST_BYTES // (1024 * 1024)
            }
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


def chosen_language(request: HttpRequest) -> str:
    """The language the visitor chose with the switch (its cookie), else Polish."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    return chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


class PageCacheMiddleware:
    """Whole public pages for visitors without a session, cached per data generation.

    Only views declared ``cacheable`` (core.page_cache) are kept; any other view, a 404 that
    resolved to none, the admin and media are never cached. A page depends on its path, the
    query parameters its view declared (the view sees no others), the visitor's language and
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
    """The cache key of a page: the data generation, the visitor's language, and the path with
    the view's declared parameters only, sorted (core.page_cache). Neither the method (HEAD is
    GET without the body) nor the host (no page shows it) is part of it."""
    address = f"{request.path}?{normalised_query(request, query)}"
    digest = hashlib.sha256(address.encode()).hexdigest()
    return f"page:{generation()}:{chosen_language(request)}:{digest}"
