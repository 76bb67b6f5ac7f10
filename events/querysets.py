from core.listing import FoldedSearchQuerySet
from territory.querysets import RegionalQuerySet


class ProjectQuerySet(RegionalQuerySet):
    def public(self):
        """Projects the public pages show: all of them; a funding line is public information."""
        return self.all()


class EventQuerySet(FoldedSearchQuerySet, RegionalQuerySet):
    def public(self):
        """Events the public pages, exports and sitemap show: every recorded event."""
        return self.all()
