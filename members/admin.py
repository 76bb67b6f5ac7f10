"""Staff admin of institutions and people, and of who works for which regional centre."""

from functools import partial

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from core.admin import (
    CitationInline,
    JudgementInline,
    MyRegionFilter,
    PermissionLabelsMixin,
    PolishMessagesMixin,
    RegistryAdmin,
    SuperuserOnlyMixin,
    VerificationFilter,
    values_filter,
)
from core.cache import cached
from core.forms import CountryChoiceField
from core.grammar import Grammar
from core.merging import MergeRefused, plan_merge
from territory.admin import CommuneColumnsMixin, CountyFilter, LocatedInCommuneMixin, VoivodeshipFilter
from territory.models import Voivodeship

from . import scope
from .duplicates import Pair, institution_pairs, person_pairs
from .merging import cross_region, merge_records, undo_merge, undo_problems
from .models import STAFF_GROUP, Institution, Merge, Person, StaffProfile

PAIRS_PER_PAGE = 50


class DuplicatesAdminMixin:
    """The "Possible duplicates" page of a model, its merge with a confirmation, and the list of
    merges with their undo, under the model's admin addresses (``duplikaty/``, ``scal/…``,
    ``scalenia/``). Staff merge only records of their region (``members.merging``)."""

    change_list_template = "admin/members/change_list_duplicates.html"

    def duplicate_pairs(self, region: str | None) -> list[Pair]:
        raise NotImplementedError

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}"
        own = [
            path("duplikaty/", self.admin_site.admin_view(self.duplicates_view), name=f"{name}_duplicates"),
            path("scal/<int:first>/<int:second>/", self.admin_site.admin_view(self.merge_view), name=f"{name}_merge"),
            path("scalenia/", self.admin_site.admin_view(self.merges_view), name=f"{name}_merges"),
            path(
                "scalenia/<int:pk>/cofnij/",
                self.admin_site.admin_view(require_POST(self.undo_view)),
                name=f"{name}_undo_merge",
            ),
        ]
        return own + super().get_urls()

    def admin_name(self, view: str) -> str:
        return f"admin:{self.opts.app_label}_{self.opts.model_name}_{view}"

    def page_context(self, request: HttpRequest, title) -> dict:
        return {**self.admin_site.each_context(request), "opts": self.opts, "title": title}

    def duplicates_view(self, request: HttpRequest) -> HttpResponse:
        """Likely duplicate pairs, of the user's voivodeship by default, 50 a page."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        regions = dict(Voivodeship.objects.order_by("name").values_list("code", "name"))
        region = request.GET.get("wojewodztwo", scope.region_of(request.user) or "")
        if region and region not in regions:
            self.message_user(request, _("Unknown voivodeship: showing the whole country."), messages.WARNING)
            region = ""
        # Computed once per data generation (any change to a record starts a new one): paging
        # through the pairs, or coming back after a merge elsewhere, costs a cache read.
        name = f"duplicates:{self.opts.label_lower}:{region}:{translation.get_language()}"
        pairs = cached(name, partial(self.duplicate_pairs, region or None))
        page = Paginator(pairs, PAIRS_PER_PAGE).get_page(request.GET.get("strona"))
        ids = {pk for pair in page for pk in (pair.first, pair.second)}
        records = self.duplicate_records(ids)
        rows = [
            {
                "pair": pair,
                "first": records[pair.first],
                "second": records[pair.second],
                "records": [records[pair.first], records[pair.second]],
                "may_merge": self.may_merge(request, records[pair.first], records[pair.second]),
            }
            for pair in page
            if pair.first in records and pair.second in records
        ]
        context = {
            **self.page_context(request, _("Possible duplicates")),
            "rows": rows,
            "page": page,
            "count": len(pairs),
            "regions": regions,
            "region": region,
            "merge_url": self.admin_name("merge"),
        }
        return TemplateResponse(request, "admin/members/duplicates.html", context)

    def duplicate_records(self, ids: set[int]) -> dict:
        return self.model._default_manager.in_bulk(ids)

    def may_merge(self, request: HttpRequest, first, second) -> bool:
        return all(
            self.has_change_permission(request, obj) and self.has_delete_permission(request, obj)
            for obj in (first, second)
        )

    def merge_view(self, request: HttpRequest, first: int, second: int) -> HttpResponse:
        """What a merge of the two records would move, either way round; the user chooses the one
        to keep and confirms. Staff are refused (403) records or moves outside their region."""
        records = self.model._default_manager.in_bulk([first, second])
        if first == second or len(records) != 2:
            raise Http404
        pair = [records[first], records[second]]
        if not all(self.has_view_permission(request, obj) for obj in pair):
            raise PermissionDenied
        choices = []
        for kept, merged in (pair, pair[::-1]):
            plan = plan_merge(kept, merged)
            choices.append(
                {
                    "kept": kept,
                    "merged": merged,
                    "counts": plan.counts(),
                    "cross_region": cross_region(request.user, kept, merged, plan.consequences()),
                    "blocked": plan.blocked,
                }
            )
        unrestricted = scope.is_unrestricted(request.user)
        errors = []
        forbidden = not self.may_merge(request, *pair)
        if forbidden:
            errors.append(_("You may merge only records of your own voivodeship."))
        if request.method == "POST" and not errors:
            chosen = next((c for c in choices if str(c["kept"].pk) == request.POST.get("zachowaj")), None)
            confirmed = unrestricted and bool(request.POST.get("potwierdzam"))
            if chosen is None:
                errors.append(_("Choose the record to keep."))
            elif chosen["cross_region"] and not unrestricted:
                forbidden = True
                errors.append(
                    _(
                        "The merge would change records that other regions keep (listed below). Ask their "
                        "regional centre to change them first, or a site administrator to merge. Nothing was changed."
                    )
                )
            elif chosen["cross_region"] and not confirmed:
                errors.append(_("Confirm that the merge may change the records of other regions listed below."))
            else:
                try:
                    merge = merge_records(
                        chosen["kept"],
                        chosen["merged"],
                        request.user,
                        reason=request.POST.get("powod", "")[:200],
                        confirmed=confirmed,
                    )
                except MergeRefused as refused:
                    errors += refused.reasons
                else:
                    self.message_user(
                        request,
                        _("“%(merged)s” was merged into “%(kept)s”. You can undo it from the list of merges.")
                        % {"merged": merge.merged_name, "kept": merge.kept_name},
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(reverse(self.admin_name("change"), args=[merge.kept_id]))
        context = {
            **self.page_context(request, _("Merge duplicates")),
            "choices": choices,
            "pair": pair,
            "errors": errors,
            "unrestricted": unrestricted,
            "any_cross_region": any(choice["cross_region"] for choice in choices),
            "reason": request.GET.get("powod", request.POST.get("powod", "")),
        }
        status = 403 if request.method == "POST" and forbidden else 200
        return TemplateResponse(request, "admin/members/merge_confirm.html", context, status=status)

    def merges_view(self, request: HttpRequest) -> HttpResponse:
        """The merges of this kind of record, newest first, 50 a page, each with "Undo"."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        merges = Merge.objects.filter(kind=ContentType.objects.get_for_model(self.model)).select_related(
            "merged_by", "undone_by", "region"
        )
        page = Paginator(merges, PAIRS_PER_PAGE).get_page(request.GET.get("strona"))
        context = {**self.page_context(request, _("Merges")), "page": page, "undo_url": self.admin_name("undo_merge")}
        return TemplateResponse(request, "admin/members/merges.html", context)

    def undo_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        record = get_object_or_404(Merge, pk=pk, kind=ContentType.objects.get_for_model(self.model))
        problems = undo_problems(record, request.user)
        if not problems:
            try:
                undo_merge(record, request.user)
            except MergeRefused as refused:
                problems = refused.reasons
        if problems:
            self.message_user(
                request,
                _("The merge was not undone: %(reasons)s") % {"reasons": " ".join(str(p) for p in problems)},
                messages.ERROR,
            )
        else:
            self.message_user(
                request,
                _("The merge was undone: “%(merged)s” is a record of its own again.") % {"merged": record.merged_name},
                messages.SUCCESS,
            )
        return HttpResponseRedirect(reverse(self.admin_name("merges")))


