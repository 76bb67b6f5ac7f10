"""Paths of the official files in ../shared/data, which the project must not carry.

Tests that need them skip, with this reason, where the variables are unset; `.ci/run`
and `make test` set them.
"""

import os
from pathlib import Path
from unittest import skipUnless


def _path(variable: str) -> Path | None:
    value = os.environ.get(variable, "")
    return Path(value) if value and Path(value).is_file() else None


TERYT_CSV = _path("TERYT_CSV")
TERYT_XML = _path("TERYT_XML")
BOUNDARIES_GEOJSON = _path("BOUNDARIES_GEOJSON")
VOIVODESHIP_BOUNDARIES_GEOJSON = _path("VOIVODESHIP_BOUNDARIES_GEOJSON")


def needs(*variables: str):
    missing = [v for v in variables if _path(v) is None]
    return skipUnless(not missing, f"set {', '.join(missing)} to the official file(s) in ../shared/data (.ci/run does)")
