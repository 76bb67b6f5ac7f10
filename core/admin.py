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
import functools
import operator
from functools import partial
from importlib import import_module

from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import actions as admin_actions
from django.contrib.admin import helpers as admin_helpers
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import PAGE_VAR, SEARCH_VAR, ChangeList
from django.contrib.contenttypes.admin import GenericTabularInline
from django.contrib.contenttypes.forms import BaseGenericInlineFormSet
from django.core.exceptions import (
    EmptyResultSet,
    FieldDoesNotExist,
    ImproperlyConfigured,
    PermissionDenied,
    ValidationError,
)
from django.core.paginator import Paginator
from django.db import connection, models
from django.db.models import QuerySet, Value
from django.forms.models import BaseInlineFormSet
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
    JsonResponse,
    QueryDict,
)
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy
from django_tasks_db.models import DBTaskResult
from simple_history.admin import SimpleHistoryAdmin
from simple_history.utils import update_change_reason

from . import corrections, jobs
from .deletion import Consequence, consequences_of_deleting, deletion_reason, record_in_history
from .grammar import Grammar
from .listing import PER_PAGE, EstimatedCountPaginator, FoldedSearchQuerySet, cached_choices
from .lookups import key_along
from .models import Citation, Correction, Job, Judgement, Source
from .spreadsheet import SafeWriter


def scope():
    """The module with the rule of who may change which record (``settings.REGISTRY_SCOPE``).

    It provides ``is_unrestricted(user)``, ``may_change_some(user)``, ``region_of(user)``,
    ``can_change(user, obj)``, ``region_id_of(obj)``, ``region_name(code)``, ``keepers_of(code)``
    and ``outside_regions_of(user, objs, consequences)``.
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
    """The admin's search, each part through an index, never a LIKE over a join of every row.

    A row matches by any of:

    - the model's own search, when it keeps folded keys (``FoldedSearchQuerySet.search``, the
      one the public list uses): "rakow" finds "Raków";
    - ``search_related``: relations searched by their own model's search (an institution by
      its commune's name);
    - Django's ``search_fields``, on the table itself: exact codes (``nip__exact``) or columns
      with a trigram index of their own (a person's names).

    The parts are joined by OR in one WHERE on the table's own columns, which PostgreSQL
    answers with a BitmapOr of their indexes. A related part is read first and put in as its
    ids: a subquery inside the OR would make it test every row of the table. Nothing is
    joined, so no row is listed twice.
    """

    search_related: tuple[str, ...] = ()

    def get_search_fields(self, request: HttpRequest):
        # Django shows the search box only where search_fields names something: a model
        # searched by its folded keys alone names them (they are searched as above).
        fields = super().get_search_fields(request)
        if fields or not isinstance(self.model._default_manager.all(), FoldedSearchQuerySet):
            return fields
        return tuple(self.model._default_manager.all().search_keys)

    # Above this many related matches, they are put in as a subquery rather than a list of ids.
    RELATED_IDS_AT_MOST = 2_000

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        if not search_term.strip():
            return queryset, False
        table = self.model._default_manager.all()
        parts = []
        if isinstance(table, FoldedSearchQuerySet) and table.search_condition(search_term) is not None:
            parts.append(table.search(search_term))
        for relation in self.search_related:
            related = self.model._meta.get_field(relation).related_model._default_manager.all()
            if related.search_condition(search_term) is None:
                continue
            found = related.search(search_term).order_by().values_list("pk", flat=True)
            ids = list(found[: self.RELATED_IDS_AT_MOST + 1])
            parts.append(table.filter(**{f"{relation}__in": ids if len(ids) <= self.RELATED_IDS_AT_MOST else found}))
        if super().get_search_fields(request):
            parts.append(super().get_search_results(request, table, search_term)[0])
        if not parts:
            return queryset.none(), False
        return queryset & functools.reduce(operator.or_, parts), False


class TwoStepChangeList(ChangeList):
    """Django's changelist, reading a list that fits on one page as it reads any page (its ids,
    then its rows: EstimatedCountPaginator.page) rather than in one query of its own, so that
    a list costs the same queries at 5 rows as at 100,000.

    A row's link keeps the list's filters and search (``?_changelist_filters=…``, so that
    saving returns to the same list) as Django's does, but built once for the page: Django
    builds it per row through ``add_preserved_filters``, which resolves every row's address
    against the whole URLconf to learn that it is not the changelist's (a tenth of a searched
    page's time, profiled)."""

    def __init__(self, request: HttpRequest, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        # Only the row links read cl.preserved_filters (admin_list.items_for_result); with it
        # empty, Django leaves the query that url_for_result puts on the link as it is.
        self.row_link_query, self.preserved_filters = self.preserved_filters, ""

    def url_for_result(self, result) -> str:
        url = super().url_for_result(result)
        return f"{url}?{self.row_link_query}" if self.row_link_query else url

    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        if isinstance(self.result_list, QuerySet) and not (self.show_all and self.can_show_all):
            # The whole list is on its first page, whatever page the address asks for (as
            # Django shows it): "?p=2" kept from a longer list is not an error.
            self.result_list = self.paginator.page(1).object_list


class ListSpeedMixin:
    """A changelist that costs the same at 100,000 rows as at 100: no count of the whole table
    beside the filtered one ("50 results (100,000 total)"), the whole table's count estimated by
    PostgreSQL, a filtered list counted exactly, and the page read in two steps, its ids and
    then its rows with ``list_select_related`` (``EstimatedCountPaginator``)."""

    show_full_result_count = False

    def get_changelist(self, request: HttpRequest, **kwargs):
        return TwoStepChangeList

    def action_checkbox(self, obj):
        # Django's markup, written at once: Django renders a form widget through the template
        # engine for every row, a third of the time of a page's cells.
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            admin_helpers.ACTION_CHECKBOX_NAME,
            obj.pk,
            format_html(_("Select this object for an action - {}"), str(obj)),
        )

    # Matches up to this many are sorted whole, not walked along the list's order index
    # (EstimatedCountPaginator.page): a search's, found through its indexes, and a filter's
    # when it keeps few rows (the 302 municipal centres among 100,000 institutions).
    SEARCH_READ_ALL_IDS_BELOW = 10_000
    READ_ALL_IDS_BELOW = 1_000
    # Rows per page, as the public lists show (core.listing.PER_PAGE): once the queries are
    # indexed, a changelist's time is mostly the rendering of its cells, row by row
    # (docs/performance.md).
    list_per_page = PER_PAGE

    def get_paginator(self, request: HttpRequest, queryset: QuerySet, per_page, orphans=0, allow_empty_first_page=True):
        # The same rows as the plain table: no filter, no search, nothing restricted.
        whole = self.model._default_manager.order_by().values("pk")
        try:
            whole_table = str(queryset.order_by().values("pk").query) == str(whole.query)
        except EmptyResultSet:  # a filter that keeps nothing (queryset.none()) has no SQL
            whole_table = False
        related = self.list_select_related if isinstance(self.list_select_related, list | tuple) else ()
        return EstimatedCountPaginator(
            queryset,
            per_page,
            orphans,
            allow_empty_first_page,
            whole_table=whole_table,
            rows=self.get_queryset(request),
            related=related,
            read_all_ids_below=self.SEARCH_READ_ALL_IDS_BELOW
            if request.GET.get(SEARCH_VAR, "").strip()
            else self.READ_ALL_IDS_BELOW,
        )


