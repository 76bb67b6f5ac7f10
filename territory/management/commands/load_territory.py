from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from territory.builtin import ensure_builtin_units


class Command(BaseCommand):
    help = _(
        "Create the territorial units the registry ships (the 16 voivodeships and the units of the "
        "demo dataset) where they are missing. Never overwrites an imported register."
    )

    def handle(self, *args, **options):
        created = ensure_builtin_units()
        self.stdout.write(_("Built-in territorial units created: %(count)d.") % {"count": created})
