from core.listing import FoldedSearchQuerySet
from core.querysets import VerificationQuerySetMixin
from territory.querysets import RegionalQuerySet


class InstitutionQuerySet(VerificationQuerySetMixin, FoldedSearchQuerySet, RegionalQuerySet):
    def public(self):
        """Institutions the public pages, exports and sitemap show: every one of them.

        An institution record holds only what the institution itself makes public; personal
        data lives on Person and never leaves the admin.
        """
        return self.all()

    def in_sector(self, sector: str):
        from .models import KINDS_OF_SECTOR

        return self.filter(kind__in=KINDS_OF_SECTOR.get(sector, []))

    def regional_centres(self):
        from .models import Institution

        return self.filter(kind=Institution.Kind.ROPS)


class PersonQuerySet(RegionalQuerySet):
    def public(self):
        """People as the public pages may show them: only the fields held in an official capacity."""
        return self.only("id", "first_name", "last_name", "academic_title", "function", "affiliation")
