"""Template context every page shares."""

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse, translate_url
from django.utils import translation


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
    # Absolute alternates (hreflang) start with SITE_URL, like every address the site hands out.
    return {"language_links": links, "site_url": settings.SITE_URL}
