"""Query methods that several apps' records share."""

import datetime

from django.core.exceptions import EmptyResultSet
from django.db.models import BooleanField, Expression, F, Q
from django.utils import timezone


def along(condition: Q, path: str) -> Q:
    """``condition`` on a model, as a condition on the records that reach it by ``path``
    ("affiliation__"): a model's one definition of public applied through a join, where a
    subquery of ``public()`` would cost PostgreSQL more to plan than the query takes to run."""
    children = [
        along(child, path) if isinstance(child, Q) else (f"{path}{child[0]}", child[1]) for child in condition.children
    ]
    return Q.create(children, connector=condition.connector, negated=condition.negated)


class VerificationQuerySetMixin:
    """Records with a ``last_verified_on`` date: which of them are due for a check."""

    def not_verified_within(self, period: datetime.timedelta):
        """Records nobody has checked within ``period`` before today, or ever."""
        since = timezone.localdate() - period
        return self.filter(Q(last_verified_on__isnull=True) | Q(last_verified_on__lt=since))


class InIds(Expression):
    """``field IN (ids)`` for a list of ids read once and used by several queries: on
    PostgreSQL one array parameter (``= ANY(%s)``), which Django writes and the planner reads
    as one value, where an ``IN`` list of thousands costs both per id; elsewhere an ``IN`` list.
    Used in ``filter()`` as any condition."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, field: str, ids):
        super().__init__()
        self.column = F(field)
        self.ids = list(ids)

    def get_source_expressions(self):
        return [self.column]

    def set_source_expressions(self, exprs):
        (self.column,) = exprs

    def as_sql(self, compiler, connection):
        if not self.ids:
            raise EmptyResultSet
        sql, params = compiler.compile(self.column)
        return f"{sql} IN ({', '.join(['%s'] * len(self.ids))})", (*params, *self.ids)

    def as_postgresql(self, compiler, connection):
        sql, params = compiler.compile(self.column)
        return f"{sql} = ANY(%s)", (*params, self.ids)
