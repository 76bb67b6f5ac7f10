"""The public lists' filters by place: the choices of `wojewodztwo` and `powiat`, shared by
every list."""

from core.listing import cached_choices

from .models import County, Voivodeship


def voivodeship_choices() -> list[tuple[str, str]]:
    """Choices of a `wojewodztwo` filter: active voivodeships by TERYT code. One query, when not cached."""
    return cached_choices("voivodeships", lambda: [(v.code, v.name) for v in Voivodeship.objects.active()])


def county_choices() -> list[tuple[str, str]]:
    """Choices of a `powiat` filter: "powiat ostrowski (mazowieckie)", since names repeat. One
    query, when not cached."""

    def compute():
        counties = County.objects.active().select_related("voivodeship")
        return [(c.code, f"{c} ({c.voivodeship.name})") for c in counties]

    return cached_choices("counties", compute)


class PlaceFilters:
    """For a FilterSet that declares ``wojewodztwo`` and ``powiat``: their choices (cached), and
    ``in_region``, a record whose seat is in any powiat of the voivodeship."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.fields["wojewodztwo"].choices = voivodeship_choices()
        self.form.fields["powiat"].choices = county_choices()

    def in_region(self, queryset, name: str, value: str):
        return queryset.in_region(value)
