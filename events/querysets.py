from django.db.models import Count, F, Q
from django.db.models.functions import ExtractYear

from core.listing import FoldedSearchQuerySet
from territory.querysets import RegionalQuerySet


class ProjectQuerySet(RegionalQuerySet):
    def public(self):
        """Projects the public pages show: all of them; a funding line is public information."""
        return self.all()

    def with_page(self):
        """Public projects that have a page of their own (a slug): /projekty/, the sitemap and
        the API list these; one without a slug is shown only on its partnerships' pages."""
        return self.public().exclude(slug=None)


class EventQuerySet(FoldedSearchQuerySet, RegionalQuerySet):
    @staticmethod
    def public_condition() -> Q:
        """What makes an event public: ``public()``'s condition, for a page that reads it
        through a relation (core.querysets.along). Every recorded event is."""
        return Q()

    def public(self):
        """Events the public pages, exports and sitemap show: every recorded event."""
        return self.filter(self.public_condition())

    def counts_by_year(self) -> list[tuple[int | None, int]]:
        """(year, how many of these events began in it) in year order, None last for the events
        without a known date. One query; COUNT(*), not of the key, so that the country's is
        read from the index of the start date alone, not the events' rows."""
        rows = (
            self.order_by()
            .annotate(year=ExtractYear("start_date"))
            .values("year")
            .annotate(n=Count("*"))
            .order_by(F("year").asc(nulls_last=True))
        )
        return [(row["year"], row["n"]) for row in rows]
