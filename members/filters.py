"""The one FilterSet of /instytucje/."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.listing import ListFilterSet, StableOrderingFilter
from territory.filters import CommuneFilter, PlaceFilters

from .matching import KIND_ABBREVIATIONS, KINDS_OF_ABBREVIATION
from .models import Institution, Sector


def abbreviation_of(key: str) -> str:
    """The kind abbreviation a folded query is ("mops", "m.o.p.s.", "ŚDS" -> "sds"), or ""."""
    word = key.replace(".", "").strip()
    return word if word in KINDS_OF_ABBREVIATION else ""


class KindAbbreviationSearch:
    """``q`` as an abbreviation of a kind of institution ("MOPS", "PUP", "ŚDS") also looks for
    the name it stands for ("miejski osrodek pomocy spolecznej"), written out in most names."""

    def search_terms(self, key: str) -> list[str]:
        terms = super().search_terms(key)
        if abbreviation := abbreviation_of(key):
            terms.extend(term for term in (abbreviation, KIND_ABBREVIATIONS[abbreviation]) if term not in terms)
        return terms


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


class InstitutionFilterSet(KindAbbreviationSearch, PlaceFilters, ListFilterSet):
    """Filters of the institution list. Parameter names are Polish: they are public, bookmarked URLs.

    Choices are read once when the FilterSet is built (a fixed number of queries), so the
    template renders the form without touching the database. ``q`` searches the name and short
    name; the seat's commune places an institution in its powiat and voivodeship.
    """

    rodzaj = django_filters.ChoiceFilter(field_name="kind", choices=Institution.Kind.choices, label=_("Kind"))
    sektor = django_filters.ChoiceFilter(method="in_sector", choices=Sector.choices, label=_("Sector"))
    wojewodztwo = django_filters.ChoiceFilter(method="in_region", label=_("Voivodeship"))
    powiat = django_filters.ChoiceFilter(field_name="commune__county", label=_("County"))
    gmina = CommuneFilter(field_name="commune")
    sortuj = StableOrderingFilter(fields=(("name", "nazwa"),), field_labels={"name": _("name")}, label=_("Sort by"))

    class Meta:
        model = Institution
        fields: list[str] = []

    def in_sector(self, queryset, name: str, value: str):
        return queryset.in_sector(value)

    def search_also(self, key: str) -> Q:
        condition = super().search_also(key)
        if abbreviation := abbreviation_of(key):
            # An index on (kind, name) serves it (members migration of the admin's list indexes).
            condition |= Q(kind__in=KINDS_OF_ABBREVIATION[abbreviation])
        return condition