@admin.register(Institution)
class InstitutionAdmin(DuplicatesAdminMixin, CommuneColumnsMixin, RegistryAdmin):
    county_path = "commune__county"
    list_display = ["name", "short_name", "kind", "commune", "voivodeship", "country", "last_verified_on", "updated_at"]
    list_filter = [
        MyRegionFilter,
        VoivodeshipFilter,
        CountyFilter,
        "kind",
        values_filter("country", title=_("country")),
        "last_verified_on",
        VerificationFilter,
    ]
    list_select_related = ["commune__county__voivodeship"]
    # Names through the folded key (FoldedSearchMixin); the registers' numbers and the slug
    # exactly, through their unique indexes; the commune by its name.
    search_fields = ["nip__exact", "regon__exact", "krs__exact", "slug__exact"]
    search_related = ("commune",)
    ordering = ["name", "pk"]
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

    def duplicate_pairs(self, region: str | None) -> list[Pair]:
        return institution_pairs(region)

    def duplicate_records(self, ids: set[int]) -> dict:
        return Institution.objects.select_related("commune").in_bulk(ids)


@admin.register(Person)
class PersonAdmin(LocatedInCommuneMixin, DuplicatesAdminMixin, RegistryAdmin):
    county_path = "affiliation__commune__county"
    list_display = ["last_name", "first_name", "academic_title", "function", "affiliation"]
    list_filter = [MyRegionFilter, VoivodeshipFilter, CountyFilter]
    list_select_related = ["affiliation"]
    # The names through their trigram indexes (members 0006), the affiliation through the
    # institution's folded key.
    search_fields = ["last_name", "first_name", "function"]
    search_related = ("affiliation",)
    ordering = ["last_name", "first_name", "pk"]
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

    def duplicate_pairs(self, region: str | None) -> list[Pair]:
        return person_pairs(region)

    def duplicate_records(self, ids: set[int]) -> dict:
        return Person.objects.select_related("affiliation").in_bulk(ids)


