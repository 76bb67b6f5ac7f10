"""What a model's name needs to read as correct Polish in the admin's sentences.

Django's Polish catalogue writes one sentence for every model ("{name} „{obj}” został(a)(-ło)
dodany(-na)(-ne) pomyślnie", "Dodaj {name}" with the nominative "instytucja"). A model of the
registry names, through our catalogue, its accusative ("instytucję") and the grammatical
gender of its translated name ("f"); the admin (core.admin.PolishMessagesMixin) picks the
sentence of that gender. In English the sentences are the same for every gender.
"""

from dataclasses import dataclass

from django.utils.translation import pgettext_lazy


@dataclass(frozen=True)
class Grammar:
    # The name in the accusative: "Dodaj instytucję", "Wybierz instytucję do zmiany".
    accusative: str
    # The grammatical gender of the translated name, "m", "f" or "n" (any other value: the
    # sentence that fits every gender, as in English).
    gender: str

    @property
    def gender_code(self) -> str:
        value = str(self.gender)
        return value if value in {"m", "f", "n"} else ""


GENDERED = {
    "added": {
        "": pgettext_lazy("any gender", "The %(name)s “%(obj)s” was added."),
        "m": pgettext_lazy("masculine", "The %(name)s “%(obj)s” was added."),
        "f": pgettext_lazy("feminine", "The %(name)s “%(obj)s” was added."),
        "n": pgettext_lazy("neuter", "The %(name)s “%(obj)s” was added."),
    },
    "changed": {
        "": pgettext_lazy("any gender", "The %(name)s “%(obj)s” was changed."),
        "m": pgettext_lazy("masculine", "The %(name)s “%(obj)s” was changed."),
        "f": pgettext_lazy("feminine", "The %(name)s “%(obj)s” was changed."),
        "n": pgettext_lazy("neuter", "The %(name)s “%(obj)s” was changed."),
    },
    "deleted": {
        "": pgettext_lazy("any gender", "The %(name)s “%(obj)s” was deleted."),
        "m": pgettext_lazy("masculine", "The %(name)s “%(obj)s” was deleted."),
        "f": pgettext_lazy("feminine", "The %(name)s “%(obj)s” was deleted."),
        "n": pgettext_lazy("neuter", "The %(name)s “%(obj)s” was deleted."),
    },
    "edit_again": {
        "": pgettext_lazy("any gender", "You may edit it again below."),
        "m": pgettext_lazy("masculine", "You may edit it again below."),
        "f": pgettext_lazy("feminine", "You may edit it again below."),
        "n": pgettext_lazy("neuter", "You may edit it again below."),
    },
}
