from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from partnerships.demo import load_demo


class Command(BaseCommand):
    help = _(
        "Load the demo dataset: the institutions, people, events and partnerships that the source "
        "documents describe, and nothing they do not state. Running it again changes nothing."
    )

    def handle(self, *args, **options):
        report = load_demo()
        self.stdout.write(_("Built-in territorial units created: %(count)d.") % {"count": report.units_created})
        for model, counts in report.rows.items():
            self.stdout.write(
                _("%(model)s: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
                % {"model": model._meta.verbose_name_plural, **vars(counts)}
            )
            if counts.deleted:
                # Rows the sources no longer support (a part at an event stated wrongly before).
                self.stdout.write(
                    _("%(model)s: %(deleted)d deleted.")
                    % {"model": model._meta.verbose_name_plural, "deleted": counts.deleted}
                )
        if not report.changed:
            self.stdout.write(self.style.SUCCESS(_("The demo dataset was already loaded; nothing changed.")))
