"""Search keys: text folded so that "rakow" finds "Raków-Reaktywacja" on any database.

PostgreSQL has no Polish full-text configuration, and SQLite no unaccent; so each searchable
record stores its text folded once (lower case, no diacritics), and a query is folded the same
way. On PostgreSQL a trigram index on that column serves `LIKE '%…%'`.
"""

import unicodedata

_UNDECOMPOSABLE = str.maketrans({"ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d", "ß": "ss"})
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
