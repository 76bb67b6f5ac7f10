"""factory_boy factories of the synthetic records: what one record of each kind looks like.

Faker's ``pl_PL`` provider draws what it knows how to make: business names, street addresses,
postcodes, NIP and REGON numbers with valid check digits, sentences, people's functions (its
jobs). Short vocabularies of the field give the rest (kinds of schools, causes, event themes).
People never get a realistic name: "Osoba Syntetyczna 17" is all of it (DESIGN.md: no fixtures
of invented people), although Faker could invent one.

Every record is marked, so that nobody takes it for a real one and one query finds it:
institutions, partnerships and events have a slug beginning with ``syntetyczne-`` and a name
(title) ending with "(dane syntetyczne)"; projects, which have no slug, the name; people the
first name "Osoba" and the last name "Syntetyczna <number>".

The factories only *build* (``build``, ``build_batch``): the generator writes what they build
with ``bulk_create``, and passes what placement decides (where, who, which partnership) as
arguments. ``reset(seed)`` makes the next records depend on the seed alone.
"""

import datetime
import itertools
from typing import NamedTuple

import factory
import factory.random
from factory.django import DjangoModelFactory
from factory.fuzzy import FuzzyChoice
from faker import Faker

from core.text import search_key, slugify_pl
from events.models import Event, Material, Patron, Project, Speaker
from members.models import POLAND, Institution, Person
from partnerships.models import Agreement, DatePrecision, Evaluation, Membership, Partnership, Signatory

# Markers. Changing one orphans the data of earlier runs: --replace would no longer find it.
SLUG_PREFIX = "syntetyczne-"
NAME_MARK = "(dane syntetyczne)"
PERSON_FIRST_NAME = "Osoba"
PERSON_LAST_NAME_PREFIX = "Syntetyczna "

# Dates are drawn up to a fixed day, not today, so that a seed gives the same data every day.
REFERENCE_DATE = datetime.date(2025, 6, 30)

# Without seed_instance() this Faker draws from the generator factory_boy's own Faker
# declarations use, which factory.random.reseed_random() seeds; ``rng`` is that generator
# (reseeding sets its state, it never replaces it).
fake = Faker("pl_PL")
rng = fake.random
# Bound once: every attribute access of ``fake.unique`` wraps the provider anew, which costs
# more than drawing the number. NIP, REGON and KRS are unique in the database.
unique_nip, unique_regon, unique_numerify = fake.unique.nip, fake.unique.regon, fake.unique.numerify

K = Institution.Kind
NGO_KINDS = {K.FOUNDATION, K.ASSOCIATION, K.SOCIAL_COOPERATIVE, K.TRADE_UNION}


def reset(seed: int) -> None:
    """Seed factory_boy's and Faker's random generator, forget the unique values drawn so far
    and start every sequence again: a seed gives the same records, also twice in one process."""
    factory.random.reseed_random(seed)
    fake.unique.clear()
    for factory_class in FACTORIES:
        factory_class.reset_sequence()


def chance(percent: float) -> bool:
    return rng.random() * 100 < percent


# Declarations cheaper than factory.Maybe, whose machinery costs more than the draw: at
# 100,000 institutions that is seconds.


def sometimes(percent: float, make, otherwise=""):
    """``make()`` for about ``percent`` % of the records, ``otherwise`` for the rest."""
    return factory.LazyFunction(lambda: make() if chance(percent) else otherwise)


def numbered(percent: float, template: str):
    """``template`` with the record's number for about ``percent`` % of the records, else ""."""
    return factory.Sequence(lambda n: template.format(n + 1) if chance(percent) else "")


def weighted(choices: dict):
    """One of the keys, each as likely as its weight."""
    keys, cumulative = list(choices), list(itertools.accumulate(choices.values()))
    return factory.LazyFunction(lambda: rng.choices(keys, cum_weights=cumulative)[0])


