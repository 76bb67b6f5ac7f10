"""Synthetic data at national scale, for the benchmarks: what ``manage.py seed_synthetic`` writes.

Every record is marked, so that nobody takes it for a real one and one query finds it:

- institutions, partnerships and events: the slug begins with ``syntetyczne-`` and the name
  (title) ends with "(dane syntetyczne)";
- projects, which have no slug: the name ends with "(dane syntetyczne)";
- people, who have no slug: "Osoba Syntetyczna 123", first name "Osoba", last name
  "Syntetyczna <number>". No real person's name is used anywhere.

``synthetic(model)`` and ``real(model)`` select them; the refusals and ``--replace`` use
nothing else. Rows that only hang on marked records (memberships, agreements, speakers, the
many-to-many rows) are synthetic by their parent.

The data is spread over the imported TERYT register as real data is: each powiat draws a
heavy-tailed (log-normal) weight, three times heavier for a city with county rights and 25
times for the capital, and each gmina a share of its powiat's weight (towns heavier than rural
gminas). Institutions, partnerships and events are placed by these weights; partnerships'
members come mostly from the partnership's own area. Everything is drawn from generators
seeded by ``--seed`` and by the phase (institutions, people, …), so a seed gives the same data
whatever the primary keys turn out to be.

Cost: rows are generated a chunk at a time and written with ``bulk_create``, so memory holds
a few thousand model instances at once, integer indexes of what was written, and the names
of the institutions while they are placed; never the 300,000 memberships. ``save()`` and the
signals do not run: the search keys are computed here as the models' ``save()`` computes
them, ``listed_member_count`` and ``member_search_text`` are derived in one UPDATE at the end, and no history rows are
written. At the default scale a run costs about two minutes of
CPU on either database (some 150 MB of memory), most of it in Django's ``bulk_create`` and
model instantiation rather than in the database; on PostgreSQL the commit adds the deferred
foreign key checks of the new rows (half a minute), and ``--replace`` those of the deleted
ones (about a minute). The command prints the time of every table and step.
"""

import datetime
import itertools
import math
import random
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import NamedTuple

from django.apps import apps
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from core.cache import records_changed
from core.text import search_key, slugify_pl
from events.models import Event, Material, Patron, Project, Speaker
from members.models import Institution, Person
from territory.models import Commune, County, Voivodeship

from .models import (
    Agreement,
    Certificate,
    DatePrecision,
    Evaluation,
    Membership,
    Partnership,
    Principle,
    Signatory,
    TargetGroup,
    ThematicArea,
)

# Markers. Changing one orphans the data of earlier runs: --replace would no longer find it.
SLUG_PREFIX = "syntetyczne-"
NAME_MARK = "(dane syntetyczne)"
PERSON_FIRST_NAME = "Osoba"
PERSON_LAST_NAME_PREFIX = "Syntetyczna "

# The models whose rows carry a marker, in the order messages list them.
MARKED_MODELS = (Partnership, Institution, Event, Person, Project)

DEFAULT_SEED = 2025
# Dates are drawn up to a fixed day, not today, so that a seed gives the same data every day.
REFERENCE_DATE = datetime.date(2025, 6, 30)

# The official register has 380 powiats and 2,479 gminas; ``load_territory`` ships 31 and 7.
MIN_ACTIVE_COUNTIES = 300
MIN_ACTIVE_COMMUNES = 2_000

BATCH_SIZE = 2_000  # rows per INSERT statement
CHUNK = 5_000  # institutions, people or events generated, inserted and let go at a time
PARTNERSHIP_CHUNK = 500  # partnerships whose memberships (about 7,500) are generated at once
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
        steps += self.committing_seconds + self.analyzing_seconds
        return self.total_seconds - steps


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
    _check_counts(counts)
    _check_register()
    _check_existing(replace=replace, allow_real_data=allow_real_data)
    report = Report(seed=seed)
    with transaction.atomic():
        if replace:
            _delete_synthetic(report)
        _Generator(counts, seed, report).run()
        # bulk_create sends no model signals: pages and counts cached from the earlier data
        # must not hide the new (a new generation at the commit).
        records_changed.send(sender=Partnership)
        committing = time.perf_counter()
    # Foreign keys are deferred: the database checks every new row's references at the commit.
    report.committing_seconds = time.perf_counter() - committing
    _analyze(report)
    report.total_seconds = time.perf_counter() - started
    return report


def _analyze(report: Report) -> None:
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


def _check_counts(counts: Counts) -> None:
    if any(value < 0 for value in asdict(counts).values()):
        raise Refused(_("The numbers of records cannot be negative."))
    if counts.memberships and not (counts.partnerships and counts.institutions):
        raise Refused(_("Memberships need partnerships and institutions: ask for some of each, or for no memberships."))
    maximum = counts.partnerships * min(MAX_MEMBERS, counts.institutions)
    if counts.memberships > maximum:
        raise Refused(
            _(
                "%(memberships)d memberships do not fit into %(partnerships)d partnerships of at most "
                "%(per_partnership)d members each: at most %(maximum)d are possible."
            )
            % {
                "memberships": counts.memberships,
                "partnerships": counts.partnerships,
                "per_partnership": min(MAX_MEMBERS, counts.institutions),
                "maximum": maximum,
            }
        )


def _check_register() -> None:
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


def _listed(counts: dict) -> str:
    return ", ".join(f"{model._meta.verbose_name_plural}: {count}" for model, count in counts.items() if count)


def _check_existing(*, replace: bool, allow_real_data: bool) -> None:
    if not allow_real_data:
        found = {model: real(model).count() for model in MARKED_MODELS}
        if any(found.values()):
            raise Refused(
                _(
                    "The database holds real (non-synthetic) records (%(records)s). Synthetic data would be "
                    "mixed with them; give --allow-real-data to add it all the same. Nothing was written."
                )
                % {"records": _listed(found)}
            )
    if not replace:
        found = {model: synthetic(model).count() for model in MARKED_MODELS}
        if any(found.values()):
            raise Refused(
                _(
                    "Synthetic data is already there (%(records)s). Give --replace to delete it and seed "
                    "afresh. Nothing was written."
                )
                % {"records": _listed(found)}
            )


