"""``{% cite refs record "field" %}``: the markers of a fact, linked to the page's "Źródła"."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def cite(refs, record, field_name: str = ""):
    """ "[1][2]" for the sources of ``record``'s ``field_name`` (the record as a whole when empty),
    "[ocena redakcji 1]" for each staff judgement; nothing when it has neither."""
    if not refs:
        return ""
    sources = refs.sources_of(record, field_name)
    notes = refs.judgements_of(record, field_name)
    parts = format_html_join(
        "",
        '<a class="ref" href="#zrodlo-{0}" aria-label="{1} {0}">[{0}]</a>',
        ((ref.number, _("source")) for ref in sources),
    ) + format_html_join(
        "",
        '<a class="ref ref--judgement" href="#ocena-{0}">[{1} {0}]</a>',
        ((note.number, _("staff judgement")) for note in notes),
    )
    return format_html("<sup>{}</sup>", parts) if parts else ""


@register.simple_tag
def correction_url(record) -> str:
    """The address of the correction form for ``record``; empty for a kind of record not open to corrections."""
    from core.corrections import correction_url as url_of

    return url_of(record)
