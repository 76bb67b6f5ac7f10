"""The one FilterSet of /wydarzenia/."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from core.listing import ListFilterSet, cached_choices
from members.filters import OfInstitutionFilter
from territory.filters import CommuneFilter, PlaceFilters

from .models import Event, Project


class YearFilter(django_filters.NumberFilter):
    """A calendar year: a whole number, so "2012.5" is an error shown to the visitor, not 2012."""

    field_class = forms.IntegerField


class EventFilterSet(PlaceFilters, ListFilterSet):
    """Filters of the event list. Parameter names are Polish: they are public, bookmarked URLs.

    Choices are read once when the FilterSet is built (a fixed number of queries), so the
    template renders the form without touching the database. ``q`` searches the title, venue
    and description, and a place's name the events held there; where an event took place
    places it in its gmina, powiat and voivodeship. The rows keep the model's order, newest
    first.
    """

    ordering = None
    rodzaj = django_filters.ChoiceFilter(field_name="kind", choices=Event.Kind.choices, label=_("Kind"))
    rok = YearFilter(
        field_name="start_date__year",
        label=_("Year"),
        min_value=1900,
        max_value=2100,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    wojewodztwo = django_filters.ChoiceFilter(method="in_region", label=_("Voivodeship"))
    powiat = django_filters.ChoiceFilter(field_name="commune__county", label=_("County"))
    gmina = CommuneFilter(field_name="commune")
    projekt = django_filters.ChoiceFilter(field_name="project_id", label=_("Project"))
    organizator = OfInstitutionFilter(field_name="organisers", label=_("Organiser"))

    class Meta:
        model = Event
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A semi-join on the events' index of their project (see PartnershipFilterSet).
        with_event = Project.objects.public().filter(pk__in=Event.objects.values("project_id"))
        self.form.fields["projekt"].choices = cached_choices(
            "event-projects", lambda: [(str(pk), name) for pk, name in with_event.values_list("pk", "name")]
        )
