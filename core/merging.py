"""Merging two records of one model that are the same thing, and undoing it.

Every relation that points at a model is found from the model's documented ``_meta`` API
(``related_objects``, ``many_to_many``), so a relation added later is moved too without
anyone listing it here: foreign keys and one-to-ones of other models, and the rows of the link
tables of many-to-many fields (either side). History rows (simple-history's, which point with
hidden relations and no database constraint) are left as they were: the history of both
records stays readable as it was written.

A row that cannot move because the kept record already has one like it (two current
memberships of one partnership: a unique constraint) is folded into that one: everything
pointing at it moves on too, then it is deleted. A model whose rows must never be joined that
way (``MERGE_KEEPS_ROWS = True``: an issued certificate) blocks the merge instead.

Nothing is lost for good: every step is written down (JSON-able, kept by the caller) and
``undo`` plays them back, refusing with the reasons when the records changed since in a way
that makes it unsafe.

``plan_merge`` says what would move (one query per relation, plus one per row that could clash),
``merge`` does it in one transaction; the caller decides who may (``consequences`` lists every
record changed, for the regional rule) and keeps the steps.
"""

import json
from collections import Counter
from dataclasses import dataclass, field

from django.apps import apps
from django.core import serializers
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from .cache import records_changed
from .deletion import Consequence, record_in_history


class MergeRefused(Exception):
    """A merge or its undo that cannot be done; ``reasons`` say why, in the active language."""

    def __init__(self, reasons: list[str]):
        super().__init__("; ".join(reasons))
        self.reasons = reasons


@dataclass(frozen=True)
class Link:
    """A foreign key that points at the merged model: of another model, or of a link table."""

    model: type[models.Model]
    field: models.ForeignKey
    # For a link table, the many-to-many field it serves and the side that is not the merged model.
    m2m: models.ManyToManyField | None = None
    owner_field: str = ""

    @property
    def label(self) -> str:
        if self.m2m is not None:
            return f"{capfirst(self.m2m.model._meta.verbose_name_plural)}: {self.m2m.verbose_name}"
        return f"{capfirst(self.model._meta.verbose_name_plural)}: {self.field.verbose_name}"

    def owner(self, row: models.Model) -> models.Model:
        """The record whose data the row is: the row itself, or the record declaring the many-to-many."""
        return getattr(row, self.owner_field) if self.owner_field else row


def links_to(model: type[models.Model]) -> list[Link]:
    """Every foreign key that points at ``model``, found from its ``_meta``; the many-to-many
    relations as the foreign keys of their link tables. A link table of one's own (``through``)
    is a model with foreign keys, listed as such."""
    found = []
    for rel in model._meta.related_objects:
        if rel.many_to_many:
            through = rel.through
            if through._meta.auto_created:
                m2m = rel.field
                found.append(
                    Link(through, through._meta.get_field(m2m.m2m_reverse_field_name()), m2m, m2m.m2m_field_name())
                )
        else:
            found.append(Link(rel.related_model, rel.field))
    for m2m in model._meta.many_to_many:
        through = m2m.remote_field.through
        if through._meta.auto_created:
            found.append(Link(through, through._meta.get_field(m2m.m2m_field_name()), m2m, m2m.m2m_field_name()))
    return found


@dataclass
class Move:
    """A row to point at the kept record; ``folded`` when the kept one has a row like it already:
    then the row is merged into that one instead (``folded.kept``) and deleted."""

    link: Link
    row: models.Model
    folded: "MergePlan | None" = None


@dataclass
class MergePlan:
    """What merging ``merged`` into ``kept`` moves."""

    kept: models.Model
    merged: models.Model
    moves: list[Move] = field(default_factory=list)
    # Why it cannot be done: rows that would have to be joined, of a model whose rows never are.
    blocked: list[str] = field(default_factory=list)

    def counts(self) -> list[tuple[str, int, int]]:
        """(relation, rows moved, rows folded into the kept record's like rows), per relation."""
        moved, folded = Counter(), Counter()
        for move in self.moves:
            (folded if move.folded else moved)[move.link.label] += 1
        return [(label, moved[label], folded[label]) for label in dict.fromkeys(m.link.label for m in self.moves)]

    def consequences(self) -> list[Consequence]:
        """Every record other than the two that the merge changes (or deletes, when folded)."""
        found = []
        for move in self.moves:
            if move.folded and move.link.model._meta.auto_created:
                # A repeated link taken out: the record declaring the many-to-many changes.
                found.append(Consequence(move.link.owner(move.row), move.link.m2m))
            elif move.folded:
                found.append(Consequence(move.row))
                found += move.folded.consequences()
            else:
                found.append(Consequence(move.link.owner(move.row), move.link.m2m or move.link.field))
        return found


