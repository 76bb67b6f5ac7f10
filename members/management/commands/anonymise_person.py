"""manage.py anonymise_person PK [--dry-run]: erase a person's identifying data at their request."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from members.anonymisation import anonymise_person
from members.models import Person


class Command(BaseCommand):
    help = _(
        "Anonymise a person at their request (RODO): replace the name by a placeholder, clear title, "
        "function and contact data, also in every historical version. Records that refer to the person stay."
    )

    def add_arguments(self, parser):
        parser.add_argument("pk", type=int, help=_("id of the person"))
        parser.add_argument("--dry-run", action="store_true", help=_("show what would change, write nothing"))

    def handle(self, *args, pk: int, dry_run: bool, **options):
        try:
            result = anonymise_person(pk, dry_run=dry_run)
        except Person.DoesNotExist:
            raise CommandError(_("No person with id %(pk)s; nothing was changed.") % {"pk": pk}) from None

        if dry_run:
            self.stdout.write(_("Dry run: nothing is written."))
        if not result.changes_anything:
            self.stdout.write(_("Person %(pk)s is already anonymised; nothing to change.") % {"pk": pk})
            return
        # Old values are not printed: the output may end up in a log.
        for name in result.changed_fields:
            new = result.new_values[name]
            label = Person._meta.get_field(name).verbose_name
            if new:
                self.stdout.write(_("%(field)s: replaced by “%(value)s”") % {"field": label, "value": new})
            else:
                self.stdout.write(_("%(field)s: cleared") % {"field": label})
        self.stdout.write(
            _("Historical versions scrubbed: %(scrubbed)s of %(total)s.")
            % {"scrubbed": result.history_rows_scrubbed, "total": result.history_rows}
        )
        self.stdout.write(
            _("Admin log entries naming the person, rewritten: %(count)s.") % {"count": result.admin_log_entries}
        )
        kept = ", ".join(f"{name}: {count}" for name, count in result.references.items())
        self.stdout.write(_("Records referring to the person, kept: %(kept)s.") % {"kept": kept})
        if not dry_run:
            self.stdout.write(self.style.SUCCESS(_("Person %(pk)s anonymised.") % {"pk": pk}))
