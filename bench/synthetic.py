"""Synthetic data at national scale for the benchmarks: what ``bench/seed.py`` writes.

The records are marked as synthetic (``bench/factories.py`` says how); ``synthetic(model)``
and ``real(model)`` select them, and the refusals and ``--replace`` use nothing else. Rows that
only hang on marked records (memberships, agreements, speakers, the many-to-many rows) are
synthetic by their parent.

The data is spread over the imported TERYT register as real data is: each powiat draws a
heavy-tailed (log-normal) weight, three times heavier for a city with county rights and 25
times for the capital, and each gmina a share of its powiat's weight (towns heavier than rural
gminas). Institutions, partnerships and events are placed by these weights, and partnerships
take their members mostly from their own area. Placement draws from generators seeded by
``--seed`` (the map's weights from one of their own); the factories' Faker and factory_boy draw
from another, seeded by it too; records refer to each other by their position in the run, never
by primary key: a seed gives the same data whatever keys the database hands out.

Cost: the records are built a chunk at a time by the factories and written with
``bulk_create``, so memory holds a few thousand model instances, integer indexes of what was
written, and the territory. ``save()`` and the signals do not run: the factories compute the
search keys as the models' ``save()`` does, ``listed_member_count`` and ``member_search_text``
are derived in one UPDATE at the end (``refresh_member_fields``), and no history rows are
written. At the default scale a run takes about two minutes on either database on the 2-core
development machine: some 45 s in Django's ``bulk_create`` and 55–70 s building the records,
most of that in factory_boy, which resolves every declaration of each of the 550,000 records
(about 35 µs a membership, 150 µs an institution with its Faker numbers and address). The
hand-written generator it replaced took about 70 s in all (docs/performance.md). On PostgreSQL
the commit adds the deferred foreign key checks of the new rows, and ``--replace`` those of the
deleted ones.
"""

import datetime
import math
import random
import time
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field

from django.apps import apps
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from core.cache import records_changed
from events.models import Event, Material, Patron, Project, Speaker
from members.models import Institution, Person
from partnerships.models import (
    Agreement,
    Certificate,
    DatePrecision,
    Evaluation,
    MemberKindCount,
    Membership,
    Partnership,
    Principle,
    Signatory,
    TargetGroup,
    ThematicArea,
)
from territory.models import Commune, County, Voivodeship

from . import factories as f
from .factories import NAME_MARK, PERSON_FIRST_NAME, PERSON_LAST_NAME_PREFIX, REFERENCE_DATE, SLUG_PREFIX

# The models whose rows carry a marker, in the order messages list them.
MARKED_MODELS = (Partnership, Institution, Event, Person, Project)

DEFAULT_SEED = 2025
# The official register has 380 powiats and 2,479 gminas; ``load_territory`` ships 31 and 7.
MIN_ACTIVE_COUNTIES = 300
MIN_ACTIVE_COMMUNES = 2_000

BATCH_SIZE = 2_000  # rows per INSERT statement
CHUNK = 5_000  # institutions, people or events built, inserted and let go at a time
PARTNERSHIP_CHUNK = 500  # partnerships whose memberships (about 7,500) are built at once
MAX_MEMBERS = 150  # the largest listed partnership


def synthetic_condition(model) -> Q:
    """The condition that selects the synthetic rows of one of ``MARKED_MODELS``."""
    if model is Person:
        return Q(first_name=PERSON_FIRST_NAME, last_name__startswith=PERSON_LAST_NAME_PREFIX)
    if model is Project:
        return Q(name__endswith=NAME_MARK)
    return Q(slug__startswith=SLUG_PREFIX)


def synthetic(model):
    """The synthetic rows of one of ``MARKED_MODELS``."""
    return model.objects.filter(synthetic_condition(model))


def real(model):
    """The rows of one of ``MARKED_MODELS`` that are not synthetic."""
    return model.objects.exclude(synthetic_condition(model))


class Refused(Exception):
    """Seeding was refused before anything was written; the message says why and what to do."""


@dataclass(frozen=True)
class Counts:
    """How many records of each kind to create; the defaults are the national scale."""

    institutions: int = 100_000
    partnerships: int = 20_000
    memberships: int = 300_000
    events: int = 20_000
    persons: int = 50_000

    def scaled(self, factor: float) -> "Counts":
        return Counts(**{name: round(value * factor) for name, value in asdict(self).items()})


@dataclass
class TableTiming:
    rows: int = 0
    seconds: float = 0.0


@dataclass
class Report:
    """What a run did: rows and insert time per table (by database table name), what
    ``--replace`` deleted, and the time of each step."""

    seed: int
    tables: dict[str, TableTiming] = field(default_factory=dict)
    deleted_rows: int = 0
    deleting_seconds: float = 0.0
    counting_seconds: float = 0.0
    committing_seconds: float = 0.0
    analyzing_seconds: float = 0.0
    analyzing_command: str = ""
    total_seconds: float = 0.0

    @property
    def inserting_seconds(self) -> float:
        return sum(t.seconds for t in self.tables.values())

    @property
    def generating_seconds(self) -> float:
        """Time spent drawing and building the records in Python."""
        steps = self.inserting_seconds + self.deleting_seconds + self.counting_seconds
        return self.total_seconds - steps - self.committing_seconds - self.analyzing_seconds


