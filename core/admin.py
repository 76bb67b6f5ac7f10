"""What every registry admin shares, below the apps: the bases ``RegistryAdmin`` and
``RegistryInlineMixin`` and the mixins they are made of.

- ``ScopedAdminMixin`` and ``ScopedInlineMixin`` apply the rule of who may change which
  record on the server: permissions per object (a read-only change form, 403 on a POST), the
  choices of the field that decides a record's region, the submitted form checked again,
  deletes with everything they reach (``core.deletion``), "save as new", bulk actions and
  simple-history's revert. The rule itself is the registry's regional one, in the module
  ``settings.REGISTRY_SCOPE`` names (``members.scope``): named in settings because the app that
  knows who works where sits above this one, as ``AUTH_USER_MODEL`` names the user model.
- ``ConcurrentEditMixin``: a save over someone else's newer save is refused.
- ``FoldedSearchMixin``: search through the records' folded keys ("rakow" finds "Raków").
- ``CsvExportMixin``: the selected rows as CSV, through the one safe writer.
- ``UniqueRowsFormSet``: inline rows checked against every unique constraint of their model.

A record's home voivodeship comes from ``model.REGION_PATH`` (queries) and ``region_id`` (one
object); every regional model has both.
"""

import datetime
from functools import partial
from importlib import import_module

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import actions as admin_actions
from django.contrib.admin.utils import unquote
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import models
from django.db.models import Q, QuerySet, Value
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from .deletion import Consequence, consequences_of_deleting, deletion_reason, record_in_history
from .lookups import key_along
from .spreadsheet import SafeWriter
from .text import query_key


def scope():
    """The module with the rule of who may change which record (``settings.REGISTRY_SCOPE``).

    It provides ``is_unrestricted(user)``, ``may_change_some(user)``, ``region_of(user)``,
    ``can_change(user, obj)``, ``region_name(code)`` and ``outside_regions_of(user, objs,
    consequences)``.
    """
    return import_module(settings.REGISTRY_SCOPE)


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


class SuperuserOnlyMixin:
    """Who works for which centre decides what they may change: only superusers set it."""

    def has_module_permission(self, request: HttpRequest, *args) -> bool:
        return scope().is_unrestricted(request.user)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return scope().is_unrestricted(request.user)

    def has_add_permission(self, request: HttpRequest, *args) -> bool:
        return scope().is_unrestricted(request.user)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return scope().is_unrestricted(request.user)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return scope().is_unrestricted(request.user)


class ModelAdminFilter(admin.SimpleListFilter):
    """A list filter that keeps its ModelAdmin, whose paths (``get_region_path``, ``county_path``)
    it filters by: Django hands the ModelAdmin to ``lookups`` but not to ``queryset``."""

    def __init__(self, request, params, model, model_admin):
        self.model_admin = model_admin
        super().__init__(request, params, model, model_admin)


class MyRegionFilter(ModelAdminFilter):
    """ "Mine / other regions": which rows the user may change, at a glance."""

    title = _("scope")
    parameter_name = "zakres"

    def lookups(self, request, model_admin):
        if scope().region_of(request.user) is None:
            return []
        return [("moj", _("my region")), ("inne", _("other regions"))]

    def queryset(self, request, queryset):
        region = scope().region_of(request.user)
        if region is None or self.value() not in {"moj", "inne"}:
            return queryset
        mine = {self.model_admin.get_region_path(): region}
        return queryset.filter(**mine) if self.value() == "moj" else queryset.exclude(**mine)


