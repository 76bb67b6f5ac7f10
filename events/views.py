from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from core import opendata
from core.listing import list_parameters, listing_context
from core.page_cache import cacheable

from . import exports
from .filters import EventFilterSet


@require_safe
# An export is streamed and never stored; `format` is in the key all the same, so that no
# export address can ever be answered with the cached list.
@cacheable(query=(*list_parameters(EventFilterSet), "format"))
def event_list(request: HttpRequest) -> HttpResponse:
    filterset = EventFilterSet(request.GET or None)
    if request.GET.get("format") in opendata.FORMATS:
        return exports.stream(filterset.qs, request.GET["format"])
    context = listing_context(request, filterset, _("Events"), related=["commune__county"])
    return render(request, "events/event_list.html", context)
