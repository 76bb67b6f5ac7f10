"""Which existing institution a row of a spreadsheet, or another record, most likely means.

An institution is the same as an existing one when they share a NIP, a REGON or a KRS number:
the registers' numbers identify it. Failing that, a name very like an existing institution's in
the same gmina is likely the same institution, written another way ("MOPS Wrocław", "Miejski
Ośrodek Pomocy Społecznej we Wrocławiu"); a person confirms such a match, never the code alone.

Names are compared as ``comparable_name`` writes them: folded (``core.text``), the kinds'
abbreviations written out, the little words left out. Two names whose numbers differ are never
alike ("Szkoła Podstawowa nr 1" and "nr 2" are two schools).
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from rapidfuzz import fuzz, process

from core.text import search_key

from .models import Institution

# The abbreviations of the kinds of institution that Polish offices write in place of the name.
KIND_ABBREVIATIONS = {
    "mops": "miejski osrodek pomocy spolecznej",
    "gops": "gminny osrodek pomocy spolecznej",
    "mgops": "miejsko gminny osrodek pomocy spolecznej",
    "ops": "osrodek pomocy spolecznej",
    "pcpr": "powiatowe centrum pomocy rodzinie",
    "rops": "regionalny osrodek polityki spolecznej",
    "pup": "powiatowy urzad pracy",
    "wup": "wojewodzki urzad pracy",
    "kpp": "komenda powiatowa policji",
    "kmp": "komenda miejska policji",
    "sds": "srodowiskowy dom samopomocy",
    "wtz": "warsztat terapii zajeciowej",
    "cis": "centrum integracji spolecznej",
    "kis": "klub integracji spolecznej",
    "dps": "dom pomocy spolecznej",
    "sosw": "specjalny osrodek szkolno wychowawczy",
    "ug": "urzad gminy",
    "um": "urzad miasta",
}
# Words that join a name's parts and say nothing about which institution it is.
LITTLE_WORDS = frozenset({"w", "we", "z", "ze", "i", "oraz", "na", "do", "dla", "im", "imienia"})
# The abbreviations' expansions as words, and the marks that separate words like a space.
EXPANSIONS = {
    abbreviation: [w for w in name.split() if w not in LITTLE_WORDS]
    for abbreviation, name in KIND_ABBREVIATIONS.items()
}
SEPARATORS = str.maketrans(dict.fromkeys('-„”"', " "))
# From this score (0-100) two names in one gmina are likely one institution.
LIKELY_SAME = 90
NUMBER = re.compile(r"\d+")


def comparable_name(name: str) -> str:
    """``name`` as names are compared: folded, abbreviations written out, little words left out."""
    return comparable_folded(search_key(name))


def comparable_folded(folded: str) -> str:
    """A name already folded (``core.text.search_key``, as ``Institution.search_text`` holds it)
    as names are compared. Written for speed: the duplicates page runs it on every institution."""
    words = []
    for word in folded.translate(SEPARATORS).split():
        word = word.strip(".,")
        expansion = EXPANSIONS.get(word)
        if expansion is not None:
            words += expansion
        elif word and word not in LITTLE_WORDS:
            words.append(word)
    return " ".join(words)


def same_numbers(first: str, second: str) -> bool:
    return NUMBER.findall(first) == NUMBER.findall(second)


def name_score(first: str, second: str) -> float:
    """How alike two comparable names are, 0 to 100: their words in any order; 0 when the
    numbers in them differ."""
    return fuzz.token_sort_ratio(first, second) if same_numbers(first, second) else 0.0


@dataclass(frozen=True)
class Match:
    """An existing institution a row means, and why: a register's number, or a score."""

    institution: Institution
    reason: str
    score: float = 100.0

    @property
    def needs_confirmation(self) -> bool:
        """A match by name only: a person says whether it is the same institution."""
        return self.score < 100.0


def by_register_number(nip: str = "", regon: str = "", krs: str = "") -> Match | None:
    """The institution with this NIP, REGON or KRS number (checked in that order); one query."""
    numbers = {"nip": nip, "regon": regon, "krs": krs}
    labels = {"nip": _("the same NIP"), "regon": _("the same REGON"), "krs": _("the same KRS number")}
    given = {field: value for field, value in numbers.items() if value}
    if not given:
        return None
    condition = None
    for field, value in given.items():
        part = Institution.objects.filter(**{field: value})
        condition = part if condition is None else condition | part
    found = list(condition[:3])
    for field, value in given.items():
        for institution in found:
            if getattr(institution, field) == value:
                return Match(institution, str(labels[field]))
    return None


