"""Reference data: staff look it up, ``import_teryt`` changes it, nobody edits it by hand; and
the list filters by place that the registry's admins share."""

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from core.admin import ListSpeedMixin, ModelAdminFilter, MyRegionFilter, PolishMessagesMixin
from core.listing import cached_choices

from .models import Commune, County, Voivodeship


class ReadOnlyAdmin(PolishMessagesMixin, ListSpeedMixin, admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_active and request.user.is_staff


@admin.register(Voivodeship)
class VoivodeshipAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "is_active"]
    search_fields = ["code", "name"]
    exclude = ["outline"]


@admin.register(County)
class CountyAdmin(ReadOnlyAdmin):
    list_display = ["code", "__str__", "kind", "voivodeship", "is_active"]
    list_filter = ["voivodeship", "kind", "is_active"]
    list_select_related = ["voivodeship"]
    search_fields = ["code", "name"]
    exclude = ["outline"]


@admin.register(Commune)
class CommuneAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "kind", "county", "is_active"]
    list_filter = ["county__voivodeship", "kind", "is_active"]
    list_select_related = ["county"]
    search_fields = ["code", "name"]


# List filters of the registry's admins: by the voivodeship or the powiat a record belongs to.


class VoivodeshipFilter(ModelAdminFilter):
    """The home voivodeship, through the admin's region path."""

    title = _("voivodeship")
    parameter_name = "wojewodztwo"

    def lookups(self, request, model_admin):
        return list(Voivodeship.objects.values_list("code", "name"))

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(**self.model_admin.region_filter(self.value()))
        return queryset


def voivodeship_of_list(request: HttpRequest, county: str) -> str:
    """The voivodeship whose powiats a list's powiat filter offers: the chosen one, the chosen
    powiat's, or the user's region when the list shows only it; "" for a list of every region."""
    chosen = request.GET.get(VoivodeshipFilter.parameter_name, "")
    if len(chosen) == 2 and chosen.isdigit():
        return chosen
    if county[:2].isdigit() and len(county) >= 2:
        return county[:2]
    return MyRegionFilter.region_shown(request) or ""


class CountyFilter(ModelAdminFilter):
    """The powiat where a record is located, through the admin's ``county_path``.

    Offers the powiats of one voivodeship that have records: the chosen voivodeship, the chosen
    powiat's, or the user's region when the list shows only it. Without any of them it stays
    hidden until a voivodeship is chosen: 380 links on every page cost more to render than the
    page's rows, and nobody reads them. Read once per data generation (finding them reads every
    record's powiat).
    """

    title = _("county")
    parameter_name = "powiat"

    def lookups(self, request, model_admin):
        county = self.value() or ""
        voivodeship = voivodeship_of_list(request, county)
        if not voivodeship:
            return [(county, county)] if county else []
        offered = cached_choices(
            f"admin-counties:{model_admin.model._meta.label_lower}:{self.parameter_name}:{voivodeship}",
            lambda: [(c.code, str(c)) for c in self.counties_with_records(model_admin, voivodeship).defer("outline")],
        )
        # A powiat asked for that has no records (or does not exist) still filters: to nothing.
        if county and county not in dict(offered):
            offered = [*offered, (county, county)]
        return offered

    def counties_with_records(self, model_admin, voivodeship: str):
        located = model_admin.model._default_manager.values(model_admin.county_path)
        return County.objects.filter(voivodeship_id=voivodeship, code__in=located)

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(**{self.model_admin.county_path: self.value()})
        return queryset


class LocatedInCommuneMixin:
    """An admin of records whose region is their commune's voivodeship (``...commune__county__
    voivodeship``). A TERYT commune's code begins with its voivodeship's, so "records of region
    14" is read by the commune key's prefix, through that key's own index, instead of joining
    the commune, the powiat and the voivodeship (a regional search then combines both indexes:
    3 ms instead of 19 at national scale)."""

    LOCATED = "commune__county__voivodeship"

    def region_filter(self, code: str) -> dict:
        path = self.get_region_path()
        if path.endswith(self.LOCATED) and len(code) == 2 and code.isdigit():
            return {path.removesuffix(self.LOCATED) + "commune__code__startswith": code}
        return super().region_filter(code)


class CommuneColumnsMixin(LocatedInCommuneMixin):
    """The columns of a record located in a commune: its voivodeship and the commune's TERYT code."""

    @admin.display(description=_("voivodeship"), ordering="commune__county__voivodeship__name")
    def voivodeship(self, obj):
        return obj.commune.county.voivodeship if obj.commune_id else None

    @admin.display(description=_("TERYT code of the commune"))
    def commune_code(self, obj) -> str:
        return obj.commune_id or ""
