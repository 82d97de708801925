"""Lambert-93 ↔ WGS84, checked against the 486 BAN points that carry both coordinates."""

import csv

import pytest

from parvis.geo.projection import CRSError, crs_code, lambert93_to_wgs84, wgs84_to_lambert93

from .conftest import BAN


def ban_points():
    with BAN.open(encoding="utf-8") as handle:
        return [
            (float(r["x"]), float(r["y"]), float(r["long"]), float(r["lat"]))
            for r in csv.DictReader(handle, delimiter=";")
        ]


def test_lambert93_inverse_matches_every_ban_point():
    points = ban_points()
    assert len(points) == 486
    for x, y, lon, lat in points:
        got_lon, got_lat = lambert93_to_wgs84(x, y)
        # The file rounds to 6 decimals (about 0.1 m): agree within that rounding.
        assert abs(got_lon - lon) < 1e-6 and abs(got_lat - lat) < 1e-6


def test_forward_and_inverse_agree_and_the_projection_origin_is_exact():
    lon, lat = lambert93_to_wgs84(700000, 6600000)
    assert lon == pytest.approx(3.0, abs=1e-12) and lat == pytest.approx(46.5, abs=1e-9)
    for x, y, lon, lat in ban_points()[:50]:
        fx, fy = wgs84_to_lambert93(lon, lat)
        assert abs(fx - x) < 0.06 and abs(fy - y) < 0.06  # metres (6-decimal rounding)


@pytest.mark.parametrize(
    "name,code",
    [
        ("urn:ogc:def:crs:EPSG::2154", "EPSG:2154"),
        ("EPSG:2154", "EPSG:2154"),
        ("urn:ogc:def:crs:OGC:1.3:CRS84", "EPSG:4326"),
        ("EPSG:4326", "EPSG:4326"),
    ],
)
def test_crs_names(name, code):
    assert crs_code(name) == code


def test_an_unknown_crs_is_a_clear_error(english):
    with pytest.raises(
        CRSError, match="Unknown coordinate reference system .urn:ogc:def:crs:EPSG::3857."
    ):
        crs_code("urn:ogc:def:crs:EPSG::3857")