class CommuneNames:
    """The comparable names of the institutions of each gmina, read once a gmina and kept: a
    spreadsheet of 15,000 member rows compares each against its gmina's institutions only (one
    query per gmina, not per row)."""

    def __init__(self) -> None:
        self.by_commune: dict[str, dict[int, str]] = {}

    def of(self, commune: str) -> dict[int, str]:
        if commune not in self.by_commune:
            rows = Institution.objects.filter(commune_id=commune).values_list("pk", "name")
            self.by_commune[commune] = {pk: comparable_name(name) for pk, name in rows}
        return self.by_commune[commune]

    def add(self, institution: Institution) -> None:
        """Note an institution created meanwhile, so that a later row finds it."""
        if institution.commune_id in self.by_commune:
            self.by_commune[institution.commune_id][institution.pk] = comparable_name(institution.name)

    def alike(self, name: str, commune: str, limit: int = 3) -> list[tuple[int, float]]:
        """Up to ``limit`` institutions of the gmina whose names score ``LIKELY_SAME`` or more
        against ``name``, best first, as (pk, score)."""
        target = comparable_name(name)
        # rapidfuzz's own scorer over the gmina's names (in C), then the numbers' rule on the few
        # it finds: a scorer written in Python would cost a call per name.
        found = process.extract(
            target, self.of(commune), scorer=fuzz.token_sort_ratio, score_cutoff=LIKELY_SAME, limit=limit * 3
        )
        return [(pk, score) for other, score, pk in found if same_numbers(target, other)][:limit]


def by_name(name: str, commune: str, names: CommuneNames | None = None) -> Match | None:
    """The institution of the gmina whose name is most like ``name``, if one is likely the same."""
    names = names or CommuneNames()
    alike = names.alike(name, commune, limit=1)
    if not alike:
        return None
    pk, score = alike[0]
    reason = _("a very similar name in the same gmina (%(score)d%%)") % {"score": round(score)}
    return Match(Institution.objects.get(pk=pk), str(reason), score)


def match_institution(
    *, nip: str = "", regon: str = "", krs: str = "", name: str = "", commune: str | None = None, names=None
) -> Match | None:
    """The existing institution a record describes: by a register's number, else by a very
    similar name in the same gmina (to be confirmed), else None."""
    match = by_register_number(nip, regon, krs)
    if match is None and name and commune:
        match = by_name(name, commune, names)
    return match


def pairs_alike(names: dict[int, str], threshold: float = LIKELY_SAME) -> Iterable[tuple[int, int, float]]:
    """Every pair of ``names`` (pk -> comparable name, one gmina's) that scores ``threshold`` or
    more, as (pk, other pk, score) with pk < other pk.

    Called per gmina (blocking), never over all. Within the gmina, names are compared only with
    names that carry the same numbers (others never match: ``same_numbers``), each distinct name
    once, its words sorted beforehand so that rapidfuzz's plain ``ratio`` (in C) gives
    ``token_sort_ratio``'s score without sorting the words again for every pair.
    """
    blocks: dict[tuple[str, ...], dict[str, list[int]]] = {}
    for pk, name in names.items():
        key = " ".join(sorted(name.split()))
        blocks.setdefault(tuple(NUMBER.findall(name)), {}).setdefault(key, []).append(pk)
    for block in blocks.values():
        keys = list(block)
        for pks in block.values():  # the same name written the same way
            pks.sort()
            for index, first in enumerate(pks):
                for second in pks[index + 1 :]:
                    yield first, second, 100.0
        for index, key in enumerate(keys):
            if index + 1 == len(keys):
                break
            for _other, score, position in process.extract(
                key, keys[index + 1 :], scorer=fuzz.ratio, score_cutoff=threshold, limit=None
            ):
                for first in block[key]:
                    for second in block[keys[index + 1 + position]]:
                        yield min(first, second), max(first, second), float(score)
