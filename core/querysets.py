"""Query methods that several apps' records share."""

import datetime

from django.db.models import Q
from django.utils import timezone


class VerificationQuerySetMixin:
    """Records with a ``last_verified_on`` date: which of them are due for a check."""

    def not_verified_within(self, period: datetime.timedelta):
        """Records nobody has checked within ``period`` before today, or ever."""
        since = timezone.localdate() - period
        return self.filter(Q(last_verified_on__isnull=True) | Q(last_verified_on__lt=since))
