from django.db import models


class TerritorialUnitQuerySet(models.QuerySet):
    def active(self):
        """Units present in the latest imported TERYT register."""
        return self.filter(is_active=True)

    # A unit's search: a part of its name (a few thousand short rows, no index needed); what
    # the admin searches records by their place with (core.admin.FoldedSearchMixin).

    def search_condition(self, text: str) -> models.Q | None:
        text = text.strip()
        return models.Q(name__icontains=text) if text else None

    def search(self, text: str):
        condition = self.search_condition(text)
        return self if condition is None else self.filter(condition)


class VoivodeshipQuerySet(TerritorialUnitQuerySet):
    def with_county_counts(self):
        """Annotate ``county_count``: active counties, in the same query."""
        return self.annotate(county_count=models.Count("counties", filter=models.Q(counties__is_active=True)))


class RegionalQuerySet(models.QuerySet):
    """Records that belong to a home voivodeship, found through ``model.REGION_PATH``.

    Regional centres change only records of their own voivodeship; every scoped model names
    the path from itself to its voivodeship's code once, and scope checks and filters use it.
    """

    def in_region(self, voivodeship):
        """Records whose home voivodeship is ``voivodeship`` (a Voivodeship or its code)."""
        code = getattr(voivodeship, "code", voivodeship)
        return self.filter(**{self.model.REGION_PATH: code})
