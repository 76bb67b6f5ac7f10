"""The group "Pracownik regionalnego ośrodka": exactly what staff of a regional centre need.

One list, ``STAFF_PERMISSIONS``, says which models staff work on and how. A data migration
(partnerships 0012_staff_group) creates the group; after every ``migrate`` the group's
permissions are set from the list again (``sync_staff_group``, on ``post_migrate``), so a model
added to the list, or a permission created later, reaches the group without anyone picking
permissions by hand. A registry model left out of the list fails a test
(tests/config/test_staff_group.py).

Left out on purpose: change history (written by saves, never by hand), login attempts
(django-axes), users, groups and staff profiles (the site administrator's), certificate
numbering, and changes to reference data (TERYT, vocabularies), which is imported.
"""

from django.apps import apps as global_apps
from django.db.models import Q

from members.models import STAFF_GROUP

EDIT = ("add", "change", "delete", "view")
VIEW = ("view",)

STAFF_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "members.institution": EDIT,
    "members.person": EDIT,
    "events.project": EDIT,
    "events.event": EDIT,
    "events.speaker": EDIT,
    "events.patron": EDIT,
    "events.material": EDIT,
    "partnerships.partnership": EDIT,
    "partnerships.membership": EDIT,
    "partnerships.agreement": EDIT,
    "partnerships.signatory": EDIT,
    "partnerships.evaluation": EDIT,
    # Issued, revoked and reissued by the admin's actions, which need "change"; never added or
    # deleted by hand (numbered, with a snapshot).
    "partnerships.certificate": ("change", "view"),
    "partnerships.unnamedmembers": EDIT,
    # An import is uploaded, previewed and confirmed ("add"), and undone from its page; never
    # edited or deleted by hand.
    "partnerships.importrun": ("add", "view"),
    # Sources are shared by every region: staff add them and cite them; a source's own text is
    # changed by the site administrator, since other regions' records may cite it.
    "core.source": ("add", "view"),
    "core.citation": EDIT,
    "core.judgement": EDIT,
    # Corrections come from the public; staff accept or reject those of their region.
    "core.correction": ("change", "view"),
    # Background jobs are started by the actions that need them; staff follow and retry them.
    "core.job": ("view",),
    "partnerships.targetgroup": VIEW,
    "partnerships.thematicarea": VIEW,
    "partnerships.principle": VIEW,
    "territory.voivodeship": VIEW,
    "territory.county": VIEW,
    "territory.commune": VIEW,
}


def staff_permissions(apps=global_apps, using: str = "default"):
    """The permissions ``STAFF_PERMISSIONS`` names, as they are in the database."""
    permission = apps.get_model("auth", "Permission")
    condition = Q(pk__in=[])
    for label, actions in STAFF_PERMISSIONS.items():
        app_label, model = label.split(".")
        condition |= Q(
            content_type__app_label=app_label,
            content_type__model=model,
            codename__in=[f"{action}_{model}" for action in actions],
        )
    return permission.objects.using(using).filter(condition)


def sync_staff_group(apps=global_apps, using: str = "default") -> None:
    """Create the group if missing and give it exactly the listed permissions."""
    group, _created = apps.get_model("auth", "Group").objects.using(using).get_or_create(name=STAFF_GROUP)
    group.permissions.set(staff_permissions(apps, using))


def sync_after_migrate(sender, apps=global_apps, using: str = "default", **kwargs) -> None:
    """``post_migrate`` receiver: once the last app with models has its permissions (Django
    creates them on the same signal, app by app), set the group's."""
    with_models = [config for config in global_apps.get_app_configs() if config.models_module is not None]
    if with_models and sender.label == with_models[-1].label:
        sync_staff_group(apps, using)
