"""The territorial division of Poland as GUS's TERYT register (TERC) defines it.

Every unit is keyed by its TERYT code, never by its name: ten powiat names repeat across
voivodeships. Units are imported (``import_teryt``), not typed, and are never deleted:
a unit that disappears from a newer register is marked inactive, because records point
at it.
"""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.grammar import Grammar
from core.lookups import key_along

from .querysets import TerritorialUnitQuerySet, VoivodeshipQuerySet


class TerritorialUnit(models.Model):
    """What every unit of the register has besides its TERYT code (the primary key, of a
    length each kind of unit fixes): its name, a slug, and whether the latest imported
    register still lists it."""

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=110, unique=True)
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Present in the latest imported TERYT register.")
    )

    objects = TerritorialUnitQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class MappedUnit(TerritorialUnit):
    """A unit drawn on the maps: a voivodeship or a powiat, with its outline."""

    outline = models.TextField(
        _("map outline"), blank=True, default="", help_text=_("SVG path in the registry's map projection.")
    )

    class Meta(TerritorialUnit.Meta):
        abstract = True


class Voivodeship(MappedUnit):
    """A województwo, keyed by its 2-digit TERYT code. Its name is in lower case, as Polish
    prose writes it ("mazowieckie"); TERC prints it in capitals."""

    code = models.CharField(_("TERYT code"), max_length=2, primary_key=True)
    # Sixteen short names: the column keeps the length it was created with.
    slug = models.SlugField(_("slug"), max_length=100, unique=True)

    objects = VoivodeshipQuerySet.as_manager()

    GRAMMAR = Grammar(
        pgettext_lazy("accusative", "voivodeship"),
        pgettext_lazy("grammatical gender of the translated name: m, f or n", "voivodeship"),
    )

    class Meta(MappedUnit.Meta):
        verbose_name = _("voivodeship")
        verbose_name_plural = _("voivodeships")
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{2}$"),
                name="voivodeship_code_two_digits",
                violation_error_message=_("A voivodeship's TERYT code has two digits."),
            ),
        ]

    @property
    def full_name(self) -> str:
        return f"województwo {self.name}"


class County(MappedUnit):
    """A powiat (or a city with county rights), keyed by its 4-digit TERYT code. Its name is as
    in TERC: "warszawski zachodni" for a land county, "Wrocław" for a city."""

    class Kind(models.TextChoices):
        LAND = "land", _("county")
        CITY = "city", _("city with county rights")
        CAPITAL = "capital", _("capital city with county rights")

    code = models.CharField(_("TERYT code"), max_length=4, primary_key=True)
    voivodeship = models.ForeignKey(
        Voivodeship, on_delete=models.PROTECT, related_name="counties", verbose_name=_("voivodeship")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)

    GRAMMAR = Grammar(
        pgettext_lazy("accusative", "county"),
        pgettext_lazy("grammatical gender of the translated name: m, f or n", "county"),
    )
    # What a county's label with its voivodeship reads ("powiat ostrołęcki (mazowieckie)"), for
    # ``only()`` with ``select_related("voivodeship")``: lists of counties without the outlines.
    LABEL_FIELDS = ("code", "name", "kind", "voivodeship__code", "voivodeship__name")

    class Meta(MappedUnit.Meta):
        verbose_name = _("county")
        verbose_name_plural = _("counties")
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{4}$"),
                name="county_code_four_digits",
                violation_error_message=_("A county's TERYT code has four digits."),
            ),
            models.CheckConstraint(
                condition=Q(code__startswith=F("voivodeship_id")),
                name="county_code_within_voivodeship",
                violation_error_message=_("A county's TERYT code begins with its voivodeship's code."),
            ),
        ]

    def __str__(self) -> str:
        if self.kind == self.Kind.LAND:
            return f"powiat {self.name}"
        return self.name


class Commune(TerritorialUnit):
    """A gmina, keyed by its 7-digit TERYT code (powiat code, gmina number, RODZ digit)."""

    class Kind(models.TextChoices):
        # The values are TERC's RODZ digits, which end the 7-digit code.
        URBAN = "1", _("urban commune")
        RURAL = "2", _("rural commune")
        URBAN_RURAL = "3", _("urban-rural commune")

    code = models.CharField(_("TERYT code"), max_length=7, primary_key=True)
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="communes", verbose_name=_("county"))
    kind = models.CharField(_("kind"), max_length=1, choices=Kind.choices)

    GRAMMAR = Grammar(
        pgettext_lazy("accusative", "commune"),
        pgettext_lazy("grammatical gender of the translated name: m, f or n", "commune"),
    )

    class Meta(TerritorialUnit.Meta):
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{6}[123]$"),
                name="commune_code_seven_digits",
                violation_error_message=_("A commune's TERYT code has seven digits and ends with 1, 2 or 3."),
            ),
            models.CheckConstraint(
                condition=Q(code__startswith=F("county_id")),
                name="commune_code_within_county",
                violation_error_message=_("A commune's TERYT code begins with its county's code."),
            ),
            models.CheckConstraint(
                condition=Q(code__endswith=F("kind")),
                name="commune_code_ends_with_kind",
                violation_error_message=_("A commune's TERYT code ends with its kind (RODZ) digit."),
            ),
        ]

    @property
    def label(self) -> str:
        """Name with kind and county, which tells apart the two Bolesławiec communes."""
        return f"{self.name} ({self.get_kind_display()}, {self.county})"

    # What the admin's pickers join in to label a choice (config.admin_site.PickerView).
    PICKER_RELATED = ("county__voivodeship",)

    @property
    def picker_label(self) -> str:
        """How a picker names it: "Ostrów Mazowiecka (miasto, powiat ostrowski, mazowieckie)"
        and "Ostrów Mazowiecka (gmina wiejska, powiat ostrowski, mazowieckie)", the town and the
        rural gmina around it, told apart."""
        kind = PICKER_KINDS.get(self.kind, self.get_kind_display())
        return f"{self.name} ({kind}, {self.county}, {self.county.voivodeship.name})"


# An urban gmina is the town itself, which is how staff know it.
PICKER_KINDS = {
    Commune.Kind.URBAN: pgettext_lazy("commune kind in a picker", "town"),
    Commune.Kind.RURAL: pgettext_lazy("commune kind in a picker", "rural gmina"),
    Commune.Kind.URBAN_RURAL: pgettext_lazy("commune kind in a picker", "urban-rural gmina"),
}


class RegionalRecord:
    """A record kept by one region, its home voivodeship. ``REGION_PATH`` leads from the record
    to the voivodeship's code in queries (``"commune__county__voivodeship"``); ``region_id``
    follows it on one instance, unsaved or just edited too, and is None where a link on the
    way is empty (a foreign institution has no commune)."""

    REGION_PATH: str

    @property
    def region_id(self) -> str | None:
        return key_along(self, self.REGION_PATH)