class ScopedAdminMixin:
    """The scope rule applied to a ModelAdmin; put it before ``SimpleHistoryAdmin``/``ModelAdmin``.

    ``region_path`` (default: ``model.REGION_PATH``) finds the home voivodeship in queries; its
    first part is the form field that decides the region (``home_voivodeship``, ``commune``,
    ``operator``, …), whose choices are limited to the user's region.
    """

    region_path: str | None = None

    def get_region_path(self) -> str:
        return self.region_path or self.model.REGION_PATH

    def get_region_field(self) -> str:
        return self.get_region_path().split("__", 1)[0]

    def can_change_object(self, request: HttpRequest, obj) -> bool:
        return scope().can_change(request.user, obj)

    def changeable(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        """The rows of ``queryset`` that the user may change or delete."""
        if scope().is_unrestricted(request.user):
            return queryset
        region = scope().region_of(request.user)
        if region is None:
            return queryset.none()
        return queryset.filter(**{self.get_region_path(): region})

    # Permissions: the model permission and the region, both.

    def has_add_permission(self, request: HttpRequest, *args) -> bool:
        return super().has_add_permission(request, *args) and scope().may_change_some(request.user)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        return scope().may_change_some(request.user) if obj is None else self.can_change_object(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        if not super().has_delete_permission(request, obj):
            return False
        return scope().may_change_some(request.user) if obj is None else self.can_change_object(request, obj)

    # The field that decides the region offers only the user's region, and the submitted
    # record is checked again as a whole: a forged POST must not move a record.

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        rule = scope()
        if field is not None and db_field.name == self.get_region_field() and not rule.is_unrestricted(request.user):
            region = rule.region_of(request.user)
            rest = self.get_region_path().split("__", 1)[1:]
            lookup = {rest[0]: region} if rest else {"pk": region}
            field.queryset = field.queryset.filter(**lookup) if region else field.queryset.none()
            # A record without a region only a superuser may keep: for staff the field is
            # required, and an empty one says so before anything about regions.
            field.required = True
            field.error_messages["invalid_choice"] = _(
                "Choose one within your region: you keep the records of your own voivodeship only."
            )
        return field

    def get_form(self, request: HttpRequest, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        rule = scope()
        if rule.is_unrestricted(request.user):
            return form
        user, region_field = request.user, self.get_region_field()
        # The rest of the path, from the object the field holds to the region ("" when the
        # field holds the voivodeship itself).
        rest = self.get_region_path().partition("__")[2]

        class ScopedForm(form):
            def clean(self):
                # The choices offer only the user's region; a forged POST with another one is
                # refused here, and in save_model again.
                cleaned = super().clean()
                checked = region_field in self.fields and not self.has_error(region_field)
                submitted = cleaned.get(region_field)
                region = key_along(submitted, rest) if rest else getattr(submitted, "pk", None)
                if checked and region != rule.region_of(user):
                    message = _("You may save only records of your own voivodeship (%(region)s).") % {
                        "region": rule.region_name(rule.region_of(user))
                    }
                    self.add_error(region_field, message)
                return cleaned

        ScopedForm.__name__ = form.__name__
        return ScopedForm

    def save_model(self, request: HttpRequest, obj, form, change) -> None:
        if not self.can_change_object(request, obj):
            raise PermissionDenied
        super().save_model(request, obj, form, change)

    # Deleting: an own record may still be pointed at by another region's records, which the
    # delete would change (a field emptied, a link removed, a row deleted with it). Staff are
    # refused such a delete with the list of those records; a superuser sees the list and may
    # confirm, and every record changed gets a history row naming the delete.

    def cross_region_consequences(self, request: HttpRequest, objs: list) -> list[Consequence]:
        return scope().outside_regions_of(request.user, objs, consequences_of_deleting(objs))

    def checked_delete(self, request: HttpRequest, objs: list, delete) -> None:
        """Run ``delete()`` of ``objs`` once the user may bring about all it reaches, then write
        the history rows of the records it changed."""
        consequences = consequences_of_deleting(objs)
        rule = scope()
        if not rule.is_unrestricted(request.user) and rule.outside_regions_of(request.user, objs, consequences):
            raise PermissionDenied
        delete()
        record_in_history(consequences, request.user, deletion_reason(objs))

    def delete_model(self, request: HttpRequest, obj) -> None:
        if not self.can_change_object(request, obj):
            raise PermissionDenied
        self.checked_delete(request, [obj], partial(super().delete_model, request, obj))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        # Django's confirmation page already refuses other regions' rows; this holds even if not.
        queryset = self.changeable(request, queryset)
        objs = list(queryset)
        self.checked_delete(request, objs, partial(super().delete_queryset, request, queryset))

    def save_formset(self, request: HttpRequest, form, formset, change) -> None:
        # Rows deleted from an inline reach records too (an agreement takes its signatories).
        doomed = [row.instance for row in formset.deleted_forms if row.instance.pk is not None]
        save = partial(super().save_formset, request, form, formset, change)
        if doomed:
            self.checked_delete(request, doomed, save)
        else:
            save()

    def cascade_refusal(
        self, request: HttpRequest, objs: list, reached: list[Consequence], confirmed: bool
    ) -> TemplateResponse:
        """The page that refuses a delete reaching other regions' records, and lists them: in
        place of the confirmation page, or with 403 when the delete was confirmed anyway."""
        context = {
            **self.admin_site.each_context(request),
            "title": _("Cannot delete"),
            "opts": self.opts,
            "objects": objs,
            "cross_region": reached,
        }
        status = 403 if confirmed else 200
        return TemplateResponse(request, "admin/registry/delete_refused.html", context, status=status)

    def delete_view(self, request: HttpRequest, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is not None and self.has_delete_permission(request, obj):
            reached = self.cross_region_consequences(request, [obj])
            if reached and not scope().is_unrestricted(request.user):
                return self.cascade_refusal(request, [obj], reached, confirmed=request.method == "POST")
            extra_context = {**(extra_context or {}), "cross_region": reached}
        return super().delete_view(request, object_id, extra_context)

    def changeform_view(self, request: HttpRequest, object_id=None, form_url="", extra_context=None):
        # "Save as new" is a POST to the change form that Django treats as an add: it checks the
        # add permission only, so a read-only record of another region (with its private fields)
        # could be copied into one's own. It copies a record, so it needs the right to change it.
        if request.method == "POST" and "_saveasnew" in request.POST and object_id is not None:
            original = self.get_object(request, unquote(object_id))
            if original is not None and not self.has_change_permission(request, original):
                raise PermissionDenied
        return super().changeform_view(request, object_id, form_url, extra_context)

    def get_actions(self, request: HttpRequest):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            _func, name, description = actions["delete_selected"]
            actions[name] = (type(self).delete_selected_within_region, name, description)
        return actions

    def delete_selected_within_region(self, request: HttpRequest, queryset: QuerySet):
        """Django's "delete selected" action, refused when it reaches other regions' records."""
        objs = list(queryset)
        reached = self.cross_region_consequences(request, objs)
        if reached and not scope().is_unrestricted(request.user):
            return self.cascade_refusal(request, objs, reached, confirmed=bool(request.POST.get("post")))
        response = admin_actions.delete_selected(self, request, queryset)
        if response is not None:
            response.context_data["cross_region"] = reached
        return response

    def changelist_view(self, request: HttpRequest, extra_context=None):
        user = request.user
        if request.method == "GET" and user.is_staff and not scope().may_change_some(user):
            self.message_user(
                request,
                _("Your account is not assigned to a regional centre: you can view records but not change them."),
                messages.WARNING,
            )
        return super().changelist_view(request, extra_context)

    # simple-history's revert view checks only the view permission before it saves a POST.

    def current_object(self, obj):
        return self.model._default_manager.filter(pk=obj.pk).first() if obj is not None else None

    def history_form_view(self, request: HttpRequest, object_id, version_id, extra_context=None):
        if request.method == "POST":
            history = getattr(self.model, self.model._meta.simple_history_manager_attribute)
            try:
                record = history.get(**{self.model._meta.pk.attname: unquote(object_id), "history_id": version_id})
            except (history.model.DoesNotExist, ValueError, ValidationError):
                raise Http404 from None
            version = record.instance
            current = self.current_object(version)
            if not self.has_change_permission(request, version) or (
                current is not None and not self.has_change_permission(request, current)
            ):
                raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def revert_disabled(self, request: HttpRequest, obj=None) -> bool:
        if super().revert_disabled(request, obj):
            return True
        current = self.current_object(obj)
        return current is not None and not self.has_change_permission(request, current)

    # "Verified is not edited": the verification date is saved alone, so the modification
    # time stays, and the history records who verified.

    @admin.action(description=_("Mark as verified today"), permissions=["change"])
    def mark_verified(self, request: HttpRequest, queryset: QuerySet) -> None:
        today = timezone.localdate()
        allowed = list(self.changeable(request, queryset))
        for obj in allowed:
            obj.last_verified_on = today
            obj._history_user = request.user
            obj._change_reason = str(_("Marked as verified"))
            obj.save(update_fields=["last_verified_on"])
            # The field's English label: the log translates it when it is read.
            self.log_change(request, obj, [{"changed": {"fields": ["last verified on"]}}])
        self.message_user(
            request,
            ngettext(
                "%(count)d record marked as verified today.",
                "%(count)d records marked as verified today.",
                len(allowed),
            )
            % {"count": len(allowed)},
            messages.SUCCESS,
        )
        skipped = queryset.count() - len(allowed)
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d record of another region was left unchanged.",
                    "%(count)d records of other regions were left unchanged.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )


class ScopedInlineMixin:
    """The scope rule applied to an inline: its rows follow the parent object's region (Django
    passes the parent as ``obj``), and a row of another region shown on the page is read-only."""

    def may_change_parent(self, request: HttpRequest, obj) -> bool:
        rule = scope()
        return rule.may_change_some(request.user) if obj is None else rule.can_change(request.user, obj)

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return super().has_add_permission(request, obj) and self.may_change_parent(request, obj)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return super().has_change_permission(request, obj) and self.may_change_parent(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and self.may_change_parent(request, obj)

    def get_formset(self, request: HttpRequest, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        rule = scope()
        if rule.is_unrestricted(request.user):
            return formset
        user = request.user

        class ScopedFormSet(formset):
            def clean(self):
                super().clean()
                existing = [form for form in self.forms if form.instance.pk is not None and form.is_valid()]
                # A row may belong to another region than the page it shows on (a material of
                # another region's event filed under this project): it is read-only here.
                deleting = {
                    form.instance.pk for form in existing if self.can_delete and form.cleaned_data.get("DELETE")
                }
                changed = {form.instance.pk for form in existing if form.has_changed()} - deleting
                for original in self.model._default_manager.filter(pk__in=changed):
                    if not rule.can_change(user, original):
                        raise ValidationError(
                            _("The row “%(row)s” belongs to a record of another region; it cannot be changed here."),
                            params={"row": original},
                            code="cross_region_row",
                        )
                # A row deleted here may reach other regions' records like any delete (the
                # admin's save_formset refuses it too; here it is a message on the form).
                doomed = [form.instance for form in existing if form.instance.pk in deleting]
                reached = rule.outside_regions_of(user, doomed, consequences_of_deleting(doomed))
                if reached:
                    records = "; ".join(f"{c.kind()} „{c.record}”: {c.describe()}" for c in reached)
                    raise ValidationError(
                        _(
                            "Deleting these rows would change records that other regions keep: %(records)s. "
                            "Nothing was saved."
                        ),
                        params={"records": records},
                        code="cross_region_delete",
                    )

        ScopedFormSet.__name__ = formset.__name__
        return ScopedFormSet


class RegistryAdmin(
    ConcurrentEditMixin, ScopedAdminMixin, FoldedSearchMixin, CsvExportMixin, HttpsUrlMixin, SimpleHistoryAdmin
):
    """Base admin of the registry's own records."""

    actions = ["export_csv"]
    list_per_page = 50
    show_facets = admin.ShowFacets.NEVER


class RegistryInlineMixin(ScopedInlineMixin, HttpsUrlMixin):
    """Base of the inlines: rows follow their parent's region, and rows that break a unique
    constraint together are refused with its message."""

    extra = 0
    formset = UniqueRowsFormSet
