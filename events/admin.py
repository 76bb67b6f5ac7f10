"""Staff admin of projects and events, with their speakers, patrons and materials.

An event belongs to the voivodeship of its commune, a project to its operator's; speakers,
patrons and materials follow their event or project (``core.admin``).
"""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from core.admin import (
    CitationInline,
    JudgementInline,
    MyRegionFilter,
    RegistryAdmin,
    RegistryInlineMixin,
    SelectRelatedFilter,
    values_filter,
    year_filter,
)
from territory.admin import CommuneColumnsMixin, CountyFilter, VoivodeshipFilter

from .models import Event, Material, Patron, Project, Speaker


class SpeakerInline(RegistryInlineMixin, admin.TabularInline):
    model = Speaker
    fields = ["order", "person", "role", "topic"]
    autocomplete_fields = ["person"]


class PatronInline(RegistryInlineMixin, admin.TabularInline):
    model = Patron
    fields = ["person", "institution", "honorary_title"]
    autocomplete_fields = ["person", "institution"]


class EventMaterialInline(RegistryInlineMixin, admin.StackedInline):
    # The event's page attaches materials to the event only: attaching one to a project of
    # another region from here would change that region's record.
    model = Material
    fk_name = "event"
    fields = [("kind", "year"), "title", ("url", "file"), "description"]


class ProjectMaterialInline(EventMaterialInline):
    fk_name = "project"


@admin.register(Project)
class ProjectAdmin(RegistryAdmin):
    county_path = "operator__commune__county"
    list_display = ["name", "code", "programme", "funding", "operator", "start_year", "end_year"]
    list_filter = [
        MyRegionFilter,
        VoivodeshipFilter,
        CountyFilter,
        values_filter("programme", title=_("programme")),
        values_filter("fund", title=_("fund")),
        year_filter("start_year", is_date=False, title=_("first year")),
    ]
    list_select_related = ["operator"]
    search_fields = ["name", "code", "programme"]
    search_related = ("operator",)
    ordering = ["name", "pk"]
    autocomplete_fields = ["operator"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [ProjectMaterialInline, CitationInline, JudgementInline]
    fieldsets = [
        (None, {"fields": ["name", "code", "operator", ("start_year", "end_year"), "website", "description"]}),
        (
            _("Funding line"),
            {
                "fields": [
                    "programme",
                    ("priority", "priority_name"),
                    "measure",
                    ("sub_measure", "sub_measure_name"),
                    "fund",
                ]
            },
        ),
        (_("Record"), {"fields": ["created_at", "updated_at"]}),
    ]
    csv_fields = ("name", "code", "funding", "operator", "start_year", "end_year", "website")

    @admin.display(description=_("funding line"))
    def funding(self, obj: Project) -> str:
        return obj.funding_line


@admin.register(Event)
class EventAdmin(CommuneColumnsMixin, RegistryAdmin):
    county_path = "commune__county"
    list_display = ["title", "kind", "start_date", "commune", "voivodeship", "participants", "project"]
    list_filter = [
        MyRegionFilter,
        VoivodeshipFilter,
        CountyFilter,
        "kind",
        year_filter("start_date"),
        ("project", SelectRelatedFilter),
    ]
    list_select_related = ["commune__county__voivodeship", "project"]
    # Title and venue through the folded key (FoldedSearchMixin), the commune by its name.
    search_fields = ["slug__exact"]
    search_related = ("commune",)
    autocomplete_fields = ["commune", "organisers", "project"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["created_at", "updated_at"]
    inlines = [SpeakerInline, PatronInline, EventMaterialInline, CitationInline, JudgementInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "kind", ("start_date", "end_date")]}),
        (_("Place"), {"fields": ["venue", "commune"]}),
        (None, {"fields": ["organisers", ("participant_count", "participant_count_qualifier"), "project"]}),
        (None, {"fields": ["description"]}),
        (_("Record"), {"fields": ["created_at", "updated_at"]}),
    ]
    csv_fields = (
        "title",
        "kind",
        "start_date",
        "end_date",
        "venue",
        "commune_code",
        "commune",
        "voivodeship",
        "participants",
        "organisers",
        "project",
    )

    def get_csv_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.prefetch_related("organisers")

    @admin.display(description=_("number of participants"), ordering="participant_count")
    def participants(self, obj: Event) -> str:
        return obj.participants_display
