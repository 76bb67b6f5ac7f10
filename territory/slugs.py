"""Slugs for Polish names."""

from django.utils.text import slugify

# NFKD, which slugify relies on, decomposes "ą" into "a" + ogonek but leaves "ł" whole,
# so "łosicki" would lose its first letter.
_UNDECOMPOSABLE = str.maketrans({"ł": "l", "Ł": "L"})


def slugify_pl(value: str) -> str:
    """ASCII slug of a Polish text: "Łosice – Ośrodek" -> "losice-osrodek"."""
    return slugify(value.translate(_UNDECOMPOSABLE))
