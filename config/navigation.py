"""The links every public page carries: the header's sections and the footer's pages.

Their addresses and labels are the same on every page of a language, so they are reversed and
translated once per language and process (``functools.cache``): eleven ``{% url %}`` and
``{% translate %}`` tags rendered on every page cost 1 ms of the accessibility statement's 3
(profiled). Only which section is the current one is decided per request.
"""

from functools import cache

from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

# (URL name, label, what marks it current: the page's URL namespace or URL names)
SECTIONS = (
    ("partnerships:partnership_list", _("Partnerships"), {"partnerships"}),
    ("county_list", _("Counties"), {"county_list", "county_detail"}),
    ("members:institution_list", _("Institutions"), {"members"}),
    ("events:event_list", _("Events"), {"events"}),
)
FOOTER = (
    ("certificates:certificate_lookup", _("Verify a certificate")),
    ("projects:project_list", _("Projects")),
    ("principle_list", _("Principles of partnership")),
    ("open_data", _("Open data")),
    ("statistics", _("Statistics")),
    ("accessibility_statement", _("Accessibility statement")),
)


@cache
def _links(language: str) -> tuple[str, tuple, tuple]:
    with translation.override(language):
        home = reverse("home")
        sections = tuple((reverse(name), str(label), marks) for name, label, marks in SECTIONS)
        footer = tuple((reverse(name), str(label)) for name, label in FOOTER)
    return home, sections, footer


def navigation(request: HttpRequest) -> dict:
    """``nav_home``; ``nav_sections``, (url, label, is current) of the header's navigation;
    ``nav_footer``, (url, label) of the footer's (names no view uses for its own)."""
    home, sections, footer = _links(translation.get_language())
    match = request.resolver_match
    here = {match.namespace, match.url_name} if match else set()
    return {
        "nav_home": home,
        "nav_sections": [(url, label, bool(marks & here)) for url, label, marks in sections],
        "nav_footer": footer,
    }
