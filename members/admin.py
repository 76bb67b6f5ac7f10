"""Staff admin of institutions and people, and of who works for which regional centre."""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from core.admin import MyRegionFilter, PermissionLabelsMixin, RegistryAdmin, SuperuserOnlyMixin, VerificationFilter
from core.forms import CountryChoiceField
from territory.admin import CommuneColumnsMixin, CountyFilter, VoivodeshipFilter

from .models import STAFF_GROUP, Institution, Person, StaffProfile


@admin.register(Institution)
class InstitutionAdmin(CommuneColumnsMixin, RegistryAdmin):
    county_path = "commune__county"
    list_display = ["name", "short_name", "kind", "commune", "voivodeship", "country", "last_verified_on", "updated_at"]
    list_filter = [
        MyRegionFilter,
        VoivodeshipFilter,
        CountyFilter,
        "kind",
        "country",
        "last_verified_on",
        VerificationFilter,
    ]
    list_select_related = ["commune__county__voivodeship"]
    search_fields = ["name", "short_name", "nip", "regon", "krs", "commune__name"]
    ordering = ["name"]
    autocomplete_fields = ["commune"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["logo_thumbnail", "created_at", "updated_at"]
    actions = ["mark_verified", "export_csv"]
    fieldsets = [
        (None, {"fields": ["name", "short_name", "slug", "kind"]}),
        (_("Seat"), {"fields": ["commune", "country", "address"]}),
        (_("Registers"), {"fields": ["nip", "regon", "krs"]}),
        (_("Public contact"), {"fields": ["website", "email", "phone"]}),
        (None, {"fields": ["logo", "logo_thumbnail", "description"]}),
        (_("Record"), {"fields": ["last_verified_on", "created_at", "updated_at"]}),
    ]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "country":
            return CountryChoiceField(
                label=capfirst(db_field.verbose_name), initial=db_field.default, required=not db_field.blank
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

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


class CentreChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Institution) -> str:
        region = obj.commune.county.voivodeship if obj.commune_id else "—"
        return f"{obj} ({region})"


class StaffUserCreationForm(AdminUserCreationForm):
    """A staff member's account in one form: who they are, how to reach them, and the centre
    whose region they keep; staff status and the staff group follow (UserAdmin.save_model)."""

    centre = CentreChoiceField(
        queryset=Institution.objects.regional_centres().select_related("commune__county__voivodeship").order_by("name"),
        label=_("Regional centre (and so the region)"),
        help_text=_("The voivodeship of the centre is the region whose records the person keeps."),
    )

    class Meta(AdminUserCreationForm.Meta):
        fields = ("username", "first_name", "last_name", "email")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("first_name", "last_name", "email"):
            self.fields[name].required = True


@admin.register(User)
class UserAdmin(PermissionLabelsMixin, BaseUserAdmin):
    inlines = [*BaseUserAdmin.inlines, StaffProfileInline]
    add_form = StaffUserCreationForm
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "first_name", "last_name", "email", "centre")}),
        (_("Password"), {"classes": ("wide",), "fields": ("usable_password", "password1", "password2")}),
    )

    def get_inline_instances(self, request, obj=None):
        # On the add form the centre is one of its fields; the profile inline is for later changes.
        return super().get_inline_instances(request, obj) if obj is not None else []

    def save_model(self, request, obj, form, change) -> None:
        if change or not isinstance(form, StaffUserCreationForm):
            super().save_model(request, obj, form, change)
            return
        with transaction.atomic():
            obj.is_staff = True
            super().save_model(request, obj, form, change)
            obj.groups.add(Group.objects.get_or_create(name=STAFF_GROUP)[0])
            StaffProfile.objects.create(user=obj, centre=form.cleaned_data["centre"])


if admin.site.is_registered(Group):
    admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(PermissionLabelsMixin, BaseGroupAdmin):
    pass