def plan_merge(kept: models.Model, merged: models.Model) -> MergePlan:
    """What merging ``merged`` into ``kept`` would move; refused for a record with itself or two
    models. One query per relation and one per unique constraint of each row that could clash."""
    if type(kept) is not type(merged) or kept.pk == merged.pk:
        raise MergeRefused([_("Only two different records of one kind can be merged.")])
    plan = MergePlan(kept, merged)
    for link in links_to(type(kept)):
        rows = link.model._default_manager.filter(**{link.field.name: merged.pk}).order_by("pk")
        if link.owner_field:
            rows = rows.select_related(link.owner_field)
        for row in rows:
            like = _like_row(link, row, kept)
            if like is not None and getattr(link.model, "MERGE_KEEPS_ROWS", False):
                plan.blocked.append(
                    _("“%(row)s” and “%(like)s” (%(kind)s) would become one, and such records are never joined.")
                    % {"row": row, "like": like, "kind": link.model._meta.verbose_name_plural}
                )
                continue
            folded = plan_merge(like, row) if like is not None else None
            if folded is not None:
                plan.blocked += folded.blocked
            plan.moves.append(Move(link, row, folded))
    return plan


def _unique_sets(model: type[models.Model]) -> list[tuple[list[str], models.Q | None]]:
    """The sets of fields ``model`` keeps unique, each with its condition (or None)."""
    sets = [([f.name], None) for f in model._meta.concrete_fields if f.unique and not f.primary_key]
    sets += [(list(names), None) for names in model._meta.unique_together]
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and constraint.fields:
            sets.append((list(constraint.fields), constraint.condition))
    return sets


def _like_row(link: Link, row: models.Model, kept: models.Model) -> models.Model | None:
    """The kept record's row that ``row``, once moved, would repeat against a unique constraint."""
    model = link.model
    for names, condition in _unique_sets(model):
        if link.field.name not in names:
            continue
        if condition is not None and not model._default_manager.filter(condition, pk=row.pk).exists():
            continue
        lookup = {}
        for name in names:
            target = model._meta.get_field(name)
            lookup[target.attname] = kept.pk if name == link.field.name else getattr(row, target.attname)
        if None in lookup.values():
            continue  # NULLs are distinct in every database the registry runs on
        others = model._default_manager.filter(**lookup).exclude(pk=row.pk)
        if condition is not None:
            others = others.filter(condition)
        like = others.first()
        if like is not None:
            return like
    return None


def _label(model: type[models.Model]) -> str:
    return model._meta.label_lower


def _snapshot(record: models.Model) -> dict:
    """The record as JSON-able data. Django's JSON serializer keeps times to the millisecond
    only; ``isoformat`` keeps all of them, and the deserializer reads them back."""
    data = serializers.serialize("python", [record])[0]
    return json.loads(json.dumps(data, default=lambda value: getattr(value, "isoformat", value.__str__)()))


@transaction.atomic
def merge(plan: MergePlan, user, reason: str) -> list[dict]:
    """Do ``plan``: move every row onto the kept record (folding the clashing ones), delete the
    merged record, write a history row naming ``reason`` on the kept record and every record
    changed. Returns the steps, in order, for ``undo``. Refused when the plan is blocked."""
    if plan.blocked:
        raise MergeRefused(plan.blocked)
    steps: list[dict] = []
    changed: list[Consequence] = []
    _apply(plan, steps, changed, user, reason)
    record_in_history(changed, user, reason)
    kept = type(plan.kept)._default_manager.get(pk=plan.kept.pk)
    if hasattr(kept, "history"):
        kept._history_user, kept._change_reason = user, reason
        kept.save()
    # The moves are updates, which send no model signals: cached pages must not outlive them.
    records_changed.send(sender=type(plan.kept))
    return steps


