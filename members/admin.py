"""Staff admin of institutions and people, and the admin pieces the other apps reuse.

``RegistryAdmin`` is the base of every scoped admin: regional scope (``members.scope``),
simple-history (who changed what and when, revert), diacritics-insensitive search and the CSV
export of selected rows.
"""

import datetime

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured, ValidationError
from django.db import models
from django.db.models import Q, QuerySet, Value
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from core.spreadsheet import SafeWriter
from core.text import query_key

from .models import Institution, Person, StaffProfile
from .scope import (
    CountyFilter,
    MyRegionFilter,
    RegionalScopeAdminMixin,
    RegionalScopeInlineMixin,
    VoivodeshipFilter,
    is_unrestricted,
)


def csv_cell(value):
    """A value as the admin's CSV writes it: yes/no, local dates and times; the rest as it is
    (``core.spreadsheet`` makes it safe)."""
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


class CsvExportMixin:
    """An admin action that downloads the selected rows as CSV.

    The file is UTF-8 with a byte order mark and semicolons between cells: that is what Excel
    in a Polish locale opens correctly on a double click (the comma is the Polish decimal
    separator). ``csv_fields`` names model fields, or methods of the admin with a
    ``short_description``. A model's ``PRIVATE_FIELDS`` (a person's contact data) are never
    exported; a relation to a person is exported as the person's name only.
    """

    csv_fields: tuple[str, ...] = ()

    def get_csv_fields(self, request: HttpRequest) -> tuple[str, ...]:
        private = set(getattr(self.model, "PRIVATE_FIELDS", ()))
        leaked = private.intersection(self.csv_fields)
        if leaked:
            raise ImproperlyConfigured(f"{type(self).__name__} would export private fields: {sorted(leaked)}")
        return self.csv_fields

    def get_csv_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset

    def _csv_column(self, name: str):
        method = getattr(self, name, None)
        if callable(method):
            return getattr(method, "short_description", name), method
        try:
            field = self.model._meta.get_field(name)
        except FieldDoesNotExist:
            return name, lambda obj: getattr(obj, name)
        header = capfirst(field.verbose_name)
        if field.many_to_many:
            return header, lambda obj: "; ".join(str(item) for item in getattr(obj, name).all())
        if field.choices:
            return header, lambda obj: getattr(obj, f"get_{name}_display")()
        return header, lambda obj: getattr(obj, name)

    @admin.action(description=_("Export selected rows to CSV"), permissions=["view"])
    def export_csv(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse:
        columns = [self._csv_column(name) for name in self.get_csv_fields(request)]
        filename = f"{self.model._meta.model_name}-{timezone.localdate().isoformat()}.csv"
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response.write("\ufeff")
        writer = SafeWriter(response, delimiter=";")
        writer.writerow([str(header) for header, _value in columns])
        for obj in self.get_csv_queryset(request, queryset):
            writer.writerow([csv_cell(value(obj)) for _header, value in columns])
        return response


class FoldedSearchMixin:
    """Search also in ``search_text``, the record's folded key: "rakow" finds "Raków".

    The matches are found on the plain table and applied as ``pk IN (…)``, so the changelist's
    annotations and joins are left alone and no row is listed twice.
    """

    # The record's folded keys searched; a partnership's include its members' names (kept on
    # the partnership, so one trigram index each instead of a LIKE over a join of every row).
    folded_search_fields: tuple[str, ...] = ("search_text",)

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        if not search_term.strip():
            return queryset, False
        matched, _duplicates = super().get_search_results(request, self.model._default_manager.all(), search_term)
        condition = Q(pk__in=matched.values("pk"))
        key = query_key(search_term)
        fields = {f.name for f in self.model._meta.get_fields()}
        for field in self.folded_search_fields if key else ():
            if field in fields:
                condition |= Q(**{f"{field}__contains": key})
        return queryset.filter(condition), False


def year_filter(field: str, *, is_date: bool = True, title=None):
    """A list filter by year: of a date field, or of a field that holds a year; one query for its choices."""

    class YearFilter(admin.SimpleListFilter):
        parameter_name = "rok"

        def lookups(self, request, model_admin):
            manager = model_admin.model._default_manager
            if is_date:
                years = [d.year for d in manager.dates(field, "year", order="DESC")]
            else:
                values = manager.filter(**{f"{field}__isnull": False}).order_by(f"-{field}")
                years = values.values_list(field, flat=True).distinct()
            return [(str(year), str(year)) for year in years]

        def queryset(self, request, queryset):
            value = self.value()
            if not value or not value.isdigit():
                return queryset
            return queryset.filter(**{f"{field}__year" if is_date else field: int(value)})

    YearFilter.title = title or _("year")
    return YearFilter


class HttpsUrlMixin:
    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # Staff paste addresses without a scheme; public bodies' sites are served over HTTPS.
        if isinstance(db_field, models.URLField):
            kwargs.setdefault("assume_scheme", "https")
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class ConcurrentEditMixin:
    """Refuse a save over a change someone else saved after this form was opened.

    The form carries the id of the record's latest history row when it was opened (hidden
    ``_loaded_version``, templates/admin/change_form.html). On saving, the record is locked
    (``select_for_update``, inside the admin's transaction) and its latest history row compared;
    if another save came in between, nothing is written and the form comes back with the
    user's input, a message saying who changed what and when, and the new version, so that a
    second "Save" after reading it is a decision, not an accident. Every save of the record,
    inlines and "mark as verified" included, writes a history row, so every one is noticed.
    """

    VERSION_FIELD = "_loaded_version"

    def latest_version(self, obj) -> int | None:
        history = getattr(self.model, self.model._meta.simple_history_manager_attribute)
        return (
            history.filter(**{self.model._meta.pk.attname: obj.pk})
            .order_by("-history_id")
            .values_list("history_id", flat=True)
            .first()
        )

    def change_view(self, request: HttpRequest, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        obj = self.get_object(request, unquote(object_id)) if object_id else None
        if obj is not None:
            extra_context["loaded_version"] = self.latest_version(obj)
        return super().change_view(request, object_id, form_url, extra_context)

    def get_form(self, request: HttpRequest, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if obj is None:
            return form
        admin = self

        class ConcurrentEditForm(form):
            def clean(self):
                cleaned = super().clean()
                loaded = self.data.get(admin.VERSION_FIELD, "")
                # A form not opened from the page (a script, an old tab without the field) is not checked.
                if not loaded.isdigit():
                    return cleaned
                admin.model._default_manager.select_for_update().filter(pk=obj.pk).exists()
                latest = admin.latest_version(obj)
                if latest is not None and latest != int(loaded):
                    raise ValidationError(admin.conflict_message(obj, int(loaded), latest), code="edit_conflict")
                return cleaned

        ConcurrentEditForm.__name__ = form.__name__
        return ConcurrentEditForm

    def conflict_message(self, obj, loaded: int, latest: int) -> str:
        history = getattr(self.model, self.model._meta.simple_history_manager_attribute)
        rows = history.filter(history_id__in=[loaded, latest]).select_related("history_user")
        records = {record.history_id: record for record in rows}
        newer = records[latest]
        who = str(newer.history_user) if newer.history_user_id else str(_("someone"))
        when = date_format(timezone.localtime(newer.history_date), "DATETIME_FORMAT")
        changes = []
        if loaded in records:
            delta = newer.diff_against(
                records[loaded], excluded_fields=["created_at", "updated_at"], foreign_keys_are_objs=True
            )
            for change in delta.changes:
                label = capfirst(self.model._meta.get_field(change.field).verbose_name)
                changes.append(f"{label}: „{_shown(change.old)}” → „{_shown(change.new)}”")
        message = _(
            "%(user)s saved this record on %(when)s, after you opened it. Your changes were not saved; "
            "the form below still holds them. Check what changed and save again to keep yours."
        ) % {"user": who, "when": when}
        if changes:
            return f"{message} {_('What changed:')} " + "; ".join(changes) + "."
        return f"{message} {_('Only related entries (members, agreements, …) changed.')}"


def _shown(value) -> str:
    if isinstance(value, list | tuple):
        text = ", ".join(str(item) for item in value)
    else:
        text = "" if value is None else str(value)
    return text if len(text) <= 80 else text[:79] + "…"


class RegistryAdmin(
    ConcurrentEditMixin, RegionalScopeAdminMixin, FoldedSearchMixin, CsvExportMixin, HttpsUrlMixin, SimpleHistoryAdmin
):
    """Base admin of the registry's own records."""

    actions = ["export_csv"]
    list_per_page = 50
    show_facets = admin.ShowFacets.NEVER


class UniqueRowsFormSet(BaseInlineFormSet):
    """Every unique constraint of the model checked across the rows of the formset.

    Django's formsets compare rows only against unconditional constraints; two new rows that a
    conditional one forbids together (an institution twice a current member) would each pass
    and the database would refuse the second with an error page. Here the later row gets the
    constraint's own message. The parent's key counts as equal on every row, as it will be.
    """

    def clean(self):
        super().clean()
        constraints = [c for c in self.model._meta.constraints if isinstance(c, models.UniqueConstraint) and c.fields]
        rows = [form for form in self.forms if self.is_kept(form)]
        for constraint in constraints:
            seen = set()
            for form in rows:
                key = self.constraint_key(constraint, form.instance)
                if key is None:
                    continue
                if key in seen:
                    form.add_error(None, constraint.get_violation_error_message())
                seen.add(key)

    def is_kept(self, form) -> bool:
        """A row that will be saved: valid, filled in or existing, and not marked for deletion."""
        if not form.is_valid() or (form.instance.pk is None and not form.has_changed()):
            return False
        return not (self.can_delete and form.cleaned_data.get("DELETE"))

    def constraint_key(self, constraint: models.UniqueConstraint, instance) -> tuple | None:
        """The values ``constraint`` keeps unique, or None where it does not apply to the row: a
        NULL among them (NULLs are distinct) or a condition the row does not meet."""
        fields = [self.model._meta.get_field(name) for name in constraint.fields]
        key = tuple("parent" if field == self.fk else getattr(instance, field.attname) for field in fields)
        if None in key:
            return None
        if constraint.condition is not None:
            against = {
                field.name: Value(getattr(instance, field.attname), output_field=field)
                for field in self.model._meta.concrete_fields
                if field != self.fk
            }
            if not constraint.condition.check(against):
                return None
        return key


class RegistryInlineMixin(RegionalScopeInlineMixin, HttpsUrlMixin):
    """Base of the inlines: rows follow their parent's region, and rows that break a unique
    constraint together are refused with its message."""

    extra = 0
    formset = UniqueRowsFormSet


@admin.register(Institution)
class InstitutionAdmin(RegistryAdmin):
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

    @admin.display(description=_("voivodeship"), ordering="commune__county__voivodeship__name")
    def voivodeship(self, obj: Institution):
        return obj.commune.county.voivodeship if obj.commune_id else None

    @admin.display(description=_("TERYT code of the commune"))
    def commune_code(self, obj: Institution) -> str:
        return obj.commune_id or ""


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


class SuperuserOnlyMixin:
    """Who works for which centre decides what they may change: only superusers set it."""

    def has_module_permission(self, request: HttpRequest, *args) -> bool:
        return is_unrestricted(request.user)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return is_unrestricted(request.user)

    def has_add_permission(self, request: HttpRequest, *args) -> bool:
        return is_unrestricted(request.user)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return is_unrestricted(request.user)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return is_unrestricted(request.user)


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
