"""The one FilterSet of /instytucje/."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from core.listing import ListFilterSet, StableOrderingFilter
from territory.filters import PlaceFilters

from .models import Institution, Sector


class OfInstitutionFilter(django_filters.CharFilter):
    """Rows of one institution, named by its slug: the partnerships it is a member of
    (``?czlonek=``), the events it organised (``?organizator=``).

    The institution's page links here for "all of them" once its own lists stop (a large
    welfare centre can be in hundreds of partnerships). It is no field to type into, so the
    form carries it hidden, and the chip of active filters names the institution.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.HiddenInput)
        kwargs.setdefault("max_length", 255)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        lookup = {f"{self.field_name}__in": Institution.objects.public().filter(slug=value)}
        # Through a subquery: one row per partnership even when the institution joined twice.
        return qs.filter(pk__in=qs.model.objects.filter(**lookup).values("pk"))

    def describe(self, value: str) -> str:
        """The institution's name for the chip of active filters (one query, when in force)."""
        return Institution.objects.public().filter(slug=value).values_list("name", flat=True).first() or value


class InstitutionFilterSet(PlaceFilters, ListFilterSet):
    """Filters of the institution list. Parameter names are Polish: they are public, bookmarked URLs.

    Choices are read once when the FilterSet is built (a fixed number of queries), so the
    template renders the form without touching the database. ``q`` searches the name and short
    name; the seat's commune places an institution in its powiat and voivodeship.
    """

    rodzaj = django_filters.ChoiceFilter(field_name="kind", choices=Institution.Kind.choices, label=_("Kind"))
    sektor = django_filters.ChoiceFilter(method="in_sector", choices=Sector.choices, label=_("Sector"))
    wojewodztwo = django_filters.ChoiceFilter(method="in_region", label=_("Voivodeship"))
    powiat = django_filters.ChoiceFilter(field_name="commune__county", label=_("County"))
    sortuj = StableOrderingFilter(fields=(("name", "nazwa"),), field_labels={"name": _("name")}, label=_("Sort by"))

    class Meta:
        model = Institution
        fields: list[str] = []

    def in_sector(self, queryset, name: str, value: str):
        return queryset.in_sector(value)
