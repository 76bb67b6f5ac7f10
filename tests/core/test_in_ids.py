"""core.querysets.InIds: a list of ids read once, as one condition in several queries; on
PostgreSQL one array parameter, elsewhere an IN list; the same rows either way."""

from django.db import connection
from django.db.models import Count
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from core.querysets import InIds
from members.models import Institution
from tests import builders


class InIdsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        builders.load_territory()
        cls.institutions = [builders.institution(f"Ośrodek {n}", kind="mops" if n % 2 else "gops") for n in range(6)]

    def test_the_same_rows_as_pk_in(self):
        ids = [cls.pk for cls in self.institutions[1:4]]
        self.assertEqual(
            list(Institution.objects.filter(InIds("pk", ids)).order_by("pk")),
            list(Institution.objects.filter(pk__in=ids).order_by("pk")),
        )
        # Negated and combined as any condition.
        self.assertEqual(
            set(Institution.objects.exclude(InIds("pk", ids)).values_list("pk", flat=True)),
            {i.pk for i in self.institutions} - set(ids),
        )
        self.assertEqual(Institution.objects.filter(InIds("pk", ids), kind="mops").count(), 2)

    def test_no_ids_is_no_rows_not_an_error(self):
        self.assertEqual(list(Institution.objects.filter(InIds("pk", []))), [])
        self.assertEqual(Institution.objects.exclude(InIds("pk", [])).count(), len(self.institutions))

    def test_in_an_aggregate(self):
        ids = [i.pk for i in self.institutions]
        counts = dict(
            Institution.objects.filter(InIds("pk", ids)).values_list("kind").annotate(n=Count("*")).order_by()
        )
        self.assertEqual(counts, {"mops": 3, "gops": 3})

    def test_one_parameter_on_postgresql_however_many_ids(self):
        ids = [i.pk for i in self.institutions] + list(range(10**6, 10**6 + 3000))
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(Institution.objects.filter(InIds("pk", ids)).count(), len(self.institutions))
        sql = queries.captured_queries[0]["sql"]
        if connection.vendor == "postgresql":
            self.assertIn("= ANY(", sql)
            self.assertNotIn("IN (", sql)
        else:
            self.assertIn("IN (", sql)
