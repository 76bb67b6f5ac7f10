"""Site-wide pages that belong to no single app."""

import datetime

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from territory.models import Commune, County, Voivodeship


@require_GET
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness for load balancers: the process answers. Touches no database on purpose."""
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    voivodeships = Voivodeship.objects.active().with_county_counts()
    context = {
        "voivodeships": voivodeships,
        "county_count": County.objects.active().count(),
        "commune_count": Commune.objects.active().count(),
    }
    return render(request, "pages/home.html", context)


@require_GET
def accessibility_statement(request: HttpRequest) -> HttpResponse:
    """The statement Polish public bodies must publish (ustawa z 4 kwietnia 2019 r.)."""
    context = {
        "operator": settings.SITE_OPERATOR or _("The operator of this registry"),
        "contact_name": settings.CONTACT_NAME,
        "contact_email": settings.CONTACT_EMAIL,
        "contact_phone": settings.CONTACT_PHONE,
        "published_on": datetime.date.fromisoformat(settings.ACCESSIBILITY_PUBLISHED_ON),
        "updated_on": datetime.date.fromisoformat(settings.ACCESSIBILITY_UPDATED_ON),
    }
    return render(request, "pages/accessibility_statement.html", context)