def year_filter(field: str, *, is_date: bool = True, title=None):
    """A list filter by year: of a date field, or of a field that holds a year. Its choices are
    read once per data generation (a scan of the table's years otherwise, on every page)."""

    class YearFilter(admin.SimpleListFilter):
        parameter_name = "rok"

        def lookups(self, request, model_admin):
            manager = model_admin.model._default_manager

            def years():
                if is_date:
                    return [d.year for d in manager.dates(field, "year", order="DESC")]
                values = manager.filter(**{f"{field}__isnull": False}).order_by(f"-{field}")
                return list(values.values_list(field, flat=True).distinct())

            years = cached_choices(f"admin-years:{model_admin.model._meta.label_lower}:{field}", years)
            return [(str(year), str(year)) for year in years]

        def queryset(self, request, queryset):
            value = self.value()
            if not value or not value.isdigit():
                return queryset
            return queryset.filter(**{f"{field}__year" if is_date else field: int(value)})

    YearFilter.title = title or _("year")
    return YearFilter


def values_filter(field: str, *, title=None, parameter_name: str | None = None):
    """A list filter by the values a column holds (a country code), read once per data
    generation instead of a DISTINCT over the whole table on every page."""

    class ValuesFilter(admin.SimpleListFilter):
        def lookups(self, request, model_admin):
            manager = model_admin.model._default_manager

            def values():
                if connection.vendor == "postgresql":
                    return distinct_values(model_admin.model, field)
                return list(manager.order_by(field).values_list(field, flat=True).distinct())

            values = cached_choices(f"admin-values:{model_admin.model._meta.label_lower}:{field}", values)
            return [(value, value) for value in values if value]

        def queryset(self, request, queryset):
            return queryset.filter(**{field: self.value()}) if self.value() else queryset

    ValuesFilter.parameter_name = parameter_name or field
    ValuesFilter.title = title or field
    return ValuesFilter


