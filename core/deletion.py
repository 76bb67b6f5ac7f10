"""What deleting records does to the other records that point at them.

Django's deletion collector decides what a delete reaches: rows deleted with it (CASCADE),
fields emptied (SET_NULL) and many-to-many links removed (the rows of the link table). The
admin's confirmation page lists only the first kind. A registry whose records are kept by
different regions must know all three before it deletes, so that no record changes
silently: ``consequences_of_deleting`` lists them, ``record_in_history`` writes a history
row on each record that was changed, naming the delete.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import models, router
from django.db.models.deletion import Collector, ProtectedError, RestrictedError
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Consequence:
    """One record that a delete reaches: deleted with it (``field`` is None), or changed in
    ``field`` (emptied, or ``removed`` taken out of a many-to-many field)."""

    record: models.Model
    field: models.Field | None = None
    removed: models.Model | None = None

    @property
    def deletes_record(self) -> bool:
        return self.field is None

    def describe(self) -> str:
        """What happens to the record, in the active language: "pole „…” zostanie wyczyszczone"."""
        if self.field is None:
            return _("deleted with it")
        label = str(self.field.verbose_name)
        if self.removed is not None:
            return _("“%(item)s” taken out of the field “%(field)s”") % {"item": self.removed, "field": label}
        return _("the field “%(field)s” emptied") % {"field": label}

    def kind(self) -> str:
        return capfirst(self.record._meta.verbose_name)

    def admin_url(self) -> str:
        """The record's admin page, or "" where it has none of its own (an inline row)."""
        opts = self.record._meta
        try:
            return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[self.record.pk])
        except NoReverseMatch:
            return ""


def consequences_of_deleting(objs: Iterable[models.Model]) -> list[Consequence]:
    """Every record other than ``objs`` that deleting ``objs`` would delete or change.

    Runs Django's own deletion collector, so it follows exactly what ``delete()`` would do. A
    delete that a PROTECT or RESTRICT relation forbids reaches nothing (Django refuses it and
    lists what protects it). One query per relation followed, as the delete itself costs.
    """
    objs = list(objs)
    if not objs:
        return []
    collector = Collector(using=router.db_for_write(type(objs[0])), origin=objs)
    try:
        collector.collect(objs)
    except (ProtectedError, RestrictedError):
        return []
    originals = {(obj._meta.concrete_model, obj.pk) for obj in objs}
    deleted: dict[type, set] = defaultdict(set)
    links = []
    for model, instances in collector.data.items():
        for instance in instances:
            deleted[model._meta.concrete_model].add(instance.pk)
            if model._meta.auto_created:
                links.append(instance)
    for queryset in collector.fast_deletes:
        for instance in queryset:
            deleted[queryset.model._meta.concrete_model].add(instance.pk)
            if queryset.model._meta.auto_created:
                links.append(instance)

    consequences = []
    for model, instances in collector.data.items():
        if model._meta.auto_created:
            continue
        consequences += [Consequence(i) for i in instances if (model._meta.concrete_model, i.pk) not in originals]
    for (field, _value), querysets in collector.field_updates.items():
        concrete = field.model._meta.concrete_model
        for records in querysets:
            consequences += [Consequence(r, field) for r in records if r.pk not in deleted[concrete]]
    consequences += _removed_links(links, deleted)
    return consequences


def _removed_links(links: list[models.Model], deleted: dict[type, set]) -> list[Consequence]:
    """Rows of many-to-many link tables that a delete removes, as changes of the record that
    declares the field (a partnership loses an event), unless that record goes too."""
    by_field = defaultdict(list)
    for link in links:
        owner = link._meta.auto_created  # the model that declares the many-to-many field
        field = next(f for f in owner._meta.many_to_many if f.remote_field.through is type(link))
        by_field[field].append(link)
    consequences = []
    for field, rows in by_field.items():
        source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
        owner_model, target_model = field.model, field.remote_field.model
        owner_ids = {getattr(row, f"{source}_id") for row in rows} - deleted[owner_model._meta.concrete_model]
        owners = owner_model._default_manager.in_bulk(owner_ids)
        targets = target_model._default_manager.in_bulk({getattr(row, f"{target}_id") for row in rows})
        for row in rows:
            owner = owners.get(getattr(row, f"{source}_id"))
            if owner is not None:
                consequences.append(Consequence(owner, field, targets.get(getattr(row, f"{target}_id"))))
    return consequences


def deletion_reason(objs: Iterable[models.Model]) -> str:
    """The change reason written on records a delete changed, in the registry's language."""
    names = ", ".join(f"{capfirst(obj._meta.verbose_name)} „{obj}”" for obj in objs)
    with translation.override(settings.LANGUAGE_CODE):
        return _("Changed by deleting: %(records)s") % {"records": names}


def record_in_history(consequences: Iterable[Consequence], user, reason: str) -> int:
    """After a delete, a history row on every record it changed (not deleted), by ``user``
    with ``reason``. Each record is read again and saved, so the row holds what it is now.
    Returns how many records got one."""
    changed = {}
    for consequence in consequences:
        if not consequence.deletes_record:
            changed[(type(consequence.record), consequence.record.pk)] = consequence.record
    count = 0
    for model, pk in changed:
        record = model._default_manager.filter(pk=pk).first()
        if record is None or not hasattr(record, "history"):
            continue
        record._history_user = user
        record._change_reason = reason
        record.save()
        count += 1
    return count
