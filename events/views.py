from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from core.listing import list_parameters, listing_context
from core.page_cache import cacheable

from .filters import EventFilterSet


@require_safe
@cacheable(query=list_parameters(EventFilterSet))
def event_list(request: HttpRequest) -> HttpResponse:
    filterset = EventFilterSet(request.GET or None)
    context = listing_context(request, filterset, _("Events"), related=["commune__county"])
    return render(request, "events/event_list.html", context)
