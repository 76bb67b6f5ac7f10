"""Regional scope: staff of a regional centre (ROPS) read every record but change only those of
their own voivodeship.

The rule lives here once and every admin module reuses it:

- ``region_of(user)``: the voivodeship code of the user's centre, or None;
- ``can_change(user, obj)``: whether the user may add, change or delete ``obj``;
- ``RegionalScopeAdminMixin`` and ``RegionalScopeInlineMixin``: the rule applied to the admin,
  on the server — permissions per object (a read-only change form and 403 on POST), choices
  of the field that decides the region limited to the user's region, the submitted values
  checked again in the form and in ``save_model``, bulk actions and simple-history's revert
  view restricted the same way.

A record's home voivodeship comes from ``model.REGION_PATH`` (queries) and the model's
``region_id`` property (one object); a child without them (a membership, a signatory) belongs
to its parent's region, reached through ``region_via``. A record without a region (a foreign
institution, an unknown commune) can be changed only by superusers.
"""

from collections import defaultdict
from collections.abc import Iterable
from functools import partial

from django.contrib import admin, messages
from django.contrib.admin import actions as admin_actions
from django.contrib.admin.utils import unquote
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.deletion import Consequence, consequences_of_deleting, deletion_reason, record_in_history
from territory.models import County, Voivodeship

from .models import StaffProfile

_UNKNOWN = object()


def region_of(user) -> str | None:
    """Code of the voivodeship whose records ``user`` keeps: their centre's; None without a profile.

    One query per user object; the answer is kept on it (a request's user lives for one request).
    """
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    cached = getattr(user, "_regional_scope", _UNKNOWN)
    if cached is _UNKNOWN:
        cached = (
            StaffProfile.objects.filter(user_id=user.pk)
            .values_list("centre__commune__county__voivodeship_id", flat=True)
            .first()
        )
        user._regional_scope = cached
    return cached


def is_unrestricted(user) -> bool:
    """Superusers change records of every region, and records without one."""
    return bool(user is not None and user.is_active and user.is_superuser)


def may_change_some(user) -> bool:
    """Whether the user may change any record at all: a superuser, or staff with a region."""
    return is_unrestricted(user) or region_of(user) is not None


def region_id_of(obj, via: str = "") -> str | None:
    """Home voivodeship code of ``obj``, or of the parent reached through ``via`` (dotted attributes).

    Works on unsaved and just-edited instances too, which is how submitted values are checked.
    """
    for name in filter(None, via.split(".")):
        try:
            obj = getattr(obj, name)
        except ObjectDoesNotExist:
            return None
        if obj is None:
            return None
    return getattr(obj, "region_id", None)


def can_change(user, obj, via: str = "") -> bool:
    """Whether ``user`` may add, change or delete ``obj`` (model permissions are checked apart)."""
    if is_unrestricted(user):
        return True
    region = region_of(user)
    return region is not None and region_id_of(obj, via) == region


def regions_of(records: Iterable[Model]) -> dict[tuple[type, object], str | None]:
    """The home voivodeship of each record, keyed by (model, pk): one query per model that names
    its ``REGION_PATH``, the ``region_id`` property for the rest."""
    by_model = defaultdict(list)
    for record in records:
        by_model[type(record)].append(record)
    regions = {}
    for model, instances in by_model.items():
        path = getattr(model, "REGION_PATH", None)
        if path:
            rows = model._default_manager.filter(pk__in=[i.pk for i in instances]).values_list("pk", path)
            regions.update({(model, pk): region for pk, region in rows})
        else:
            regions.update({(model, i.pk): region_id_of(i) for i in instances})
    return regions


def outside_regions_of(user, objs: list[Model], consequences: list[Consequence]) -> list[Consequence]:
    """What a delete of ``objs`` by ``user`` would do outside the regions it may reach.

    For staff, every record it deletes or changes that is not of their region (``objs``
    included: an inline row may belong elsewhere than its parent); they are refused such a
    delete. For a superuser, the consequences that fall outside the regions of ``objs``, which
    they are shown before they confirm. A record without a region counts as another region's.
    """
    if is_unrestricted(user):
        allowed = {region_id_of(obj) for obj in objs} - {None}
    else:
        allowed = {region_of(user)} - {None}
        consequences = [Consequence(obj) for obj in objs] + consequences
    regions = regions_of(c.record for c in consequences)
    return [c for c in consequences if regions.get((type(c.record), c.record.pk)) not in allowed]