def distinct_values(model, field: str) -> list:
    """The distinct non-null values of a column, in order, by a loose index scan on PostgreSQL
    (https://wiki.postgresql.org/wiki/Loose_indexscan): one probe of an index led by the column
    per value, instead of reading every row (the eleven countries of 100,000 institutions: 31
    ms by DISTINCT, under 1 ms so). A staff member's list after each save reads it afresh."""
    quote = connection.ops.quote_name
    table, column = quote(model._meta.db_table), quote(model._meta.get_field(field).column)
    # A model's table and column, quoted; no value from a request.
    sql = (
        f"WITH RECURSIVE found AS ("  # noqa: S608
        f"(SELECT {column} AS value FROM {table} WHERE {column} IS NOT NULL ORDER BY {column} LIMIT 1) "
        f"UNION ALL SELECT (SELECT {column} FROM {table} WHERE {column} > found.value ORDER BY {column} LIMIT 1) "
        f"FROM found WHERE found.value IS NOT NULL"
        f") SELECT value FROM found WHERE value IS NOT NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [row[0] for row in cursor.fetchall()]


def related_filter(field: str, *, title=None):
    """A list filter by one of the records of a many-to-many field (a thematic area).

    Django's own filter joins the relation and then needs DISTINCT over every column of the
    list; here the rows are chosen by ``pk IN`` (the relation's rows of that record), so no
    row is doubled and none needs removing."""

    class RelatedFilter(admin.SimpleListFilter):
        parameter_name = field

        def lookups(self, request, model_admin):
            related = model_admin.model._meta.get_field(field).related_model
            return [(str(obj.pk), str(obj)) for obj in related._default_manager.all()]

        def queryset(self, request, queryset):
            value = self.value()
            if not value or not value.isdigit():
                return queryset
            through = queryset.model._default_manager.filter(**{field: int(value)}).values("pk")
            return queryset.filter(pk__in=through)

    RelatedFilter.title = title or field
    return RelatedFilter


class SelectRelatedFilter(admin.RelatedFieldListFilter):
    """A list filter by a related record with many choices (a funding project of 200), as one
    drop-down in a small form rather than a link each: a link needs the whole query string
    written out, and 200 of them on every page cost more than the page's rows. The choices are
    read once per data generation."""

    template = "admin/filter_select.html"

    def field_choices(self, field, request, model_admin):
        label = field.related_model._meta.label_lower

        def compute():
            return [
                (str(pk), str(name))
                for pk, name in super(SelectRelatedFilter, self).field_choices(field, request, model_admin)
            ]

        return cached_choices(f"admin-related:{label}", compute)

    def choices(self, changelist):
        # The rest of the list's parameters, kept as the form's hidden fields.
        kept = changelist.get_query_string(remove=[self.lookup_kwarg, self.lookup_kwarg_isnull, PAGE_VAR])
        self.kept_parameters = list(QueryDict(kept.lstrip("?")).lists())
        selected = set(self.lookup_val or ())
        for pk, name in self.lookup_choices:
            yield {"value": pk, "display": name, "selected": pk in selected}


class PickerLabelMixin:
    """Choices of a relation named as the related model's ``picker_label`` says (a commune with
    its kind, powiat and voivodeship; an institution with its kind and place), in the form as
    in the autocomplete's results (config.admin_site.PickerView)."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return labelled(super().formfield_for_foreignkey(db_field, request, **kwargs), db_field)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        return labelled(super().formfield_for_manytomany(db_field, request, **kwargs), db_field)


def labelled(field, db_field):
    model = db_field.related_model
    if field is not None and hasattr(model, "picker_label"):
        field.label_from_instance = lambda obj: obj.picker_label
        related = getattr(model, "PICKER_RELATED", ())
        if related:
            field.queryset = field.queryset.select_related(*related)
    return field


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


class PermissionLabelsMixin:
    """Permissions listed in Polish: "Instytucje i osoby | instytucja | może dodawać" instead of
    the English names Django stores ("Can add historical wydarzenie"), which no catalogue
    translates. For the user's and the group's admin."""

    ACTIONS = {
        "add": _("can add"),
        "change": _("can change"),
        "delete": _("can delete"),
        "view": _("can view"),
    }

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and db_field.name in {"permissions", "user_permissions"}:
            field.label_from_instance = permission_label
        return field


def permission_label(permission) -> str:
    content_type = permission.content_type
    model = content_type.model_class()
    action = permission.codename.split("_", 1)[0]
    if model is None or f"{action}_{content_type.model}" != permission.codename:
        return str(permission)
    app = apps.get_app_config(content_type.app_label).verbose_name
    return f"{app} | {model._meta.verbose_name} | {PermissionLabelsMixin.ACTIONS.get(action, action)}"


class ModelAdminFilter(admin.SimpleListFilter):
    """A list filter that keeps its ModelAdmin, whose paths (``get_region_path``, ``county_path``)
    it filters by: Django hands the ModelAdmin to ``lookups`` but not to ``queryset``."""

    def __init__(self, request, params, model, model_admin):
        self.model_admin = model_admin
        super().__init__(request, params, model, model_admin)


class MyRegionFilter(ModelAdminFilter):
    """ "Mine / other regions / all": which rows the user may change, at a glance.

    Staff of a regional centre work in their region: their lists open on it ("my region" is the
    default, without a parameter), and "all regions" is one click away (``zakres=wszystkie``).
    Users without a region (a superuser, staff not yet assigned) see every region by default.
    """

    title = _("scope")
    parameter_name = "zakres"
    MINE, OTHERS, ALL = "moj", "inne", "wszystkie"

    def lookups(self, request, model_admin):
        if scope().region_of(request.user) is None:
            return []
        return [(self.MINE, _("my region")), (self.OTHERS, _("other regions")), (self.ALL, _("all regions"))]

    def value(self):
        value = super().value()
        if value is None and self.default_mine:
            return self.MINE
        return value

    @classmethod
    def region_shown(cls, request: HttpRequest) -> str | None:
        """The user's region when the list shows only it (as it opens for staff), else None."""
        rule = scope()
        region = rule.region_of(request.user)
        if region is None:
            return None
        chosen = request.GET.get(cls.parameter_name)
        if chosen is None:
            return None if rule.is_unrestricted(request.user) else region
        return region if chosen == cls.MINE else None

    def __init__(self, request, params, model, model_admin):
        rule = scope()
        self.default_mine = rule.region_of(request.user) is not None and not rule.is_unrestricted(request.user)
        super().__init__(request, params, model, model_admin)

    def choices(self, changelist):
        # No "All" of Django's that removes the parameter (for staff that means "my region").
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        region = scope().region_of(request.user)
        if region is None or self.value() not in {self.MINE, self.OTHERS}:
            return queryset
        mine = self.model_admin.region_filter(region)
        return queryset.filter(**mine) if self.value() == self.MINE else queryset.exclude(**mine)


class VerificationFilter(admin.SimpleListFilter):
    """Records nobody has checked for a year (or ever): the worklist of the admin home links here."""

    title = _("verification")
    parameter_name = "weryfikacja"
    OVERDUE = "zalegla"

    def lookups(self, request, model_admin):
        return [(self.OVERDUE, _("not verified for 12 months"))]

    def queryset(self, request, queryset):
        if self.value() == self.OVERDUE:
            return queryset.not_verified_within(VERIFICATION_PERIOD)
        return queryset


# How long a check of a record holds before it is due again.
VERIFICATION_PERIOD = datetime.timedelta(days=365)


class ScopedAdminMixin:
    """The scope rule applied to a ModelAdmin; put it before ``SimpleHistoryAdmin``/``ModelAdmin``.

    ``region_path`` (default: ``model.REGION_PATH``) finds the home voivodeship in queries; its
    first part is the form field that decides the region (``home_voivodeship``, ``commune``,
    ``operator``, …), whose choices are limited to the user's region.
    """

    region_path: str | None = None

    def get_region_path(self) -> str:
        return self.region_path or self.model.REGION_PATH

    def region_filter(self, code: str) -> dict:
        """The lookup keeping the records of voivodeship ``code`` (the list filters by region);
        territory.admin.LocatedInCommuneMixin reads it more cheaply for records in a commune."""
        return {self.get_region_path(): code}

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

    def read_only_reason(self, request: HttpRequest, obj) -> str:
        """Why a record the user may view opens read-only for them, and who keeps it ("" when
        they may change it, or when only the model permission is missing)."""
        rule = scope()
        if obj is None or obj.pk is None or rule.can_change(request.user, obj):
            return ""
        if not super().has_change_permission(request, obj):
            return ""
        region = rule.region_id_of(obj)
        if rule.region_of(request.user) is None:
            return str(
                _("You can view this record but not change it: your account is not assigned to a regional centre.")
            )
        if region is None:
            return str(
                _(
                    "This record has no home voivodeship (e.g. a foreign institution): "
                    "only a site administrator changes it."
                )
            )
        keepers = rule.keepers_of(region)
        return str(
            _(
                "This record belongs to the voivodeship %(region)s and is kept by %(keeper)s. You can view it; "
                "you change only the records of your own voivodeship (%(own)s)."
            )
            % {
                "region": rule.region_name(region),
                "keeper": ", ".join(keepers) if keepers else _("its regional centre"),
                "own": rule.region_name(rule.region_of(request.user)),
            }
        )

    def render_change_form(self, request: HttpRequest, context, add=False, change=False, form_url="", obj=None):
        context["read_only_reason"] = self.read_only_reason(request, obj) if change else ""
        return super().render_change_form(request, context, add, change, form_url, obj)

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
        correction = self.correction_at_hand(request, obj) if change else None
        super().save_model(request, obj, form, change)
        if correction is not None:
            # The edit made with a correction at hand accepts it; its history names it.
            update_change_reason(obj, corrections.change_reason(correction))
            corrections.decide(correction, request.user, Correction.State.ACCEPTED)
            self.message_user(request, _("The correction was accepted and its sender, if known, told."))

    # Corrections from the public: a pending correction of this record, opened from the queue
    # (``?correction=<id>``), is shown above the form; saving the record accepts it.

    def correction_at_hand(self, request: HttpRequest, obj) -> Correction | None:
        correction = corrections.pending_for(request.GET.get("correction"), obj)
        if correction is None or not self.can_change_object(request, obj):
            return None
        return correction

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
        if object_id is not None and "correction" in request.GET:
            obj = self.get_object(request, unquote(object_id))
            extra_context = {**(extra_context or {}), "correction": self.correction_at_hand(request, obj)}
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


class PolishMessagesMixin:
    """The admin's titles, buttons and messages about a record in correct Polish: the
    accusative in "Dodaj instytucję" and "Wybierz instytucję do zmiany", the gender in
    "Instytucja „…” została dodana." From the model's ``GRAMMAR`` (``core.grammar``); a model
    without it keeps Django's sentences."""

    # For a model that is not ours (users, groups, login attempts): its grammar, given here.
    model_grammar: Grammar | None = None

    def grammar(self) -> Grammar | None:
        return self.model_grammar or getattr(self.model, "GRAMMAR", None)

    def changelist_view(self, request: HttpRequest, extra_context=None):
        grammar = self.grammar()
        if grammar is not None:
            name = grammar.accusative
            extra_context = {
                "title": (_("Select %s to change") if self.has_change_permission(request) else _("Select %s to view"))
                % name,
                "add_label": _("Add %(name)s") % {"name": name},
                **(extra_context or {}),
            }
        return super().changelist_view(request, extra_context)

    def render_change_form(self, request: HttpRequest, context, add=False, change=False, form_url="", obj=None):
        grammar = self.grammar()
        if grammar is not None:
            if add:
                title = _("Add %s")
            elif self.has_change_permission(request, obj):
                title = _("Change %s")
            else:
                title = _("View %s")
            context["title"] = title % grammar.accusative
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_actions(self, request: HttpRequest):
        actions = super().get_actions(request)
        if "delete_selected" in actions and self.grammar() is not None:
            func, name, _description = actions["delete_selected"]
            # Not Django's "Usuń wybrane(-nych) partnerstwa".
            description = _("Delete the selected: %(verbose_name_plural)s") % {
                "verbose_name_plural": self.opts.verbose_name_plural
            }
            actions["delete_selected"] = (func, name, description)
        return actions

    def response_add(self, request: HttpRequest, obj, post_url_continue=None):
        request.registry_saved = ("added", obj)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request: HttpRequest, obj):
        request.registry_saved = ("changed", obj)
        return super().response_change(request, obj)

    def response_delete(self, request: HttpRequest, obj_display, obj_id):
        request.registry_saved = ("deleted", obj_display)
        return super().response_delete(request, obj_display, obj_id)

    def message_user(self, request: HttpRequest, message, level=messages.INFO, *args, **kwargs):
        saved = getattr(request, "registry_saved", None)
        grammar = self.grammar()
        if saved and grammar is not None and level == messages.SUCCESS:
            request.registry_saved = None
            message = self.saved_message(request, *saved)
        return super().message_user(request, message, level, *args, **kwargs)

    def saved_message(self, request: HttpRequest, what: str, obj) -> str:
        from .grammar import GENDERED

        gender = self.grammar().gender_code
        text = str(GENDERED[what][gender] % {"name": capfirst(self.opts.verbose_name), "obj": obj})
        if what != "deleted" and "_continue" in request.POST:
            text += " " + str(GENDERED["edit_again"][gender])
        return text


