"""Template context every page shares."""

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.safestring import mark_safe


def language_links(request: HttpRequest) -> dict:
    """``language_links``: the address of the page being shown in each language, as
    (code, name in that language, url, is current) — the language switch and the hreflang
    alternates. A page that resolves to no view (a 404) links the other language's home page."""
    current = translation.get_language()
    here = request.get_full_path()
    links = []
    for code, _name in settings.LANGUAGES:
        url = here if code == current else in_language(request, code)
        if code != current and url == here:
            with translation.override(code):
                url = reverse("home")
        links.append((code, translation.get_language_info(code)["name_local"], url, code == current))
    return {
        "language_links": links,
        # Absolute alternates (hreflang) start with SITE_URL, like every address the site hands out.
        "site_url": settings.SITE_URL,
        # What the records say is written in Polish: on a page in another language, an element
        # that shows it carries this attribute (WCAG 3.1.2, language of parts).
        "record_lang": "" if current == settings.LANGUAGE_CODE else mark_safe(f' lang="{settings.LANGUAGE_CODE}"'),  # noqa: S308
    }


def in_language(request: HttpRequest, code: str) -> str:
    """The address of the page being shown, in the language ``code``, with its query string:
    Django's ``translate_url`` from the request's own match, without resolving the address
    again (every page renders both languages' links). The address itself when the page has no
    name to reverse."""
    match = request.resolver_match
    here = request.get_full_path()
    if match is None or not match.url_name:
        return here
    _path, mark, query = here.partition("?")
    with translation.override(code):
        try:
            return reverse(match.view_name, args=match.args, kwargs=match.kwargs) + mark + query
        except NoReverseMatch:
            return here
