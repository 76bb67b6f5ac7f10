"""Restoring a deleted partnership together with what was deleted with it.

django-simple-history records a "-" row when an object is deleted, holding its fields as
they were; the admin's revert view brings back one object but none of its relations. A
partnership's memberships, agreements (with their signatories) and evaluations are deleted
with it by cascade, each leaving its own "-" row a moment before the partnership's.
``restore_partnership`` recreates them all under their old primary keys.

Many-to-many relations (area, target groups, thematic areas, principles, events) are tracked
through ``HistoricalRecords(m2m_fields=…)``: every historical row keeps a copy of the
relation rows as they were when it was written. The deletion row itself has none (Django
removes the relation rows before the object), so the relations come from the last row
written before the deletion.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Max, QuerySet
from django.utils.translation import gettext as _

from members.scope import can_change

from .models import Agreement, Evaluation, Membership, Partnership, Signatory

# The cascade writes its "-" rows one after another within one delete; a child deleted by
# the same user this shortly before its partnership is taken to have gone with it.
DELETION_WINDOW = datetime.timedelta(seconds=10)


class RestoreError(Exception):
    """The partnership cannot be restored; the message says why, for the user."""


@dataclass
class Restored:
    partnership: Partnership
    memberships: int = 0
    agreements: int = 0
    signatories: int = 0
    evaluations: int = 0
    skipped: list[str] = field(default_factory=list)


def deleted_partnerships() -> QuerySet:
    """The deletion record of every partnership that does not exist now, newest first.

    Of a partnership deleted, restored and deleted again, only the last deletion is listed.
    One query.
    """
    history = Partnership.history.model
    last = history.objects.filter(history_type="-").values("id").annotate(last=Max("history_id")).values("last")
    return (
        history.objects.filter(history_id__in=last)
        .exclude(id__in=Partnership.objects.values("pk"))
        .select_related("home_voivodeship", "history_user")
        .order_by("-history_date")
    )


def deletion_record(history_id: int | None = None, pk: int | None = None):
    """The "-" historical row to restore from: the given one, or the last of partnership ``pk``."""
    history = Partnership.history.model
    if history_id is not None:
        record = history.objects.filter(history_id=history_id).first()
    elif pk is not None:
        record = history.objects.filter(id=pk).order_by("-history_date", "-history_id").first()
    else:
        raise TypeError("Give history_id or pk.")
    if record is None or record.history_type != "-":
        raise RestoreError(_("There is no record of this partnership's deletion."))
    return record


def restore_partnership(history_id: int | None = None, user=None, *, pk: int | None = None) -> Restored:
    """Recreate a deleted partnership (same primary key) from its deletion record, with the
    memberships, agreements, signatories and evaluations deleted with it and its many-to-many
    relations as they last were.

    ``user`` must be allowed to change records of the partnership's home voivodeship
    (``PermissionDenied`` otherwise); they are recorded as the author of the restoration.
    Related objects that no longer exist are left out (a required one: the child is skipped
    and named in ``Restored.skipped``; an optional one: the link is cleared). All or nothing:
    one transaction.
    """
    record = deletion_record(history_id, pk)
    if Partnership.objects.filter(pk=record.id).exists():
        raise RestoreError(_("This partnership exists; there is nothing to restore."))
    partnership = record.instance
    if not can_change(user, partnership):
        raise PermissionDenied
    if Partnership.objects.filter(slug=partnership.slug).exists():
        raise RestoreError(
            _("Another partnership now has the address “%(slug)s”; change its slug first.") % {"slug": partnership.slug}
        )
    reason = _("Restored after deletion")
    result = Restored(partnership=partnership)

    with transaction.atomic():
        if not _clear_missing_links(partnership):
            raise RestoreError(_("A record this partnership requires no longer exists."))
        _mark(partnership, user, reason)
        partnership.save(force_insert=True)
        # auto_now_add stamped the restoration; the record was created when it was created.
        created_at = record.created_at
        Partnership.objects.filter(pk=partnership.pk).update(created_at=created_at)
        Partnership.history.filter(id=partnership.pk, history_id__gt=record.history_id).update(created_at=created_at)
        partnership.created_at = created_at
        _restore_many_to_many(partnership, record)

        window = {
            "history_type": "-",
            "history_user_id": record.history_user_id,
            "history_date__gte": record.history_date - DELETION_WINDOW,
            "history_date__lte": record.history_date,
        }
        restore = _Restorer(user, reason, window, result.skipped)
        result.memberships = len(restore(Membership, "partnership", [partnership.pk]))
        result.evaluations = len(restore(Evaluation, "partnership", [partnership.pk]))
        agreements = restore(Agreement, "partnership", [partnership.pk])
        result.agreements = len(agreements)
        result.signatories = len(restore(Signatory, "agreement", [a.pk for a in agreements]))
    return result


def _mark(obj, user, reason: str) -> None:
    obj._history_user = user
    obj._change_reason = reason


def _clear_missing_links(obj) -> bool:
    """Clear optional links to objects deleted since; False when a required one is gone."""
    for f in obj._meta.concrete_fields:
        if not f.many_to_one or getattr(obj, f.attname) is None:
            continue
        if f.remote_field.model._default_manager.filter(pk=getattr(obj, f.attname)).exists():
            continue
        if not f.null:
            return False
        setattr(obj, f.attname, None)
    return True


def _restore_many_to_many(partnership: Partnership, record) -> None:
    history = Partnership.history
    before = (
        history.filter(id=partnership.pk, history_date__lte=record.history_date)
        .exclude(history_type="-")
        .order_by("-history_date", "-history_id")
        .first()
    )
    if before is None:
        return
    for m2m in Partnership._meta.get_fields():
        # The relations history keeps (m2m_fields) are those its rows have a manager for.
        if not m2m.many_to_many or m2m.auto_created or not hasattr(before, m2m.name):
            continue
        target = m2m.m2m_reverse_field_name()
        ids = list(getattr(before, m2m.name).values_list(f"{target}_id", flat=True))
        existing = list(m2m.related_model._default_manager.filter(pk__in=ids).values_list("pk", flat=True))
        if existing:
            getattr(partnership, m2m.name).set(existing)


class _Restorer:
    """Recreates the children of restored parents whose deletion rows fall in the window."""

    def __init__(self, user, reason: str, window: dict, skipped: list[str]):
        self.user, self.reason, self.window, self.skipped = user, reason, window, skipped

    def __call__(self, model: type[models.Model], parent: str, parent_ids: list) -> list[models.Model]:
        if not parent_ids:
            return []
        history = model.history.model
        records = history.objects.filter(**{f"{parent}_id__in": parent_ids}, **self.window).order_by("history_id")
        latest = {r.id: r for r in records}  # the last deletion of each object wins
        restored = []
        for record in latest.values():
            obj = record.instance
            if model._default_manager.filter(pk=obj.pk).exists():
                continue
            if not _clear_missing_links(obj):
                self.skipped.append(f"{model._meta.verbose_name} #{obj.pk}")
                continue
            _mark(obj, self.user, self.reason)
            obj.save(force_insert=True)
            restored.append(obj)
        return restored