class ReadableHistoryMixin:
    """The history page as entries a person reads: one per save, with the record's changes, its
    many-to-many relations and its inline rows, in Polish (core.history_display), newest first,
    a page at a time."""

    history_entries_per_page = 50

    def history_view(self, request: HttpRequest, object_id, extra_context=None):
        from .history_display import readable_history

        inline_models = [inline.model for inline in self.inlines]
        entries = readable_history(self.model, unquote(object_id), inline_models)
        page = Paginator(entries, self.history_entries_per_page).get_page(request.GET.get(PAGE_VAR))
        extra_context = {
            **(extra_context or {}),
            "entries": page.object_list,
            "entries_page": page,
        }
        return super().history_view(request, object_id, extra_context)


class RegistryAdmin(
    ReadableHistoryMixin,
    PolishMessagesMixin,
    ConcurrentEditMixin,
    ScopedAdminMixin,
    FoldedSearchMixin,
    ListSpeedMixin,
    CsvExportMixin,
    PickerLabelMixin,
    HttpsUrlMixin,
    SimpleHistoryAdmin,
):
    """Base admin of the registry's own records."""

    actions = ["export_csv"]
    show_facets = admin.ShowFacets.NEVER


class RegistryInlineMixin(ScopedInlineMixin, PickerLabelMixin, HttpsUrlMixin):
    """Base of the inlines: rows follow their parent's region, and rows that break a unique
    constraint together are refused with its message."""

    extra = 0
    formset = UniqueRowsFormSet


