"""Erasure of a person at their request (RODO, art. 17), keeping the registry's facts.

A person is never deleted: speaker entries, patronages, memberships' representatives and
agreement signatories point at the row (``PROTECT``), and they record what happened. The row
stays and loses everything that identifies the person; the same fields are scrubbed in every
historical row of that person, because django-simple-history keeps each old version in full.
See docs/rodo.md.
"""

import json
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.db import transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext

from .models import Person

PLACEHOLDER_FIRST_NAME = "Osoba"
# The primary key keeps two anonymised people apart in the admin; it says nothing about them.
PLACEHOLDER_LAST_NAME = "zanonimizowana #{pk}"

# The identifying fields of a person; affiliation is an institution, not personal data.
SCRUBBED_FIELDS = ("first_name", "last_name", "academic_title", "function", *Person.PRIVATE_FIELDS)


def placeholder_values(pk: int) -> dict[str, str]:
    values = dict.fromkeys(SCRUBBED_FIELDS, "")
    values["first_name"] = PLACEHOLDER_FIRST_NAME
    values["last_name"] = PLACEHOLDER_LAST_NAME.format(pk=pk)
    return values


@dataclass
class Anonymisation:
    """What anonymising a person changes (or, in a dry run, would change). Old values are not
    kept here on purpose: the report is printed, and a terminal log must not hold them."""

    person_id: int
    new_values: dict[str, str]
    changed_fields: list[str] = field(default_factory=list)
    history_rows: int = 0
    history_rows_scrubbed: int = 0
    references: dict[str, int] = field(default_factory=dict)
    admin_log_entries: int = 0
    dry_run: bool = False

    @property
    def changes_anything(self) -> bool:
        return bool(self.changed_fields or self.history_rows_scrubbed or self.admin_log_entries)


def references_to(person: Person) -> dict[str, int]:
    """How many records of each kind point at the person and stay (speakers, patrons,
    memberships, signatories), found from the model's relations: members names no app to its
    right. One query per kind."""
    return {
        str(relation.related_model._meta.verbose_name_plural): relation.related_model._default_manager.filter(
            **{relation.field.name: person}
        ).count()
        for relation in Person._meta.related_objects
        if not relation.hidden
    }


def change_reason() -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return gettext("Anonymised at the person's request (RODO)")


def _admin_log_mentions(name: str):
    """Admin log entries naming the person: as the changed object (``object_repr`` is ``str()``
    of a person, speaker or patron) or inside a parent's change message (inline rows). The
    message is JSON, where a Polish letter may be written as an escape (\\u0142)."""
    escaped = json.dumps(name)[1:-1]
    return LogEntry.objects.filter(
        Q(object_repr__contains=name) | Q(change_message__contains=name) | Q(change_message__contains=escaped)
    )


def _scrub_admin_log(entries, old_names: list[str], new: str) -> None:
    pairs = [pair for old in old_names for pair in ((old, new), (json.dumps(old)[1:-1], json.dumps(new)[1:-1]))]
    for entry in entries:
        for before, after in pairs:
            entry.object_repr = entry.object_repr.replace(before, after)[:200]
            entry.change_message = entry.change_message.replace(before, after)
        entry.save(update_fields=["object_repr", "change_message"])


def anonymise_person(pk: int, *, dry_run: bool = False) -> Anonymisation:
    """Replace the person's name by a placeholder and clear title, function and contact data,
    in the row and in all its historical rows, in one transaction. Raises ``Person.DoesNotExist``.

    Idempotent: a second run finds nothing to change and writes nothing.
    """
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=pk)
        values = placeholder_values(person.pk)
        history = Person.history.filter(id=person.pk)
        result = Anonymisation(
            person_id=person.pk,
            new_values=values,
            changed_fields=[name for name, value in values.items() if getattr(person, name) != value],
            history_rows=history.count(),
            history_rows_scrubbed=history.exclude(**values).count(),
            references=references_to(person),
            dry_run=dry_run,
        )
        # Every name the person has had (a rename leaves the older one in the admin log), longest
        # first so that "dr Jan Nowak" is replaced before "Jan Nowak"; a placeholder is not searched for.
        placeholder = Person(**values).full_name
        old_names = {person.full_name}
        old_names.update(
            " ".join(part for part in parts if part)
            for parts in history.values_list("academic_title", "first_name", "last_name")
        )
        old_names = sorted((name for name in old_names if name and name != placeholder), key=len, reverse=True)
        log_entries = {entry.pk: entry for name in old_names for entry in _admin_log_mentions(name)}
        result.admin_log_entries = len(log_entries)
        if dry_run or not result.changes_anything:
            return result
        if result.changed_fields:
            for name, value in values.items():
                setattr(person, name, value)
            # The new historical row says what happened and why; who ran it is in the server's log.
            person._change_reason = change_reason()
            person.save()
        # Includes the row just written (already clean), so the count of rows left with data is 0.
        history.exclude(**values).update(**values)
        _scrub_admin_log(log_entries.values(), old_names, placeholder)
    return result
