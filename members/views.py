from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from core.listing import list_parameters, listing_context
from core.page_cache import cacheable

from .filters import InstitutionFilterSet


@require_safe
@cacheable(query=list_parameters(InstitutionFilterSet))
def institution_list(request: HttpRequest) -> HttpResponse:
    filterset = InstitutionFilterSet(request.GET or None)
    context = listing_context(request, filterset, _("Institutions"), related=["commune__county"])
    return render(request, "members/institution_list.html", context)
