"""The one definition of public, applied through a relation (core.querysets.along): the same
rows as a subquery of public() gives, for any condition a model may come to have."""

from django.db.models import Q
from django.test import TestCase

from core.querysets import along
from members.models import Institution, Person
from tests import builders


class AlongTests(TestCase):
    def test_a_condition_is_prefixed_by_the_path_keeping_its_shape(self):
        condition = ~Q(kind="court") & (Q(country="PL") | Q(name__startswith="A"))
        moved = along(condition, "affiliation__")
        self.assertEqual(
            moved, ~Q(affiliation__kind="court") & (Q(affiliation__country="PL") | Q(affiliation__name__startswith="A"))
        )
        self.assertEqual(along(Q(), "affiliation__"), Q())

    def test_through_the_join_the_same_people_as_through_a_subquery_of_the_records(self):
        builders.load_territory()
        court = builders.institution("Sąd Rejonowy", kind="court")
        centre = builders.institution("Ośrodek Pomocy", kind="mops")
        builders.person(affiliation=court)
        builders.person(affiliation=centre)
        condition = ~Q(kind="court")
        joined = Person.objects.filter(along(condition, "affiliation__"))
        subquery = Person.objects.filter(affiliation__in=Institution.objects.filter(condition))
        self.assertEqual(list(joined.order_by("pk")), list(subquery.order_by("pk")))
        self.assertEqual([p.affiliation for p in joined], [centre])
        # Today's definition: every institution is public.
        self.assertEqual(Institution.objects.public().count(), Institution.objects.count())
