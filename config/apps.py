from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save


class SiteConfig(AppConfig):
    """Site-wide wiring of the registry's apps: backups, the page cache's invalidation, and the
    staff group's permissions kept in step with the models (config.staff_group)."""

    name = "config"
    verbose_name = "Rejestr Partnerstw Lokalnych"

    # The apps whose records the public pages show; a change to any of them is a new generation.
    REGISTRY_APPS = frozenset({"territory", "members", "events", "partnerships"})

    def ready(self) -> None:
        from .staff_group import sync_after_migrate

        post_migrate.connect(sync_after_migrate, dispatch_uid="registry_staff_group")
        for signal in (post_save, post_delete, m2m_changed):
            signal.connect(self.record_changed, dispatch_uid=f"page_cache_{signal}")

    def record_changed(self, sender, raw: bool = False, **kwargs) -> None:
        from core.cache import invalidate

        # Rows loaded from a fixture (a restored backup) arrive by the thousand; whoever loads
        # them sends core.cache.records_changed once instead.
        if not raw and sender._meta.app_label in self.REGISTRY_APPS:
            invalidate()


class RegistryAdminConfig(admin_apps.AdminConfig):
    """Django's admin with the registry's site (config.admin_site): the home page's region and
    worklist, pickers that say what each choice is."""

    default = False
    default_site = "config.admin_site.RegistryAdminSite"
