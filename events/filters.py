"""The one FilterSet of /wydarzenia/."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from core.listing import ListFilterSet, cached_choices
from core.text import query_key
from members.filters import OfInstitutionFilter
from territory.filters import county_choices, voivodeship_choices

from .models import Event, Project


class YearFilter(django_filters.NumberFilter):
    """A calendar year: a whole number, so "2012.5" is an error shown to the visitor, not 2012."""

    field_class = forms.IntegerField


class EventFilterSet(ListFilterSet):
    """Filters of the event list. Parameter names are Polish: they are public, bookmarked URLs.

    Choices are read once when the FilterSet is built (a fixed number of queries), so the
    template renders the form without touching the database.
    """

    q = django_filters.CharFilter(method="search", label=_("Search"), max_length=500)
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
    projekt = django_filters.ChoiceFilter(field_name="project_id", label=_("Project"))
    organizator = OfInstitutionFilter(field_name="organisers", label=_("Organiser"))

    class Meta:
        model = Event
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, **kwargs):
        if queryset is None:
            queryset = Event.objects.public()
        super().__init__(data, queryset, **kwargs)
        fields = self.form.fields
        fields["wojewodztwo"].choices = voivodeship_choices()
        fields["powiat"].choices = county_choices()
        fields["projekt"].choices = cached_choices(
            "event-projects",
            lambda: [(str(p.pk), p.name) for p in Project.objects.public().filter(events__isnull=False).distinct()],
        )

    def search(self, queryset, name: str, value: str):
        """Title, venue and description, whatever the case and diacritics: "lodz" finds "Łódź"."""
        key = query_key(value)
        if not key:
            return queryset
        return queryset.filter(search_text__contains=key)

    def in_region(self, queryset, name: str, value: str):
        # Where the event took place decides: an event in any powiat of the voivodeship is in it.
        return queryset.in_region(value)