# Provenance and the queue of corrections.


@admin.register(Source)
class SourceAdmin(PolishMessagesMixin, HttpsUrlMixin, admin.ModelAdmin):
    """Sources are shared by every region: any staff member with the permission may add one."""

    list_display = ["__str__", "publisher", "published_on", "key"]
    search_fields = ["title", "description", "publisher"]


class AttachedScopeMixin:
    """A citation or judgement is changed by whoever may change the record it is about."""

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or obj.record is None or scope().can_change(request.user, obj.record))

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or obj.record is None or scope().can_change(request.user, obj.record))

    def save_model(self, request: HttpRequest, obj, form, change) -> None:
        if obj.record is None or not scope().can_change(request.user, obj.record):
            raise PermissionDenied
        super().save_model(request, obj, form, change)


class CitationInline(RegistryInlineMixin, GenericTabularInline):
    """The sources of a record, on its change form; rows follow the record's region."""

    model = Citation
    # A generic relation has no foreign key to compare rows by: Django's own generic formset.
    formset = BaseGenericInlineFormSet
    fields = ["source", "field", "quote", "page"]
    autocomplete_fields = ["source"]
    extra = 0


class JudgementInline(RegistryInlineMixin, GenericTabularInline):
    """The staff judgements of a record, on its change form."""

    model = Judgement
    formset = BaseGenericInlineFormSet
    fields = ["field", "statement", "reason", "made_by", "made_on"]
    extra = 0