def region_name(code: str | None) -> str:
    return Voivodeship.objects.filter(code=code).values_list("name", flat=True).first() or str(code or "")


class MyRegionFilter(admin.SimpleListFilter):
    """ "Mine / other regions": which rows the user may change, at a glance."""

    title = _("scope")
    parameter_name = "zakres"

    def lookups(self, request, model_admin):
        if region_of(request.user) is None:
            return []
        return [("moj", _("my region")), ("inne", _("other regions"))]

    def queryset(self, request, queryset):
        region = region_of(request.user)
        if region is None or self.value() not in {"moj", "inne"}:
            return queryset
        mine = {self.model_admin.get_region_path(): region}
        return queryset.filter(**mine) if self.value() == "moj" else queryset.exclude(**mine)

    def __init__(self, request, params, model, model_admin):
        self.model_admin = model_admin
        super().__init__(request, params, model, model_admin)


class VoivodeshipFilter(admin.SimpleListFilter):
    """The home voivodeship, through the admin's region path."""

    title = _("voivodeship")
    parameter_name = "wojewodztwo"

    def __init__(self, request, params, model, model_admin):
        self.model_admin = model_admin
        super().__init__(request, params, model, model_admin)

    def lookups(self, request, model_admin):
        return list(Voivodeship.objects.values_list("code", "name"))

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(**{self.model_admin.get_region_path(): self.value()})
        return queryset


class CountyFilter(admin.SimpleListFilter):
    """The powiat where a record is located, through the admin's ``county_path``.

    Lists only powiats that have records (one query), narrowed to the chosen voivodeship.
    """

    title = _("county")
    parameter_name = "powiat"

    def __init__(self, request, params, model, model_admin):
        self.model_admin = model_admin
        super().__init__(request, params, model, model_admin)

    def lookups(self, request, model_admin):
        path = model_admin.county_path
        counties = County.objects.filter(code__in=model_admin.model._default_manager.values(path))
        voivodeship = request.GET.get(VoivodeshipFilter.parameter_name)
        if voivodeship:
            counties = counties.filter(voivodeship_id=voivodeship)
        return [(county.code, str(county)) for county in counties]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(**{self.model_admin.county_path: self.value()})
        return queryset


