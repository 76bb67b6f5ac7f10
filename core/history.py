"""The registry's change history (django-simple-history), with names that read in Polish.

simple-history names a historical model "historical {name}" with an English word that no
catalogue translates, so the admin showed "historical wydarzenie", and its many-to-many history
models by their class names ("HistoricalEvent_organisers"). ``RegistryHistoricalRecords``
names them through our catalogue, lazily, in the language of the request.
"""

from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class RegistryHistoricalRecords(HistoricalRecords):
    def get_meta_options(self, model):
        options = super().get_meta_options(model)
        options["verbose_name"] = format_lazy(_("change history ({})"), model._meta.verbose_name)
        options["verbose_name_plural"] = format_lazy(_("change histories ({})"), model._meta.verbose_name_plural)
        return options

    def get_meta_options_m2m(self, through_model):
        options = super().get_meta_options_m2m(through_model)
        options["verbose_name"] = options["verbose_name_plural"] = lazy(_m2m_name, str)(through_model)
        return options


def _m2m_name(through_model) -> str:
    # The through model's two keys: the record and what it is linked to (read once the models
    # are loaded, when the name is shown).
    ends = [f.related_model._meta.verbose_name for f in through_model._meta.get_fields() if f.many_to_one]
    return str(format_lazy(_("change history ({} – {})"), *ends[:2]))
