"""Likely duplicates among the registry's institutions and people, for staff to merge.

Institutions: the same NIP, REGON or KRS number (the constraints forbid it from now on, but
records older than them may hold one), or a very similar name in the same gmina, as
``members.matching`` compares names. Names are compared within a gmina only (blocking): at
national scale, 100,000 institutions in about 2,500 gminas, that is a few hundred thousand
comparisons instead of five billion pairs. People: the same first and last name (folded) with
the same affiliation.
"""

from collections import Counter
from dataclasses import dataclass
from itertools import combinations, groupby
from operator import itemgetter

from django.utils.translation import gettext_lazy as _

from core.text import search_key

from .matching import comparable_name, pairs_alike
from .models import Institution, Person

NUMBER_REASONS = {"nip": _("the same NIP"), "regon": _("the same REGON"), "krs": _("the same KRS number")}


@dataclass(frozen=True)
class Pair:
    """Two records that are likely one, the lower id first, and why; ``score`` 100 for a number."""

    first: int
    second: int
    reason: str
    score: float = 100.0


def institution_pairs(region: str | None = None) -> list[Pair]:
    """Likely duplicate institutions (of one voivodeship when ``region`` is given), most likely
    first. Two queries; the names of each gmina compared among themselves only."""
    institutions = Institution.objects.all()
    if region:
        # A gmina's TERYT code begins with its voivodeship's: no join needed.
        institutions = institutions.filter(commune__code__startswith=region)
    found: dict[tuple[int, int], Pair] = {}
    reasons: dict[float, str] = {}
    # One read of the table. The repeated numbers are counted here (in C,
    # by Counter): three GROUP BY queries over the table cost more, and the constraints leave
    # them empty on today's records.
    rows = list(institutions.order_by().values_list("commune_id", "pk", "name_key", *NUMBER_REASONS))
    for column, label in enumerate(NUMBER_REASONS.values(), start=3):
        counts = Counter(map(itemgetter(column), rows))
        repeated = {value for value, count in counts.items() if value and count > 1}
        holders: dict[str, list[int]] = {}
        for row in rows if repeated else ():
            if row[column] in repeated:
                holders.setdefault(row[column], []).append(row[1])
        for pks in holders.values():
            for first, second in combinations(sorted(pks), 2):
                found.setdefault((first, second), Pair(first, second, str(label)))
    # A record written around save() (a bulk insert) has no stored key yet: its name is read apart.
    unkeyed = dict(institutions.exclude(commune=None).filter(name_key="").values_list("pk", "name"))
    # Grouped by gmina here: in the database the sort of 100,000 rows spills to disk (PostgreSQL's
    # default work_mem) and costs three times the read. A foreign institution has no gmina.
    local = sorted((row for row in rows if row[0] is not None), key=itemgetter(0))
    communes = [
        {row[1]: row[2] or comparable_name(unkeyed.get(row[1], "")) for row in group}
        for _commune, group in groupby(local, key=itemgetter(0))
    ]
    for names in communes:
        if len(names) < 2:
            continue
        for first, second, score in pairs_alike(names):
            if score not in reasons:  # translated once per score, not once per pair
                reasons[score] = str(_("a very similar name in the same gmina (%(score)d%%)") % {"score": round(score)})
            found.setdefault((first, second), Pair(first, second, reasons[score], score))
    return sorted(found.values(), key=lambda pair: (-pair.score, pair.first, pair.second))


def person_pairs(region: str | None = None) -> list[Pair]:
    """People with the same first and last name (folded: "Łukasz" is "lukasz") and the same
    affiliation (of one voivodeship when ``region`` is given). One query."""
    people = Person.objects.exclude(affiliation=None)
    if region:
        people = people.filter(affiliation__commune__code__startswith=region)
    rows = people.values_list("affiliation_id", "first_name", "last_name", "pk")
    keyed = sorted((affiliation, search_key(first), search_key(last), pk) for affiliation, first, last, pk in rows)
    found = []
    for _key, group in groupby(keyed, key=lambda row: row[:3]):
        for first, second in combinations([row[3] for row in group], 2):
            found.append(Pair(first, second, str(_("the same name and affiliation"))))
    return found
