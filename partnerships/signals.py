"""Derived values kept in step with the records they are derived from."""

from django.db.models import Q
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from members.models import Institution

from .models import Agreement, Membership, Partnership


@receiver(pre_save, sender=Membership, dispatch_uid="membership_moving_remember")
def remember_previous_partnership(sender, instance: Membership, raw: bool = False, **kwargs) -> None:
    """A membership moved to another partnership leaves the first one a member short."""
    if raw or instance.pk is None:
        return
    previous = Membership.objects.filter(pk=instance.pk).values_list("partnership_id", flat=True).first()
    instance._previous_partnership_id = previous


@receiver(post_save, sender=Membership, dispatch_uid="membership_saved_recount")
@receiver(post_delete, sender=Membership, dispatch_uid="membership_deleted_recount")
def recount_members(sender, instance: Membership, raw: bool = False, **kwargs) -> None:
    # Fixtures (loaddata, restore of a backup) carry the counts as they were.
    if raw:
        return
    previous = getattr(instance, "_previous_partnership_id", None)
    Partnership.objects.filter(Q(pk=instance.partnership_id) | Q(pk=previous)).refresh_member_fields()


@receiver(post_save, sender=Institution, dispatch_uid="institution_saved_refresh_partnerships")
def refresh_partnerships_of(sender, instance: Institution, raw: bool = False, **kwargs) -> None:
    """A renamed institution is found under its new name in the partnerships it is a member of."""
    if raw:
        return
    Partnership.objects.filter(pk__in=instance.memberships.values("partnership_id")).refresh_member_fields()


@receiver(post_save, sender=Partnership, dispatch_uid="partnership_saved_refresh_agreements")
def refresh_agreement_keys(
    sender, instance: Partnership, created: bool, raw: bool = False, update_fields=None, **kwargs
):
    """A renamed partnership's agreements are found under its new name (their search key)."""
    if raw or created or (update_fields is not None and "name" not in update_fields):
        return
    stale = []
    for agreement in Agreement.objects.filter(partnership=instance).only("pk", "title", "search_text"):
        key = agreement.search_text
        agreement.set_search_text(instance.name)
        if agreement.search_text != key:
            stale.append(agreement)
    Agreement.objects.bulk_update(stale, ["search_text"])
