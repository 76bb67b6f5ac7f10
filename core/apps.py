from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """What every app of the registry shares and none owns, with the models every record may
    use: provenance (sources, citations, staff judgements) and corrections from the public."""

    name = "core"
    verbose_name = _("Registry core")

    def ready(self) -> None:
        from . import checks  # noqa: F401 (registers the system checks)