def synthetic_slug(base: str, number: int) -> str:
    """``syntetyczne-<the name as a slug, cut>-<number>``: unique by the number, readable by the name."""
    return f"{SLUG_PREFIX}{slugify_pl(base)[:90].rstrip('-')}-{number}"


def date_between(start: datetime.date, end: datetime.date) -> datetime.date:
    """A day from ``start`` to ``end`` (``start`` when the range is empty)."""
    return start + datetime.timedelta(days=rng.randint(0, max(0, (end - start).days)))


def paragraph() -> str:
    return fake.paragraph(nb_sentences=3)


class InstitutionFactory(DjangoModelFactory):
    """An institution; Polish ones have a NIP and a REGON, organisations also a KRS number."""

    class Meta:
        model = Institution

    class Params:
        base = ""  # the name without the mark
        town = ""  # the gmina of the seat, for the address

    name = factory.LazyAttribute(lambda o: f"{o.base} {NAME_MARK}")
    slug = factory.LazyAttributeSequence(lambda o, n: synthetic_slug(o.base, n + 1))
    kind = K.OTHER
    short_name = ""
    country = POLAND
    nip = factory.LazyAttribute(lambda o: unique_nip() if o.country == POLAND else "")
    regon = factory.LazyAttribute(lambda o: unique_regon() if o.country == POLAND else "")
    # The KRS number has no check digit; the register numbers its entries from 1.
    krs = factory.LazyAttribute(lambda o: unique_numerify("0000######") if o.kind in NGO_KINDS else "")
    address = factory.LazyAttribute(
        lambda o: f"{fake.street_address()}, {fake.postcode()} {o.town}" if o.town and chance(70) else ""
    )
    website = numbered(30, "https://example.org/syntetyczne/instytucje/{}")
    email = numbered(40, "instytucja.{}@example.org")
    description = sometimes(20, fake.sentence)
    last_verified_on = sometimes(40, lambda: date_between(datetime.date(2022, 1, 1), REFERENCE_DATE), None)
    search_text = factory.LazyAttribute(lambda o: search_key(o.name, o.short_name))


class PersonFactory(DjangoModelFactory):
    """Someone acting for an institution, named by number only; Faker gives the function."""

    class Meta:
        model = Person

    first_name = PERSON_FIRST_NAME
    last_name = factory.Sequence(lambda n: f"{PERSON_LAST_NAME_PREFIX}{n + 1}")
    academic_title = weighted({"": 62, "mgr": 24, "dr": 9, "dr hab.": 3, "prof.": 2})
    function = sometimes(85, fake.job)
    email = numbered(40, "osoba.syntetyczna.{}@example.org")


class FundingLine(NamedTuple):
    programme: str
    priority: str
    priority_name: str
    measure: str
    sub_measure: str
    fund: str
    years: tuple[int, int]


FUNDING_LINES = [
    FundingLine("PO KL", "VII", "Promocja integracji społecznej", "7.1", "7.1.1", "EFS", (2008, 2013)),
    FundingLine("RPO", "IX", "Włączenie społeczne", "9.1", "9.1.2", "EFS", (2016, 2020)),
    FundingLine("FERS", "4", "Dostępność i włączenie społeczne", "4.12", "", "EFS+", (2023, 2025)),
]
THEMES = [
    "Razem dla rodziny", "Partnerstwa lokalne na rzecz zatrudnienia", "Aktywna integracja w praktyce",
    "Ekonomia społeczna w gminie", "Wsparcie dziecka i rodziny", "Bezpieczna społeczność lokalna",
    "Seniorzy w społeczności lokalnej", "Przeciwdziałanie bezdomności", "Współpraca międzysektorowa",
]  # fmt: skip