def seed_synthetic(
    counts: Counts | None = None, *, seed: int = DEFAULT_SEED, replace: bool = False, allow_real_data: bool = False
) -> Report:
    """Write synthetic data in one transaction (a failure leaves nothing), then clear the cache.

    Raises ``Refused``, having written nothing, when the register is incomplete, when real
    records exist and ``allow_real_data`` is false, when synthetic data exists and ``replace``
    is false, or when real records refer to the synthetic data that ``replace`` would delete.
    """
    started = time.perf_counter()
    counts = counts or Counts()
    check_counts(counts)
    check_register()
    check_existing(replace=replace, allow_real_data=allow_real_data)
    report = Report(seed=seed)
    with transaction.atomic():
        if replace:
            delete_synthetic(report)
        Generator(counts, seed, report).run()
        # bulk_create sends no model signals: pages and counts cached from the earlier data
        # must not hide the new (a new generation at the commit).
        records_changed.send(sender=Partnership)
        committing = time.perf_counter()
    # Foreign keys are deferred: the database checks every new row's references at the commit.
    report.committing_seconds = time.perf_counter() - committing
    analyze(report)
    report.total_seconds = time.perf_counter() - started
    return report


def analyze(report: Report) -> None:
    """Gather PostgreSQL's planner statistics of the tables just written, and vacuum them.

    Without statistics the planner takes a freshly filled table for a few dozen rows, until
    autovacuum comes by; benchmarks run at once would measure the wrong plans. Without the
    visibility map VACUUM sets, the index-only scans of the lists' deep pages visit the table
    for every row they skip (three times slower at page 2,500). A real database has both, so
    this makes the synthetic one behave like it. VACUUM cannot run inside a transaction (a
    test's), where the statistics alone are gathered. SQLite is left alone: an installation
    there has no ``sqlite_stat1`` unless someone runs ANALYZE.
    """
    if connection.vendor != "postgresql":
        return
    started = time.perf_counter()
    report.analyzing_command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        for table in report.tables:
            cursor.execute(f"{report.analyzing_command} {connection.ops.quote_name(table)}")
    report.analyzing_seconds = time.perf_counter() - started


# Refusals


def check_counts(counts: Counts) -> None:
    if any(value < 0 for value in asdict(counts).values()):
        raise Refused(_("The numbers of records cannot be negative."))
    if counts.memberships and not (counts.partnerships and counts.institutions):
        raise Refused(_("Memberships need partnerships and institutions: ask for some of each, or for no memberships."))
    per_partnership = min(MAX_MEMBERS, counts.institutions)
    maximum = counts.partnerships * per_partnership
    if counts.memberships > maximum:
        raise Refused(
            _(
                "%(memberships)d memberships do not fit into %(partnerships)d partnerships of at most "
                "%(per_partnership)d members each: at most %(maximum)d are possible."
            )
            % {
                "memberships": counts.memberships,
                "partnerships": counts.partnerships,
                "per_partnership": per_partnership,
                "maximum": maximum,
            }
        )


def check_register() -> None:
    counties = County.objects.active().count()
    communes = Commune.objects.active().count()
    if counties < MIN_ACTIVE_COUNTIES or communes < MIN_ACTIVE_COMMUNES:
        raise Refused(
            _(
                "The territorial register looks incomplete: %(counties)d active counties and %(communes)d "
                "active communes, where the official register has 380 and 2,479. Import it first with "
                "“manage.py import_teryt PATH”. Nothing was written."
            )
            % {"counties": counties, "communes": communes}
        )


def listed(counts: dict) -> str:
    return ", ".join(f"{model._meta.verbose_name_plural}: {count}" for model, count in counts.items() if count)


def check_existing(*, replace: bool, allow_real_data: bool) -> None:
    if not allow_real_data:
        found = {model: real(model).count() for model in MARKED_MODELS}
        if any(found.values()):
            raise Refused(
                _(
                    "The database holds real (non-synthetic) records (%(records)s). Synthetic data would be "
                    "mixed with them; give --allow-real-data to add it all the same. Nothing was written."
                )
                % {"records": listed(found)}
            )
    if not replace:
        found = {model: synthetic(model).count() for model in MARKED_MODELS}
        if any(found.values()):
            raise Refused(
                _(
                    "Synthetic data is already there (%(records)s). Give --replace to delete it and seed "
                    "afresh. Nothing was written."
                )
                % {"records": listed(found)}
            )


