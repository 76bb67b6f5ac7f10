"""A record's change history as a person reads it: one entry per save, with who and when, what
changed in the record, its many-to-many relations and the rows of its inlines, in Polish, with
"—" for an empty value.

simple-history writes one row per save of each object and one more per many-to-many relation
set, so one save in the admin leaves several rows: the record's own, each relation's, each
membership's. Rows of the record by the same person within ``SAME_SAVE`` of each other are one
entry; rows of its inlines' models written by the same person within that time belong to it.
Queries: one for the record's rows, one per inline model, one per related model whose names
the changes show, and two per many-to-many relation that changed (simple-history's diff).
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

SAME_SAVE = datetime.timedelta(seconds=3)
EMPTY = "—"
# Kept by the registry itself, not typed by anyone: no news in a history.
NOT_SHOWN = {"created_at", "updated_at", "search_text", "member_search_text", "listed_member_count"}


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class RowChange:
    """What a save did to one row of an inline (a membership added, changed or removed)."""

    kind: str
    row: str
    action: str
    changes: list[Change] = field(default_factory=list)


@dataclass
class Entry:
    when: datetime.datetime
    user: object
    action: str
    reason: str
    history_id: int
    user_id: int | None = None
    base: object = None
    changes: list[Change] = field(default_factory=list)
    rows: list[RowChange] = field(default_factory=list)
    records: list = field(default_factory=list)


def action_of(history_type: str) -> str:
    return {"+": _("added"), "~": _("changed"), "-": _("deleted")}.get(history_type, history_type)


def readable_history(model, pk, inline_models=(), limit: int = 500) -> list[Entry]:
    """The entries of record ``pk`` of ``model``, newest first; ``inline_models`` are the models
    edited on its page (their rows' changes join the entry of the save that made them)."""
    manager = getattr(model, model._meta.simple_history_manager_attribute)
    # The newest ``limit`` rows, read as such (a record saved every day for years has thousands),
    # and the one before them as the base of the oldest shown.
    rows = list(
        manager.filter(**{model._meta.pk.attname: pk})
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[: limit + 1]
    )[::-1]
    previous = rows.pop(0) if len(rows) > limit else None
    resolver = Resolver()
    entries: list[Entry] = []
    for row in rows:
        entry = entries[-1] if entries else None
        if (
            entry is None
            or entry.user_id != row.history_user_id
            or row.history_date - entry.records[-1].history_date > SAME_SAVE
        ):
            entry = Entry(
                when=row.history_date,
                user=row.history_user,
                action=action_of(row.history_type),
                reason="",
                history_id=row.history_id,
                user_id=row.history_user_id,
                base=previous,
            )
            entries.append(entry)
        entry.records.append(row)
        entry.history_id = row.history_id
        if row.history_change_reason:
            entry.reason = row.history_change_reason
        if row.history_type == "-":
            entry.action = action_of("-")
        previous = row
    for entry in entries:
        last = entry.records[-1]
        if entry.base is not None and last.history_type != "-":
            delta = last.diff_against(entry.base, excluded_fields=list(NOT_SHOWN & field_names(model)))
            entry.changes = [resolver.change(model, c.field, c.old, c.new) for c in delta.changes]
        entry.when = entry.records[0].history_date
    attach_inline_rows(entries, model, pk, inline_models, resolver)
    resolver.resolve()
    return list(reversed(entries))


def field_names(model) -> set[str]:
    return {f.name for f in model._meta.get_fields()}


def attach_inline_rows(entries: list[Entry], model, pk, inline_models, resolver) -> None:
    parent_obj = model._default_manager.filter(pk=pk).first()
    for inline_model in inline_models:
        parent = next((f for f in inline_model._meta.get_fields() if f.many_to_one and f.related_model is model), None)
        if parent is None:
            continue
        history = getattr(inline_model, inline_model._meta.simple_history_manager_attribute)
        rows = list(
            history.filter(**{parent.attname: pk}).order_by(inline_model._meta.pk.attname, "history_date", "history_id")
        )
        previous = {}
        for row in rows:
            key = getattr(row, inline_model._meta.pk.attname)
            before = previous.get(key)
            previous[key] = row
            entry = entry_of(entries, row)
            if entry is None:
                continue
            change = RowChange(
                str(capfirst(inline_model._meta.verbose_name)),
                row_label(row, parent, parent_obj),
                action_of(row.history_type),
            )
            if row.history_type == "~" and before is not None:
                delta = row.diff_against(before, excluded_fields=list(NOT_SHOWN & field_names(inline_model)))
                change.changes = [
                    resolver.change(inline_model, c.field, c.old, c.new)
                    for c in delta.changes
                    if c.field != parent.name
                ]
                if not change.changes:
                    continue
            entry.rows.append(change)


def row_label(row, parent, parent_obj) -> str:
    """The row as its model names it, with the record it belongs to known already (and so not
    fetched again, nor missing when that record was deleted)."""
    instance = row.instance
    if parent_obj is not None:
        setattr(instance, parent.name, parent_obj)
    try:
        label = str(instance)
    except ObjectDoesNotExist:
        return f"#{instance.pk}"
    # On the record's own page its name in every row ("ośrodek – partnerstwo") says nothing.
    if parent_obj is not None:
        own = str(parent_obj)
        label = label.replace(f" – {own}", "").replace(f"{own} – ", "") or label
    return label


def entry_of(entries: list[Entry], row) -> Entry | None:
    for entry in entries:
        start, end = entry.records[0].history_date, entry.records[-1].history_date
        same_user = entry.user_id == row.history_user_id
        if same_user and start - SAME_SAVE <= row.history_date <= end + SAME_SAVE:
            return entry
    return None


class Resolver:
    """Values as a person reads them; names of related records fetched at the end, one query
    per related model."""

    def __init__(self):
        self.wanted: dict[type, set] = {}
        self.pending: list[tuple[Change, str, object, object]] = []

    def change(self, model, name: str, old, new) -> Change:
        model_field = model._meta.get_field(name)
        change = Change(str(capfirst(model_field.verbose_name)), "", "")
        if model_field.many_to_many:
            target = model_field.related_model
            key = next(
                f.name
                for f in model_field.remote_field.through._meta.get_fields()
                if f.many_to_one and f.related_model is target
            )
            old = [row.get(key) for row in old or []]
            new = [row.get(key) for row in new or []]
            self.wanted.setdefault(target, set()).update(old + new)
            self.pending.append((change, "many", (target, old), (target, new)))
        elif model_field.many_to_one:
            target = model_field.related_model
            self.wanted.setdefault(target, set()).update(v for v in (old, new) if v is not None)
            self.pending.append((change, "one", (target, old), (target, new)))
        else:
            change.old, change.new = shown(model_field, old), shown(model_field, new)
        return change

    def resolve(self) -> None:
        names = {}
        for target, keys in self.wanted.items():
            keys = {k for k in keys if k is not None}
            names[target] = {obj.pk: str(obj) for obj in target._default_manager.filter(pk__in=keys)}
        for change, kind, (target, old), (_t, new) in self.pending:
            if kind == "many":
                removed = [names[target].get(k, str(k)) for k in old if k not in new]
                added = [names[target].get(k, str(k)) for k in new if k not in old]
                change.old = ", ".join(removed) or EMPTY
                change.new = ", ".join(added) or EMPTY
                change.label = f"{change.label} ({_('removed')} → {_('added')})"
            else:
                change.old = names[target].get(old, str(old)) if old is not None else EMPTY
                change.new = names[target].get(new, str(new)) if new is not None else EMPTY


def shown(model_field, value) -> str:
    if value is None or value == "":
        return EMPTY
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "DATE_FORMAT")
    if isinstance(model_field, models.FileField):
        return str(value).rsplit("/", 1)[-1]
    text = str(value)
    return text if len(text) <= 200 else text[:199] + "…"
