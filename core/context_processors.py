"""Template context every page shares."""

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse, translate_url
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
        url = translate_url(here, code)
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