def delete_rows(queryset) -> int:
    """Delete the rows of ``queryset`` with one DELETE statement: no signals, no history rows.

    ``QuerySet.delete()`` would load each of the half a million rows to send its signals, and
    simple-history would write a history row for each.
    """
    model = queryset.model
    selected, params = queryset.order_by().values("pk").query.sql_with_params()
    table = connection.ops.quote_name(model._meta.db_table)
    key = connection.ops.quote_name(model._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE {key} IN ({selected})", params)  # noqa: S608 (names quoted)
        return cursor.rowcount


def delete_synthetic(report: Report) -> None:
    """Delete every synthetic record and the rows that hang on it, a table at a time, children
    before parents. Real rows that still refer to a synthetic one (a real person affiliated
    with a synthetic institution, say) fail the foreign key check at the end, and the refusal
    rolls everything back.

    On PostgreSQL that check is most of the cost: each deleted row is looked up in every
    table that may refer to it, about a minute for the default scale.
    """
    started = time.perf_counter()
    partnerships = synthetic(Partnership).values("pk")
    events = synthetic(Event).values("pk")
    projects = synthetic(Project).values("pk")
    institutions = synthetic(Institution).values("pk")
    partnership_links = [
        Partnership._meta.get_field(name).remote_field.through
        for name in ("area_counties", "area_communes", "target_groups", "thematic_areas", "principles")
    ]
    steps = [
        Certificate.objects.filter(partnership__in=partnerships),
        Signatory.objects.filter(agreement__partnership__in=partnerships),
        Agreement.objects.filter(partnership__in=partnerships),
        Evaluation.objects.filter(partnership__in=partnerships),
        Membership.objects.filter(partnership__in=partnerships),
        MemberKindCount.objects.filter(partnership__in=partnerships),
        *(through.objects.filter(partnership__in=partnerships) for through in partnership_links),
        # Many-to-many rows go with either end, as Django's delete() removes them.
        Partnership.events.through.objects.filter(Q(partnership__in=partnerships) | Q(event__in=events)),
        synthetic(Partnership),
        Speaker.objects.filter(event__in=events),
        Patron.objects.filter(event__in=events),
        Material.objects.filter(Q(event__in=events) | Q(project__in=projects)),
        Event.organisers.through.objects.filter(Q(event__in=events) | Q(institution__in=institutions)),
        synthetic(Event),
        synthetic(Person),
        synthetic(Project),
        synthetic(Institution),
    ]
    for queryset in steps:
        report.deleted_rows += delete_rows(queryset)
    try:
        connection.check_constraints(table_names=tables_referring_to(MARKED_MODELS))
    except IntegrityError as error:
        raise Refused(
            _(
                "Real records refer to synthetic ones, so the synthetic data cannot be replaced: %(error)s "
                "Nothing was changed."
            )
            % {"error": error}
        ) from None
    report.deleting_seconds = time.perf_counter() - started


def tables_referring_to(models) -> list[str]:
    """Tables with a foreign key constraint to one of ``models`` (history tables have none)."""
    tables = set()
    for model in apps.get_models(include_auto_created=True):
        for model_field in model._meta.local_fields:
            if model_field.is_relation and model_field.related_model in models and model_field.db_constraint:
                tables.add(model._meta.db_table)
    return sorted(tables)


# Territory as placement sees it


@dataclass(eq=False)
class Unit:
    """A voivodeship, powiat or gmina: its weight, and where its offices sit."""

    code: str
    name: str
    kind: str
    place: str  # "w gminie Raków", "w powiecie kieleckim", "w mieście Kielce", "w województwie …"
    weight: float = 0.0
    parent: "Unit | None" = None
    children: list["Unit"] = field(default_factory=list)
    seat: "Unit | None" = None  # the gmina of the offices: itself, a powiat's or voivodeship's biggest town

    @property
    def voivodeship(self) -> str:
        return self.code[:2]


COUNTY_KIND_WEIGHT = {County.Kind.LAND: 1.0, County.Kind.CITY: 3.0, County.Kind.CAPITAL: 25.0}
COMMUNE_KIND_WEIGHT = {Commune.Kind.URBAN: 2.5, Commune.Kind.URBAN_RURAL: 1.5, Commune.Kind.RURAL: 1.0}


def county_place(name: str, kind: str) -> str:
    if kind == County.Kind.LAND:
        # Land county names are adjectives ("poznański", "warszawski zachodni"): + "m" is the locative.
        return "w powiecie " + " ".join(word + "m" for word in name.split())
    return f"w mieście {name}"


def load_territory(rng: random.Random) -> tuple[list[Unit], list[Unit], list[Unit]]:
    """The active voivodeships, powiats and gminas of the register, with their weights."""
    voivodeships = {
        code: Unit(code, name, "", f"w województwie {name.lower()[:-1]}m")
        for code, name in Voivodeship.objects.order_by("code").values_list("code", "name")
    }
    counties = {}
    for code, name, kind in County.objects.active().order_by("code").values_list("code", "name", "kind"):
        draw = rng.lognormvariate(0, 0.7)
        # A city with county rights is never lighter than a median land county: it has more people.
        weight = (draw if kind == County.Kind.LAND else max(1.0, draw)) * COUNTY_KIND_WEIGHT[kind]
        counties[code] = Unit(code, name, kind, county_place(name, kind), weight, voivodeships.get(code[:2]))
    for code, name, kind in Commune.objects.active().order_by("code").values_list("code", "name", "kind"):
        county = counties.get(code[:4])
        if county is None:  # an active gmina of an inactive powiat: the register is mid-change
            continue
        place = f"w mieście {name}" if kind == Commune.Kind.URBAN else f"w gminie {name}"
        weight = rng.lognormvariate(0, 0.5) * COMMUNE_KIND_WEIGHT[kind]
        commune = Unit(code, name, kind, place, weight, county)
        commune.seat = commune
        county.children.append(commune)
    rank = {Commune.Kind.URBAN: 2, Commune.Kind.URBAN_RURAL: 1, Commune.Kind.RURAL: 0}
    counties = [county for county in counties.values() if county.children and county.parent]
    for county in counties:
        shares = sum(commune.weight for commune in county.children)
        for commune in county.children:
            commune.weight *= county.weight / shares
        county.seat = max(county.children, key=lambda c: (rank[c.kind], c.weight))
        county.parent.children.append(county)
        county.parent.weight += county.weight
    voivodeships = [v for v in voivodeships.values() if v.children]
    for voivodeship in voivodeships:
        # The regional offices sit in the heaviest city with county rights.
        voivodeship.seat = max(voivodeship.children, key=lambda c: (c.kind != County.Kind.LAND, c.weight)).seat
    return voivodeships, counties, [commune for county in counties for commune in county.children]


# What institutions there are

K = Institution.Kind
LAND, URBAN = County.Kind.LAND, Commune.Kind.URBAN

# What every unit has one of at the default scale: its role, the level of unit, its share of all
# institutions, and its names by the kind of unit: a gmina urban ("1"), rural ("2") or
# urban-rural ("3"); a land powiat or a city.
PER_UNIT = [
    ("welfare", "commune", 0.025, {"1": (K.MOPS, "Miejski Ośrodek Pomocy Społecznej {place}", "MOPS"),
                        "2": (K.GOPS, "Gminny Ośrodek Pomocy Społecznej {place}", "GOPS"),
                        "3": (K.GOPS, "Miejsko-Gminny Ośrodek Pomocy Społecznej {place}", "MGOPS")}),
    ("office", "commune", 0.025, {"1": (K.LOCAL_GOVERNMENT, "Urząd Miasta {name}", ""),
                        "2": (K.LOCAL_GOVERNMENT, "Urząd Gminy {name}", ""),
                        "3": (K.LOCAL_GOVERNMENT, "Urząd Miasta i Gminy {name}", "")}),
    ("pcpr", "county", 0.004, {LAND: (K.PCPR, "Powiatowe Centrum Pomocy Rodzinie {place}", "PCPR"),
                       None: (K.PCPR, "Miejskie Centrum Pomocy Rodzinie {place}", "MCPR")}),
    ("pup", "county", 0.004, {LAND: (K.LABOUR_OFFICE, "Powiatowy Urząd Pracy {place}", "PUP"),
                       None: (K.LABOUR_OFFICE, "Miejski Urząd Pracy {place}", "MUP")}),
    ("rops", "voivodeship", 0.0002, {None: (K.ROPS, "Regionalny Ośrodek Polityki Społecznej {place}", "ROPS")}),
]  # fmt: skip
# The rest, placed over the gminas by weight in these proportions. Names: {n} is the number of
# the kind in its gmina, {q} a name in quotes, {cause} a cause, {company} a business by Faker.
FREE_KINDS = [
    (K.SCHOOL, 30.0, ["Szkoła Podstawowa nr {n}", "Przedszkole Publiczne nr {n}", "Zespół Szkół nr {n}",
                      "Liceum Ogólnokształcące nr {n}", "Technikum nr {n}"]),
    (K.ASSOCIATION, 22.0, ["Stowarzyszenie {q}", "Stowarzyszenie na rzecz {cause}", "Ochotnicza Straż Pożarna nr {n}",
                           "Koło Gospodyń Wiejskich nr {n}", "Uniwersytet Trzeciego Wieku nr {n}"]),
    (K.FOUNDATION, 13.0, ["Fundacja {q}"]),
    (K.BUSINESS, 10.0, ["{company}"]),
    (K.OTHER, 5.0, ["Gminny Ośrodek Kultury nr {n}", "Biblioteka Publiczna nr {n}", "Lokalna Grupa Działania nr {n}"]),
    (K.RELIGIOUS, 3.5, ["Parafia Rzymskokatolicka nr {n}", "Parafialny Zespół Charytatywny nr {n}"]),
    (K.SOCIAL_COOPERATIVE, 2.0, ["Spółdzielnia Socjalna {q}"]),
    (K.SPECIAL_SCHOOL_CENTRE, 1.2, ["Specjalny Ośrodek Szkolno-Wychowawczy nr {n}"]),
    (K.DPS, 1.0, ["Dom Pomocy Społecznej nr {n}"]),
    (K.SDS, 1.0, ["Środowiskowy Dom Samopomocy nr {n}"]),
    (K.POLICE, 1.0, ["Komisariat Policji nr {n}"]),
    (K.WTZ, 0.9, ["Warsztat Terapii Zajęciowej nr {n}"]),
    (K.TRADE_UNION, 0.8, ["Komisja Zakładowa Związku Zawodowego nr {n}"]),
    (K.CIS, 0.6, ["Centrum Integracji Społecznej nr {n}", "Klub Integracji Społecznej nr {n}"]),
    (K.UNIVERSITY, 0.4, ["Wyższa Szkoła nr {n}", "Instytut Badawczy nr {n}"]),
    (K.FOREIGN_PUBLIC, 0.3, ["Samorząd partnerski nr {n}"]),
    (K.MINISTRY, 0.02, ["Urząd centralny nr {n}"]),
]  # fmt: skip
FOREIGN_COUNTRIES = ["DE", "CZ", "SK", "LT", "UA", "GB", "NL", "SE", "NO", "FR"]
# How likely an institution of a kind is to have a person recorded for it.
AFFILIATION_WEIGHT = {K.ROPS: 25, K.MOPS: 6, K.GOPS: 5, K.PCPR: 6, K.LABOUR_OFFICE: 5, K.LOCAL_GOVERNMENT: 4}
ADJECTIVES = ["Wspólna", "Dobra", "Nowa", "Otwarta", "Zielona", "Bliska", "Aktywna", "Przyjazna", "Życzliwa"]
NOUNS = ["Przystań", "Droga", "Szansa", "Przestrzeń", "Wspólnota", "Nadzieja", "Ścieżka", "Opoka", "Iskra"]
# Causes: the name's "na rzecz …", the target group and thematic area (slugs) it brings, its weight.
CAUSES = [
    ("aktywizacji zawodowej", "osoby-bezrobotne", "rynek-pracy", 18),
    ("wsparcia dziecka i rodziny", "dzieci-i-rodziny", "wsparcie-rodziny", 20),
    ("integracji społecznej", "osoby-zagrozone-wykluczeniem", "aktywna-integracja", 16),
    ("seniorów", "seniorzy", "aktywnosc-lokalna", 9),
    ("osób z niepełnosprawnościami", "osoby-z-niepelnosprawnosciami", "niepelnosprawnosc", 8),
    ("przeciwdziałania bezdomności", "osoby-bezdomne", "bezdomnosc", 4),
    ("ekonomii społecznej", "osoby-zagrozone-wykluczeniem", "ekonomia-spoleczna", 7),
    ("bezpieczeństwa mieszkańców", None, "bezpieczenstwo", 5),
    ("edukacji dzieci i młodzieży", "dzieci-i-rodziny", "edukacja", 7),
]
PARTNERSHIP_NAMES = {
    "Partnerstwo Lokalne na rzecz {cause} {place}": 35, "Lokalne Partnerstwo {q} {place}": 20,
    "Koalicja na rzecz {cause} {place}": 10, "Pakt na rzecz {cause} {place}": 8,
    "Porozumienie partnerskie na rzecz {cause} {place}": 12, "Partnerstwo {q}": 15,
}  # fmt: skip
EVENT_KINDS = [
    (Event.Kind.CONFERENCE, "Konferencja", 25), (Event.Kind.SEMINAR, "Seminarium", 20),
    (Event.Kind.TRAINING, "Szkolenie", 25), (Event.Kind.MEETING, "Spotkanie partnerów", 20),
    (Event.Kind.SIGNING, "Podpisanie porozumienia partnerskiego", 5), (Event.Kind.OTHER, "Festyn", 5),
]  # fmt: skip


def weighted_sample(rng: random.Random, items: list, weights: list[float], k: int) -> list:
    """``k`` distinct items, heavier ones likelier (Efraimidis–Spirakis), in the order of ``items``."""
    if k >= len(items):
        return list(items)
    keys = sorted(((rng.random() ** (1.0 / w), i) for i, w in enumerate(weights)), reverse=True)
    return [items[i] for i in sorted(i for _key, i in keys[:k])]


def pick(rng: random.Random, pool: list[int], k: int, chosen: set[int]) -> list[int]:
    """Up to ``k`` items of ``pool`` not yet in ``chosen``, added to it. O(k + len(chosen))."""
    result = []
    for item in rng.sample(pool, min(len(pool), k + len(chosen))) if k > 0 else ():
        if item not in chosen:
            chosen.add(item)
            result.append(item)
            if len(result) == k:
                break
    return result


def member_counts(rng: random.Random, total: int, partnerships: int, cap: int) -> list[int]:
    """How many members each partnership lists: ``total`` in all, at most ``cap`` each.

    Log-normal sizes (median about 11 at the default scale, a long tail up to ``cap``); about
    one partnership in twenty lists none (it is known by a declared count) when the total
    leaves room.
    """
    weights = [0.0 if rng.random() < 0.05 else rng.lognormvariate(0, 0.6) for _p in range(partnerships)]
    if sum(1 for w in weights if w) * cap < total:
        weights = [w or 1.0 for w in weights]
    sizes = [0] * partnerships
    remaining = total
    while remaining:
        open_ = [i for i, w in enumerate(weights) if w and sizes[i] < cap]
        whole = sum(weights[i] for i in open_)
        added = 0
        for i in open_:
            share = min(cap - sizes[i], math.floor(remaining * weights[i] / whole))
            sizes[i] += share
            added += share
        if not added:
            # Less than one member for anyone is left: one each to the heaviest.
            for i in sorted(open_, key=lambda i: -weights[i])[:remaining]:
                sizes[i] += 1
                added += 1
        remaining -= added
    return sizes


class Generator:
    """Places the records and writes them phase by phase; keeps only integer indexes between.

    Institutions, people and partnerships are referred to by their position in the run (0, 1,
    …) and mapped to their primary key when a row refers to them.
    """

    def __init__(self, counts: Counts, seed: int, report: Report) -> None:
        self.counts = counts
        self.seed = seed
        self.report = report
        # Placement has its own generator: how a record looks does not move where it goes.
        # Reproducible data, not secrets: a seeded pseudo-random generator is what is wanted.
        self.rng = random.Random(seed)  # noqa: S311
        f.reset(seed)

    def insert(self, model, objects: list) -> list:
        started = time.perf_counter()
        created = model.objects.bulk_create(objects, batch_size=BATCH_SIZE)
        timing = self.report.tables.setdefault(model._meta.db_table, TableTiming())
        timing.rows += len(objects)
        timing.seconds += time.perf_counter() - started
        return created

    def insert_links(self, model, name: str, pairs) -> None:
        """Rows of the table of the many-to-many field ``name`` from (own key, other key) pairs."""
        model_field = model._meta.get_field(name)
        through = model_field.remote_field.through
        own, other = f"{model_field.m2m_field_name()}_id", f"{model_field.m2m_reverse_field_name()}_id"
        self.insert(through, [through(**{own: a, other: b}) for a, b in pairs])

    def run(self) -> None:
        # The weights of the powiats and gminas are drawn as manage.py seed_synthetic drew them
        # (a generator of their own, seeded "<seed>:territory"): which places are heavy, and so
        # what the benchmarks' pages hold, did not change when the generator moved to bench/.
        territory = random.Random(f"{self.seed}:territory")  # noqa: S311
        self.voivodeships, self.counties, self.communes = load_territory(territory)
        self.institutions()
        self.people()
        self.projects()
        self.partnerships()
        self.events()
        started = time.perf_counter()
        synthetic(Partnership).refresh_member_fields()
        self.report.counting_seconds = time.perf_counter() - started

    def quoted(self) -> str:
        return f"„{self.rng.choice(ADJECTIVES)} {self.rng.choice(NOUNS)}”"

    def regional_centre(self, voivodeship: str) -> int | None:
        """The key of the voivodeship's ROPS: it runs projects, evaluates and gives patronage."""
        index = self.role_at.get(("rops", voivodeship))
        return self.inst_pk[index] if index is not None else None

    # Institutions

    def institutions(self) -> None:
        rng, total = self.rng, self.counts.institutions
        drafts = []  # (kind, seat, name, short name, country, (role, unit code) or None)
        for role, level, share, names in PER_UNIT:
            units = {"commune": self.communes, "county": self.counties, "voivodeship": self.voivodeships}[level]
            # A scale too small for every unit to have its own favours the heavier units; the
            # regional centres are few but projects and evaluations lean on them: one at least.
            wanted = math.ceil(total * share) if level == "voivodeship" else round(total * share)
            for unit in weighted_sample(rng, units, [u.weight for u in units], min(wanted, total - len(drafts))):
                kind, name, short = names.get(unit.kind) or names[None]
                name = name.format(place=unit.place, name=unit.name)
                drafts.append((kind, unit.seat, name, short, "PL", (role, unit.code)))
        free = total - len(drafts)
        weights = [weight for _kind, weight, _names in FREE_KINDS]
        numbers = [math.floor(free * w / sum(weights)) for w in weights]
        numbers[0] += free - sum(numbers)  # schools, the commonest, take what rounding leaves
        urban = [c for c in self.communes if c.kind == URBAN]
        counter: dict[tuple, int] = defaultdict(int)
        for (kind, _weight, names), count in zip(FREE_KINDS, numbers, strict=True):
            pool = urban if kind == K.UNIVERSITY else self.communes
            abroad = kind in (K.MINISTRY, K.FOREIGN_PUBLIC)
            for seat in [None] * count if abroad else rng.choices(pool, weights=[c.weight for c in pool], k=count):
                counter[seat, kind] += 1
                name = rng.choice(names)
                name = f.fake.company() if name == "{company}" else name
                name = name.format(n=counter[seat, kind], q=self.quoted(), cause=rng.choice(CAUSES)[0])
                country = rng.choice(FOREIGN_COUNTRIES) if kind == K.FOREIGN_PUBLIC else "PL"
                place = f"({country})" if country != "PL" else seat.place if seat else ""
                drafts.append((kind, seat, f"{name} {place}".strip(), "", country, None))
        rng.shuffle(drafts)

        self.inst_pk: list[int] = []
        self.inst_kind: list[str] = []
        self.inst_in: dict[str, list[int]] = defaultdict(list)  # by gmina, powiat and voivodeship code
        self.role_at: dict[tuple[str, str], int] = {}  # ("welfare", gmina code) -> index, …
        for start in range(0, len(drafts), CHUNK):
            batch = drafts[start : start + CHUNK]
            built = [f.InstitutionFactory.build(**self.institution(*draft[:5])) for draft in batch]
            for obj, (kind, seat, *_rest, role) in zip(self.insert(Institution, built), batch, strict=True):
                index = len(self.inst_pk)
                self.inst_pk.append(obj.pk)
                self.inst_kind.append(kind)
                for code in (seat.code, seat.code[:4], seat.code[:2]) if seat else ():
                    self.inst_in[code].append(index)
                if role:
                    self.role_at[role] = index
        self.all_institutions = list(range(len(self.inst_pk)))

    def institution(self, kind: str, seat: Unit | None, name: str, short: str, country: str) -> dict:
        """The factory's arguments: only what is not its default, since each one costs factory_boy
        a resolution, 100,000 times over."""
        arguments = {"base": name, "kind": kind}
        if seat:
            arguments.update(commune_id=seat.code, town=seat.name)
        if short and self.rng.random() < 0.7:
            arguments["short_name"] = short
        if country != "PL":
            arguments["country"] = country
        return arguments

    # People and projects

    def people(self) -> None:
        total = self.counts.persons
        weights = [AFFILIATION_WEIGHT.get(kind, 1.0) for kind in self.inst_kind] or None
        self.person_pk: list[int] = []
        self.people_of: dict[int, list[int]] = defaultdict(list)  # by institution
        for start in range(0, total, CHUNK):
            size = min(CHUNK, total - start)
            drawn = self.rng.choices(self.all_institutions, weights=weights, k=size) if weights else [None] * size
            affiliations = [index if self.rng.random() < 0.9 else None for index in drawn]
            built = [
                f.PersonFactory.build(**({"affiliation_id": self.inst_pk[i]} if i is not None else {}))
                for i in affiliations
            ]
            for obj, affiliation in zip(self.insert(Person, built), affiliations, strict=True):
                if affiliation is not None:
                    self.people_of[affiliation].append(len(self.person_pk))
                self.person_pk.append(obj.pk)

    def projects(self) -> None:
        """About one funding line for every hundred partnerships, each run from a voivodeship."""
        total = max(1, round(self.counts.partnerships / 100)) if self.counts.partnerships else 0
        homes = self.rng.choices(self.voivodeships, weights=[v.weight for v in self.voivodeships], k=total)
        built = [f.ProjectFactory.build(place=h.place, operator_id=self.regional_centre(h.code)) for h in homes]
        self.projects_of: dict[str, list[int]] = defaultdict(list)  # by voivodeship, all under ""
        for obj, home in zip(self.insert(Project, built), homes, strict=True):
            self.projects_of[home.code].append(obj.pk)
            self.projects_of[""].append(obj.pk)

    def project_for(self, voivodeship: str) -> int | None:
        pool = self.projects_of.get(voivodeship) or self.projects_of.get("")
        return self.rng.choice(pool) if pool else None

    # Partnerships, with their areas, vocabularies, members, agreements and evaluations

    def partnerships(self) -> None:
        total = self.counts.partnerships
        sizes = member_counts(self.rng, self.counts.memberships, total, min(MAX_MEMBERS, max(1, len(self.inst_pk))))
        # By slug, not by key: the same terms whatever keys the migrations gave them.
        self.terms = [
            dict(model.objects.order_by("slug").values_list("slug", "pk"))
            for model in (TargetGroup, ThematicArea, Principle)
        ]
        self.part_pk: list[int] = []
        self.parts_in_county: dict[str, list[int]] = defaultdict(list)
        county_weights = [c.weight for c in self.counties]
        for start in range(0, total, PARTNERSHIP_CHUNK):
            chunk = sizes[start : start + PARTNERSHIP_CHUNK]
            centres = self.rng.choices(self.counties, weights=county_weights, k=len(chunk))
            drafts = [self.partnership(centre, size) for centre, size in zip(centres, chunk, strict=True)]
            created = self.insert(Partnership, [draft[0] for draft in drafts])
            links = defaultdict(list)
            for obj, (_partnership, area, vocabulary) in zip(created, drafts, strict=True):
                for county in sorted({unit.code[:4] for unit in area}):
                    self.parts_in_county[county].append(len(self.part_pk))
                self.part_pk.append(obj.pk)
                for unit in area:
                    links["area_communes" if len(unit.code) == 7 else "area_counties"].append((obj.pk, unit.code))
                for name, pks in vocabulary.items():
                    links[name] += [(obj.pk, pk) for pk in pks]
            for name in ("area_counties", "area_communes", "target_groups", "thematic_areas", "principles"):
                self.insert_links(Partnership, name, links[name])
            self.members(created, drafts, centres, chunk)

    def partnership(self, centre: Unit, size: int) -> tuple:
        """A partnership (unsaved), the gminas or powiats where it works, and its vocabulary."""
        rng = self.rng
        area, place = self.area(centre)
        cause, target_group, thematic_area, _weight = rng.choices(CAUSES, weights=[c[3] for c in CAUSES])[0]
        pattern = rng.choices(list(PARTNERSHIP_NAMES), weights=list(PARTNERSHIP_NAMES.values()))[0]
        base = " ".join(pattern.format(cause=cause, place=place, q=self.quoted()).split())
        project = self.project_for(centre.voivodeship) if rng.random() < 0.25 else None
        partnership = f.PartnershipFactory.build(
            base=base, cause=cause, place=place, size=size, home_voivodeship_id=centre.voivodeship, project_id=project
        )
        groups, areas, principles = self.terms
        vocabulary = {
            "target_groups": {
                groups.get(target_group),
                *(groups[s] for s in rng.sample(list(groups), rng.randint(0, 2))),
            },
            "thematic_areas": {
                areas.get(thematic_area),
                *(areas[s] for s in rng.sample(list(areas), rng.randint(0, 2))),
            },
            "principles": set(rng.sample(list(principles.values()), rng.randint(3, len(principles))))
            if len(principles) >= 3 and rng.random() < 0.6
            else set(),
        }
        return partnership, area, {name: sorted(pks - {None}) for name, pks in vocabulary.items()}

    def area(self, centre: Unit) -> tuple[list[Unit], str]:
        """Where a partnership works: mostly one gmina or one powiat, sometimes a few gminas of a
        powiat, rarely two or three powiats of a voivodeship or nothing recorded."""
        rng, communes = self.rng, centre.children
        shape = rng.choices(["commune", "communes", "county", "counties", "none"], weights=[45, 20, 25, 7, 3])[0]
        if shape == "commune" or (shape == "communes" and len(communes) == 1):
            commune = rng.choices(communes, weights=[c.weight for c in communes])[0]
            return [commune], commune.place
        if shape == "communes":
            return weighted_sample(rng, communes, [c.weight for c in communes], rng.randint(2, 4)), centre.place
        if shape == "county":
            return [centre], centre.place
        if shape == "counties":
            # Neighbours by TERYT number: a stand-in for adjacency, which the register does not give.
            same = centre.parent.children
            position = same.index(centre)
            others = [c for c in same[max(0, position - 2) : position + 3] if c is not centre]
            chosen = [centre, *rng.sample(others, min(len(others), rng.randint(1, 2)))]
            return sorted(chosen, key=lambda c: c.code), centre.parent.place
        return [], ""

    def leader_of(self, area: list[Unit]) -> int | None:
        """Welfare centres lead most gmina partnerships, family support centres most powiat ones."""
        if not area or self.rng.random() >= 0.7:
            return None
        gmina = len(area[0].code) == 7
        roles = ["welfare", "welfare", "welfare", "office"] if gmina else ["pcpr", "pcpr", "pup"]
        return self.role_at.get((self.rng.choice(roles), area[0].code))

    def members(self, created: list[Partnership], drafts: list[tuple], centres: list[Unit], sizes: list[int]) -> None:
        rng = self.rng
        memberships, agreements, signatories, evaluations = [], [], [], []
        for partnership, (_draft, area, _vocabulary), centre, size in zip(created, drafts, centres, sizes, strict=True):
            if not size:
                continue
            # Where members come from, nearest first: the area, its powiats (or voivodeship),
            # the voivodeship, anywhere; 70%, 15%, 10% and 5% of them, and what a pool cannot
            # give is asked of the next one. The first one leads.
            voivodeship = self.inst_in.get(centre.voivodeship, [])
            counties = sorted({unit.code[:4] for unit in area if len(unit.code) == 7})
            pools = [
                [i for unit in area for i in self.inst_in.get(unit.code, ())] or voivodeship,
                [i for code in counties for i in self.inst_in.get(code, ())] or voivodeship,
                voivodeship,
                self.all_institutions,
            ]
            leader = self.leader_of(area)
            order = [leader] if leader is not None else []
            chosen, carry = set(order), 0
            wanted = Counter(rng.choices(range(4), weights=[70, 15, 10, 5], k=size - len(order)))
            for number, pool in enumerate(pools):
                got = pick(rng, pool, wanted[number] + carry, chosen)
                order += got
                carry += wanted[number] - len(got)
            rows = self.membership_rows(partnership, order)
            memberships += rows
            founded = partnership.founded_on
            if len(rows) >= 2 and founded and rng.random() < 0.45:
                known = founded if partnership.founded_precision == DatePrecision.DAY else None
                agreement = f.AgreementFactory.build(partnership_id=partnership.pk, signed_on=known)
                agreement.set_search_text(partnership.name)
                agreements.append(agreement)
                current = [row for row in rows if row.left_on is None][: rng.randint(2, 5)]
                signatories.append(
                    [
                        f.SignatoryFactory.build(
                            person_id=m.represented_by_id, institution_id=m.institution_id, order=n
                        )
                        for n, m in enumerate(current, start=1)
                    ]
                )
            if rng.random() < 0.12:
                since = max(founded or datetime.date(2010, 1, 1), datetime.date(2010, 1, 1))
                rops = self.regional_centre(partnership.home_voivodeship_id)
                evaluations += [
                    f.EvaluationFactory.build(
                        partnership_id=partnership.pk,
                        date=f.date_between(since, REFERENCE_DATE),
                        author_id=rops if rops and rng.random() < 0.6 else rows[0].institution_id,
                    )
                    for _entry in range(rng.randint(1, 2))
                ]
        self.insert(Membership, memberships)
        for agreement, signers in zip(self.insert(Agreement, agreements), signatories, strict=True):
            for signatory in signers:
                signatory.agreement_id = agreement.pk
        self.insert(Signatory, [s for signers in signatories for s in signers])
        self.insert(Evaluation, evaluations)

    def membership_rows(self, partnership: Partnership, members: list[int]) -> list[Membership]:
        """The memberships of ``members``, the first of whom leads: most joined at the founding
        (known to the day only when the founding is), some later, a few left."""
        rng = self.rng
        founded = partnership.founded_on
        known_day = founded if partnership.founded_precision == DatePrecision.DAY else None
        leaving = 0.3 if partnership.status == Partnership.Status.DISSOLVED else 0.07
        rows = []
        for position, index in enumerate(members):
            draw = rng.random()
            if position == 0 or draw < 0.6:
                joined = known_day
            else:
                joined = f.date_between(founded or datetime.date(2005, 1, 1), REFERENCE_DATE) if draw < 0.85 else None
            # Only what differs from the model's defaults: every argument costs factory_boy a
            # resolution, and there are 300,000 rows.
            row = {"partnership_id": partnership.pk, "institution_id": self.inst_pk[index]}
            if position == 0:
                row["role"] = Membership.Role.LEADER
            if joined:
                row["joined_on"] = joined
            since = (joined or founded or datetime.date(2008, 1, 1)) + datetime.timedelta(days=30)
            if position and rng.random() < leaving and since <= REFERENCE_DATE:
                row["left_on"] = f.date_between(since, REFERENCE_DATE)
            people = self.people_of.get(index)
            if people and rng.random() < 0.3:
                row["represented_by_id"] = self.person_pk[rng.choice(people)]
            rows.append(f.MembershipFactory.build(**row))
        return rows

    # Events, with organisers, speakers, patrons, materials and the partnerships presented

    def events(self) -> None:
        rng, total = self.rng, self.counts.events
        # Conferences and trainings gather in the cities.
        weights = [c.weight * (1.0 if c.parent.kind == LAND else 2.0) for c in self.communes]
        for start in range(0, total, CHUNK):
            size = min(CHUNK, total - start)
            places = [c if rng.random() < 0.92 else None for c in rng.choices(self.communes, weights=weights, k=size)]
            kinds = rng.choices(EVENT_KINDS, weights=[k[2] for k in EVENT_KINDS], k=size)
            built = [
                f.EventFactory.build(
                    kind=kind,
                    label=label,
                    place=commune.place if commune else "",
                    commune_id=commune.code if commune else None,
                    project_id=self.project_for(commune.voivodeship if commune else "")
                    if rng.random() < 0.15
                    else None,
                )
                for commune, (kind, label, _weight) in zip(places, kinds, strict=True)
            ]
            organisers, presented, speakers, patrons, materials = [], [], [], [], []
            for event, commune in zip(self.insert(Event, built), places, strict=True):
                # One to three organisers for most events, from its gmina, powiat, voivodeship first.
                if rng.random() < 0.85:
                    wanted, chosen = rng.choices([1, 2, 3], weights=[60, 30, 10])[0], set()
                    if commune and rng.random() < 0.5:
                        # The gmina's welfare centre first, or for a conference the regional one.
                        regional = event.kind in (Event.Kind.CONFERENCE, Event.Kind.SEMINAR) and rng.random() < 0.3
                        key = ("rops", commune.voivodeship) if regional else ("welfare", commune.code)
                        if key in self.role_at:
                            chosen.add(self.role_at[key])
                    for code in (commune.code, commune.code[:4], commune.voivodeship) if commune else ():
                        pick(rng, self.inst_in.get(code, []), wanted - len(chosen), chosen)
                    pick(rng, self.all_institutions, wanted - len(chosen), chosen)
                    organisers += [(event.pk, self.inst_pk[i]) for i in sorted(chosen)]
                # Signing ceremonies present a partnership of the powiat, other events now and then.
                pool = self.parts_in_county.get(commune.code[:4]) if commune else None
                if pool and (event.kind == Event.Kind.SIGNING or rng.random() < 0.35):
                    shown = pick(rng, pool, rng.choices([1, 2, 3], weights=[75, 18, 7])[0], set())
                    presented += [(self.part_pk[i], event.pk) for i in shown]
                if rng.random() < 0.3 and self.person_pk:
                    people = rng.sample(range(len(self.person_pk)), min(len(self.person_pk), rng.randint(1, 6)))
                    speakers += [
                        f.SpeakerFactory.build(event_id=event.pk, person_id=self.person_pk[person], order=n)
                        for n, person in enumerate(people, start=1)
                    ]
                if commune and rng.random() < 0.05:
                    # The regional centre, or where the scale is too small for it anyone of the voivodeship.
                    candidates = self.inst_in.get(commune.voivodeship, [])
                    patron = self.regional_centre(commune.voivodeship)
                    patron = patron or (self.inst_pk[rng.choice(candidates)] if candidates else None)
                    if patron:
                        patrons.append(f.PatronFactory.build(event_id=event.pk, institution_id=patron))
                if rng.random() < 0.08:
                    year = event.start_date.year if event.start_date else None
                    materials += f.MaterialFactory.build_batch(rng.randint(1, 2), event_id=event.pk, year=year)
            self.insert_links(Event, "organisers", organisers)
            self.insert_links(Partnership, "events", presented)
            self.insert(Speaker, speakers)
            self.insert(Patron, patrons)
            self.insert(Material, materials)
