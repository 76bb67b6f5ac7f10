from django.db import models


class TerritorialUnitQuerySet(models.QuerySet):
    def active(self):
        """Units present in the latest imported TERYT register."""
        return self.filter(is_active=True)


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
