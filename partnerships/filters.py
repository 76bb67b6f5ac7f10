"""The one FilterSet of /partnerstwa/: the HTML list and its CSV and JSON exports use it alike."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.cache import cached
from core.listing import ListFilterSet, StableOrderingFilter, cached_choices
from events.models import Project
from members.filters import KindAbbreviationSearch, OfInstitutionFilter
from members.models import Institution
from territory.filters import CommuneFilter, PlaceFilters, voivodeship_choices
from territory.places import Places

from .models import Membership, Partnership, TargetGroup, ThematicArea

YEAR_FIELD = {"min_value": 1900, "max_value": 2100, "widget": forms.NumberInput(attrs={"inputmode": "numeric"})}


class PartnershipFilterSet(KindAbbreviationSearch, PlaceFilters, ListFilterSet):
    """Filters of the partnership list. Parameter names are Polish: they are public, bookmarked URLs.

    Choices are read once when the FilterSet is built (a fixed number of queries), so the
    template renders the form without touching the database. ``q`` searches the name, goal and
    description and the names of the member institutions: both keys are on the partnership
    (the members' kept by partnerships.signals), on PostgreSQL one trigram index each, combined
    by a bitmap OR. A place's name ("myszyniec") finds the partnerships working there or with a
    member seated there, an abbreviation ("MOPS") the members' names written out. A place
    filter finds the partnerships working there (``working_in``); ``gmina`` takes a commune's
    name or code (the place picker).
    """

    wojewodztwo = django_filters.ChoiceFilter(method="working_in", label=_("Voivodeship"))
    powiat = django_filters.ChoiceFilter(method="working_in", label=_("County"))
    gmina = CommuneFilter(method="working_in")
    status = django_filters.ChoiceFilter(choices=Partnership.Status.choices, label=_("Status"))
    rok_od = django_filters.NumberFilter(
        field_name="founded_on__year", lookup_expr="gte", label=_("Founded in or after"), **YEAR_FIELD
    )
    rok_do = django_filters.NumberFilter(
        field_name="founded_on__year", lookup_expr="lte", label=_("Founded in or before"), **YEAR_FIELD
    )
    grupa = django_filters.ChoiceFilter(field_name="target_groups__slug", label=_("Target group"))
    obszar = django_filters.ChoiceFilter(field_name="thematic_areas__slug", label=_("Thematic area"))
    rodzaj_czlonka = django_filters.ChoiceFilter(
        method="with_member_kind", choices=Institution.Kind.choices, label=_("Kind of member institution")
    )
    projekt = django_filters.ChoiceFilter(field_name="project_id", label=_("Project"))
    czlonek = OfInstitutionFilter(field_name="memberships__institution", label=_("Member institution"))
    # Two values and "(all)": a choice, so that anything else in the address is an error shown
    # (a BooleanFilter would take any other text for "(all)").
    certyfikat = django_filters.TypedChoiceFilter(
        method="with_certificate",
        label=_("Holds a valid certificate"),
        # A typed choice gets no empty choice of its own, as ChoiceFilter's do.
        choices=[("", _("(all)")), ("true", _("yes")), ("false", _("no"))],
        coerce=lambda value: value == "true",
        empty_value=None,
    )
    sortuj = StableOrderingFilter(
        fields=(("name", "nazwa"), ("founded_on", "rok"), ("listed_member_count", "czlonkowie")),
        field_labels={
            "name": _("name"),
            "founded_on": _("founding year"),
            "listed_member_count": _("number of members"),
        },
        label=_("Sort by"),
    )

    class Meta:
        model = Partnership
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = self.form.fields
        fields["grupa"].choices = cached_choices(
            "target-groups", lambda: [(t.slug, str(t)) for t in TargetGroup.objects.all()]
        )
        fields["obszar"].choices = cached_choices(
            "thematic-areas", lambda: [(t.slug, str(t)) for t in ThematicArea.objects.all()]
        )
        # The projects with a partnership, found by a semi-join on the partnerships' index of
        # their project, not by a DISTINCT over every column of a join with 20,000 of them.
        with_partnership = Project.objects.filter(pk__in=Partnership.objects.values("project_id"))
        fields["projekt"].choices = cached_choices(
            "partnership-projects", lambda: [(str(pk), name) for pk, name in with_partnership.values_list("pk", "name")]
        )

    def working_in(self, queryset, name: str, value: str):
        return queryset.working_in(value)

    def in_places(self, places: Places) -> Q:
        communes, counties = sorted(places.communes_within), sorted(places.counties_around)
        # Once per data generation: Warszawa's 3,000 institutions make it the costliest part
        # of a search (70 ms), and the next visitor asks for the same place.
        ids = cached(
            f"partnerships-in-places:{communes}:{counties}",
            lambda: Partnership.objects.ids_in_places(communes, counties),
        )
        return Q(pk__in=ids)

    def with_certificate(self, queryset, name: str, value: bool | None):
        if value is None:
            return queryset
        certified = Partnership.objects.certified().values("pk")
        return queryset.filter(pk__in=certified) if value else queryset.exclude(pk__in=certified)

    def with_member_kind(self, queryset, name: str, value: str):
        members = Membership.objects.current().filter(institution__kind=value).values("partnership_id")
        return queryset.filter(pk__in=members)


class StatisticsFilterSet(django_filters.FilterSet):
    """The filter of /statystyki/: the list's voivodeship alone, with the list's choices and
    validation, but without building the list's other choices (four more queries, when the
    statistics are computed again after a change)."""

    wojewodztwo = PartnershipFilterSet.base_filters["wojewodztwo"]

    class Meta:
        model = Partnership
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.fields["wojewodztwo"].choices = voivodeship_choices()

    working_in = PartnershipFilterSet.working_in
