"""Language selection for a Polish-first site."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers


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
