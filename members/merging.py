"""Merging duplicate institutions and people: ``core.merging`` moves what points at them; here
the registry's parts of it: who may (the regional rule), the former address of a merged
institution (``InstitutionAlias``), and the record of each merge (``Merge``) that undoes it."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import merging
from core.deletion import Consequence

from . import scope
from .models import Institution, InstitutionAlias, Merge

MergeRefused = merging.MergeRefused


MERGED = gettext_lazy("Merged: %(kind)s “%(merged)s” (no. %(pk)s) into “%(kept)s”")
UNDONE = gettext_lazy("Merge undone: “%(merged)s” separated again from “%(kept)s”")


# simple-history keeps a change reason in 100 characters: each name gets a part of them.
NAME_IN_REASON = 30


def shortened(value) -> str:
    text = str(value)
    return text if len(text) <= NAME_IN_REASON else text[: NAME_IN_REASON - 1] + "…"


def reason_text(template, **params) -> str:
    """A history row's reason, in the registry's language (what every user reads there)."""
    with translation.override(settings.LANGUAGE_CODE):
        return (str(template) % {name: shortened(value) for name, value in params.items()})[:100]


def cross_region(user, kept: models.Model, merged: models.Model, consequences: list[Consequence]) -> list[Consequence]:
    """What the merge would change outside the user's reach: for staff, the two records when
    not both of their region, and every changed record of another region (they are refused);
    for a superuser, the records of regions other than the two records' (shown to confirm)."""
    return scope.outside_regions_of(user, [kept, merged], consequences)


def merge_records(
    kept: models.Model, merged: models.Model, user, *, reason: str = "", confirmed: bool = False
) -> Merge:
    """Merge ``merged`` into ``kept`` for ``user``: refused (``MergeRefused``, nothing changed)
    when staff would change another region's record, or a superuser did not confirm doing so."""
    with transaction.atomic():
        # Both records locked while the plan is made and done: a save in between waits.
        model = type(kept)
        list(model._default_manager.select_for_update().filter(pk__in=[kept.pk, merged.pk]).order_by("pk"))
        plan = merging.plan_merge(kept, merged)
        reached = cross_region(user, kept, merged, plan.consequences())
        if reached and (not scope.is_unrestricted(user) or not confirmed):
            raise MergeRefused(
                [
                    _("The merge would change records that other regions keep: %(records)s.")
                    % {"records": "; ".join(f"{c.kind()} „{c.record}”" for c in reached)}
                ]
            )
        history_reason = reason_text(
            MERGED,
            kind=kept._meta.verbose_name,
            merged=merged,
            pk=merged.pk,
            kept=kept,
        )
        steps = merging.merge(plan, user, history_reason)
        slug = getattr(merged, "slug", "")
        if isinstance(kept, Institution):
            # The merged institution's address, and the addresses it had itself (moved with it).
            InstitutionAlias.objects.update_or_create(slug=slug, defaults={"institution": kept})
        return Merge.objects.create(
            kind=ContentType.objects.get_for_model(kept),
            kept_id=kept.pk,
            merged_id=merged.pk,
            kept_name=str(kept)[:300],
            merged_name=str(merged)[:300],
            merged_slug=slug,
            reason=reason[:200],
            counts=[[str(label), moved, folded] for label, moved, folded in plan.counts()],
            steps=steps,
            region_id=scope.region_id_of(kept),
            merged_by=user,
        )


def undo_problems(record: Merge, user) -> list[str]:
    """Why ``user`` cannot undo ``record`` now; empty when they can."""
    if record.undone_at is not None:
        return [_("This merge was already undone.")]
    model = record.kind.model_class()
    kept = model._default_manager.filter(pk=record.kept_id).first()
    if kept is None:
        return [
            _("The kept record “%(name)s” no longer exists (deleted or merged into another): undo that first.")
            % {"name": record.kept_name}
        ]
    problems = []
    if not scope.is_unrestricted(user):
        reached = scope.outside_regions_of(user, [kept], merging.step_records(record.steps))
        if reached or record.region_id != scope.region_of(user):
            problems.append(_("Only staff of the region that keeps the records, or an administrator, may undo it."))
    return problems + merging.undo_problems(record.steps)


def undo_merge(record: Merge, user) -> models.Model:
    """Undo ``record`` for ``user``: the merged record back as it was, with everything that
    pointed at it; refused (``MergeRefused``, nothing changed) with the reasons."""
    problems = undo_problems(record, user)
    if problems:
        raise MergeRefused(problems)
    with transaction.atomic():
        locked = Merge.objects.select_for_update().get(pk=record.pk)
        if locked.undone_at is not None:
            raise MergeRefused([_("This merge was already undone.")])
        if record.merged_slug and record.kind.model_class() is Institution:
            InstitutionAlias.objects.filter(slug=record.merged_slug, institution_id=record.kept_id).delete()
        history_reason = reason_text(
            UNDONE,
            merged=record.merged_name,
            kept=record.kept_name,
        )
        restored = merging.undo(record.steps, user, history_reason)
        locked.undone_at, locked.undone_by = timezone.now(), user
        locked.save(update_fields=["undone_at", "undone_by"])
    record.refresh_from_db()
    return restored[0]


def merge_counts(plan: merging.MergePlan) -> list[tuple[str, int, int]]:
    return [(capfirst(label), moved, folded) for label, moved, folded in plan.counts()]
