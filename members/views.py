import datetime

from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from territory.listing import listing_context

from .filters import InstitutionFilterSet
from .models import Institution


@require_GET
def institution_list(request: HttpRequest) -> HttpResponse:
    filterset = InstitutionFilterSet(request.GET or None)
    queryset = filterset.qs.select_related("commune__county")
    context = listing_context(request, filterset, queryset, _("Institutions"))
    return render(request, "members/institution_list.html", context)


@require_GET
def institution_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The institution with its partnerships, events and people: five queries, whatever their number.

    Partnerships and events are reached through reverse relations only, because members may
    not import the apps to its right.
    """
    institution = get_object_or_404(
        Institution.objects.public().select_related("commune__county__voivodeship"), slug=slug
    )
    memberships = list(
        institution.memberships.select_related("partnership").order_by("partnership__name", "joined_on", "pk")
    )
    organised_events = list(
        institution.organised_events.select_related("commune").order_by(F("start_date").desc(nulls_last=True), "title")
    )
    # Talks are events' rows: named by lookup, not imported (see above).
    people = list(
        institution.people.public().order_by("last_name", "first_name", "pk").prefetch_related("talks__event__commune")
    )
    # Each talk keeps its (public-fields-only) person from the prefetch; the newest event first.
    talks_by_people = sorted(
        (talk for person in people for talk in person.talks.all()),
        key=lambda talk: talk.event.start_date or datetime.date.min,
        reverse=True,
    )
    context = {
        "institution": institution,
        "memberships": memberships,
        "organised_events": organised_events,
        "talks": talks_by_people,
        "people": people,
        "breadcrumbs": [(_("Institutions"), reverse("members:institution_list")), (institution.name, "")],
    }
    return render(request, "members/institution_detail.html", context)
