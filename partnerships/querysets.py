from collections import Counter

from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce

from core.listing import FoldedSearchQuerySet
from core.querysets import VerificationQuerySetMixin
from territory.querysets import RegionalQuerySet


class PartnershipQuerySet(VerificationQuerySetMixin, FoldedSearchQuerySet, RegionalQuerySet):
    # The members' names and short names are in the members' key (partnerships.signals): one
    # trigram index each instead of a LIKE over a join of every membership.
    search_keys = ("search_text", "member_search_text")

    def public(self):
        """Partnerships the public pages, exports, map and sitemap show: every recorded one,
        whatever its status (a dissolved partnership is history worth seeing)."""
        return self.all()

    def working_in(self, code: str):
        """Partnerships whose area lies in, or contains, the unit with this TERYT code.

        A voivodeship (2 digits) includes its powiats and gminas, a powiat (4) its gminas, so a
        partnership working in one gmina shows under its powiat and its voivodeship.
        """
        if len(code) == 2:
            # A voivodeship holds a tenth of all partnerships: the list's order is walked and
            # each one probed.
            condition = Q(area_counties__code__startswith=code) | Q(area_communes__code__startswith=code)
            return self.filter(pk__in=self.model.objects.filter(condition).values("pk"))
        # A powiat's or gmina's few are found from the two link tables first (one index each),
        # instead of probing partnerships one by one until the page is full (25 ms to 4 ms for
        # a powiat with four of 20,000).
        counties = self.model.area_counties.through.objects.filter(county_id=code[:4])
        if len(code) == 7:
            communes = self.model.area_communes.through.objects.filter(commune_id=code)
        else:
            communes = self.model.area_communes.through.objects.filter(commune__code__startswith=code)
        ids = counties.order_by().values("partnership_id").union(communes.order_by().values("partnership_id"))
        return self.filter(pk__in=ids)

    def counts_by_county(self) -> dict[str, int]:
        """County code -> how many of these partnerships work in it, directly or in one of its
        communes (each counted once). Two queries, whatever the number of partnerships."""
        through_counties = self.model.area_counties.through.objects.filter(partnership__in=self.values("pk"))
        through_communes = self.model.area_communes.through.objects.filter(partnership__in=self.values("pk"))
        pairs = set(through_counties.values_list("partnership_id", "county_id"))
        pairs |= {(p, code[:4]) for p, code in through_communes.values_list("partnership_id", "commune_id")}
        return dict(Counter(county for _, county in pairs))

    def fewer_listed_than_declared(self):
        """Partnerships whose declared number of members exceeds the members listed by name."""
        return self.filter(declared_member_count__gt=models.F("listed_member_count"))

    def without_contact(self):
        """Partnerships with nobody to turn to: no current leader among the members listed and no
        website. (The registry keeps no contact person of a partnership; the leader institution's
        public contact data and the partnership's website are what staff and the public use.)"""
        membership = self.model._meta.get_field("memberships").related_model
        leaders = membership.objects.current().filter(role=membership.Role.LEADER)
        return self.filter(website="").exclude(pk__in=leaders.values("partnership_id"))

    def certified(self):
        """Partnerships holding a valid partnership certificate."""
        return self.filter(certificates__kind="partnership", certificates__status="valid").distinct()

    def refresh_member_fields(self) -> int:
        """Recompute what these partnerships derive from their memberships: ``listed_member_count``
        (current members listed by name) and ``member_search_text`` (the search keys of every
        member institution, former ones too, as the search has always found them).

        One UPDATE, whatever their number; it changes neither ``updated_at`` nor the history,
        because both are derived from the memberships, which have their own.
        """
        from .models import Membership

        of_partnership = Membership.objects.filter(partnership=models.OuterRef("pk")).order_by().values("partnership")
        current = of_partnership.filter(left_on__isnull=True).annotate(count=models.Count("pk")).values("count")
        keys = of_partnership.annotate(keys=_JoinedWithSpaces("institution__search_text")).values("keys")
        return self.update(
            listed_member_count=Coalesce(models.Subquery(current), 0),
            member_search_text=Coalesce(models.Subquery(keys), models.Value("")),
        )


class _JoinedWithSpaces(models.Aggregate):
    """The values joined by spaces: STRING_AGG on PostgreSQL, GROUP_CONCAT on SQLite (Django
    5.2 has no aggregate for both)."""

    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s, ' ')"
    output_field = models.TextField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="GROUP_CONCAT", **extra_context)


class MembershipQuerySet(models.QuerySet):
    def current(self):
        return self.filter(left_on__isnull=True)


class CertificateQuerySet(RegionalQuerySet):
    def issued_in(self, year: int):
        return self.filter(issued_on__year=year)
