"""Places found by the names people type: "Myszyniec", "ostroleka", "powiat ostrołęcki".

A name is folded as the search keys are (core.text), so it matches with or without diacritics
and in any case. Names are whole names in the nominative, as the register writes them: "rakow"
is the gmina Raków, never "Rakówek" (substrings are the text search's job). The index of the
register's ~2,900 names is built once per data generation (core.cache) and read from there, so
a search costs no query for it.
"""

from dataclasses import dataclass, field

from core.cache import cached
from core.text import search_key

from .models import Commune, County

# Words a person may put before a name ("gmina Myszyniec", "powiat ostrołęcki", "m. Płock").
_KIND_WORDS = ("gmina ", "gm. ", "powiat ", "pow. ", "miasto ", "m. ", "m.st. ", "m. st. ")


@dataclass(frozen=True)
class Places:
    """The units a name names: communes and counties by TERYT code, and every commune within
    them (the communes themselves and those of the counties)."""

    communes: frozenset[str] = field(default_factory=frozenset)
    counties: frozenset[str] = field(default_factory=frozenset)
    communes_within: frozenset[str] = field(default_factory=frozenset)

    def __bool__(self) -> bool:
        return bool(self.communes or self.counties)

    @property
    def counties_around(self) -> frozenset[str]:
        """The counties named and those holding a named commune: a partnership working in the
        whole powiat works in each of its gminas too."""
        return self.counties | {code[:4] for code in self.communes}


def _index() -> dict[str, tuple[list[str], list[str], list[str]]]:
    """Folded name -> (commune codes, county codes, codes of the communes within). Two queries."""
    index: dict[str, tuple[list[str], list[str], list[str]]] = {}
    communes_of: dict[str, list[str]] = {}
    for code, name in Commune.objects.active().values_list("code", "name"):
        communes, _counties, within = index.setdefault(search_key(name), ([], [], []))
        communes.append(code)
        within.append(code)
        communes_of.setdefault(code[:4], []).append(code)
    for code, name in County.objects.active().values_list("code", "name"):
        _communes, counties, within = index.setdefault(search_key(name), ([], [], []))
        counties.append(code)
        within.extend(c for c in communes_of.get(code, []) if c not in within)
    return index


def places_named(key: str) -> Places:
    """The units whose name is ``key`` (already folded by ``core.text.query_key``), with or
    without a kind word before it; no units for any other text."""
    for word in _KIND_WORDS:
        if key.startswith(word):
            key = key.removeprefix(word)
            break
    if not key:
        return Places()
    found = cached("place-names", _index).get(key)
    if found is None:
        return Places()
    communes, counties, within = found
    return Places(frozenset(communes), frozenset(counties), frozenset(within))


def commune_names() -> list[tuple[str, str]]:
    """(folded name, code) of every active commune, the shortest names first and then by name:
    what the picker's suggestions are chosen from. One query."""
    names = [(search_key(name), code) for code, name in Commune.objects.active().values_list("code", "name")]
    return sorted(names, key=lambda pair: (len(pair[0]), pair))
