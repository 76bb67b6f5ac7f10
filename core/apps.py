from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """What every app of the registry shares and none owns; with provenance (sources, citations, judgements) and public corrections."""

    name = "core"
    verbose_name = _("Registry core")

    def ready(self) -> None:
        from . import checks  # noqa: F401 (registers the system checks)
