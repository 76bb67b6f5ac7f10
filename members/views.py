import datetime

from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from core.listing import list_parameters, listing_context
from core.page_cache import cacheable

from .filters import InstitutionFilterSet
from .models import Institution

# Rows of each long list on an institution's page; the rest are on the filtered lists.
DETAIL_LIST_LIMIT = 30


@require_safe
@cacheable(query=list_parameters(InstitutionFilterSet))
def institution_list(request: HttpRequest) -> HttpResponse:
    filterset = InstitutionFilterSet(request.GET or None)
    context = listing_context(request, filterset, _("Institutions"), related=["commune__county"])
    return render(request, "members/institution_list.html", context)


@require_safe
@cacheable()
def institution_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The institution with its partnerships, events and people: five queries, whatever their number.

    Current memberships come first, then the former ones, newest end first.

    Partnerships and events are reached through reverse relations only, because members may
    not import the apps to its right.
    """
    institution = get_object_or_404(
        Institution.objects.public().select_related("commune__county__voivodeship"), slug=slug
    )
    # A large welfare centre is in hundreds of partnerships and organises hundreds of events:
    # the page shows the first of each, and links to the list of all of them (one more row
    # read tells whether there are more).
    memberships = list(
        institution.memberships.select_related("partnership")
        .only("institution", "role", "joined_on", "left_on", "partnership__name", "partnership__slug")
        .order_by(F("left_on").desc(nulls_first=True), "partnership__name", "joined_on", "pk")[: DETAIL_LIST_LIMIT + 1]
    )
    organised_events = list(
        institution.organised_events.select_related("commune")
        .only("title", "slug", "start_date", "commune__name")
        .order_by(F("start_date").desc(nulls_last=True), "title", "pk")[: DETAIL_LIST_LIMIT + 1]
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
        "memberships": memberships[:DETAIL_LIST_LIMIT],
        "more_memberships": len(memberships) > DETAIL_LIST_LIMIT,
        "organised_events": organised_events[:DETAIL_LIST_LIMIT],
        "more_organised_events": len(organised_events) > DETAIL_LIST_LIMIT,
        "talks": talks_by_people,
        "people": people,
        "breadcrumbs": [(_("Institutions"), reverse("members:institution_list")), (institution.name, "")],
    }
    return render(request, "members/institution_detail.html", context)
