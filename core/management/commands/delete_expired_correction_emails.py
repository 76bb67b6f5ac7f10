"""Delete the e-mail addresses of correction senders kept longer than promised (docs/rodo.md).

Run it daily from cron. An address is kept ``CORRECTION_EMAIL_RETENTION_DAYS`` after the
decision (to answer a reply), or twice as long after the correction came in if nobody decided.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import Correction


class Command(BaseCommand):
    help = "Deletes the e-mail addresses of correction senders whose retention period has ended."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only count them.")

    def handle(self, *args, dry_run: bool = False, **options):
        expired = Correction.objects.with_expired_email(timezone.localdate())
        count = expired.count() if dry_run else expired.update(email="")
        if dry_run:
            self.stdout.write(_("E-mail addresses to delete: %(count)d.") % {"count": count})
        else:
            self.stdout.write(_("E-mail addresses deleted: %(count)d.") % {"count": count})
