"""Builders and fixtures for tests, so that tests say only what matters to them.

- functions that build one record each (``institution``, ``partnership``, …), and ``build``,
  which builds a record of any regional model in a region;
- ``AdminTestCase``, what every admin test needs: the built-in territorial units, the two
  regional centres (MCPS in Warszawa, DOPS in Wrocław), a staff member of each (mazowieckie:
  ``staff``, dolnośląskie: ``other_staff``) with every model permission of the registry's apps,
  a superuser, a staff member without a profile, and one partnership, institution and event in
  each of the two voivodeships; ``admin_url``, ``form_data`` and ``csrf_token`` to drive the
  admin as a browser does;
- a small valid TERC file and a snapshot of the territorial units.

Names are plainly made up for tests ("Partnerstwo testowe 7"); no invented real people.
"""

import datetime
import io
import itertools
import re
from io import StringIO

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.forms.models import ModelMultipleChoiceField
from django.test import TestCase
from django.urls import reverse
from PIL import Image

from events.models import Event, Material, Patron, Project, Speaker
from members.models import Institution, InstitutionAlias, Person, StaffProfile
from partnerships.models import (
    Agreement,
    Certificate,
    Evaluation,
    MemberKindCount,
    Membership,
    Partnership,
    Signatory,
    UnnamedMembers,
)
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
    if fields.get("status", Partnership.Status.UNKNOWN) != Partnership.Status.UNKNOWN:
        # A known status is stated as of a date, by someone: here the staff, today.
        fields.setdefault("status_stated_on", datetime.date.today())
        fields.setdefault("status_stated_by", Partnership.StatusStatedBy.STAFF)
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


def public_records(label: str, **event_fields) -> tuple[Institution, Partnership, Event]:
    """The built-in territory and, in Warszawa, an institution, a partnership it is a member of
    and an event, named after ``label``: what the public pages need to show something."""
    load_territory()
    member = institution(f"Ośrodek {label}", commune="1465011")
    return (
        member,
        partnership(f"Partnerstwo {label}", counties=["1465"], members=[member]),
        event(f"Wydarzenie {label}", commune="1465011", **event_fields),
    )


# Marker values of a person's private fields: tests search every public page for them.
PRIVATE = {"email": "prywatny-adres@example.org", "phone": "+48 600 000 001", "private_notes": "NOTATKA-PRYWATNA"}


def local_cache(name: str) -> dict:
    """CACHES of a cache of this process alone, for a test that needs one that counts (the
    suite's default is a dummy cache, see conftest.py)."""
    return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": name}}


def png_bytes(size=(40, 20)) -> bytes:
    """A small valid PNG image."""
    buffer = io.BytesIO()
    Image.new("RGB", size, "#8a1538").save(buffer, format="PNG")
    return buffer.getvalue()


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


# The staff admin

MAZOWIECKIE, DOLNOSLASKIE = "14", "02"
WARSZAWA, WROCLAW = "1465011", "0264011"
COMMUNE = {MAZOWIECKIE: WARSZAWA, DOLNOSLASKIE: WROCLAW}
PASSWORD = "hasło-testowe-do-panelu"


class AdminTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("load_territory", stdout=StringIO())
        rops = Institution.Kind.ROPS
        cls.mcps = Institution.objects.create(
            name="Mazowieckie Centrum Polityki Społecznej",
            short_name="MCPS",
            slug="mcps",
            kind=rops,
            commune_id=WARSZAWA,
        )
        cls.dops = Institution.objects.create(
            name="Dolnośląski Ośrodek Polityki Społecznej",
            short_name="DOPS",
            slug="dops",
            kind=rops,
            commune_id=WROCLAW,
        )
        editors = Group.objects.create(name="Redaktorzy rejestru")
        editors.permissions.set(
            Permission.objects.filter(content_type__app_label__in=["members", "events", "partnerships"])
        )
        users = get_user_model().objects
        cls.staff = users.create_user("pracownik.mcps", password=PASSWORD, is_staff=True)
        cls.staff.groups.add(editors)
        StaffProfile.objects.create(user=cls.staff, centre=cls.mcps)
        cls.other_staff = users.create_user("pracownik.dops", password=PASSWORD, is_staff=True)
        cls.other_staff.groups.add(editors)
        StaffProfile.objects.create(user=cls.other_staff, centre=cls.dops)
        cls.staff_without_profile = users.create_user("pracownik.bez.profilu", password=PASSWORD, is_staff=True)
        cls.staff_without_profile.groups.add(editors)
        cls.superuser = users.create_superuser("administrator", password=PASSWORD)

        cls.own_partnership = Partnership.objects.create(
            name="Partnerstwo testowe mazowieckie", slug="partnerstwo-mazowieckie", home_voivodeship_id=MAZOWIECKIE
        )
        cls.other_partnership = Partnership.objects.create(
            name="Partnerstwo testowe dolnośląskie", slug="partnerstwo-dolnoslaskie", home_voivodeship_id=DOLNOSLASKIE
        )
        cls.own_institution = Institution.objects.create(
            name="Instytucja testowa warszawska", slug="instytucja-warszawska", kind="mops", commune_id=WARSZAWA
        )
        cls.other_institution = Institution.objects.create(
            name="Instytucja testowa wrocławska", slug="instytucja-wroclawska", kind="mops", commune_id=WROCLAW
        )
        cls.own_event = Event.objects.create(
            title="Wydarzenie testowe warszawskie",
            slug="wydarzenie-warszawskie",
            kind="conference",
            commune_id=WARSZAWA,
        )
        cls.other_event = Event.objects.create(
            title="Wydarzenie testowe wrocławskie", slug="wydarzenie-wroclawskie", kind="conference", commune_id=WROCLAW
        )
        Membership.objects.create(partnership=cls.other_partnership, institution=cls.other_institution)


