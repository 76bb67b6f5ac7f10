"""Request and response handling around every view: HEAD answered as GET, the visitor's
language and a bound on request size. (The page cache is core.page_cache's; the security
headers are django-csp's, django-permissions-policy's and Django's own.)"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.gzip import GZipMiddleware
from django.utils import translation
from django.utils.translation import gettext as _

from core.page_cache import declared_query


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


class LanguagePathMiddleware:
    """Activate the language of the address: ``/en/…`` is English, every other address Polish.

    Django's LocaleMiddleware would fall back on the language cookie and the browser's
    Accept-Language for an address without a prefix; here an address has one language only,
    so it can be linked, indexed and cached whole, and the registry stays Polish first.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
        request.LANGUAGE_CODE = language
        # Scoped to the request, so that a thread serving the next one (or the test that
        # follows) starts from Polish again.
        with translation.override(language):
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
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


class PublicPageGZipMiddleware(GZipMiddleware):
    """Compress the public pages, and only them: the views declared ``cacheable``.

    Compression next to a secret lets an attacker who can inject text into the same page
    guess the secret from the compressed sizes (BREACH). A cacheable page is by definition the
    same for every visitor and carries nothing secret (no CSRF token, no session data), so it
    may be compressed; the admin, forms with a CSRF token, and anything for a logged-in user
    never are. Static files are compressed ahead of time by WhiteNoise. Sits above the page
    cache, so cached pages are compressed on their way out as well (docs/security.md).
    """

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> None:
        request.is_public_page = declared_query(view_func) is not None

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if not getattr(request, "is_public_page", False) or settings.SESSION_COOKIE_NAME in request.COOKIES:
            return response
        return super().process_response(request, response)
