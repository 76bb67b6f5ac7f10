"""Turning a GeoJSON of administrative boundaries into compact SVG paths for the home map.

Every outline is projected into one fixed frame (``MAP_VIEWBOX``), so that powiats and
voivodeships imported from different files line up on the same map. The projection is
equirectangular with longitudes shortened by cos 52° (the latitude of central Poland):
for a country this size it keeps shapes recognisable, and it needs no GIS library.
Outlines are simplified (Douglas–Peucker) to about the width of a line on screen.
"""

import json
import math
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from core.cache import cached, records_changed

from .models import County, Voivodeship

LON_MIN, LON_MAX, LAT_MIN, LAT_MAX = 14.0, 24.3, 48.9, 55.0
SCALE = 100.0  # map units per degree of latitude
X_FACTOR = SCALE * math.cos(math.radians(52.0))
MAP_WIDTH = round((LON_MAX - LON_MIN) * X_FACTOR)
MAP_HEIGHT = round((LAT_MAX - LAT_MIN) * SCALE)
MAP_VIEWBOX = f"0 0 {MAP_WIDTH} {MAP_HEIGHT}"
TOLERANCE = 0.25  # map units; about 280 m on the ground

Point = tuple[float, float]


class BoundaryError(Exception):
    """The file cannot be used; ``where`` names the line or the feature."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(message)
        self.where = where
        self.message = message

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class BoundaryReport:
    voivodeships: int = 0
    counties: int = 0
    unknown_codes: list[str] = field(default_factory=list)
    ignored_codes: list[str] = field(default_factory=list)


def import_boundaries(path: Path | str) -> BoundaryReport:
    """Store an outline for every voivodeship and county of the file; report codes it doesn't know."""
    outlines = read_outlines(path)
    report = BoundaryReport()
    voivodeships = Voivodeship.objects.in_bulk([c for c in outlines if len(c) == 2])
    counties = County.objects.in_bulk([c for c in outlines if len(c) == 4])
    with transaction.atomic():
        for code, outline in outlines.items():
            units = {2: voivodeships, 4: counties}.get(len(code))
            if units is None:
                report.ignored_codes.append(code)  # gmina outlines: the map draws none
            elif code not in units:
                report.unknown_codes.append(code)
            else:
                units[code].outline = outline
        Voivodeship.objects.bulk_update(voivodeships.values(), ["outline"], batch_size=200)
        County.objects.bulk_update(counties.values(), ["outline"], batch_size=200)
        records_changed.send(sender=County)
    report.voivodeships, report.counties = len(voivodeships), len(counties)
    return report


def read_outlines(path: Path | str) -> dict[str, str]:
    """TERYT code -> SVG path for each feature; raise BoundaryError naming where the file is wrong."""
    try:
        data = json.loads(Path(path).read_bytes())
    except UnicodeDecodeError:
        raise BoundaryError(_("file"), _("the file is not UTF-8 text.")) from None
    except json.JSONDecodeError as error:
        raise BoundaryError(
            _("line %(line)d") % {"line": error.lineno}, _("invalid JSON: %(error)s.") % {"error": error.msg}
        ) from None
    if (
        not isinstance(data, dict)
        or data.get("type") != "FeatureCollection"
        or not isinstance(data.get("features"), list)
    ):
        raise BoundaryError(_("file"), _("a GeoJSON FeatureCollection is expected."))
    outlines: dict[str, str] = {}
    for number, feature in enumerate(data["features"], start=1):
        where = _("feature %(number)d") % {"number": number}
        code = _code_of(feature, where)
        if code in outlines:
            raise BoundaryError(where, _("TERYT code %(code)s appears twice.") % {"code": code})
        outlines[code] = _outline(_polygons(feature.get("geometry"), where), where)
    if not outlines:
        raise BoundaryError(_("file"), _("the collection has no features."))
    return outlines


def _code_of(feature, where: str) -> str:
    if not isinstance(feature, dict) or not isinstance(feature.get("properties"), dict):
        raise BoundaryError(where, _("a Feature with properties is expected."))
    properties = feature["properties"]
    # "teryt" in most open datasets, "JPT_KOD_JE" in GUGiK's PRG, "woj_teryt" alone in
    # voivodeship layers dissolved from powiats.
    code = next((properties[k] for k in ("teryt", "JPT_KOD_JE", "woj_teryt") if properties.get(k)), None)
    code = str(code).strip() if isinstance(code, (str, int)) else ""
    if not code.isascii() or not code.isdigit() or len(code) not in (2, 4, 7):
        raise BoundaryError(where, _("property “teryt”, “JPT_KOD_JE” or “woj_teryt” must hold a TERYT code."))
    return code


