"""Form fields the registry's forms share."""

import datetime
import re
from typing import NamedTuple

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# The precisions a partial date is stored with (the values of partnerships.DatePrecision).
DAY, MONTH, YEAR = "day", "month", "year"

_FORMS = [
    (re.compile(r"^(?P<year>[0-9]{4})$"), YEAR),
    (re.compile(r"^(?P<month>[0-9]{1,2})[./-](?P<year>[0-9]{4})$"), MONTH),
    (re.compile(r"^(?P<year>[0-9]{4})-(?P<month>[0-9]{1,2})$"), MONTH),
    (re.compile(r"^(?P<day>[0-9]{1,2})[./-](?P<month>[0-9]{1,2})[./-](?P<year>[0-9]{4})$"), DAY),
    (re.compile(r"^(?P<year>[0-9]{4})-(?P<month>[0-9]{1,2})-(?P<day>[0-9]{1,2})$"), DAY),
]


class PartialDate(NamedTuple):
    date: datetime.date
    precision: str

    def __str__(self) -> str:
        if self.precision == YEAR:
            return f"{self.date.year}"
        if self.precision == MONTH:
            return f"{self.date.month:02d}.{self.date.year}"
        return self.date.strftime("%d.%m.%Y")


class PartialDateField(forms.CharField):
    """A date given as a year ("2012"), a month ("03.2012") or a day ("15.03.2012"): what was
    typed says how precise it is. Cleans to a ``PartialDate`` (the first day of the year or
    month, and the precision), or None when left empty."""

    default_error_messages = {
        "invalid": _("Enter a year (2012), a month (03.2012) or a day (15.03.2012)."),
        "invalid_date": _("There is no such date."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 10)
        kwargs.setdefault(
            "help_text", _("A year (2012), a month (03.2012) or a day (15.03.2012), as the source gives it.")
        )
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("placeholder", _("yyyy, mm.yyyy or dd.mm.yyyy"))
        self.widget.attrs.setdefault("size", 12)

    def prepare_value(self, value):
        return str(value) if isinstance(value, PartialDate) else value

    def to_python(self, value) -> PartialDate | None:
        text = (super().to_python(value) or "").strip().replace(" ", "")
        if not text:
            return None
        for pattern, precision in _FORMS:
            match = pattern.match(text)
            if match:
                parts = match.groupdict()
                try:
                    day = datetime.date(int(parts["year"]), int(parts.get("month") or 1), int(parts.get("day") or 1))
                except ValueError:
                    raise ValidationError(self.error_messages["invalid_date"], code="invalid_date") from None
                return PartialDate(day, precision)
        raise ValidationError(self.error_messages["invalid"], code="invalid")


class PartialDateFormMixin:
    """A ModelForm whose partial dates are entered in one field each.

    ``partial_dates`` maps the form field to the model's date and precision fields, e.g.
    ``{"founded": ("founded_on", "founded_precision")}``; the form shows the stored date as it
    was given and writes both fields back.
    """

    partial_dates: dict[str, tuple[str, str]] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, (date_field, precision_field) in self.partial_dates.items():
            if name not in self.fields:
                continue
            stored = getattr(self.instance, date_field)
            if stored is not None and name not in self.initial:
                self.initial[name] = str(PartialDate(stored, getattr(self.instance, precision_field)))

    def clean(self):
        cleaned = super().clean()
        for name, (date_field, precision_field) in self.partial_dates.items():
            if name not in self.fields or self.has_error(name):
                continue
            value = cleaned.get(name)
            setattr(self.instance, date_field, value.date if value else None)
            setattr(self.instance, precision_field, value.precision if value else DAY)
        return cleaned


def country_choices() -> list[tuple[str, str]]:
    """ISO 3166 countries by name in the active language, sorted by it (django-countries, kept
    up to date with the standard and translated)."""
    from django_countries import countries

    return list(countries)


class CountryChoiceField(forms.ChoiceField):
    """A country chosen by its name ("Wielka Brytania"), stored as its ISO 3166 code ("GB")."""

    def __init__(self, **kwargs):
        kwargs.pop("max_length", None)
        kwargs.pop("empty_value", None)
        super().__init__(choices=country_choices, **kwargs)