def _apply(plan: MergePlan, steps: list[dict], changed: list[Consequence], user, reason: str) -> None:
    for move in plan.moves:
        row, link = move.row, move.link
        if move.folded is not None:
            _apply(move.folded, steps, changed, user, reason)
            continue
        link.model._default_manager.filter(pk=row.pk).update(**{link.field.attname: plan.kept.pk})
        steps.append(
            {
                "op": "move",
                "model": _label(link.model),
                "pk": row.pk,
                "field": link.field.attname,
                "from": plan.merged.pk,
                "to": plan.kept.pk,
            }
        )
        if not link.model._meta.auto_created:
            changed.append(Consequence(row, link.field))
        else:
            changed.append(Consequence(link.owner(row), link.m2m))
    merged = type(plan.merged)._default_manager.get(pk=plan.merged.pk)
    steps.append({"op": "delete", "model": _label(type(merged)), "pk": merged.pk, "data": _snapshot(merged)})
    merged._history_user, merged._change_reason = user, reason
    merged.delete()


def undo_problems(steps: list[dict]) -> list[str]:
    """Why the steps cannot be played back now; empty when they can. One query per step."""
    problems = []
    for step in reversed(steps):
        model = apps.get_model(step["model"])
        name = capfirst(model._meta.verbose_name)
        if step["op"] == "move":
            row = model._default_manager.filter(pk=step["pk"]).first()
            if row is None:
                problems.append(_("%(kind)s no. %(pk)s was deleted since.") % {"kind": name, "pk": step["pk"]})
            elif getattr(row, step["field"]) != step["to"]:
                problems.append(_("“%(row)s” (%(kind)s) was changed since to point elsewhere.") % _row(row))
        elif model._default_manager.filter(pk=step["pk"]).exists():
            problems.append(
                _("%(kind)s no. %(pk)s exists again: it cannot be restored.") % {"kind": name, "pk": step["pk"]}
            )
    return problems


def _row(row: models.Model) -> dict:
    return {"row": row, "kind": row._meta.verbose_name}


@transaction.atomic
def undo(steps: list[dict], user, reason: str) -> list[models.Model]:
    """Play ``steps`` back: restore each deleted record as it was, point each moved row back.
    Refused (``MergeRefused``, nothing changed) when ``undo_problems`` finds any, or when a
    restored record breaks a constraint (another record took its slug or number meanwhile).
    Returns the records restored, the merged one first."""
    problems = undo_problems(steps)
    if problems:
        raise MergeRefused(problems)
    restored, changed = [], []
    for step in reversed(steps):
        model = apps.get_model(step["model"])
        if step["op"] == "delete":
            deserialized = next(serializers.deserialize("python", [step["data"]]))
            record = deserialized.object
            try:
                record.validate_unique()
                record.validate_constraints()
            except ValidationError as error:
                raise MergeRefused(
                    [_("“%(row)s” (%(kind)s) cannot be restored: %(error)s") % {**_row(record), "error": _text(error)}]
                ) from None
            # The times Django stamps on an insert (auto_now, auto_now_add) are put back as they were.
            stamped = {
                f.attname: getattr(record, f.attname)
                for f in model._meta.concrete_fields
                if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
            }
            record._history_user, record._change_reason = user, reason
            record.save(force_insert=True)
            if stamped:
                model._default_manager.filter(pk=record.pk).update(**stamped)
            for name, values in (deserialized.m2m_data or {}).items():
                getattr(record, name).set(values)
            restored.insert(0, record)
        else:
            model._default_manager.filter(pk=step["pk"]).update(**{step["field"]: step["from"]})
            row = model._default_manager.get(pk=step["pk"])
            if model._meta.auto_created:
                for link in links_to(model._meta.get_field(step["field"]).related_model):
                    if link.model is model:
                        changed.append(Consequence(link.owner(row), link.m2m))
            else:
                changed.append(Consequence(row, model._meta.get_field(step["field"])))
    record_in_history(changed, user, reason)
    records_changed.send(sender=type(restored[0]) if restored else None)
    return restored


def _text(error: ValidationError) -> str:
    return " ".join(str(message) for message in error.messages)


def step_records(steps: list[dict]) -> list[Consequence]:
    """The records the steps' undo would change: moved rows that exist now (for the regional rule)."""
    found = []
    for step in steps:
        if step["op"] != "move":
            continue
        model = apps.get_model(step["model"])
        row = model._default_manager.filter(pk=step["pk"]).first()
        if row is None:
            continue
        if model._meta.auto_created:
            for link in links_to(model._meta.get_field(step["field"]).related_model):
                if link.model is model:
                    found.append(Consequence(link.owner(row), link.m2m))
        else:
            found.append(Consequence(row, model._meta.get_field(step["field"])))
    return found
