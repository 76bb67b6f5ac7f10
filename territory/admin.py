"""Reference data: staff look it up, ``import_teryt`` changes it, nobody edits it by hand."""

from django.contrib import admin
from django.http import HttpRequest

from .models import Commune, County, Voivodeship


class ReadOnlyAdmin(admin.ModelAdmin):
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
