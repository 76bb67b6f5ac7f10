"""Query methods that several apps' records share."""

import datetime

from django.db.models import Q
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
