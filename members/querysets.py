from django.db.models import Q

from core.listing import FoldedSearchQuerySet
from core.querysets import VerificationQuerySetMixin
from territory.querysets import RegionalQuerySet


class InstitutionQuerySet(VerificationQuerySetMixin, FoldedSearchQuerySet, RegionalQuerySet):
    @staticmethod
    def public_condition() -> Q:
        """What makes an institution public: ``public()``'s condition, for a page that reads it
        through a relation (core.querysets.along). Every institution is.

        An institution record holds only what the institution itself makes public; personal
        data lives on Person and never leaves the admin.
        """
        return Q()

    def public(self):
        """Institutions the public pages, exports and sitemap show: every one of them."""
        return self.filter(self.public_condition())

    def in_sector(self, sector: str):
        from .models import KINDS_OF_SECTOR

        return self.filter(kind__in=KINDS_OF_SECTOR.get(sector, []))

    def regional_centres(self):
        from .models import Institution

        return self.filter(kind=Institution.Kind.ROPS)

    def centre_keeping(self, voivodeship):
        """The regional centre that keeps the records of ``voivodeship`` (a Voivodeship or its
        code): the ROPS seated there, as staff profiles name it (members.scope); None when the
        registry has none recorded. One query."""
        return self.regional_centres().in_region(voivodeship).order_by("name", "pk").first()


class PersonQuerySet(RegionalQuerySet):
    def public(self):
        """People as the public pages may show them: only the fields held in an official capacity."""
        return self.only("id", "first_name", "last_name", "academic_title", "function", "affiliation")
