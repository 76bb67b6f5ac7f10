"""The changelists of the TERYT units: a fixed number of queries (the register is loaded whole)."""

from territory.models import Commune, County, Voivodeship
from tests import builders
from tests.admin_changelists import ChangelistQueriesMixin


class TerritoryChangelistTests(ChangelistQueriesMixin, builders.AdminTestCase):
    changelists = {Voivodeship: "mazow", County: "ostrow", Commune: "ostrow"}

    def grow(self, model, count: int) -> None:
        pass  # the whole register is there already (load_territory)