def admin_url(obj_or_model, view: str, *args) -> str:
    opts = obj_or_model._meta
    if not args and view in {"change", "delete", "history"}:
        args = (obj_or_model.pk,)
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def form_data(response) -> dict:
    """POST data of the admin form in ``response``, as a browser would submit it unchanged:
    the main form and every inline formset with its management form."""
    data = {}
    if response.context.get("loaded_version"):
        data["_loaded_version"] = str(response.context["loaded_version"])
    adminform = response.context["adminform"]
    _add_form(data, adminform.form)
    for inline in response.context.get("inline_admin_formsets", []):
        formset = inline.formset
        _add_form(data, formset.management_form)
        for form in formset.forms:
            _add_form(data, form)
    return data


def _add_form(data: dict, form) -> None:
    for name, field in form.fields.items():
        bound = form[name]
        value = bound.value()
        if value is None or value is False:
            continue
        if isinstance(field, forms.FileField):
            continue  # an unchanged file is not sent again
        if isinstance(field, ModelMultipleChoiceField):
            data[bound.html_name] = [getattr(item, "pk", item) for item in value]
        elif hasattr(value, "isoformat"):
            data[bound.html_name] = value.isoformat()
        else:
            data[bound.html_name] = str(getattr(value, "pk", value)) if value is not True else "on"


def build(model, region: str):
    """A saved record of ``model`` in ``region``, with whatever it needs."""
    n = next(_numbers)
    commune = COMMUNE[region]
    if model is Institution:
        return Institution.objects.create(
            name=f"Instytucja testowa {n}", slug=f"kaskada-{n}", kind="mops", commune_id=commune
        )
    if model is Person:
        return Person.objects.create(first_name="Jan", last_name=f"Testowy {n}", affiliation=build(Institution, region))
    if model is InstitutionAlias:
        return InstitutionAlias.objects.create(slug=f"dawny-adres-{n}", institution=build(Institution, region))
    if model is Project:
        return Project.objects.create(name=f"Projekt testowy {n}", operator=build(Institution, region))
    if model is Event:
        return Event.objects.create(
            title=f"Wydarzenie testowe {n}", slug=f"kaskada-{n}", kind="meeting", commune_id=commune
        )
    if model is Partnership:
        return Partnership.objects.create(
            name=f"Partnerstwo testowe {n}", slug=f"kaskada-{n}", home_voivodeship_id=region
        )
    if model is Membership:
        return Membership.objects.create(partnership=build(Partnership, region), institution=build(Institution, region))
    if model is Agreement:
        return Agreement.objects.create(partnership=build(Partnership, region), title=f"Porozumienie testowe {n}")
    if model is Signatory:
        return Signatory.objects.create(agreement=build(Agreement, region), institution=build(Institution, region))
    if model is Evaluation:
        return Evaluation.objects.create(
            partnership=build(Partnership, region), date=datetime.date(2020, 1, 1), kind="monitoring", summary="Wpis"
        )
    if model is Speaker:
        return Speaker.objects.create(event=build(Event, region), person=build(Person, region))
    if model is Patron:
        return Patron.objects.create(event=build(Event, region), institution=build(Institution, region))
    if model is Material:
        return Material.objects.create(event=build(Event, region), kind="report", title=f"Materiał testowy {n}")
    if model is UnnamedMembers:
        return UnnamedMembers.objects.create(
            partnership=build(Partnership, region), kind="police", sector="public", description="komenda", count=1
        )
    if model is MemberKindCount:
        # Derived rows (refresh_member_fields); one written directly, for the deletion matrix.
        return MemberKindCount.objects.create(
            partnership=build(Partnership, region), kind="police", sector="public", members=1
        )
    if model is Certificate:
        return Certificate.objects.create(
            partnership=build(Partnership, region),
            number=f"RPL/{region}/2020/{n:05d}",
            issued_on=datetime.date(2020, 1, 1),
            signatory_name="Dyrektor testowy",
        )
    raise AssertionError(f"No builder for {model.__name__}: add one so that its relations are tested.")


def csrf_token(response) -> str:
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', response.content)
    assert match, "the page has no form with a CSRF token"
    return match.group(1).decode()