class ProjectFactory(DjangoModelFactory):
    """A funding line run from a voivodeship (``place``: "w województwie …")."""

    class Meta:
        model = Project

    class Params:
        place = ""
        line = FuzzyChoice(FUNDING_LINES)

    name = factory.LazyAttributeSequence(
        lambda o, n: f"{rng.choice(THEMES)} – projekt nr {n + 1} {o.place} {NAME_MARK}"
    )
    programme = factory.SelfAttribute("line.programme")
    priority = factory.SelfAttribute("line.priority")
    priority_name = factory.SelfAttribute("line.priority_name")
    measure = factory.SelfAttribute("line.measure")
    sub_measure = factory.SelfAttribute("line.sub_measure")
    fund = factory.SelfAttribute("line.fund")
    start_year = factory.LazyAttribute(lambda o: rng.randint(*o.line.years))
    end_year = factory.LazyAttribute(lambda o: o.start_year + rng.randint(0, 3))
    code = factory.LazyAttributeSequence(lambda o, n: f"SYNT/{o.start_year}/{n + 1:04d}")
    website = numbered(50, "https://example.org/syntetyczne/projekty/{}")
    description = factory.LazyFunction(paragraph)


def founding(status: str) -> tuple[datetime.date | None, str]:
    """A founding date with its precision: to the day (55%), the month (20%) or the year (25%);
    unknown for one in twelve. Most partnerships began in the years of the ESF projects."""
    if chance(8):
        return None, DatePrecision.DAY
    if status == Partnership.Status.FORMING:
        year = rng.randint(2023, REFERENCE_DATE.year)
    else:
        year = min(REFERENCE_DATE.year, int(rng.triangular(2004, REFERENCE_DATE.year + 1, 2013)))
    precision = rng.choices(list(DatePrecision), weights=[55, 20, 25])[0]
    if precision == DatePrecision.YEAR:
        return datetime.date(year, 1, 1), precision
    day = date_between(datetime.date(year, 1, 1), min(datetime.date(year, 12, 31), REFERENCE_DATE))
    return (day.replace(day=1) if precision == DatePrecision.MONTH else day), precision


class PartnershipFactory(DjangoModelFactory):
    """A partnership for a cause (``cause``: "aktywizacji zawodowej") somewhere (``place``);
    ``size`` is the number of members it will list."""

    class Meta:
        model = Partnership

    class Params:
        base = ""
        cause = ""
        place = ""
        size = 0
        founding = factory.LazyAttribute(lambda o: founding(o.status))

    name = factory.LazyAttribute(lambda o: f"{o.base} {NAME_MARK}")
    slug = factory.LazyAttributeSequence(lambda o, n: synthetic_slug(o.base, n + 1))
    status = weighted({"forming": 10, "active": 65, "suspended": 8, "dissolved": 17})
    # A known status is stated as of a date by the staff: within the last three years.
    status_stated_on = factory.LazyFunction(
        lambda: date_between(REFERENCE_DATE - datetime.timedelta(days=3 * 365), REFERENCE_DATE)
    )
    status_stated_by = Partnership.StatusStatedBy.STAFF
    stage = factory.LazyAttribute(
        lambda o: (
            rng.choice(Partnership.Stage.values[:3])
            if o.status == Partnership.Status.FORMING
            else rng.choices(["", *Partnership.Stage.values], weights=[25, 6, 9, 15, 12, 23, 10])[0]
        )
    )
    founded_on = factory.LazyAttribute(lambda o: o.founding[0])
    founded_precision = factory.LazyAttribute(lambda o: o.founding[1])
    goal = factory.LazyAttribute(
        lambda o: " ".join(f"Współpraca na rzecz {o.cause} {o.place}".split()) + "." if chance(70) else ""
    )
    description = sometimes(60, paragraph)
    website = numbered(15, "https://example.org/syntetyczne/partnerstwa/{}")
    # A partnership known by a count alone lists nobody; a few others declare more than they list.
    declared_member_count = factory.LazyAttribute(
        lambda o: rng.randint(max(3, o.size), max(3, o.size) + 25) if not o.size or chance(10) else None
    )
    last_verified_on = sometimes(45, lambda: date_between(datetime.date(2021, 1, 1), REFERENCE_DATE), None)
    search_text = factory.LazyAttribute(lambda o: search_key(o.name, o.goal, o.description))


