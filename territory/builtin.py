"""Territorial units the registry ships, so that a fresh install works without any download.

These are facts of the TERYT register (state 2025-01-01): the 16 voivodeships, and the
powiats and gminas where the demo dataset's partnerships, events and institutions are.
The full register is imported with ``manage.py import_teryt``; it then governs names and
kinds, and nothing here overwrites it.
"""

from django.db import transaction

from core.text import slugify_pl

from .models import Commune, County, Voivodeship

VOIVODESHIPS = [
    ("02", "dolnośląskie"),
    ("04", "kujawsko-pomorskie"),
    ("06", "lubelskie"),
    ("08", "lubuskie"),
    ("10", "łódzkie"),
    ("12", "małopolskie"),
    ("14", "mazowieckie"),
    ("16", "opolskie"),
    ("18", "podkarpackie"),
    ("20", "podlaskie"),
    ("22", "pomorskie"),
    ("24", "śląskie"),
    ("26", "świętokrzyskie"),
    ("28", "warmińsko-mazurskie"),
    ("30", "wielkopolskie"),
    ("32", "zachodniopomorskie"),
]

_LAND, _CITY, _CAPITAL = County.Kind.LAND, County.Kind.CITY, County.Kind.CAPITAL
COUNTIES = [
    ("0264", "Wrocław", _CITY),
    ("0265", "Wałbrzych", _CITY),
    ("1061", "Łódź", _CITY),
    # The 24 Mazowsze powiats with partnerships supported by MCPS.
    ("1401", "białobrzeski", _LAND),
    ("1402", "ciechanowski", _LAND),
    ("1405", "grodziski", _LAND),
    ("1407", "kozienicki", _LAND),
    ("1408", "legionowski", _LAND),
    ("1409", "lipski", _LAND),
    ("1410", "łosicki", _LAND),
    ("1411", "makowski", _LAND),
    ("1412", "miński", _LAND),
    ("1413", "mławski", _LAND),
    ("1414", "nowodworski", _LAND),
    ("1416", "ostrowski", _LAND),
    ("1419", "płocki", _LAND),
    ("1421", "pruszkowski", _LAND),
    ("1423", "przysuski", _LAND),
    ("1425", "radomski", _LAND),
    ("1426", "siedlecki", _LAND),
    ("1427", "sierpecki", _LAND),
    ("1430", "szydłowiecki", _LAND),
    ("1432", "warszawski zachodni", _LAND),
    ("1434", "wołomiński", _LAND),
    ("1435", "wyszkowski", _LAND),
    ("1437", "żuromiński", _LAND),
    ("1438", "żyrardowski", _LAND),
    ("1465", "Warszawa", _CAPITAL),
    ("2474", "Siemianowice Śląskie", _CITY),
    ("3021", "poznański", _LAND),
    ("3262", "Szczecin", _CITY),
]

_URBAN = Commune.Kind.URBAN
COMMUNES = [
    ("0264011", "Wrocław", _URBAN),
    ("0265011", "Wałbrzych", _URBAN),
    ("1061011", "Łódź", _URBAN),
    ("1465011", "Warszawa", _URBAN),
    ("2474011", "Siemianowice Śląskie", _URBAN),
    ("3021021", "Puszczykowo", _URBAN),
    ("3262011", "Szczecin", _URBAN),
]


@transaction.atomic
def ensure_builtin_units() -> int:
    """Create the built-in units that are missing; return how many were created.

    Existing units are left as they are: an imported register knows better.
    """
    created = 0
    for code, name in VOIVODESHIPS:
        _, new = Voivodeship.objects.get_or_create(code=code, defaults={"name": name, "slug": slugify_pl(name)})
        created += new
    for code, name, kind in COUNTIES:
        _, new = County.objects.get_or_create(
            code=code,
            defaults={"name": name, "kind": kind, "voivodeship_id": code[:2], "slug": f"{slugify_pl(name)}-{code}"},
        )
        created += new
    for code, name, kind in COMMUNES:
        _, new = Commune.objects.get_or_create(
            code=code,
            defaults={"name": name, "kind": kind, "county_id": code[:4], "slug": f"{slugify_pl(name)}-{code}"},
        )
        created += new
    return created
