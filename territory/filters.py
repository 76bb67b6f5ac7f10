"""The public lists' filters by place: the choices of `wojewodztwo` and `powiat` (the powiats of
the chosen voivodeship only), the `gmina` place picker, and the search by a place's name,
shared by every list."""

import re

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.listing import cached_choices
from core.text import query_key

from .models import Commune, County, Voivodeship
from .places import Places, places_named

# A commune's code alone, or at the end of the label the picker puts in the field.
COMMUNE_CODE = re.compile(r"(?:^|\D)([0-9]{6}[123])\s*$")
VOIVODESHIP_CODE = re.compile(r"^[0-9]{2}$")


def voivodeship_choices() -> list[tuple[str, str]]:
    """Choices of a `wojewodztwo` filter: active voivodeships by TERYT code. One query, when not cached."""
    return cached_choices("voivodeships", lambda: list(Voivodeship.objects.active().values_list("code", "name")))


def county_choices(voivodeship: str | None = None) -> list[tuple[str, str]]:
    """Choices of a `powiat` filter: "powiat ostrowski (mazowieckie)", since names repeat; only
    the voivodeship's when one is given. One query, when not cached."""

    def compute():
        # Without the outlines (the map's, 200 kB of text for the 380), which a label never shows.
        counties = County.objects.active().select_related("voivodeship").only(*County.LABEL_FIELDS)
        if voivodeship:
            counties = counties.filter(voivodeship_id=voivodeship)
        return [(c.code, f"{c} ({c.voivodeship.name})") for c in counties]

    return cached_choices(f"counties:{voivodeship or ''}", compute)


def commune_label(commune: Commune) -> str:
    """The commune as the picker shows it, with its kind, powiat and voivodeship (the county and
    its voivodeship selected): "Myszyniec (gmina miejsko-wiejska, powiat ostrołęcki, woj.
    mazowieckie)"."""
    return _("%(name)s (%(kind)s, %(county)s, %(voivodeship)s voivodeship)") % {
        "name": commune.name,
        "kind": commune.get_kind_display(),
        "county": commune.county,
        "voivodeship": commune.county.voivodeship.name,
    }


def commune_choice_text(commune: Commune) -> str:
    """What the picker puts in the field: the label and the code, which the form reads back."""
    return f"{commune_label(commune)}, TERYT {commune.code}"


def communes_with_counties():
    return Commune.objects.select_related("county__voivodeship")


class CommuneInput(forms.TextInput):
    """A text field for a commune's name or code. With JavaScript, static/js/place-picker.js
    offers the communes whose names begin with what is typed (from ``place_suggestions``);
    without it, the name typed is found on the server. A code is shown as the commune's label
    (one query)."""

    def __init__(self, attrs=None):
        attrs = {"autocomplete": "off", "spellcheck": "false", "class": "place-picker", **(attrs or {})}
        super().__init__(attrs)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["data-suggestions"] = reverse("place_suggestions")
        return context

    def format_value(self, value):
        value = super().format_value(value)
        if value and re.fullmatch(r"[0-9]{6}[123]", value):
            commune = communes_with_counties().filter(code=value).first()
            if commune is not None:
                return commune_choice_text(commune)
        return value


class CommuneField(forms.CharField):
    """A commune given by its 7-digit TERYT code, by the picker's label ending with the code, or
    by its name ("myszyniec", with or without diacritics); cleaned to the code. A name that
    several communes share is refused with each of them named, so the visitor can choose."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 300)
        kwargs.setdefault("widget", CommuneInput)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        # A control character typed or pasted into a name is no part of it: the message is then
        # about the name, not about a NUL byte.
        value = super().to_python(value)
        return "".join(c for c in value if c.isprintable())

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        code = COMMUNE_CODE.search(value)
        if code:
            return code.group(1)
        key = query_key(value)
        # "Myszyniec (gmina miejsko-wiejska, …)" typed or pasted without its code: the name.
        key = query_key(value.split("(")[0]) or key
        places = places_named(key)
        if not places.communes:
            raise ValidationError(
                _("No commune is called “%(name)s”. Type the name of a commune (gmina) or its 7-digit TERYT code."),
                code="unknown",
                params={"name": value[:100]},
            )
        if len(places.communes) > 1:
            labels = [commune_choice_text(c) for c in communes_with_counties().filter(code__in=places.communes)]
            raise ValidationError(
                _("Several communes are called “%(name)s”; choose one: %(choices)s."),
                code="ambiguous",
                params={"name": value[:100], "choices": "; ".join(labels)},
            )
        return next(iter(places.communes))


class CommuneFilter(django_filters.CharFilter):
    """The `gmina` filter: records of one commune (``field_name``), or through ``method``."""

    field_class = CommuneField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", gettext_lazy("Commune"))
        super().__init__(*args, **kwargs)

    def describe(self, value: str) -> str:
        """The commune's label for the chip of active filters (one query, when in force)."""
        commune = communes_with_counties().filter(code=value).first()
        return commune_label(commune) if commune else value


class PlaceFilters:
    """For a FilterSet that declares ``wojewodztwo`` and ``powiat``: their choices (cached), the
    powiats of the chosen voivodeship only (the form re-rendered on the server lists no other:
    dependent drop-downs that need no JavaScript), ``in_region``, a record whose seat is in any
    powiat of the voivodeship, and ``q`` finding the records of a place by its name
    (``in_places``, which each list defines)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        voivodeships = voivodeship_choices()
        self.form.fields["wojewodztwo"].choices = voivodeships
        chosen = (self.data or {}).get("wojewodztwo") or ""
        if VOIVODESHIP_CODE.fullmatch(chosen) and chosen in dict(voivodeships):
            county = self.form.fields["powiat"]
            county.choices = county_choices(chosen)
            county.error_messages["invalid_choice"] = _(
                "This county is not in the chosen voivodeship; choose one of its counties or clear the voivodeship."
            )
        else:
            self.form.fields["powiat"].choices = county_choices()

    def in_region(self, queryset, name: str, value: str):
        return queryset.in_region(value)

    def search_also(self, key: str) -> Q:
        condition = super().search_also(key)
        places = places_named(key)
        return condition | self.in_places(places) if places else condition

    def in_places(self, places: Places) -> Q:
        """The condition of the records in ``places``: the seat's commune by default."""
        return Q(commune_id__in=sorted(places.communes_within))
