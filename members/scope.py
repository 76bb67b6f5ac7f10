"""The regional rule: staff of a regional centre (ROPS) read every record but change only those
of their own voivodeship; superusers change every record.

- ``region_of(user)``: the voivodeship code of the user's centre, or None;
- ``can_change(user, obj)``: whether the user may add, change or delete ``obj``;
- ``outside_regions_of(user, objs, consequences)``: what a delete would do outside the
  regions the user may reach.

The admin applies it on the server through ``core.admin`` (``settings.REGISTRY_SCOPE`` names
this module). A record's home voivodeship comes from ``model.REGION_PATH`` (queries) and the
model's ``region_id`` property (one object); every regional model has both, rows of a parent
(a membership, a signatory) included. A record without a region (a foreign institution, an
unknown commune) can be changed only by superusers.
"""

from collections import defaultdict
from collections.abc import Iterable

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model

from core.deletion import Consequence
from territory.models import Voivodeship

from .models import Institution, StaffProfile

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


def region_id_of(obj) -> str | None:
    """Home voivodeship code of ``obj``; None when it has none or its parent is missing. Works
    on unsaved and just-edited instances too."""
    try:
        return getattr(obj, "region_id", None)
    except ObjectDoesNotExist:
        return None


def can_change(user, obj) -> bool:
    """Whether ``user`` may add, change or delete ``obj`` (model permissions are checked apart)."""
    if is_unrestricted(user):
        return True
    region = region_of(user)
    return region is not None and region_id_of(obj) == region


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


def keepers_of(code: str) -> list[str]:
    """Names of the regional centres that keep the records of voivodeship ``code``."""
    centres = Institution.objects.regional_centres().in_region(code).order_by("name")
    return [str(centre) for centre in centres]
