"""A kind's (and a member's role's) label, as the lists and pages show it for every row: through
the enum, the same as Django's get_FOO_display gives, an unknown value shown as it is (as Django
shows it)."""

from django.test import SimpleTestCase
from django.utils import translation

from events.models import Event
from members.models import Institution
from partnerships.models import Membership


class KindLabelTests(SimpleTestCase):
    def test_every_kind_is_labelled_as_django_labels_it_in_either_language(self):
        for model in (Institution, Event):
            for language in ("pl", "en"):
                with translation.override(language):
                    for value, label in model.Kind.choices:
                        with self.subTest(model=model.__name__, value=value, language=language):
                            self.assertEqual(model(kind=value).get_kind_display(), str(label))
        with translation.override("pl"):
            self.assertEqual(Institution(kind="mops").get_kind_display(), str(dict(Institution.Kind.choices)["mops"]))

    def test_every_role_of_a_member_is_labelled_as_django_labels_it(self):
        for language in ("pl", "en"):
            with translation.override(language):
                for value, label in Membership.Role.choices:
                    with self.subTest(value=value, language=language):
                        self.assertEqual(Membership(role=value).get_role_display(), str(label))
        with translation.override("pl"):
            self.assertEqual(Membership(role="leader").get_role_display(), "lider")
        self.assertEqual(Membership(role="nieznana").get_role_display(), "nieznana")

    def test_an_unknown_kind_is_shown_as_stored(self):
        self.assertEqual(Institution(kind="nieznany").get_kind_display(), "nieznany")
        self.assertEqual(Event(kind="").get_kind_display(), "")