def _delete_synthetic(report: Report) -> None:
    """Delete every synthetic record and the rows that hang on it, a table at a time.

    Django's ``delete()`` would load each of the half a million rows to send its signals,
    and simple-history would write a history row for each; here every step is one DELETE
    statement, children before parents. Real rows that still refer to a synthetic one (a
    real person affiliated with a synthetic institution, say) fail the foreign key check at
    the end, and the refusal rolls everything back.

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
        # The private _raw_delete is what Django's own fast delete runs: one statement, no signals.
        report.deleted_rows += queryset._raw_delete(queryset.db)
    try:
        connection.check_constraints(table_names=_tables_referring_to(MARKED_MODELS))
    except IntegrityError as error:
        raise Refused(
            _(
                "Real records refer to synthetic ones, so the synthetic data cannot be replaced: %(error)s "
                "Nothing was changed."
            )
            % {"error": error}
        ) from None
    report.deleting_seconds = time.perf_counter() - started


def _tables_referring_to(models) -> list[str]:
    """Tables with a foreign key constraint to one of ``models`` (history tables have none)."""
    tables = set()
    for model in apps.get_models(include_auto_created=True):
        for model_field in model._meta.local_fields:
            if model_field.is_relation and model_field.related_model in models and model_field.db_constraint:
                tables.add(model._meta.db_table)
    return sorted(tables)


# Vocabulary. Generic words and titles only: no person's name, no real institution's name.

ADJECTIVES = [
    "Wspólna", "Dobra", "Nowa", "Otwarta", "Zielona", "Jasna", "Bliska", "Lokalna", "Aktywna", "Pomocna",
    "Przyjazna", "Bezpieczna", "Słoneczna", "Spokojna", "Życzliwa", "Mocna", "Pogodna", "Radosna",
]  # fmt: skip
NOUNS = [
    "Przystań", "Droga", "Szansa", "Przestrzeń", "Wspólnota", "Inicjatywa", "Dłoń", "Ścieżka", "Nadzieja",
    "Pracownia", "Przyszłość", "Zmiana", "Sieć", "Opoka", "Kuźnia", "Brama", "Tęcza", "Iskra",
]  # fmt: skip


class _Cause(NamedTuple):
    genitive: str  # "na rzecz …"
    target_group: str | None  # slug of a TargetGroup
    thematic_area: str  # slug of a ThematicArea
    weight: float


CAUSES = [
    _Cause("aktywizacji zawodowej", "osoby-bezrobotne", "rynek-pracy", 18),
    _Cause("wsparcia dziecka i rodziny", "dzieci-i-rodziny", "wsparcie-rodziny", 20),
    _Cause("integracji społecznej", "osoby-zagrozone-wykluczeniem", "aktywna-integracja", 16),
    _Cause("seniorów", "seniorzy", "aktywnosc-lokalna", 9),
    _Cause("osób z niepełnosprawnościami", "osoby-z-niepelnosprawnosciami", "niepelnosprawnosc", 8),
    _Cause("przeciwdziałania bezdomności", "osoby-bezdomne", "bezdomnosc", 4),
    _Cause("ekonomii społecznej", "osoby-zagrozone-wykluczeniem", "ekonomia-spoleczna", 7),
    _Cause("bezpieczeństwa mieszkańców", None, "bezpieczenstwo", 5),
    _Cause("edukacji dzieci i młodzieży", "dzieci-i-rodziny", "edukacja", 7),
    _Cause("aktywności lokalnej", None, "aktywnosc-lokalna", 8),
    _Cause("sportu i rekreacji", None, "sport", 3),
]
CAUSE_WEIGHTS = list(itertools.accumulate(c.weight for c in CAUSES))

FOREIGN_COUNTRIES = [
    ("DE", "Niemcy", 30), ("CZ", "Czechy", 12), ("SK", "Słowacja", 8), ("LT", "Litwa", 8), ("UA", "Ukraina", 10),
    ("GB", "Wielka Brytania", 8), ("NL", "Holandia", 5), ("SE", "Szwecja", 5), ("NO", "Norwegia", 6),
    ("FR", "Francja", 4), ("DK", "Dania", 3), ("BE", "Belgia", 1),
]  # fmt: skip

K = Institution.Kind

# Kinds placed freely over the gminas by weight, with their share of what the per-unit
# institutions (welfare centres, offices, …) leave of the total. Schools are the most common
# partners; welfare centres, PCPRs and labour offices are capped at one per unit instead.
FREE_KINDS = [
    ("school", 30.0), ("association", 22.0), ("foundation", 13.0), ("business", 10.0), ("other", 5.0),
    ("religious", 3.5), ("coop", 2.0), ("sosw", 1.2), ("dps", 1.0), ("sds", 1.0), ("police", 1.0),
    ("wtz", 0.9), ("union", 0.8), ("cis", 0.6), ("university", 0.4), ("foreign", 0.3), ("ministry", 0.02),
]  # fmt: skip

# One per unit at most, and at the default scale exactly one per unit: share of the total.
PER_COMMUNE_SHARE = 0.025  # a welfare centre (MOPS/GOPS) and an office per gmina
PER_COUNTY_SHARE = {"starostwo": 0.0032, "pcpr": 0.004, "pup": 0.004, "police_hq": 0.004, "court": 0.0035}
PER_VOIVODESHIP_SHARE = 0.0002  # a ROPS and a WUP per voivodeship

SCHOOLS = [
    ("Szkoła Podstawowa", "SP", 50), ("Przedszkole Publiczne", "PP", 12), ("Zespół Szkół", "ZS", 15),
    ("Liceum Ogólnokształcące", "LO", 8), ("Technikum", "T", 6), ("Zespół Szkolno-Przedszkolny", "ZSP", 6),
    ("Branżowa Szkoła I Stopnia", "BS", 3),
]  # fmt: skip
NUMBERED_KINDS = {
    "sosw": (K.SPECIAL_SCHOOL_CENTRE, "Specjalny Ośrodek Szkolno-Wychowawczy", "SOSW"),
    "dps": (K.DPS, "Dom Pomocy Społecznej", "DPS"),
    "sds": (K.SDS, "Środowiskowy Dom Samopomocy", "ŚDS"),
    "wtz": (K.WTZ, "Warsztat Terapii Zajęciowej", "WTZ"),
    "police": (K.POLICE, "Komisariat Policji", ""),
}
OTHERS = [
    "Gminny Ośrodek Kultury", "Biblioteka Publiczna", "Poradnia Psychologiczno-Pedagogiczna",
    "Lokalna Grupa Działania", "Ośrodek Sportu i Rekreacji", "Samodzielny Publiczny Zakład Opieki Zdrowotnej",
    "Młodzieżowy Dom Kultury", "Punkt Interwencji Kryzysowej",
]  # fmt: skip
BUSINESS_FORMS = ["Przedsiębiorstwo Usługowe", "Zakład Produkcyjny", "Firma Handlowa", "Przedsiębiorstwo Komunalne"]
LEGAL_FORMS = ["Sp. z o.o.", "S.A.", "s.c.", "sp.j.", ""]

# How likely an institution of a kind is to have a person recorded for it.
AFFILIATION_WEIGHT = {
    K.ROPS: 25, K.MOPS: 6, K.GOPS: 5, K.PCPR: 6, K.LABOUR_OFFICE: 5, K.LOCAL_GOVERNMENT: 4, K.POLICE: 2, K.COURT: 2,
    K.UNIVERSITY: 4, K.SCHOOL: 1, K.FOUNDATION: 1.5, K.ASSOCIATION: 1.2, K.BUSINESS: 0.6,
}  # fmt: skip
FUNCTIONS = {
    "public": ["dyrektor", "zastępca dyrektora", "kierownik działu", "specjalista", "pracownik socjalny",
               "koordynator projektu", "asystent rodziny", "główny specjalista"],
    "ngo": ["prezes zarządu", "wiceprezes zarządu", "członek zarządu", "koordynator", "wolontariusz"],
    "business": ["prezes zarządu", "właściciel", "kierownik", "specjalista ds. kadr"],
    K.LOCAL_GOVERNMENT: ["sekretarz", "naczelnik wydziału", "inspektor", "zastępca kierownika urzędu"],
    K.SCHOOL: ["dyrektor szkoły", "wicedyrektor", "pedagog szkolny", "psycholog szkolny", "nauczyciel"],
    K.POLICE: ["komendant", "dzielnicowy", "specjalista ds. prewencji"],
    K.COURT: ["prezes sądu", "kurator sądowy", "sędzia"],
    K.UNIVERSITY: ["profesor", "adiunkt", "kierownik zakładu"],
    None: ["ekspert", "konsultant", "radny", ""],
}  # fmt: skip
NGO_KINDS = {K.FOUNDATION, K.ASSOCIATION, K.SOCIAL_COOPERATIVE, K.TRADE_UNION, K.RELIGIOUS}
TITLES = (["", "mgr", "dr", "dr hab.", "prof."], [62, 24, 9, 3, 2])
UNIVERSITY_TITLES = (["", "mgr", "dr", "dr hab.", "prof."], [10, 10, 45, 20, 15])

EVENT_KINDS = [
    (Event.Kind.CONFERENCE, "Konferencja", 25), (Event.Kind.SEMINAR, "Seminarium", 20),
    (Event.Kind.TRAINING, "Szkolenie", 25), (Event.Kind.MEETING, "Spotkanie partnerów", 20),
    (Event.Kind.SIGNING, "Uroczyste podpisanie porozumienia partnerskiego", 5), (Event.Kind.OTHER, "Festyn", 5),
]  # fmt: skip
EVENT_THEMES = [
    "Razem dla rodziny", "Partnerstwa lokalne na rzecz zatrudnienia", "Aktywna integracja w praktyce",
    "Ekonomia społeczna w gminie", "Wsparcie dziecka i rodziny", "Bezpieczna społeczność lokalna",
    "Seniorzy w społeczności lokalnej", "Przeciwdziałanie bezdomności", "Współpraca międzysektorowa",
    "Dobre praktyki partnerstw lokalnych", "Diagnoza potrzeb społecznych", "Wolontariat w partnerstwie",
]  # fmt: skip
SENTENCES = [
    "Partnerzy spotykają się regularnie i wspólnie planują działania.",
    "W ramach współpracy prowadzone są szkolenia, warsztaty i spotkania informacyjne.",
    "Działania obejmują diagnozę potrzeb mieszkańców, wspólny plan działań i jego monitorowanie.",
    "Współpraca łączy instytucje publiczne, organizacje pozarządowe i przedsiębiorców.",
    "Szczególną uwagę poświęcono osobom zagrożonym wykluczeniem społecznym.",
    "Uczestnicy wymienili doświadczenia i omówili dalsze kierunki współpracy.",
    "Wnioski z realizacji działań są przedstawiane mieszkańcom na otwartych spotkaniach.",
]
TOPICS = [
    "Doświadczenia partnerstwa w pierwszym roku działania", "Diagnoza potrzeb społecznych w gminie",
    "Rola organizacji pozarządowych w partnerstwie", "Finansowanie wspólnych działań",
    "Monitorowanie i ewaluacja działań partnerskich", "Współpraca z lokalnymi przedsiębiorcami",
]  # fmt: skip
EVALUATION_SUMMARIES = [
    "Partnerstwo realizuje plan działań zgodnie z harmonogramem.",
    "Część działań przesunięto na kolejny rok; partnerzy uzgodnili nowy harmonogram.",
    "Ewaluacja wskazała potrzebę włączenia do partnerstwa nowych podmiotów.",
    "Działania partnerstwa objęły więcej osób, niż zakładano.",
]


# Territory as the generator sees it: names, places and weights.


@dataclass
class _County:
    code: str
    name: str
    kind: str
    voivodeship: str
    place: str  # "w powiecie poznańskim", "w mieście Poznań"
    weight: float = 0.0
    communes: list["_Commune"] = field(default_factory=list)
    seat: "_Commune | None" = None


@dataclass
class _Commune:
    code: str
    name: str
    kind: str
    county: _County
    place: str
    weight: float = 0.0


def _county_place(name: str, kind: str) -> str:
    if kind == County.Kind.LAND:
        # Land county names are adjectives ("poznański", "warszawski zachodni"): + "m" is the locative.
        return "w powiecie " + " ".join(word + "m" for word in name.split())
    return f"w mieście {name}"


def _commune_place(name: str, kind: str) -> str:
    return f"w mieście {name}" if kind == Commune.Kind.URBAN else f"w gminie {name}"


def _voivodeship_place(name: str) -> str:
    # "mazowieckie" -> "w województwie mazowieckim"
    return f"w województwie {name[:-1]}m"


COUNTY_KIND_WEIGHT = {County.Kind.LAND: 1.0, County.Kind.CITY: 3.0, County.Kind.CAPITAL: 25.0}
COMMUNE_KIND_WEIGHT = {Commune.Kind.URBAN: 2.5, Commune.Kind.URBAN_RURAL: 1.5, Commune.Kind.RURAL: 1.0}


class _Spec(NamedTuple):
    """An institution before it is built: what its kind, place and name are."""

    kind: str
    commune: _Commune | None
    name: str
    short_name: str = ""
    country: str = "PL"
    role: str = ""  # "welfare", "pcpr", "rops", …: one per unit, looked up by the partnerships


def _functions_of(kind: str | None) -> list[str]:
    if kind in FUNCTIONS:
        return FUNCTIONS[kind]
    if kind in NGO_KINDS:
        return FUNCTIONS["ngo"]
    return FUNCTIONS["business" if kind == K.BUSINESS else "public"]


def _date_between(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    if end <= start:
        return start
    return start + datetime.timedelta(days=rng.randint(0, (end - start).days))


def _weighted_sample(rng: random.Random, items: list, weights: list[float], k: int) -> list:
    """``k`` distinct items, heavier ones likelier (Efraimidis–Spirakis), in the order of ``items``."""
    if k >= len(items):
        return list(items)
    keys = [(rng.random() ** (1.0 / w), i) for i, w in enumerate(weights)]
    chosen = sorted(i for _key, i in sorted(keys, reverse=True)[:k])
    return [items[i] for i in chosen]


def _apportion(total: int, weights: list[float]) -> list[int]:
    """Whole numbers proportional to ``weights`` that add up to ``total`` (largest remainder)."""
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    result = [math.floor(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: (result[i] - exact[i], i))
    for i in by_remainder[: total - sum(result)]:
        result[i] += 1
    return result


def member_counts(rng: random.Random, total: int, partnerships: int, cap: int) -> list[int]:
    """How many members each partnership lists: ``total`` in all, at most ``cap`` each.

    Log-normal sizes (median about 11, a long tail to ``cap``); about one partnership in
    twenty lists none (it is known by its declared count) when the total leaves room.
    """
    if partnerships == 0:
        return []
    listed = [i for i in range(partnerships) if rng.random() >= 0.05]
    if len(listed) * cap < total:
        listed = list(range(partnerships))
    minimum = 2 if total >= 2 * len(listed) else 1 if total >= len(listed) else 0
    if minimum == 0:
        listed = listed[:total]
        minimum = 1
    sizes = [0] * partnerships
    weights = {i: rng.lognormvariate(0, 0.6) for i in listed}
    for i in listed:
        sizes[i] = minimum
    remaining = total - minimum * len(listed)
    while remaining:
        open_ = [i for i in listed if sizes[i] < cap]
        whole = sum(weights[i] for i in open_)
        added = 0
        for i in open_:
            share = min(cap - sizes[i], math.floor(remaining * weights[i] / whole))
            sizes[i] += share
            added += share
        if not added:
            # What is left is smaller than one member for anyone: give it to the heaviest, one each.
            for i in sorted(open_, key=lambda i: -weights[i])[:remaining]:
                sizes[i] += 1
                added += 1
        remaining -= added
    return sizes


def _pick(rng: random.Random, pool: list[int], k: int, chosen: set[int]) -> list[int]:
    """Up to ``k`` items of ``pool`` not yet in ``chosen``, added to it. O(k + len(chosen))."""
    if k <= 0 or not pool:
        return []
    result = []
    for item in rng.sample(pool, min(len(pool), k + len(chosen))):
        if item not in chosen:
            chosen.add(item)
            result.append(item)
            if len(result) == k:
                break
    return result


class _Generator:
    """Draws and inserts the records phase by phase; keeps only integer indexes between phases.

    Institutions, people and partnerships are referred to by their position in the run (0, 1,
    …), never by primary key, so that what is drawn does not depend on the keys the database
    hands out; a position maps to its key when a row is built.
    """

    def __init__(self, counts: Counts, seed: int, report: Report) -> None:
        self.counts = counts
        self.seed = seed
        self.report = report

    def rng(self, phase: str) -> random.Random:
        # One generator per phase: asking for more events does not change the institutions.
        # Reproducible data, not secrets: a seeded pseudo-random generator is what is wanted.
        return random.Random(f"{self.seed}:{phase}")  # noqa: S311

    def insert(self, model, objects: list) -> list:
        started = time.perf_counter()
        created = model.objects.bulk_create(objects, batch_size=BATCH_SIZE)
        timing = self.report.tables.setdefault(model._meta.db_table, TableTiming())
        timing.rows += len(objects)
        timing.seconds += time.perf_counter() - started
        return created

    def insert_links(self, model_field, pairs) -> None:
        """Rows of a many-to-many field's table from (own key, other key) pairs."""
        through = model_field.remote_field.through
        own, other = f"{model_field.m2m_field_name()}_id", f"{model_field.m2m_reverse_field_name()}_id"
        self.insert(through, [through(**{own: a, other: b}) for a, b in pairs])

    def run(self) -> None:
        self.territory()
        self.institutions()
        self.people()
        self.projects()
        self.partnerships()
        self.events()
        started = time.perf_counter()
        synthetic(Partnership).refresh_member_fields()
        self.report.counting_seconds = time.perf_counter() - started

    # Territory

    def territory(self) -> None:
        rng = self.rng("territory")
        self.voivodeship_names = dict(Voivodeship.objects.values_list("code", "name"))
        self.counties: list[_County] = [
            _County(code, name, kind, voivodeship, _county_place(name, kind))
            for code, name, kind, voivodeship in County.objects.active()
            .order_by("code")
            .values_list("code", "name", "kind", "voivodeship_id")
        ]
        by_code = {c.code: c for c in self.counties}
        for county in self.counties:
            draw = rng.lognormvariate(0, 0.7)
            # A city with county rights is never lighter than a median land county: it has more people.
            if county.kind != County.Kind.LAND:
                draw = max(1.0, draw)
            county.weight = draw * COUNTY_KIND_WEIGHT[county.kind]
        self.communes: list[_Commune] = []
        for code, name, kind, county_code in (
            Commune.objects.active().order_by("code").values_list("code", "name", "kind", "county_id")
        ):
            county = by_code.get(county_code)
            if county is None:  # an active gmina of an inactive powiat: the register is mid-change
                continue
            commune = _Commune(code, name, kind, county, _commune_place(name, kind))
            commune.weight = rng.lognormvariate(0, 0.5) * COMMUNE_KIND_WEIGHT[kind]
            county.communes.append(commune)
            self.communes.append(commune)
        self.counties = [c for c in self.counties if c.communes]
        kind_rank = {Commune.Kind.URBAN: 2, Commune.Kind.URBAN_RURAL: 1, Commune.Kind.RURAL: 0}
        for county in self.counties:
            shares = sum(c.weight for c in county.communes)
            for commune in county.communes:
                commune.weight = county.weight * commune.weight / shares
            # The seat of the powiat's offices: its biggest town.
            county.seat = max(county.communes, key=lambda c: (kind_rank[c.kind], c.weight))
        self.counties_of: dict[str, list[_County]] = defaultdict(list)
        for county in self.counties:
            self.counties_of[county.voivodeship].append(county)
        self.voivodeships = sorted(self.counties_of)
        # A voivodeship's regional offices sit in its heaviest city with county rights.
        self.voivodeship_seat = {
            code: max(counties, key=lambda c: (c.kind != County.Kind.LAND, c.weight)).seat
            for code, counties in self.counties_of.items()
        }
        self.commune_weights = list(itertools.accumulate(c.weight for c in self.communes))
        self.county_weights = list(itertools.accumulate(c.weight for c in self.counties))
        self.urban_communes = [c for c in self.communes if c.kind == Commune.Kind.URBAN]
        self.urban_weights = list(itertools.accumulate(c.weight for c in self.urban_communes))

    # Institutions

    def institutions(self) -> None:
        rng = self.rng("institutions")
        total = self.counts.institutions
        specs = self.per_unit_specs(rng, total)
        free = total - len(specs)
        numbers: dict[tuple[str, str], int] = defaultdict(int)
        for (key, _weight), count in zip(FREE_KINDS, _apportion(free, [w for _key, w in FREE_KINDS]), strict=True):
            for _number in range(count):
                commune = self.free_commune(rng, key)
                numbers[commune.code if commune else "", key] += 1
                specs.append(self.free_spec(rng, key, commune, numbers[commune.code if commune else "", key]))
        rng.shuffle(specs)

        self.inst_pk: list[int] = []
        self.inst_kind: list[str] = []
        self.inst_county: list[str | None] = []
        self.inst_voivodeship: list[str | None] = []
        self.inst_of_commune: dict[str, list[int]] = defaultdict(list)
        self.inst_of_county: dict[str, list[int]] = defaultdict(list)
        self.inst_of_voivodeship: dict[str, list[int]] = defaultdict(list)
        self.inst_by_role: dict[tuple[str, str], int] = {}
        for start in range(0, len(specs), CHUNK):
            batch = specs[start : start + CHUNK]
            objects = [self.institution(rng, number, spec) for number, spec in enumerate(batch, start + 1)]
            for obj, spec in zip(self.insert(Institution, objects), batch, strict=True):
                index = len(self.inst_pk)
                self.inst_pk.append(obj.pk)
                self.inst_kind.append(spec.kind)
                commune = spec.commune
                self.inst_county.append(commune.county.code if commune else None)
                self.inst_voivodeship.append(commune.county.voivodeship if commune else None)
                if commune:
                    self.inst_of_commune[commune.code].append(index)
                    self.inst_of_county[commune.county.code].append(index)
                    self.inst_of_voivodeship[commune.county.voivodeship].append(index)
                if spec.role in ("rops", "wup"):
                    self.inst_by_role[spec.role, commune.county.voivodeship] = index
                elif spec.role in ("welfare", "local_gov"):
                    self.inst_by_role[spec.role, commune.code] = index
                elif spec.role:
                    self.inst_by_role[spec.role, commune.county.code] = index
        self.all_institutions = list(range(len(self.inst_pk)))

    def per_unit_specs(self, rng: random.Random, total: int) -> list[_Spec]:
        """The institutions a unit has one of: one per gmina, powiat or voivodeship at most.

        At the default scale every unit has its own; at a smaller one the heavier units are
        likelier to have one.
        """
        land = [c for c in self.counties if c.kind == County.Kind.LAND]
        plan = [
            ("welfare", self.communes, PER_COMMUNE_SHARE),
            ("local_gov", self.communes, PER_COMMUNE_SHARE),
            ("starostwo", land, PER_COUNTY_SHARE["starostwo"]),
            ("pcpr", self.counties, PER_COUNTY_SHARE["pcpr"]),
            ("pup", self.counties, PER_COUNTY_SHARE["pup"]),
            ("police_hq", self.counties, PER_COUNTY_SHARE["police_hq"]),
            ("court", self.counties, PER_COUNTY_SHARE["court"]),
            ("rops", self.voivodeships, PER_VOIVODESHIP_SHARE),
            ("wup", self.voivodeships, PER_VOIVODESHIP_SHARE),
        ]
        # The regional centres are few but partnerships and projects lean on them: one at least.
        counts = [
            min(len(units), math.ceil(total * share) if role in ("rops", "wup") else round(total * share))
            for role, units, share in plan
        ]
        excess = sum(counts) - total
        for i in reversed(range(len(counts))):
            cut = min(excess, counts[i])
            counts[i] -= cut
            excess -= cut
        specs = []
        for (role, units, _share), count in zip(plan, counts, strict=True):
            weights = [self.voivodeship_weight(u) if isinstance(u, str) else u.weight for u in units]
            for unit in _weighted_sample(rng, units, weights, count):
                specs.append(self.per_unit_spec(rng, role, unit))
        return specs

    def voivodeship_weight(self, code: str) -> float:
        return sum(c.weight for c in self.counties_of[code])

    def per_unit_spec(self, rng: random.Random, role: str, unit) -> _Spec:
        if role in ("rops", "wup"):
            place = _voivodeship_place(self.voivodeship_names[unit])
            seat = self.voivodeship_seat[unit]
            if role == "rops":
                return _Spec(K.ROPS, seat, f"Regionalny Ośrodek Polityki Społecznej {place}", "ROPS", role=role)
            return _Spec(K.LABOUR_OFFICE, seat, f"Wojewódzki Urząd Pracy {place}", "WUP", role=role)
        if isinstance(unit, _Commune):
            urban, rural = unit.kind == Commune.Kind.URBAN, unit.kind == Commune.Kind.RURAL
            if role == "welfare":
                if urban:
                    if unit.county.kind != County.Kind.LAND and rng.random() < 0.4:
                        return _Spec(K.MOPS, unit, f"Miejski Ośrodek Pomocy Rodzinie {unit.place}", "MOPR", role=role)
                    return _Spec(K.MOPS, unit, f"Miejski Ośrodek Pomocy Społecznej {unit.place}", "MOPS", role=role)
                if rural:
                    return _Spec(K.GOPS, unit, f"Gminny Ośrodek Pomocy Społecznej {unit.place}", "GOPS", role=role)
                name = f"Miejsko-Gminny Ośrodek Pomocy Społecznej {unit.place}"
                return _Spec(K.GOPS, unit, name, "MGOPS", role=role)
            office = "Urząd Miasta" if urban else "Urząd Gminy" if rural else "Urząd Miasta i Gminy"
            return _Spec(K.LOCAL_GOVERNMENT, unit, f"{office} {unit.name}", role=role)
        land = unit.kind == County.Kind.LAND
        seat = unit.seat
        if role == "starostwo":
            return _Spec(K.LOCAL_GOVERNMENT, seat, f"Starostwo Powiatowe {unit.place}", role=role)
        if role == "pcpr":
            if land:
                return _Spec(K.PCPR, seat, f"Powiatowe Centrum Pomocy Rodzinie {unit.place}", "PCPR", role=role)
            return _Spec(K.PCPR, seat, f"Miejskie Centrum Pomocy Rodzinie {unit.place}", "MCPR", role=role)
        if role == "pup":
            if land:
                return _Spec(K.LABOUR_OFFICE, seat, f"Powiatowy Urząd Pracy {unit.place}", "PUP", role=role)
            return _Spec(K.LABOUR_OFFICE, seat, f"Miejski Urząd Pracy {unit.place}", "MUP", role=role)
        if role == "police_hq":
            if land:
                return _Spec(K.POLICE, seat, f"Komenda Powiatowa Policji {unit.place}", "KPP", role=role)
            return _Spec(K.POLICE, seat, f"Komenda Miejska Policji {unit.place}", "KMP", role=role)
        return _Spec(K.COURT, seat, f"Sąd Rejonowy {unit.place}", "SR", role=role)

    def free_commune(self, rng: random.Random, key: str) -> _Commune | None:
        if key in ("ministry", "foreign") or (key == "other" and rng.random() < 0.1):
            return None  # a central office, a foreign partner, or a seat nobody recorded
        if key == "university" and self.urban_communes:
            return rng.choices(self.urban_communes, cum_weights=self.urban_weights)[0]
        return rng.choices(self.communes, cum_weights=self.commune_weights)[0]

    def free_spec(self, rng: random.Random, key: str, commune: _Commune | None, number: int) -> _Spec:
        place = commune.place if commune else ""
        if key == "school":
            base, short = rng.choices([s[:2] for s in SCHOOLS], weights=[s[2] for s in SCHOOLS])[0]
            return _Spec(K.SCHOOL, commune, f"{base} nr {number} {place}", f"{short} {number}")
        if key in NUMBERED_KINDS:
            kind, base, short = NUMBERED_KINDS[key]
            return _Spec(kind, commune, f"{base} nr {number} {place}", short)
        if key == "university":
            base = rng.choice(["Wyższa Szkoła", "Instytut Badawczy", "Akademia"])
            return _Spec(K.UNIVERSITY, commune, f"{base} nr {number} {place}")
        quoted = f"„{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}”"
        if key == "cis":
            base, short = rng.choice([("Centrum Integracji Społecznej", "CIS"), ("Klub Integracji Społecznej", "KIS")])
            return _Spec(K.CIS, commune, f"{base} nr {number} {place}", short)
        if key == "coop":
            return _Spec(K.SOCIAL_COOPERATIVE, commune, f"Spółdzielnia Socjalna {quoted} {place}")
        if key == "foundation":
            return _Spec(K.FOUNDATION, commune, f"Fundacja {quoted} {place}")
        if key == "association":
            cause = rng.choices(CAUSES, cum_weights=CAUSE_WEIGHTS)[0].genitive
            base = rng.choices(
                [
                    f"Stowarzyszenie {quoted}",
                    f"Stowarzyszenie na rzecz {cause}",
                    f"Ochotnicza Straż Pożarna nr {number}",
                    f"Koło Gospodyń Wiejskich nr {number}",
                    f"Uniwersytet Trzeciego Wieku nr {number}",
                    f"Klub Sportowy nr {number}",
                ],
                weights=[40, 20, 15, 10, 7, 8],
            )[0]
            return _Spec(K.ASSOCIATION, commune, f"{base} {place}")
        if key == "union":
            return _Spec(K.TRADE_UNION, commune, f"Komisja Zakładowa Związku Zawodowego nr {number} {place}")
        if key == "religious":
            base = rng.choices(
                ["Parafia Rzymskokatolicka", "Parafialny Zespół Charytatywny", "Parafia Prawosławna", "Zbór"],
                weights=[70, 20, 5, 5],
            )[0]
            return _Spec(K.RELIGIOUS, commune, f"{base} nr {number} {place}")
        if key == "business":
            name = f"{rng.choice(BUSINESS_FORMS)} {quoted} {rng.choice(LEGAL_FORMS)}"
            return _Spec(K.BUSINESS, commune, f"{name.strip()} {place}")
        if key == "other":
            return _Spec(K.OTHER, commune, f"{rng.choice(OTHERS)} nr {number} {place}")
        if key == "ministry":
            return _Spec(K.MINISTRY, None, f"Urząd centralny nr {number}")
        code, country = rng.choices([c[:2] for c in FOREIGN_COUNTRIES], weights=[c[2] for c in FOREIGN_COUNTRIES])[0]
        kind, base = rng.choices(
            [
                (K.FOREIGN_PUBLIC, "Samorząd lokalny"),
                (K.FOUNDATION, "Organizacja partnerska"),
                (K.BUSINESS, "Przedsiębiorstwo"),
            ],
            weights=[60, 25, 15],
        )[0]
        return _Spec(kind, None, f"{base} nr {number} – {country}", country=code)

    def institution(self, rng: random.Random, number: int, spec: _Spec) -> Institution:
        name = f"{' '.join(spec.name.split())} {NAME_MARK}"
        short_name = spec.short_name if rng.random() < 0.7 else ""
        commune = spec.commune
        return Institution(
            name=name,
            short_name=short_name,
            slug=_slug(spec.name, number),
            kind=spec.kind,
            commune_id=commune.code if commune else None,
            country=spec.country,
            address=f"ul. Przykładowa {rng.randint(1, 150)}, {commune.name}" if commune and rng.random() < 0.7 else "",
            website=f"https://example.org/syntetyczne/instytucje/{number}" if rng.random() < 0.3 else "",
            email=f"instytucja.{number}@example.org" if rng.random() < 0.4 else "",
            description=rng.choice(SENTENCES) if rng.random() < 0.2 else "",
            last_verified_on=_date_between(rng, datetime.date(2022, 1, 1), REFERENCE_DATE)
            if rng.random() < 0.4
            else None,
            search_text=search_key(name, short_name),
        )

    # People

    def people(self) -> None:
        rng = self.rng("people")
        total = self.counts.persons
        cum = list(itertools.accumulate(AFFILIATION_WEIGHT.get(kind, 0.5) for kind in self.inst_kind))
        self.person_pk: list[int] = []
        self.person_function: list[str] = []
        self.people_of: dict[int, list[int]] = defaultdict(list)
        self.people_of_voivodeship: dict[str, list[int]] = defaultdict(list)
        for start in range(0, total, CHUNK):
            objects, affiliations = [], []
            for number in range(start + 1, min(total, start + CHUNK) + 1):
                affiliation = None
                if cum and rng.random() < 0.9:
                    affiliation = rng.choices(self.all_institutions, cum_weights=cum)[0]
                kind = self.inst_kind[affiliation] if affiliation is not None else None
                titles = UNIVERSITY_TITLES if kind == K.UNIVERSITY else TITLES
                functions = _functions_of(kind)
                objects.append(
                    Person(
                        first_name=PERSON_FIRST_NAME,
                        last_name=f"{PERSON_LAST_NAME_PREFIX}{number}",
                        academic_title=rng.choices(*titles)[0],
                        function=rng.choice(functions) if rng.random() < 0.85 else "",
                        affiliation_id=self.inst_pk[affiliation] if affiliation is not None else None,
                        email=f"osoba.syntetyczna.{number}@example.org" if rng.random() < 0.4 else "",
                    )
                )
                affiliations.append(affiliation)
            for obj, affiliation in zip(self.insert(Person, objects), affiliations, strict=True):
                index = len(self.person_pk)
                self.person_pk.append(obj.pk)
                self.person_function.append(obj.function)
                if affiliation is not None:
                    self.people_of[affiliation].append(index)
                    if voivodeship := self.inst_voivodeship[affiliation]:
                        self.people_of_voivodeship[voivodeship].append(index)
        self.all_people = list(range(len(self.person_pk)))

    # Projects

    def projects(self) -> None:
        """About one funding line for every hundred partnerships, each run from a voivodeship."""
        rng = self.rng("projects")
        total = max(1, round(self.counts.partnerships / 100)) if self.counts.partnerships else 0
        lines = [
            ("PO KL", "VII", "Promocja integracji społecznej", "7.1", ["7.1.1", "7.1.2", "7.1.3"], "EFS", 2008, 2013),
            ("RPO", "IX", "Włączenie społeczne", "9.1", ["9.1.1", "9.1.2"], "EFS", 2016, 2020),
            ("FERS", "4", "Dostępność i włączenie społeczne", "4.12", [""], "EFS+", 2023, 2025),
        ]
        weights = [self.voivodeship_weight(v) for v in self.voivodeships]
        objects, homes = [], []
        for number in range(1, total + 1):
            voivodeship = rng.choices(self.voivodeships, weights=weights)[0]
            programme, priority, priority_name, measure, subs, fund, first, last = rng.choice(lines)
            start_year = rng.randint(first, last)
            theme = rng.choice(EVENT_THEMES)
            place = _voivodeship_place(self.voivodeship_names[voivodeship])
            operator = self.inst_by_role.get(("rops", voivodeship))
            if operator is None and self.inst_of_voivodeship.get(voivodeship):
                operator = rng.choice(self.inst_of_voivodeship[voivodeship])
            objects.append(
                Project(
                    name=f"{theme} – projekt nr {number} {place} {NAME_MARK}",
                    code=f"SYNT/{start_year}/{number:04d}",
                    programme=programme,
                    priority=priority,
                    priority_name=priority_name,
                    measure=measure,
                    sub_measure=rng.choice(subs),
                    fund=fund,
                    operator_id=self.inst_pk[operator] if operator is not None else None,
                    start_year=start_year,
                    end_year=start_year + rng.randint(0, 3),
                    website=f"https://example.org/syntetyczne/projekty/{number}" if rng.random() < 0.5 else "",
                    description=" ".join(rng.sample(SENTENCES, 2)),
                )
            )
            homes.append(voivodeship)
        self.projects_of: dict[str, list[int]] = defaultdict(list)
        self.all_projects: list[int] = []
        for obj, voivodeship in zip(self.insert(Project, objects), homes, strict=True):
            self.projects_of[voivodeship].append(obj.pk)
            self.all_projects.append(obj.pk)

    def project_for(self, rng: random.Random, voivodeship: str | None) -> int | None:
        pool = self.projects_of.get(voivodeship) or self.all_projects
        return rng.choice(pool) if pool else None

    # Partnerships, with their areas, vocabularies, members, agreements and evaluations

    def partnerships(self) -> None:
        rng = self.rng("partnerships")
        total = self.counts.partnerships
        cap = min(MAX_MEMBERS, max(1, len(self.inst_pk)))
        sizes = member_counts(rng, self.counts.memberships, total, cap)
        self.target_groups = dict(TargetGroup.objects.order_by("slug").values_list("slug", "pk"))
        self.thematic_areas = dict(ThematicArea.objects.order_by("slug").values_list("slug", "pk"))
        self.principles = list(Principle.objects.order_by("slug").values_list("pk", flat=True))
        self.part_pk: list[int] = []
        self.parts_in_county: dict[str, list[int]] = defaultdict(list)
        fields = {name: Partnership._meta.get_field(name) for name in _PARTNERSHIP_LINKS}
        for start in range(0, total, PARTNERSHIP_CHUNK):
            drafts = [
                self.partnership(rng, n, sizes[n - 1])
                for n in range(start + 1, min(total, start + PARTNERSHIP_CHUNK) + 1)
            ]
            created = self.insert(Partnership, [d.partnership for d in drafts])
            links = {name: [] for name in _PARTNERSHIP_LINKS}
            for obj, draft in zip(created, drafts, strict=True):
                index = len(self.part_pk)
                self.part_pk.append(obj.pk)
                for county in sorted({c.code for c in draft.counties} | {c.county.code for c in draft.communes}):
                    self.parts_in_county[county].append(index)
                links["area_counties"] += [(obj.pk, c.code) for c in draft.counties]
                links["area_communes"] += [(obj.pk, c.code) for c in draft.communes]
                links["target_groups"] += [(obj.pk, pk) for pk in draft.target_groups]
                links["thematic_areas"] += [(obj.pk, pk) for pk in draft.thematic_areas]
                links["principles"] += [(obj.pk, pk) for pk in draft.principles]
            for name, pairs in links.items():
                self.insert_links(fields[name], pairs)
            self.members(rng, created, drafts)

    def partnership(self, rng: random.Random, number: int, size: int) -> "_PartnershipDraft":
        centre = rng.choices(self.counties, cum_weights=self.county_weights)[0]
        counties, communes, place = self.area(rng, centre)
        cause = rng.choices(CAUSES, cum_weights=CAUSE_WEIGHTS)[0]
        quoted = f"„{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}”"
        pattern = rng.choices(
            [
                f"Partnerstwo Lokalne na rzecz {cause.genitive} {place}",
                f"Lokalne Partnerstwo {quoted} {place}",
                f"Koalicja na rzecz {cause.genitive} {place}",
                f"Pakt na rzecz {cause.genitive} {place}",
                f"Porozumienie partnerskie na rzecz {cause.genitive} {place}",
                f"Partnerstwo {quoted}",
            ],
            weights=[35, 20, 10, 8, 12, 15],
        )[0]
        base = " ".join(pattern.split())
        name = f"{base} {NAME_MARK}"
        status = rng.choices(list(Partnership.Status), weights=[10, 65, 8, 17])[0]
        founded_on, precision = self.founding(rng, status)
        stages = list(Partnership.Stage)
        if status == Partnership.Status.FORMING:
            stage = rng.choice(stages[:3])
        else:
            stage = rng.choices(["", *stages], weights=[25, 6, 9, 15, 12, 23, 10])[0]
        goal = ""
        if rng.random() < 0.7:
            goal = rng.choice(
                [
                    f"Współpraca instytucji i organizacji na rzecz {cause.genitive} {place}.",
                    f"Wspólne działania na rzecz {cause.genitive}, ze szczególnym uwzględnieniem osób "
                    "zagrożonych wykluczeniem społecznym.",
                    f"Diagnoza potrzeb i wspólny plan działań na rzecz {cause.genitive}.",
                ]
            )
            goal = " ".join(goal.split())
        description = " ".join(rng.sample(SENTENCES, rng.randint(2, 4))) if rng.random() < 0.6 else ""
        declared = None
        if size == 0 or rng.random() < 0.1:
            declared = rng.randint(max(3, size), max(3, size) + 25)
        home = centre.voivodeship
        partnership = Partnership(
            name=name,
            slug=_slug(base, number),
            status=status,
            stage=stage,
            founded_on=founded_on,
            founded_precision=precision,
            home_voivodeship_id=home,
            goal=goal,
            description=description,
            project_id=self.project_for(rng, home) if rng.random() < 0.25 else None,
            website=f"https://example.org/syntetyczne/partnerstwa/{number}" if rng.random() < 0.15 else "",
            declared_member_count=declared,
            last_verified_on=_date_between(rng, datetime.date(2021, 1, 1), REFERENCE_DATE)
            if rng.random() < 0.45
            else None,
            search_text=search_key(name, goal, description),
        )
        # Drawn by slug, not by key: the same terms whatever keys the migrations gave them.
        target_groups = {self.target_groups.get(cause.target_group)} - {None}
        more = rng.sample(list(self.target_groups), min(len(self.target_groups), rng.randint(0, 2)))
        target_groups |= {self.target_groups[slug] for slug in more}
        thematic_areas = {self.thematic_areas.get(cause.thematic_area)} - {None}
        more = rng.sample(list(self.thematic_areas), min(len(self.thematic_areas), rng.randint(0, 2)))
        thematic_areas |= {self.thematic_areas[slug] for slug in more}
        principles = []
        if self.principles and rng.random() < 0.6:
            principles = rng.sample(self.principles, rng.randint(min(3, len(self.principles)), len(self.principles)))
        return _PartnershipDraft(
            partnership=partnership,
            counties=counties,
            communes=communes,
            centre=centre,
            size=size,
            target_groups=sorted(target_groups),
            thematic_areas=sorted(thematic_areas),
            principles=sorted(principles),
        )

    def area(self, rng: random.Random, centre: _County) -> tuple[list[_County], list[_Commune], str]:
        """Where a partnership works: mostly one gmina or one powiat, sometimes a few of either
        within one powiat, rarely two or three powiats of a voivodeship or nothing recorded."""
        shape = rng.choices(["commune", "communes", "county", "counties", "none"], weights=[45, 20, 25, 7, 3])[0]
        weights = [c.weight for c in centre.communes]
        if shape == "commune" or (shape == "communes" and len(centre.communes) == 1):
            commune = rng.choices(centre.communes, weights=weights)[0]
            return [], [commune], commune.place
        if shape == "communes":
            communes = _weighted_sample(rng, centre.communes, weights, min(len(centre.communes), rng.randint(2, 4)))
            return [], communes, centre.place
        if shape == "county":
            return [centre], [], centre.place
        if shape == "counties":
            same = self.counties_of[centre.voivodeship]
            # Neighbours by TERYT number: a stand-in for adjacency, which the register does not give.
            position = same.index(centre)
            nearby = same[max(0, position - 2) : position + 3]
            others = [c for c in nearby if c is not centre]
            chosen = [centre, *rng.sample(others, min(len(others), rng.randint(1, 2)))]
            return (
                sorted(chosen, key=lambda c: c.code),
                [],
                _voivodeship_place(self.voivodeship_names[centre.voivodeship]),
            )
        return [], [], ""

    def founding(self, rng: random.Random, status: str) -> tuple[datetime.date | None, str]:
        """A founding date with its precision: to the day (55%), the month (20%) or the year (25%)."""
        if rng.random() < 0.08:
            return None, DatePrecision.DAY
        if status == Partnership.Status.FORMING:
            year = rng.randint(2023, REFERENCE_DATE.year)
        else:
            # Most partnerships began in the years of the ESF projects that built them.
            year = min(REFERENCE_DATE.year, int(rng.triangular(2004, REFERENCE_DATE.year + 1, 2013)))
        precision = rng.choices([DatePrecision.DAY, DatePrecision.MONTH, DatePrecision.YEAR], weights=[55, 20, 25])[0]
        if precision == DatePrecision.YEAR:
            return datetime.date(year, 1, 1), precision
        last = min(datetime.date(year, 12, 31), REFERENCE_DATE)
        day = _date_between(rng, datetime.date(year, 1, 1), last)
        return (day.replace(day=1) if precision == DatePrecision.MONTH else day), precision

    def member_pools(self, draft: "_PartnershipDraft") -> list[list[int]]:
        """Where members come from, nearest first: the area, its powiats, the voivodeship, anywhere."""
        if draft.communes:
            local = [i for c in draft.communes for i in self.inst_of_commune.get(c.code, ())]
            # Sorted: a set of strings iterates in a different order in every process.
            counties = sorted({c.county.code for c in draft.communes})
            around = [i for code in counties for i in self.inst_of_county.get(code, ())]
        elif draft.counties:
            local = [i for c in draft.counties for i in self.inst_of_county.get(c.code, ())]
            around = self.inst_of_voivodeship.get(draft.centre.voivodeship, [])
        else:
            local = around = self.inst_of_voivodeship.get(draft.centre.voivodeship, [])
        return [local, around, self.inst_of_voivodeship.get(draft.centre.voivodeship, []), self.all_institutions]

    def leader_of(self, rng: random.Random, draft: "_PartnershipDraft") -> int | None:
        """Welfare centres lead most gmina partnerships, PCPRs most powiat ones."""
        roles = []
        if draft.communes:
            unit = draft.communes[0].code
            roles = [("welfare", unit)] * 3 + [("local_gov", unit)]
        elif draft.counties:
            unit = draft.counties[0].code
            roles = [("pcpr", unit)] * 2 + [("pup", unit), ("starostwo", unit)]
        if roles and rng.random() < 0.7:
            return self.inst_by_role.get(rng.choice(roles))
        return None

    def members(self, rng: random.Random, created: list[Partnership], drafts: list["_PartnershipDraft"]) -> None:
        memberships, agreements, signatories, evaluations = [], [], [], []
        for partnership, draft in zip(created, drafts, strict=True):
            if not draft.size:
                continue
            chosen: set[int] = set()
            pools = self.member_pools(draft)
            leader = self.leader_of(rng, draft)
            order = []
            if leader is not None:
                chosen.add(leader)
                order.append(leader)
            # 70% from the area, 15% from around it, 10% from the voivodeship, 5% from anywhere;
            # what a pool cannot give is asked of the next one.
            wanted = [0, 0, 0, 0]
            for _member in range(draft.size - len(order)):
                wanted[rng.choices(range(4), weights=[70, 15, 10, 5])[0]] += 1
            carry = 0
            for pool, count in zip(pools, wanted, strict=True):
                got = _pick(rng, pool, count + carry, chosen)
                order += got
                carry = count + carry - len(got)
            rows = self.membership_rows(rng, partnership, order)
            memberships += [row for row, _representative in rows]
            if len(rows) >= 2 and partnership.founded_on and rng.random() < 0.45:
                agreement, signers = self.founding_agreement(rng, partnership, rows)
                agreements.append(agreement)
                signatories.append(signers)
            if rng.random() < 0.12:
                evaluations += self.evaluations(rng, partnership, rows[0][0].institution_id)
        self.insert(Membership, memberships)
        for agreement, signers in zip(self.insert(Agreement, agreements), signatories, strict=True):
            for signatory in signers:
                signatory.agreement_id = agreement.pk
        self.insert(Signatory, [s for signers in signatories for s in signers])
        self.insert(Evaluation, evaluations)

    def membership_rows(self, rng: random.Random, partnership: Partnership, members: list[int]) -> list[tuple]:
        """(membership, position of its representative or None) for each member; the first leads."""
        founded = partnership.founded_on
        known_day = founded if partnership.founded_precision == DatePrecision.DAY else None
        leaving = 0.3 if partnership.status == Partnership.Status.DISSOLVED else 0.07
        rows = []
        for position, index in enumerate(members):
            leader = position == 0
            draw = rng.random()
            if leader or draw < 0.6:
                joined = known_day  # a founding member, known to the day only when the founding is
            elif draw < 0.85:
                joined = _date_between(rng, founded or datetime.date(2005, 1, 1), REFERENCE_DATE)
            else:
                joined = None
            left = None
            if not leader and rng.random() < leaving:
                since = (joined or founded or datetime.date(2008, 1, 1)) + datetime.timedelta(days=30)
                if since <= REFERENCE_DATE:
                    left = _date_between(rng, since, REFERENCE_DATE)
            people = self.people_of.get(index)
            representative = rng.choice(people) if people and rng.random() < 0.3 else None
            role = Membership.Role.LEADER
            if not leader:
                role = rng.choices([Membership.Role.PARTNER, Membership.Role.OBSERVER], weights=[88, 12])[0]
            membership = Membership(
                partnership_id=partnership.pk,
                institution_id=self.inst_pk[index],
                role=role,
                joined_on=joined,
                left_on=left,
                represented_by_id=self.person_pk[representative] if representative is not None else None,
            )
            rows.append((membership, representative))
        return rows

    def founding_agreement(self, rng: random.Random, partnership: Partnership, rows: list[tuple]):
        founded = partnership.founded_on
        agreement = Agreement(
            partnership_id=partnership.pk,
            kind=Agreement.Kind.FOUNDING,
            title=f"Porozumienie o współpracy partnerskiej nr {rng.randint(1, 40)}/{founded.year}",
            signed_on=founded if partnership.founded_precision == DatePrecision.DAY else None,
        )
        current = [(row, representative) for row, representative in rows if row.left_on is None]
        signers = []
        for order, (row, representative) in enumerate(current[: rng.randint(2, 5)], start=1):
            signers.append(
                Signatory(
                    person_id=row.represented_by_id,
                    institution_id=row.institution_id,
                    function=self.person_function[representative] if representative is not None else "",
                    order=order,
                )
            )
        return agreement, signers

    def evaluations(self, rng: random.Random, partnership: Partnership, leader_pk: int) -> list[Evaluation]:
        voivodeship = partnership.home_voivodeship_id
        rops = self.inst_by_role.get(("rops", voivodeship))
        since = max(partnership.founded_on or datetime.date(2010, 1, 1), datetime.date(2010, 1, 1))
        return [
            Evaluation(
                partnership_id=partnership.pk,
                date=_date_between(rng, since, REFERENCE_DATE),
                kind=rng.choices([Evaluation.Kind.MONITORING, Evaluation.Kind.EXTERNAL], weights=[75, 25])[0],
                author_id=self.inst_pk[rops] if rops is not None and rng.random() < 0.6 else leader_pk,
                summary=rng.choice(EVALUATION_SUMMARIES),
            )
            for _entry in range(rng.randint(1, 2))
        ]

    # Events, with organisers, speakers, patrons, materials and the partnerships presented

    def events(self) -> None:
        rng = self.rng("events")
        total = self.counts.events
        # Conferences and trainings gather in the cities.
        cum = list(
            itertools.accumulate(c.weight * (1.0 if c.county.kind == County.Kind.LAND else 2.0) for c in self.communes)
        )
        kinds, labels, weights = zip(*EVENT_KINDS, strict=True)
        organisers_field = Event._meta.get_field("organisers")
        events_field = Partnership._meta.get_field("events")
        for start in range(0, total, CHUNK):
            drafts = []
            for number in range(start + 1, min(total, start + CHUNK) + 1):
                commune = rng.choices(self.communes, cum_weights=cum)[0] if rng.random() < 0.92 else None
                position = rng.choices(range(len(kinds)), weights=weights)[0]
                drafts.append(self.event(rng, number, commune, kinds[position], labels[position]))
            created = self.insert(Event, [d[0] for d in drafts])
            organisers, presented, speakers, patrons, materials, agreements = [], [], [], [], [], []
            for obj, (_event, commune) in zip(created, drafts, strict=True):
                voivodeship = commune.county.voivodeship if commune else None
                organisers += [(obj.pk, self.inst_pk[i]) for i in self.organisers(rng, obj, commune)]
                shown = self.presented(rng, obj, commune)
                presented += [(self.part_pk[i], obj.pk) for i in shown]
                if shown and obj.kind == Event.Kind.SIGNING and obj.start_date and rng.random() < 0.7:
                    kind, title = rng.choice(
                        [
                            (Agreement.Kind.ACCESSION, "Deklaracja przystąpienia do partnerstwa"),
                            (Agreement.Kind.LETTER_OF_INTENT, "List intencyjny o współpracy"),
                            (Agreement.Kind.ANNEX, "Aneks do porozumienia partnerskiego"),
                        ]
                    )
                    agreements.append(
                        Agreement(
                            partnership_id=self.part_pk[shown[0]],
                            kind=kind,
                            title=title,
                            signed_on=obj.start_date,
                            signed_at_id=obj.pk,
                        )
                    )
                if rng.random() < 0.3 and self.all_people:
                    pool = self.people_of_voivodeship.get(voivodeship) or self.all_people
                    people = _pick(rng, pool, rng.randint(1, 6), set())
                    roles = [Speaker.Role.SPEAKER, Speaker.Role.PANELLIST, Speaker.Role.MODERATOR, Speaker.Role.GUEST]
                    speakers += [
                        Speaker(
                            event_id=obj.pk,
                            person_id=self.person_pk[person],
                            role=rng.choices(roles, weights=[60, 25, 8, 7])[0],
                            topic=rng.choice(TOPICS) if rng.random() < 0.8 else "",
                            order=order,
                        )
                        for order, person in enumerate(people, start=1)
                    ]
                if commune and rng.random() < 0.05:
                    patron = self.inst_by_role.get(("rops", voivodeship)) or self.inst_by_role.get(
                        ("local_gov", commune.code)
                    )
                    if patron is not None:
                        patrons.append(
                            Patron(
                                event_id=obj.pk,
                                institution_id=self.inst_pk[patron],
                                honorary_title=rng.choice(["", "patronat honorowy"]),
                            )
                        )
                if rng.random() < 0.08:
                    material_kinds = list(Material.Kind)
                    materials += [
                        Material(
                            event_id=obj.pk,
                            kind=rng.choice(material_kinds),
                            title=f"Materiały z wydarzenia, część {part}",
                            url=f"https://example.org/syntetyczne/materialy/{obj.slug}/{part}",
                            year=obj.start_date.year if obj.start_date else None,
                        )
                        for part in range(1, rng.randint(1, 2) + 1)
                    ]
            self.insert_links(organisers_field, organisers)
            self.insert_links(events_field, presented)
            self.insert(Speaker, speakers)
            self.insert(Patron, patrons)
            self.insert(Material, materials)
            self.insert(Agreement, agreements)

    def event(self, rng: random.Random, number: int, commune: _Commune | None, kind: str, label: str):
        theme = rng.choice(EVENT_THEMES)
        place = commune.place if commune else ""
        if kind in (Event.Kind.CONFERENCE, Event.Kind.SEMINAR):
            base = f"{label} „{theme}” {place}"
        elif kind == Event.Kind.TRAINING:
            base = f"{label}: {theme.lower()} {place}"
        else:
            base = f"{label} {place}"
        start_date = end_date = None
        if rng.random() < 0.95:
            start_date = _date_between(rng, datetime.date(2005, 1, 1), REFERENCE_DATE + datetime.timedelta(days=365))
            # Recent years hold more events: a second draw, kept when later, skews them forward.
            start_date = max(start_date, _date_between(rng, datetime.date(2005, 1, 1), REFERENCE_DATE))
            base = f"{base} {start_date.year}"
            if rng.random() < 0.15:
                end_date = start_date + datetime.timedelta(days=rng.randint(1, 2))
        base = " ".join(base.split())
        title = f"{base} {NAME_MARK}"
        venue = ""
        if commune and rng.random() < 0.6:
            venue = rng.choice(["Sala konferencyjna urzędu", "Dom Kultury", "Aula szkoły", "Sala widowiskowa"])
        description = " ".join(rng.sample(SENTENCES, rng.randint(1, 3))) if rng.random() < 0.5 else ""
        counted = rng.random() < 0.5
        voivodeship = commune.county.voivodeship if commune else None
        event = Event(
            title=title,
            slug=_slug(base, number),
            kind=kind,
            start_date=start_date,
            end_date=end_date,
            venue=venue,
            commune_id=commune.code if commune else None,
            participant_count=max(5, round(rng.lognormvariate(3.6, 0.7))) if counted else None,
            participant_count_qualifier=rng.choices(list(Event.CountQualifier), weights=[60, 25, 13, 2])[0]
            if counted
            else Event.CountQualifier.EXACT,
            description=description,
            project_id=self.project_for(rng, voivodeship) if rng.random() < 0.15 else None,
            search_text=search_key(title, venue, description),
        )
        return event, commune

    def organisers(self, rng: random.Random, event: Event, commune: _Commune | None) -> list[int]:
        """One to three organisers for most events, from the event's gmina or powiat first."""
        if not self.inst_pk or rng.random() < 0.15:
            return []
        chosen: set[int] = set()
        wanted = rng.choices([1, 2, 3], weights=[60, 30, 10])[0]
        result = []
        if commune:
            voivodeship = commune.county.voivodeship
            regional = event.kind in (Event.Kind.CONFERENCE, Event.Kind.SEMINAR) and rng.random() < 0.3
            first = self.inst_by_role.get(("rops", voivodeship) if regional else ("welfare", commune.code))
            if first is not None and rng.random() < 0.5:
                chosen.add(first)
                result.append(first)
            for pool in (
                self.inst_of_commune.get(commune.code, []),
                self.inst_of_county.get(commune.county.code, []),
                self.inst_of_voivodeship.get(voivodeship, []),
            ):
                result += _pick(rng, pool, wanted - len(result), chosen)
        result += _pick(rng, self.all_institutions, wanted - len(result), chosen)
        return result

    def presented(self, rng: random.Random, event: Event, commune: _Commune | None) -> list[int]:
        """Partnerships working in the event's powiat that it presents: some events have one or more."""
        if not commune:
            return []
        pool = self.parts_in_county.get(commune.county.code)
        signing = event.kind == Event.Kind.SIGNING
        if not pool or (not signing and rng.random() >= 0.35):
            return []
        count = 1 if signing else rng.choices([1, 2, 3], weights=[75, 18, 7])[0]
        return _pick(rng, pool, count, set())


_PARTNERSHIP_LINKS = ("area_counties", "area_communes", "target_groups", "thematic_areas", "principles")


@dataclass
class _PartnershipDraft:
    partnership: Partnership
    counties: list[_County]
    communes: list[_Commune]
    centre: _County
    size: int
    target_groups: list[int]
    thematic_areas: list[int]
    principles: list[int]


def _slug(name: str, number: int) -> str:
    """``syntetyczne-<the name as a slug, cut>-<number>``: unique by the number, readable by the name."""
    return f"{SLUG_PREFIX}{slugify_pl(name)[:90].rstrip('-')}-{number}"
