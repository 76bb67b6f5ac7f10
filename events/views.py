from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from core.listing import list_parameters, listing_context
from core.page_cache import cacheable
from members.models import Institution, Person

from .filters import EventFilterSet
from .models import Event, Patron, Speaker

# Contact data and notes of people stay in the database: not even loaded for a public page.
PERSON_PRIVATE = [f"person__{name}" for name in Person.PRIVATE_FIELDS]


@require_safe
@cacheable(query=list_parameters(EventFilterSet))
def event_list(request: HttpRequest) -> HttpResponse:
    filterset = EventFilterSet(request.GET or None)
    context = listing_context(request, filterset, _("Events"), related=["commune__county"])
    return render(request, "events/event_list.html", context)


@require_safe
@cacheable()
def event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The event with its people, materials, agreements and partnerships: seven queries, whatever their number.

    Agreements and partnerships are reached through reverse relations only, because events
    may not import the partnerships app.
    """
    queryset = (
        Event.objects.public()
        .select_related("commune__county", "project")
        .prefetch_related(
            Prefetch("organisers", queryset=Institution.objects.public().order_by("name")),
            Prefetch(
                "patrons",
                queryset=Patron.objects.select_related("person", "institution").defer(*PERSON_PRIVATE).order_by("pk"),
            ),
            Prefetch(
                "speakers",
                queryset=Speaker.objects.select_related("person__affiliation").defer(*PERSON_PRIVATE),
            ),
            "materials",
        )
    )
    event = get_object_or_404(queryset, slug=slug)
    agreements = list(event.agreements_signed.select_related("partnership"))
    partnerships = list(event.partnerships.public().order_by("name"))
    context = {
        "event": event,
        "participants": participants(event),
        "organisers": list(event.organisers.all()),
        "patrons": list(event.patrons.all()),
        "speakers": list(event.speakers.all()),
        "materials": list(event.materials.all()),
        "agreements": agreements,
        "partnerships": partnerships,
        "breadcrumbs": [(_("Events"), reverse("events:event_list")), (event.title, "")],
    }
    return render(request, "events/event_detail.html", context)


def participants(event: Event) -> str:
    """The count as the source gives it: "ponad 100" stays "over 100", never a bare "100"."""
    if event.participant_count is None:
        return ""
    if event.participant_count_qualifier == Event.CountQualifier.EXACT:
        return str(event.participant_count)
    return f"{event.get_participant_count_qualifier_display()} {event.participant_count}"
