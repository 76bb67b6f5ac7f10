"""Polish text folded for machines: search keys and slugs.

PostgreSQL has no Polish full-text configuration, and SQLite no unaccent; so each searchable
record stores its text folded once (lower case, no diacritics), and a query is folded the same
way ("rakow" finds "Raków-Reaktywacja" on any database). On PostgreSQL a trigram index on that
column serves `LIKE '%…%'`. Slugs fold the same letters.
"""

import unicodedata

from django.utils.text import slugify

# NFKD decomposes "ą" into "a" + ogonek but leaves these whole, so they would be lost.
_UNDECOMPOSABLE = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ß": "ss"})
MAX_QUERY_LENGTH = 200


def search_key(*texts: str) -> str:
    """Lower case ASCII-folded text of the parts, joined by spaces: "Raków  Łódź" -> "rakow lodz"."""
    text = " ".join(t for t in texts if t).translate(_UNDECOMPOSABLE)
    decomposed = unicodedata.normalize("NFKD", text)
    folded = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(folded.split())


def query_key(query: str) -> str:
    """A user's query folded like the stored keys, stripped of control characters, bounded."""
    printable = "".join(c if c.isprintable() else " " for c in query[: MAX_QUERY_LENGTH * 4])
    return search_key(printable)[:MAX_QUERY_LENGTH]


def slugify_pl(value: str) -> str:
    """ASCII slug of a Polish text: "Łosice – Ośrodek" -> "losice-osrodek"."""
    return slugify(value.translate(_UNDECOMPOSABLE))


def choice_label(choices, value: str) -> str:
    """The label of ``value`` in a TextChoices enum, or the value itself when it is not one of
    them (as Django shows it). Django's get_FOO_display builds a dict of every label on each
    call, the largest part of a list row's rendering (profiled): a list's models call this."""
    try:
        return choices(value).label
    except ValueError:
        return value