@admin.register(StaffProfile)
class StaffProfileAdmin(PolishMessagesMixin, SuperuserOnlyMixin, admin.ModelAdmin):
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
class UserAdmin(PolishMessagesMixin, PermissionLabelsMixin, BaseUserAdmin):
    model_grammar = Grammar(
        pgettext_lazy("accusative", "user"),
        pgettext_lazy("grammatical gender of the translated name: m, f or n", "user"),
    )
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
class GroupAdmin(PolishMessagesMixin, PermissionLabelsMixin, BaseGroupAdmin):
    model_grammar = Grammar(
        pgettext_lazy("accusative", "group"),
        pgettext_lazy("grammatical gender of the translated name: m, f or n", "group"),
    )


# django-axes' logs of login attempts, with their titles in correct Polish like every other list.
AXES_GRAMMAR = {
    AccessAttempt: Grammar(
        pgettext_lazy("accusative", "access attempt"),
        pgettext_lazy("grammatical gender of the translated name: m, f or n", "access attempt"),
    ),
    AccessLog: Grammar(
        pgettext_lazy("accusative", "access log"),
        pgettext_lazy("grammatical gender of the translated name: m, f or n", "access log"),
    ),
    AccessFailureLog: Grammar(
        pgettext_lazy("accusative", "access failure"),
        pgettext_lazy("grammatical gender of the translated name: m, f or n", "access failure"),
    ),
}
for axes_model, axes_grammar in AXES_GRAMMAR.items():
    if admin.site.is_registered(axes_model):
        axes_admin = type(admin.site.get_model_admin(axes_model))
        admin.site.unregister(axes_model)
        admin.site.register(
            axes_model,
            type(axes_admin.__name__, (PolishMessagesMixin, axes_admin), {"model_grammar": axes_grammar}),
        )
