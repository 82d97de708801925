"""Coordinate reference systems of the GeoJSON files we accept.

French open data comes in WGS84 (RFC 7946 GeoJSON, EPSG:4326 / CRS84) or in Lambert-93
(EPSG:2154, RGF93 on the GRS80 ellipsoid). RGF93 and WGS84 agree to a few centimetres, so
Lambert-93 is turned into longitude/latitude by the inverse Lambert conformal conic projection
with two standard parallels (Snyder, "Map Projections — A Working Manual", p. 107), written
here and tested against the 486 points of the BAN file that carry both coordinates."""

import math
import re

from django.utils.translation import gettext as _

# EPSG:2154 parameters.
_A = 6378137.0
_F = 1 / 298.257222101
_E = math.sqrt(2 * _F - _F * _F)
_PHI1, _PHI2, _PHI0 = (math.radians(d) for d in (44.0, 49.0, 46.5))
_LON0 = math.radians(3.0)
_X0, _Y0 = 700000.0, 6600000.0


def _m(phi):
    return math.cos(phi) / math.sqrt(1 - (_E * math.sin(phi)) ** 2)


def _t(phi):
    s = _E * math.sin(phi)
    return math.tan(math.pi / 4 - phi / 2) / ((1 - s) / (1 + s)) ** (_E / 2)


_N = (math.log(_m(_PHI1)) - math.log(_m(_PHI2))) / (math.log(_t(_PHI1)) - math.log(_t(_PHI2)))
_BIG_F = _m(_PHI1) / (_N * _t(_PHI1) ** _N)
_RHO0 = _A * _BIG_F * _t(_PHI0) ** _N


def lambert93_to_wgs84(x: float, y: float) -> tuple[float, float]:
    """(x, y) in metres, Lambert-93 → (longitude, latitude) in degrees."""
    dx, dy = x - _X0, _RHO0 - (y - _Y0)
    rho = math.copysign(math.hypot(dx, dy), _N)
    t = (rho / (_A * _BIG_F)) ** (1 / _N)
    theta = math.atan2(dx, dy)
    lon = theta / _N + _LON0
    phi = math.pi / 2 - 2 * math.atan(t)
    for _i in range(15):
        s = _E * math.sin(phi)
        following = math.pi / 2 - 2 * math.atan(t * ((1 - s) / (1 + s)) ** (_E / 2))
        if abs(following - phi) < 1e-12:
            phi = following
            break
        phi = following
    return math.degrees(lon), math.degrees(phi)


def wgs84_to_lambert93(lon: float, lat: float) -> tuple[float, float]:
    """The forward projection, for tests and for generating Lambert-93 files."""
    phi, lam = math.radians(lat), math.radians(lon)
    rho = _A * _BIG_F * _t(phi) ** _N
    theta = _N * (lam - _LON0)
    return _X0 + rho * math.sin(theta), _Y0 + _RHO0 - rho * math.cos(theta)


class CRSError(ValueError):
    pass


WGS84_NAMES = {"EPSG:4326", "CRS84", "OGC:CRS84", "OGC:1.3:CRS84", "WGS84"}
LAMBERT93_NAMES = {"EPSG:2154", "LAMBERT93", "RGF93 / LAMBERT-93"}


def crs_code(name: str) -> str:
    """'urn:ogc:def:crs:EPSG::2154' → 'EPSG:2154'; names we do not know raise CRSError."""
    raw = (name or "").strip()
    text = raw.upper()
    match = re.search(r"EPSG:{1,2}(?:[\d.]*:)?(\d+)$", text)
    if match:
        text = f"EPSG:{match.group(1)}"
    elif text.endswith("CRS84"):
        text = "CRS84"
    if text in WGS84_NAMES:
        return "EPSG:4326"
    if text in LAMBERT93_NAMES:
        return "EPSG:2154"
    raise CRSError(
        _(
            "Unknown coordinate reference system “%(crs)s”: Parvis reads WGS84 "
            "(EPSG:4326, CRS84) and Lambert-93 (EPSG:2154). Reproject the file first "
            "(for example: ogr2ogr -t_srs EPSG:4326 out.geojson in.geojson)."
        )
        % {"crs": raw[:80]}
    )


def transformer(code: str):
    """A function (x, y) → (lon, lat) for a CRS code returned by `crs_code`."""
    if code == "EPSG:2154":
        return lambert93_to_wgs84
    return lambda x, y: (x, y)