def _polygons(geometry, where: str) -> list[list[list[Point]]]:
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        raise BoundaryError(where, _("the geometry must be a Polygon or a MultiPolygon."))
    coordinates = geometry.get("coordinates")
    polygons = [coordinates] if geometry["type"] == "Polygon" else coordinates
    try:
        if not isinstance(polygons, list) or not all(
            isinstance(polygon, list) and all(isinstance(ring, list) for ring in polygon) for polygon in polygons
        ):
            raise ValueError
        result = [[[_lon_lat(point) for point in ring] for ring in polygon] for polygon in polygons]
    except (TypeError, ValueError, IndexError):
        raise BoundaryError(where, _("the coordinates are not pairs of numbers.")) from None
    if not result or not all(result):
        raise BoundaryError(where, _("the geometry has no rings of points."))
    if any(len(ring) < 4 for polygon in result for ring in polygon):
        raise BoundaryError(where, _("a ring has fewer than four points."))
    for polygon in result:
        for lon, lat in (point for ring in polygon for point in ring):
            if not (LON_MIN <= lon <= LON_MAX and LAT_MIN <= lat <= LAT_MAX):
                raise BoundaryError(
                    where,
                    _(
                        "point %(lon)s, %(lat)s lies outside Poland: "
                        "coordinates must be WGS84 longitude, latitude (EPSG:4326)."
                    )
                    % {"lon": lon, "lat": lat},
                )
    return result


def _lon_lat(point) -> Point:
    # JSON gives lists; anything else (an object, a string, a number) is not a position.
    if not isinstance(point, list) or len(point) < 2:
        raise ValueError
    lon, lat = float(point[0]), float(point[1])
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise ValueError
    return lon, lat


def project(lon: float, lat: float) -> Point:
    return (lon - LON_MIN) * X_FACTOR, (LAT_MAX - lat) * SCALE


def _outline(polygons: list[list[list[Point]]], where: str) -> str:
    rings = [[project(lon, lat) for lon, lat in ring] for polygon in polygons for ring in polygon]
    largest = max(rings, key=_extent)
    parts = []
    for ring in rings:
        simplified = _dedupe(_round(simplify(ring, TOLERANCE)))
        if len(simplified) < 4:
            if ring is not largest:
                continue  # a speck of an island or hole, narrower than a line on the map
            simplified = _dedupe(_round(ring))
        parts.append("M" + " ".join(f"{_fmt(x)} {_fmt(y)}" for x, y in simplified[:-1]) + "Z")
    return "".join(parts)


def _extent(ring: list[Point]) -> float:
    xs, ys = [p[0] for p in ring], [p[1] for p in ring]
    return (max(xs) - min(xs)) + (max(ys) - min(ys))


def _round(ring: Iterable[Point]) -> list[Point]:
    return [(round(x, 1), round(y, 1)) for x, y in ring]


def _dedupe(ring: list[Point]) -> list[Point]:
    return [p for i, p in enumerate(ring) if i == 0 or p != ring[i - 1]]


def _fmt(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def simplify(points: list[Point], tolerance: float) -> list[Point]:
    """Douglas–Peucker: drop the points that lie within ``tolerance`` of the line kept."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        dx, dy = x2 - x1, y2 - y1
        length = math.hypot(dx, dy)
        farthest, distance = 0, -1.0
        for i in range(first + 1, last):
            px, py = points[i]
            # Distance to the chord, or to its one point where the ring closes on itself.
            d = abs(dy * px - dx * py + x2 * y1 - y2 * x1) / length if length else math.hypot(px - x1, py - y1)
            if d > distance:
                farthest, distance = i, d
        if distance > tolerance:
            keep[farthest] = True
            stack.extend([(first, farthest), (farthest, last)])
    return [p for p, kept in zip(points, keep, strict=True) if kept]


@dataclass(frozen=True)
class MapShape:
    code: str
    label: str
    outline: str
    url: str = ""
    highlighted: bool = False


def county_shapes(voivodeships: Iterable[str], highlighted: Collection[str] = ()) -> list[MapShape]:
    """The counties of ``voivodeships`` (codes) that have an outline, by code, as map shapes,
    the ``highlighted`` ones marked. Each voivodeship's are read once per data generation
    (core.cache): every partnership and county page in it draws the same ones."""

    def read(voivodeship: str) -> list[MapShape]:
        counties = County.objects.filter(voivodeship=voivodeship).exclude(outline="")
        return [MapShape(c.code, str(c), c.outline) for c in counties.only("code", "name", "kind", "outline")]

    shapes = []
    for code in sorted(set(voivodeships)):
        shapes += cached(f"county-shapes:{code}", lambda code=code: read(code))
    return [replace(shape, highlighted=shape.code in highlighted) for shape in shapes]


def voivodeship_borders(voivodeships: Iterable[str]) -> list[str]:
    """The outlines of ``voivodeships`` (codes) that have one, by code; all of them read once
    per data generation (core.cache)."""
    outlines = cached(
        "voivodeship-outlines", lambda: dict(Voivodeship.objects.exclude(outline="").values_list("code", "outline"))
    )
    return [outlines[code] for code in sorted(set(voivodeships)) if code in outlines]


def viewbox_around(outlines: Iterable[str], margin: float = 4.0) -> str:
    """The SVG viewBox that frames these outlines, for a small map of one area."""
    numbers = [float(n) for outline in outlines for n in outline.replace("M", " ").replace("Z", " ").split()]
    if not numbers:
        return MAP_VIEWBOX
    xs, ys = numbers[0::2], numbers[1::2]
    left, top = min(xs) - margin, min(ys) - margin
    width, height = max(xs) - min(xs) + 2 * margin, max(ys) - min(ys) + 2 * margin
    return f"{left:.1f} {top:.1f} {width:.1f} {height:.1f}"
