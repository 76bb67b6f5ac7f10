"""Django admin sentences that our catalogue words afresh for Polish.

Django's Polish catalogue writes every gender at once where the model's name is put into a
sentence ("Dodaj kolejne(go)(-ną)(-ny) członkostwo", "Zmień wybraną(-ne)(-nego)(-ny)
instytucja"). These msgids are Django's own; marked here, they are translated in
locale/pl/LC_MESSAGES/django.po (LOCALE_PATHS comes before Django's catalogues) with sentences
that are correct whatever the gender. Our own models' titles and messages go further, with the
accusative and the gender (core.grammar, core.admin.PolishMessagesMixin).
"""

from django.utils.translation import gettext_noop

DJANGO_ADMIN_SENTENCES = [
    # The "add a row" link of an inline (helpers.InlineAdminFormSet).
    gettext_noop("Add another %(verbose_name)s"),
    # The icons beside a relation's picker (admin/widgets/related_widget_wrapper.html).
    gettext_noop("Change selected %(model)s"),
    gettext_noop("Add another %(model)s"),
    gettext_noop("Delete selected %(model)s"),
    gettext_noop("View selected %(model)s"),
    # The bulk delete action of models without their own wording (users, groups).
    gettext_noop("Delete selected %(verbose_name_plural)s"),
    # Save and delete messages of models without their own wording.
    gettext_noop("The {name} “{obj}” was added successfully."),
    gettext_noop("The {name} “{obj}” was changed successfully."),
    gettext_noop("The %(name)s “%(obj)s” was deleted successfully."),
    # django-axes' names for its log of failed logins, which its Polish catalogue lacks.
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    # django-tasks-db's names for its queue, which it ships in English only.
    gettext_noop("Task Result"),
    gettext_noop("Task Results"),
]