class MembershipFactory(DjangoModelFactory):
    """A member; the generator gives the partnership, the institution and the dates."""

    class Meta:
        model = Membership

    role = weighted({Membership.Role.PARTNER: 88, Membership.Role.OBSERVER: 12})


class AgreementFactory(DjangoModelFactory):
    class Meta:
        model = Agreement

    kind = Agreement.Kind.FOUNDING
    signed_on = None
    title = factory.LazyAttribute(
        lambda o: (
            f"Porozumienie o współpracy partnerskiej nr {rng.randint(1, 40)}/{o.signed_on.year}"
            if o.signed_on
            else "Porozumienie o współpracy partnerskiej"
        )
    )


class SignatoryFactory(DjangoModelFactory):
    class Meta:
        model = Signatory


class EvaluationFactory(DjangoModelFactory):
    class Meta:
        model = Evaluation

    kind = weighted({Evaluation.Kind.MONITORING: 75, Evaluation.Kind.EXTERNAL: 25})
    summary = factory.LazyFunction(fake.sentence)


def event_day() -> datetime.date:
    # Recent years hold more events: the later of two draws skews them forward.
    start = datetime.date(2005, 1, 1)
    return max(date_between(start, REFERENCE_DATE + datetime.timedelta(days=365)), date_between(start, REFERENCE_DATE))


class EventFactory(DjangoModelFactory):
    """An event of a kind (``label``: "Konferencja") somewhere (``place``: "w gminie …")."""

    class Meta:
        model = Event

    class Params:
        label = ""
        place = ""
        theme = factory.LazyFunction(lambda: rng.choice(THEMES))
        year = factory.LazyAttribute(lambda o: o.start_date.year if o.start_date else "")
        base = factory.LazyAttribute(lambda o: " ".join(f"{o.label} „{o.theme}” {o.place} {o.year}".split()))

    title = factory.LazyAttribute(lambda o: f"{o.base} {NAME_MARK}")
    slug = factory.LazyAttributeSequence(lambda o, n: synthetic_slug(o.base, n + 1))
    start_date = sometimes(95, event_day, None)
    end_date = factory.LazyAttribute(
        lambda o: o.start_date + datetime.timedelta(days=rng.randint(1, 2)) if o.start_date and chance(15) else None
    )
    venue = factory.LazyAttribute(
        lambda o: (
            rng.choice(["Sala konferencyjna urzędu", "Dom Kultury", "Aula szkoły"]) if o.place and chance(60) else ""
        )
    )
    description = sometimes(50, paragraph)
    participant_count = sometimes(50, lambda: max(5, round(rng.lognormvariate(3.6, 0.7))), None)
    participant_count_qualifier = factory.LazyAttribute(
        lambda o: (
            rng.choices(Event.CountQualifier.values, weights=[60, 25, 13, 2])[0]
            if o.participant_count
            else Event.CountQualifier.EXACT
        )
    )
    search_text = factory.LazyAttribute(lambda o: search_key(o.title, o.venue, o.description))


class SpeakerFactory(DjangoModelFactory):
    class Meta:
        model = Speaker

    role = weighted({"speaker": 60, "panellist": 25, "moderator": 8, "present": 7})
    topic = sometimes(80, fake.sentence)


class PatronFactory(DjangoModelFactory):
    class Meta:
        model = Patron

    honorary_title = FuzzyChoice(["", "patronat honorowy"])


class MaterialFactory(DjangoModelFactory):
    class Meta:
        model = Material

    kind = FuzzyChoice(Material.Kind.values)
    title = factory.Sequence(lambda n: f"Materiały z wydarzenia nr {n + 1}")
    url = factory.Sequence(lambda n: f"https://example.org/syntetyczne/materialy/{n + 1}")


FACTORIES = (
    InstitutionFactory, PersonFactory, ProjectFactory, PartnershipFactory, MembershipFactory, AgreementFactory,
    SignatoryFactory, EvaluationFactory, EventFactory, SpeakerFactory, PatronFactory, MaterialFactory,
)  # fmt: skip
