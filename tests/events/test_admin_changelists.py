"""The changelists of projects and events: a fixed number of queries at any number of rows."""

from events.models import Event, Project
from tests import builders
from tests.admin_changelists import ChangelistQueriesMixin


class EventsChangelistTests(ChangelistQueriesMixin, builders.AdminTestCase):
    changelists = {Project: "testowy", Event: "testowe"}
