"""Staff admin of institutions and people, and of who works for which regional centre."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from core.admin import CitationInline, JudgementInline, MyRegionFilter, RegistryAdmin, SuperuserOnlyMixin
from territory.admin import CommuneColumnsMixin, CountyFilter, VoivodeshipFilter

from .models import Institution, Person, StaffProfile


@admin.register(Institution)
class InstitutionAdmin(CommuneColumnsMixin, RegistryAdmin):
    county_path = "commune__county"
    list_display = ["name", "short_name", "kind", "commune", "voivodeship", "country", "last_verified_on", "updated_at"]
    list_filter = [MyRegionFilter, VoivodeshipFilter, CountyFilter, "kind", "country", "last_verified_on"]
    list_select_related = ["commune__county__voivodeship"]
    search_fields = ["name", "short_name", "nip", "regon", "krs", "commune__name"]
    ordering = ["name"]
    autocomplete_fields = ["commune"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["logo_thumbnail", "created_at", "updated_at"]
    actions = ["mark_verified", "export_csv"]
    inlines = [CitationInline, JudgementInline]
    fieldsets = [
        (None, {"fields": ["name", "short_name", "slug", "kind"]}),
        (_("Seat"), {"fields": ["commune", "country", "address"]}),
        (_("Registers"), {"fields": ["nip", "regon", "krs"]}),
        (_("Public contact"), {"fields": ["website", "email", "phone"]}),
        (None, {"fields": ["logo", "logo_thumbnail", "description"]}),
        (_("Record"), {"fields": ["last_verified_on", "created_at", "updated_at"]}),
    ]
    csv_fields = (
        "name",
        "short_name",
        "kind",
        "nip",
        "regon",
        "krs",
        "commune_code",
        "commune",
        "voivodeship",
        "country",
        "address",
        "website",
        "email",
        "phone",
        "last_verified_on",
        "updated_at",
    )


@admin.register(Person)
class PersonAdmin(RegistryAdmin):
    county_path = "affiliation__commune__county"
    list_display = ["last_name", "first_name", "academic_title", "function", "affiliation"]
    list_filter = [MyRegionFilter, VoivodeshipFilter, CountyFilter]
    list_select_related = ["affiliation"]
    search_fields = ["last_name", "first_name", "function", "affiliation__name", "affiliation__short_name"]
    ordering = ["last_name", "first_name"]
    autocomplete_fields = ["affiliation"]
    inlines = [CitationInline, JudgementInline]
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["academic_title", "first_name", "last_name", "function", "affiliation"]}),
        (
            _("Personal data (staff only; never shown publicly nor exported)"),
            {"fields": ["email", "phone", "private_notes"]},
        ),
        (_("Record"), {"fields": ["created_at", "updated_at"]}),
    ]
    # Name, title, function and affiliation are held in an official capacity; contact data is not exported.
    csv_fields = ("academic_title", "first_name", "last_name", "function", "affiliation")


@admin.register(StaffProfile)
class StaffProfileAdmin(SuperuserOnlyMixin, admin.ModelAdmin):
    list_display = ["user", "centre", "region"]
    list_select_related = ["user", "centre__commune__county__voivodeship"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "centre__name"]
    autocomplete_fields = ["user", "centre"]

    @admin.display(description=_("region"))
    def region(self, obj: StaffProfile):
        return obj.centre.commune.county.voivodeship if obj.centre.commune_id else None


class StaffProfileInline(SuperuserOnlyMixin, admin.StackedInline):
    model = StaffProfile
    autocomplete_fields = ["centre"]
    can_delete = True
    max_num = 1


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [*BaseUserAdmin.inlines, StaffProfileInline]
