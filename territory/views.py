"""The place picker's suggestions: a small JSON answer read by static/js/place-picker.js."""

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_safe

from core.cache import cached
from core.page_cache import cacheable
from core.text import query_key

from .filters import commune_choice_text, commune_label, communes_with_counties
from .places import commune_names

SUGGESTIONS = 10


@require_safe
@cacheable(query=["q"])
def place_suggestions(request: HttpRequest) -> JsonResponse:
    """Up to ten communes whose names begin with ``q`` (folded: "mysz" finds Myszyniec), the
    shortest names first, each with its code, its label (kind, powiat, voivodeship) and the
    text the picker puts in the field. One query, none for fewer than two letters."""
    key = query_key(request.GET.get("q", ""))[:100]
    results = []
    if len(key) >= 2:
        names = cached("commune-names", commune_names)
        codes = [code for name, code in names if name.startswith(key)][:SUGGESTIONS]
        communes = {c.code: c for c in communes_with_counties().filter(code__in=codes)}
        results = [
            {"code": code, "label": commune_label(communes[code]), "value": commune_choice_text(communes[code])}
            for code in codes
            if code in communes
        ]
    return JsonResponse({"results": results})
