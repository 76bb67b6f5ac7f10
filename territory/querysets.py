from django.db import models


class TerritorialUnitQuerySet(models.QuerySet):
    def active(self):
        """Units present in the latest imported TERYT register."""
        return self.filter(is_active=True)


class VoivodeshipQuerySet(TerritorialUnitQuerySet):
    def with_county_counts(self):
        """Annotate ``county_count``: active counties, in the same query."""
        return self.annotate(county_count=models.Count("counties", filter=models.Q(counties__is_active=True)))