@admin.register(Citation)
class CitationAdmin(PolishMessagesMixin, AttachedScopeMixin, admin.ModelAdmin):
    list_display = ["source", "content_type", "object_id", "field"]
    list_filter = ["source", "content_type"]
    list_select_related = ["source", "content_type"]


@admin.register(Judgement)
class JudgementAdmin(PolishMessagesMixin, AttachedScopeMixin, admin.ModelAdmin):
    list_display = ["statement", "content_type", "object_id", "field", "made_by"]
    list_filter = ["content_type"]


class CorrectionDecisionForm(forms.ModelForm):
    """Staff decide here only to reject, with the reason; accepting is editing the record."""

    state = forms.ChoiceField(
        label=_("state"),
        choices=[(Correction.State.PENDING, Correction.State.PENDING.label), (Correction.State.REJECTED, _("reject"))],
    )

    class Meta:
        model = Correction
        fields = ["state", "decision_reason"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("state") == Correction.State.REJECTED and not (cleaned.get("decision_reason") or "").strip():
            self.add_error("decision_reason", _("A rejection states its reason."))
        return cleaned


@admin.register(Correction)
class CorrectionAdmin(PolishMessagesMixin, admin.ModelAdmin):
    """The review queue: staff see the corrections of their own region only, and only they act
    on them; a correction names the sender's e-mail, which is personal data (docs/rodo.md)."""

    form = CorrectionDecisionForm
    list_display = ["record_label", "state", "created_at", "region"]
    list_filter = ["state"]
    readonly_fields = [
        "record_link",
        "what_is_wrong",
        "what_is_right",
        "source",
        "email",
        "created_at",
        "decided_by",
        "decided_at",
    ]
    fields = [*readonly_fields, "state", "decision_reason"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        if scope().is_unrestricted(request.user):
            return queryset
        return queryset.in_region(scope().region_of(request.user))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def in_scope(self, request: HttpRequest, obj) -> bool:
        if scope().is_unrestricted(request.user):
            return True
        region = scope().region_of(request.user)
        return obj is None or (region is not None and obj.region == region)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return super().has_view_permission(request, obj) and self.in_scope(request, obj)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        allowed = super().has_change_permission(request, obj) and self.in_scope(request, obj)
        # Decided once: the stored state counts, not the one a submitted form has just set.
        return allowed and (obj is None or Correction.objects.pending().filter(pk=obj.pk).exists())

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and self.in_scope(request, obj)

    @admin.display(description=_("record"))
    def record_link(self, obj) -> str:
        record = obj.record
        if record is None:
            return _("(the record no longer exists)")
        change_url = reverse(f"admin:{record._meta.app_label}_{record._meta.model_name}_change", args=[record.pk])
        return format_html(
            '{} – <a href="{}?correction={}">{}</a>',
            obj.record_label,
            change_url,
            obj.pk,
            _("edit the record with this correction at hand (saving accepts it)"),
        )

    def save_model(self, request: HttpRequest, obj, form, change) -> None:
        if not self.in_scope(request, obj):
            raise PermissionDenied
        if obj.state == Correction.State.REJECTED:
            corrections.decide(obj, request.user, Correction.State.REJECTED, obj.decision_reason)
        else:
            super().save_model(request, obj, form, change)


@admin.register(Job)
class JobAdmin(PolishMessagesMixin, admin.ModelAdmin):
    """Background jobs (``core.jobs``): their state and a progress bar that follows the worker
    (static/js/job-progress.js asks ``progress/`` every two seconds), the file a finished job
    made, why a failed one failed and a button to run it again. Staff see, download and retry
    the jobs started in their own region only; nobody edits or deletes one."""

    list_display = ["title", "kind", "state", "progress_bar", "created_by", "created_at"]
    list_filter = ["state", "kind"]
    list_select_related = ["created_by"]
    readonly_fields = [
        "title",
        "kind",
        "state",
        "progress_bar",
        "error",
        "notes",
        "result_link",
        "created_by",
        "region",
        "attempts",
        "created_at",
        "started_at",
        "finished_at",
    ]
    fields = readonly_fields
    change_form_template = "admin/core/job/change_form.html"

    class Media:
        js = ["js/job-progress.js"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        rule = scope()
        return (
            super()
            .get_queryset(request)
            .visible_to(request.user, rule.region_of(request.user), rule.is_unrestricted(request.user))
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description=_("progress"))
    def progress_bar(self, obj: Job) -> str:
        return format_html(
            '<span class="job-progress" data-url="{}" data-finished="{}">'
            '<progress max="{}" value="{}"></progress> <span class="job-progress-text">{}</span></span>',
            reverse("admin:core_job_progress", args=[obj.pk]),
            "1" if obj.finished else "",
            obj.total or 1,
            obj.total if obj.state == Job.State.DONE and obj.total else obj.done,
            progress_text(obj),
        )

    @admin.display(description=_("result"))
    def result_link(self, obj: Job) -> str:
        links = []
        if obj.result:
            links.append(
                format_html(
                    '<a href="{}">{}</a>',
                    reverse("admin:core_job_download", args=[obj.pk]),
                    _("Download %(name)s") % {"name": obj.result_name or obj.result.name},
                )
            )
        if obj.result_url and obj.state == Job.State.DONE:
            links.append(format_html('<a href="{}">{}</a>', obj.result_url, _("Show what it made")))
        return format_html_join(" · ", "{}", ((link,) for link in links)) if links else "—"

    def get_urls(self):
        return [
            path("<int:pk>/progress/", self.admin_site.admin_view(self.progress_view), name="core_job_progress"),
            path("<int:pk>/download/", self.admin_site.admin_view(self.download_view), name="core_job_download"),
            path("<int:pk>/retry/", self.admin_site.admin_view(self.retry_view), name="core_job_retry"),
            *super().get_urls(),
        ]

    def _visible(self, request: HttpRequest, pk: int) -> Job:
        if not self.has_view_permission(request):
            raise PermissionDenied
        job = self.get_queryset(request).filter(pk=pk).first()
        if job is None:
            raise Http404
        return job

    def progress_view(self, request: HttpRequest, pk: int) -> JsonResponse:
        """The job's progress as JSON, for the bar; never cached."""
        job = self._visible(request, pk)
        response = JsonResponse(
            {
                "state": job.state,
                "done": job.done,
                "total": job.total,
                "percent": job.percent,
                "finished": job.finished,
                "text": progress_text(job),
            }
        )
        add_never_cache_headers(response)
        return response

    def download_view(self, request: HttpRequest, pk: int) -> FileResponse:
        """The result, always as a download under a fixed type, inert whatever it holds."""
        job = self._visible(request, pk)
        if not job.result:
            raise Http404
        try:
            file = job.result.storage.open(job.result.name, "rb")
        except FileNotFoundError:
            raise Http404 from None
        name = job.result_name or "wynik"
        content_type = "application/pdf" if name.lower().endswith(".pdf") else "application/octet-stream"
        response = FileResponse(file, content_type=content_type, as_attachment=True, filename=name)
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        add_never_cache_headers(response)
        return response

    def retry_view(self, request: HttpRequest, pk: int):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        job = self._visible(request, pk)
        if not jobs.may_retry(job):
            self.message_user(request, _("Only a failed job can be run again."), messages.ERROR)
        elif jobs.retry(job):
            self.message_user(request, _("The job was queued again."), messages.SUCCESS)
        elif jobs.may_retry(Job.objects.get(pk=job.pk)):
            # Still failed, yet not queued: a job of a kind that runs one at a time waits or runs.
            self.message_user(
                request, _("Another job of this kind is waiting or running; run this one when it ends."), messages.ERROR
            )
        else:
            self.message_user(request, _("Only a failed job can be run again."), messages.ERROR)
        return HttpResponseRedirect(reverse("admin:core_job_change", args=[pk]))

    def changeform_view(self, request: HttpRequest, object_id=None, form_url="", extra_context=None):
        extra_context = extra_context or {}
        job = self.get_queryset(request).filter(pk=object_id).first() if object_id else None
        extra_context["may_retry"] = bool(job and jobs.may_retry(job))
        return super().changeform_view(request, object_id, form_url, extra_context)


def progress_text(job: Job) -> str:
    """What the bar says in words: "120 of 200" while it runs, with the state."""
    if job.state in {Job.State.RUNNING, Job.State.QUEUED} and job.total:
        return _("%(state)s: %(done)d of %(total)d") % {
            "state": job.get_state_display(),
            "done": job.done,
            "total": job.total,
        }
    return str(job.get_state_display())


# django-tasks-db's queue of tasks (superusers only), titled in correct Polish like every list.
if admin.site.is_registered(DBTaskResult):
    _task_results = type(admin.site.get_model_admin(DBTaskResult))
    admin.site.unregister(DBTaskResult)
    admin.site.register(
        DBTaskResult,
        type(
            _task_results.__name__,
            (PolishMessagesMixin, _task_results),
            {
                "model_grammar": Grammar(
                    pgettext_lazy("accusative", "Task Result"),
                    pgettext_lazy("grammatical gender of the translated name: m, f or n", "Task Result"),
                )
            },
        ),
    )
