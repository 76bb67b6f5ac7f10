from django.core.exceptions import EmptyResultSet
from django.db import connections, models
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce, ExtractYear, Substr

from core.listing import FoldedSearchQuerySet
from core.querysets import InIds, VerificationQuerySetMixin
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
        return self.filter(pk__in=self._linked_to(code))

    def ids_working_in(self, code: str) -> list[int]:
        """The ids of the partnerships ``working_in(code)`` (of all partnerships, not only of
        these), read whole from the two link tables: for work that needs every one of them in
        several queries (a voivodeship's statistics), where the voivodeship's semi-join above,
        made for the list's first page, took 15-25 ms a query at national scale."""
        return sorted(self._linked_to(code).values_list("partnership_id", flat=True))

    def _linked_to(self, code: str):
        """The partnership ids of the area link tables' rows in the unit ``code`` or above it
        (a partnership of a whole powiat works in each of its gminas): a UNION of the two."""
        through_counties, through_communes = self.model.area_counties.through, self.model.area_communes.through
        if len(code) == 2:
            counties = through_counties.objects.filter(county__code__startswith=code)
        else:
            counties = through_counties.objects.filter(county_id=code[:4])
        if len(code) == 7:
            communes = through_communes.objects.filter(commune_id=code)
        else:
            communes = through_communes.objects.filter(commune__code__startswith=code)
        return counties.order_by().values("partnership_id").union(communes.order_by().values("partnership_id"))

    def ids_in_places(self, communes, counties) -> list[int]:
        """Ids of the partnerships working in any of ``communes`` or ``counties`` (TERYT codes),
        or with a current member seated in one of the communes. Two queries, each by indexes:
        the institutions seated there first, as a list (joined to the 300,000 memberships
        instead, the planner hashes the whole table: 70 ms for Gdańsk), then the union of the
        three link tables. The ids then serve an IN condition, which PostgreSQL combines with
        the text search's trigram indexes by a bitmap OR (a subquery there would make it scan
        every row)."""
        from members.models import Institution

        from .models import Membership

        seated = list(Institution.objects.filter(commune_id__in=communes).values_list("pk", flat=True))
        through_counties = self.model.area_counties.through.objects.filter(county_id__in=counties)
        through_communes = self.model.area_communes.through.objects.filter(commune_id__in=communes)
        members = Membership.objects.current().filter(institution_id__in=seated)
        ids = (
            through_counties.order_by()
            .values_list("partnership_id", flat=True)
            .union(
                through_communes.order_by().values_list("partnership_id", flat=True),
                members.order_by().values_list("partnership_id", flat=True),
            )
        )
        return sorted(ids)

    def among(self, ids: list[int]):
        """These partnerships, limited to those of ``ids`` (read once, as ``ids_working_in``
        reads a voivodeship's). ``rows_of`` then limits other tables' rows by the same list
        (``partnership_id = ANY``, an index probe per id) instead of a semi-join on the
        partnerships: 7 ms less a table of a voivodeship's statistics at national scale. The
        list is kept on this queryset alone; one derived from it keeps the condition and limits
        rows by the semi-join."""
        queryset = self.filter(InIds("pk", ids))
        if not self.query.has_filters():
            queryset._among = list(ids)
        return queryset

    def rows_of(self, queryset):
        """``queryset``, of a model pointing at partnerships by ``partnership``, limited to the
        rows of these partnerships. When these are all of them (the country's statistics) every
        row is one of theirs and the condition is left out: at national scale its semi-join
        probed the 20,000 partnerships' key once for each of 119,359 rows."""
        among = getattr(self, "_among", None)
        if among is not None:
            return queryset.filter(InIds("partnership_id", among))
        if self.query.has_filters() or self.query.is_sliced:
            return queryset.filter(partnership__in=self.order_by().values("pk"))
        return queryset

    def counts_by_county(self) -> dict[str, int]:
        """County code -> how many of these partnerships work in it, directly or in one of its
        communes (each counted once). One query, whatever the number of partnerships."""
        return self.counts_by_place()[0]

    def counts_by_place(self) -> tuple[dict[str, int], dict[str, int]]:
        """(county code -> partnerships, voivodeship code -> partnerships): how many of these
        partnerships work in each, directly or in one of its communes, each counted once in
        each. One query: the (partnership, county) pairs of both area tables (an ORM UNION,
        which makes them distinct), counted by the database per county, and made distinct
        again per voivodeship. Counted here from the pairs instead, the country's took 47 ms
        against 39, in the same process taking turns: most of it was reading the 21,569 pairs."""
        counties = self.rows_of(self.model.area_counties.through.objects.all()).values_list(
            "partnership_id", "county_id"
        )
        communes = (
            self.rows_of(self.model.area_communes.through.objects.all())
            .annotate(county=Substr("commune_id", 1, 4))
            .values_list("partnership_id", "county")
        )
        pairs = counties.order_by().union(communes.order_by())
        try:
            sql, params = pairs.query.sql_with_params()
        except EmptyResultSet:  # no partnerships (an empty list of ids)
            return {}, {}
        with connections[pairs.db].cursor() as cursor:
            # The ORM's own SQL and parameters, inside a statement it cannot write (a CTE).
            cursor.execute(
                f"WITH pairs (partnership, county) AS ({sql}) "  # noqa: S608
                "SELECT county, NULL, COUNT(*) FROM pairs GROUP BY county "
                "UNION ALL "
                "SELECT NULL, voivodeship, COUNT(*) FROM "
                "(SELECT DISTINCT partnership, SUBSTR(county, 1, 2) AS voivodeship FROM pairs) AS in_voivodeship "
                "GROUP BY voivodeship",
                params,
            )
            rows = cursor.fetchall()
        return (
            {county: n for county, _voivodeship, n in rows if county is not None},
            {voivodeship: n for county, voivodeship, n in rows if county is None},
        )

    def counts_by_founding_year(self) -> list[tuple[int | None, int]]:
        """(year of founding, how many of these partnerships) in year order, None last for those
        whose founding date is not recorded. One query; COUNT(*), not of the key, so that the
        country's is read from the index of the founding date alone, not the partnerships' rows."""
        rows = (
            self.order_by()
            .annotate(year=ExtractYear("founded_on"))
            .values("year")
            .annotate(n=Count("*"))
            .order_by(F("year").asc(nulls_last=True))
        )
        return [(row["year"], row["n"]) for row in rows]

    def counts_by_funding_line(self) -> list[tuple[str | None, str | None, int]]:
        """(programme, fund, how many of these partnerships) of their projects, most first;
        programme None for the partnerships of no project. One query; COUNT(*), so that the
        country's is read from the index of the partnerships' project, not their rows."""
        rows = (
            self.order_by()
            .values("project__programme", "project__fund")
            .annotate(n=Count("*"))
            .order_by("-n", F("project__programme").asc(nulls_last=True), "project__fund")
        )
        return [(row["project__programme"], row["project__fund"], row["n"]) for row in rows]

    def counts_by_thematic_area(self) -> list[tuple[str, str, str, int]]:
        """(slug, name, English name, how many of these partnerships) of each thematic area they
        work in, in the areas' order; areas none of them works in are left out. Two queries:
        the link rows counted by the area's key alone (grouped by the areas' names and order
        instead, the country's 37,855 rows were hashed on four text columns, 25 ms against 7),
        then the areas named."""
        from .models import ThematicArea

        through = self.rows_of(self.model.thematic_areas.through.objects.all())
        # A (partnership, area) pair is one row of the link table: no DISTINCT needed.
        counts = dict(through.order_by().values_list("thematicarea_id").annotate(n=Count("*")))
        return [
            (area.slug, area.name, area.name_en, counts[area.pk])
            for area in ThematicArea.objects.order_by("order", "name")
            if area.pk in counts
        ]

    def counts_by_member_sector_and_kind(self) -> tuple[list[dict], list[dict]]:
        """Per sector (public, non-governmental, business, …) and per kind of institution: how
        many of these partnerships have a current member of it listed by name, how many such
        members are listed, and how many partnerships have members of it known only by count.

        Three queries. The named from the partnerships' ``MemberKindCount`` rows, one per
        partnership and kind, in one pass: a partnership counts in a sector on its row marked
        ``first_in_sector``, and a kind's sector is known (SECTOR_OF_KIND). At national scale
        that pass took 25 ms; counting distinct partnerships per sector took a second one of
        23 ms. The unnamed (a few hundred rows) are counted distinct per sector and per kind."""
        from members.models import SECTOR_OF_KIND

        from .models import MemberKindCount, UnnamedMembers

        named = (
            self.rows_of(MemberKindCount.objects.all())
            .order_by()
            .values("kind")
            .annotate(
                partnerships=Count("*"),
                members=Sum("members"),
                in_sector=Count("pk", filter=Q(first_in_sector=True)),
            )
        )
        unnamed = self.rows_of(UnnamedMembers.objects.all()).order_by()
        by_sector: dict[str, dict] = {}
        by_kind: dict[str, dict] = {}
        for row in named:
            by_kind[row["kind"]] = {"partnerships": row["partnerships"], "members": row["members"], "unnamed": 0}
            sector = by_sector.setdefault(SECTOR_OF_KIND[row["kind"]], {"partnerships": 0, "members": 0, "unnamed": 0})
            sector["partnerships"] += row["in_sector"]
            sector["members"] += row["members"]
        for field, counts in (("sector", by_sector), ("kind", by_kind)):
            rows = (
                # A kind is empty where the source names only the sector.
                unnamed.exclude(**{field: ""})
                .values(field)
                .annotate(partnerships=Count("partnership_id", distinct=True))
                .values_list(field, "partnerships")
            )
            for key, n in rows:
                counts.setdefault(key, {"partnerships": 0, "members": 0, "unnamed": 0})["unnamed"] = n
        return (
            [{"sector": sector, **counts} for sector, counts in by_sector.items()],
            [{"kind": kind, **counts} for kind, counts in by_kind.items()],
        )

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
        (current members listed by name), ``member_search_text`` (the search keys of every
        member institution, former ones too, as the search has always found them) and their
        ``MemberKindCount`` rows (current members by kind, for the statistics).

        Three queries, whatever their number: an UPDATE, then a DELETE and an INSERT of the
        rows by kind. The UPDATE comes first: it locks the partnerships' rows, so that two
        refreshes of one partnership (two memberships saved at once) take turns instead of
        inserting its rows twice. It changes neither ``updated_at`` nor the history, because
        all three are derived from the memberships, which have their own.

        Call it on partnerships chosen by what it does not recompute (their keys, their
        memberships): the DELETE and the INSERT select these partnerships again after the
        UPDATE, so a queryset filtered by ``listed_member_count`` or ``member_search_text``
        would then select others.
        """
        from members.models import SECTOR_OF_KIND

        from .models import MemberKindCount, Membership

        of_partnership = Membership.objects.filter(partnership=models.OuterRef("pk")).order_by().values("partnership")
        current = of_partnership.filter(left_on__isnull=True).annotate(count=models.Count("pk")).values("count")
        keys = of_partnership.annotate(keys=_JoinedWithSpaces("institution__search_text")).values("keys")
        updated = self.update(
            listed_member_count=Coalesce(models.Subquery(current), 0),
            member_search_text=Coalesce(models.Subquery(keys), models.Value("")),
        )
        partnerships = self.order_by().values("pk")
        MemberKindCount.objects.filter(partnership__in=partnerships).delete()
        by_kind = (
            Membership.objects.current()
            .filter(partnership__in=partnerships)
            .order_by()
            .values_list("partnership_id", "institution__kind")
            .annotate(members=Count("pk"))
        )
        rows, seen = [], set()
        for partnership, kind, members in sorted(by_kind):
            sector = SECTOR_OF_KIND[kind]
            # The first kind (alphabetically) of each of its sectors counts the partnership there.
            first = (partnership, sector) not in seen
            seen.add((partnership, sector))
            rows.append(
                MemberKindCount(
                    partnership_id=partnership, kind=kind, sector=sector, members=members, first_in_sector=first
                )
            )
        MemberKindCount.objects.bulk_create(rows, batch_size=2000)
        return updated


class _JoinedWithSpaces(models.Aggregate):
    """The values joined by spaces: STRING_AGG on PostgreSQL, GROUP_CONCAT on SQLite (Django
    5.2 has no aggregate for both)."""

    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s, ' ')"
    output_field = models.TextField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="GROUP_CONCAT", **extra_context)


class AgreementQuerySet(FoldedSearchQuerySet, RegionalQuerySet):
    """Agreements, found by their title or their partnership's name (``search_text``)."""


class MembershipQuerySet(models.QuerySet):
    def current(self):
        return self.filter(left_on__isnull=True)


class CertificateQuerySet(RegionalQuerySet):
    def issued_in(self, year: int):
        return self.filter(issued_on__year=year)