class RegionalScopeAdminMixin:
    """Regional scope for a ModelAdmin; put it before ``SimpleHistoryAdmin``/``ModelAdmin``.

    ``region_path`` (default: ``model.REGION_PATH``) finds the home voivodeship in queries; its
    first part is the form field that decides the region (``home_voivodeship``, ``commune``,
    ``operator``, …), whose choices are limited to the user's region. ``region_via`` leads from
    an object to the one that carries ``region_id`` when the model has none (an agreement's
    partnership).
    """

    region_path: str | None = None
    region_via: str = ""

    def get_region_path(self) -> str:
        return self.region_path or self.model.REGION_PATH

    def get_region_field(self) -> str:
        return self.get_region_path().split("__", 1)[0]

    def can_change_object(self, request: HttpRequest, obj) -> bool:
        return can_change(request.user, obj, self.region_via)

    def changeable(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        """The rows of ``queryset`` that the user may change or delete."""
        if is_unrestricted(request.user):
            return queryset
        region = region_of(request.user)
        if region is None:
            return queryset.none()
        return queryset.filter(**{self.get_region_path(): region})

    # Permissions: the model permission and the region, both.

    def has_add_permission(self, request: HttpRequest, *args) -> bool:
        return super().has_add_permission(request, *args) and may_change_some(request.user)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        return may_change_some(request.user) if obj is None else self.can_change_object(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        if not super().has_delete_permission(request, obj):
            return False
        return may_change_some(request.user) if obj is None else self.can_change_object(request, obj)

    # The field that decides the region offers only the user's region, and the submitted
    # record is checked again as a whole: a forged POST must not move a record.

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and db_field.name == self.get_region_field() and not is_unrestricted(request.user):
            region = region_of(request.user)
            rest = self.get_region_path().split("__", 1)[1:]
            lookup = {rest[0]: region} if rest else {"pk": region}
            field.queryset = field.queryset.filter(**lookup) if region else field.queryset.none()
            field.error_messages["invalid_choice"] = _(
                "Choose one within your region: you keep the records of your own voivodeship only."
            )
        return field

    def get_form(self, request: HttpRequest, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if is_unrestricted(request.user):
            return form
        user, via, region_field = request.user, self.region_via, self.get_region_field()

        class RegionalScopeForm(form):
            def _post_clean(self):
                super()._post_clean()
                if self.has_error(region_field) or can_change(user, self.instance, via):
                    return
                message = _("You may save only records of your own voivodeship (%(region)s).") % {
                    "region": region_name(region_of(user))
                }
                self.add_error(region_field if region_field in self.fields else None, message)

        RegionalScopeForm.__name__ = form.__name__
        return RegionalScopeForm

    def save_model(self, request: HttpRequest, obj, form, change) -> None:
        if not self.can_change_object(request, obj):
            raise PermissionDenied
        super().save_model(request, obj, form, change)

    # Deleting: an own record may still be pointed at by another region's records, which the
    # delete would change (a field emptied, a link removed, a row deleted with it). Staff are
    # refused such a delete with the list of those records; a superuser sees the list and may
    # confirm, and every record changed gets a history row naming the delete.

    def cross_region_consequences(self, request: HttpRequest, objs: list) -> list[Consequence]:
        return outside_regions_of(request.user, objs, consequences_of_deleting(objs))

    def checked_delete(self, request: HttpRequest, objs: list, delete) -> None:
        """Run ``delete()`` of ``objs`` once the user may bring about all it reaches, then write
        the history rows of the records it changed."""
        consequences = consequences_of_deleting(objs)
        if not is_unrestricted(request.user) and outside_regions_of(request.user, objs, consequences):
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
            if reached and not is_unrestricted(request.user):
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
        if reached and not is_unrestricted(request.user):
            return self.cascade_refusal(request, objs, reached, confirmed=bool(request.POST.get("post")))
        response = admin_actions.delete_selected(self, request, queryset)
        if response is not None:
            response.context_data["cross_region"] = reached
        return response

    def changelist_view(self, request: HttpRequest, extra_context=None):
        user = request.user
        if request.method == "GET" and user.is_staff and not may_change_some(user):
            self.message_user(
                request,
                _("Your account is not assigned to a regional centre: you can view records but not change them."),
                messages.WARNING,
            )
        return super().changelist_view(request, extra_context)

    # simple-history's revert view checks only the view permission before it saves a POST.

    def _current_object(self, obj):
        return self.model._default_manager.filter(pk=obj.pk).first() if obj is not None else None

    def history_form_view(self, request: HttpRequest, object_id, version_id, extra_context=None):
        if request.method == "POST":
            history = getattr(self.model, self.model._meta.simple_history_manager_attribute)
            try:
                record = history.get(**{self.model._meta.pk.attname: unquote(object_id), "history_id": version_id})
            except (history.model.DoesNotExist, ValueError, ValidationError):
                raise Http404 from None
            version = record.instance
            current = self._current_object(version)
            if not self.has_change_permission(request, version) or (
                current is not None and not self.has_change_permission(request, current)
            ):
                raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def revert_disabled(self, request: HttpRequest, obj=None) -> bool:
        if super().revert_disabled(request, obj):
            return True
        current = self._current_object(obj)
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


class RegionalScopeInlineMixin:
    """Regional scope for an inline: its rows follow the parent object's region.

    Django passes the parent as ``obj``; ``parent_region_via`` leads from it to the object that
    carries ``region_id`` when the parent has none (an agreement's partnership).
    """

    parent_region_via: str = ""

    def _may_change_parent(self, request: HttpRequest, obj) -> bool:
        if obj is None:
            return may_change_some(request.user)
        return can_change(request.user, obj, self.parent_region_via)

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return super().has_add_permission(request, obj) and self._may_change_parent(request, obj)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return super().has_change_permission(request, obj) and self._may_change_parent(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and self._may_change_parent(request, obj)

    def get_formset(self, request: HttpRequest, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if is_unrestricted(request.user):
            return formset
        user = request.user

        class RegionalScopeFormSet(formset):
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
                    if not can_change(user, original):
                        raise ValidationError(
                            _("The row “%(row)s” belongs to a record of another region; it cannot be changed here."),
                            params={"row": original},
                            code="cross_region_row",
                        )
                # A row deleted here may reach other regions' records like any delete (the
                # admin's save_formset refuses it too; here it is a message on the form).
                doomed = [form.instance for form in existing if form.instance.pk in deleting]
                reached = outside_regions_of(user, doomed, consequences_of_deleting(doomed))
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

        RegionalScopeFormSet.__name__ = formset.__name__
        return RegionalScopeFormSet
