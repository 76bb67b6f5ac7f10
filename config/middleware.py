"""Language selection for a Polish-first site."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _


class LanguageCookieMiddleware:
    """Activate the language the visitor chose with the switch, else Polish.

    Django's LocaleMiddleware would follow the browser's Accept-Language and show most
    visitors' browsers English by default; the registry is Polish first, and English is
    an explicit choice stored in the language cookie by ``set_language``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
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
