"""Small builders for test records, so that tests say only what matters to them.

Names are plainly made up for tests ("Partnerstwo testowe 7"); no invented real people.
"""

import itertools
from io import StringIO

from django.core.management import call_command

from events.models import Event
from members.models import Institution, Person
from partnerships.models import Membership, Partnership
from territory.models import Commune, County, Voivodeship

_numbers = itertools.count(1)


def load_territory() -> None:
    call_command("load_territory", stdout=StringIO())


def institution(name: str = "", commune: str | None = "1465011", kind=Institution.Kind.MOPS, **fields) -> Institution:
    number = next(_numbers)
    name = name or f"Instytucja testowa {number}"
    return Institution.objects.create(name=name, slug=f"instytucja-{number}", kind=kind, commune_id=commune, **fields)


def person(affiliation: Institution | None = None, **fields) -> Person:
    number = next(_numbers)
    fields.setdefault("first_name", "Jan")
    fields.setdefault("last_name", f"Testowy {number}")
    return Person.objects.create(affiliation=affiliation, **fields)


def partnership(name: str = "", region: str = "14", counties=(), communes=(), members=(), **fields) -> Partnership:
    number = next(_numbers)
    result = Partnership.objects.create(
        name=name or f"Partnerstwo testowe {number}", slug=f"partnerstwo-{number}", home_voivodeship_id=region, **fields
    )
    result.area_counties.add(*counties)
    result.area_communes.add(*communes)
    for member in members:
        Membership.objects.create(partnership=result, institution=member)
    return result


def event(title: str = "", commune: str | None = "1465011", **fields) -> Event:
    number = next(_numbers)
    fields.setdefault("kind", Event.Kind.CONFERENCE)
    return Event.objects.create(
        title=title or f"Wydarzenie testowe {number}", slug=f"wydarzenie-{number}", commune_id=commune, **fields
    )


# A small valid TERC file: a voivodeship, a powiat and a gmina, as GUS writes them.
TERC_HEADER = "WOJ;POW;GMI;RODZ;NAZWA;NAZWA_DOD;STAN_NA\r\n"
SMALL_TERC = TERC_HEADER + (
    "02;;;;DOLNOŚLĄSKIE;województwo;2025-01-01\r\n"
    "02;01;;;bolesławiecki;powiat;2025-01-01\r\n"
    "02;01;01;1;Bolesławiec;gmina miejska;2025-01-01\r\n"
)


def territory_snapshot() -> dict:
    """Every stored territorial unit with every field."""
    return {model.__name__: list(model.objects.order_by("code").values()) for model in (Voivodeship, County, Commune)}
