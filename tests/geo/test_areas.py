"""Named areas from GeoJSON: WGS84 and Lambert-93 (reprojected), and every bad file a clear
error that writes nothing."""

import json

import pytest
from django.core.management import CommandError, call_command

from parvis.geo import areas, demo
from parvis.geo.models import Area
from parvis.geo.projection import wgs84_to_lambert93

pytestmark = pytest.mark.django_db


def collection(features, crs=None):
    doc = {"type": "FeatureCollection", "features": features}
    if crs:
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    return doc


def square(name, x0, y0, x1, y1, project=None):
    ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
    if project:
        ring = [list(project(x, y)) for x, y in ring]
    return {
        "type": "Feature",
        "properties": {"NOM_IRIS": name, "CODE_IRIS": "540840101"},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def write(tmp_path, doc, name="areas.geojson"):
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
    return path


def test_the_shipped_demo_areas_import_and_match_what_the_ban_file_gives():
    assert json.loads(demo.AREAS_FILE.read_text()) == demo.build_areas()
    report = areas.import_areas(demo.AREAS_FILE, kind="neighbourhood")
    assert report.crs == "EPSG:4326" and report.created == 4
    centre = Area.objects.get(name="Centre")
    assert centre.kind == "neighbourhood" and centre.min_lat == demo.SOUTH_NORTH_CUT
    assert areas.import_areas(demo.AREAS_FILE, kind="neighbourhood").updated == 4


def test_lambert93_files_are_reprojected(tmp_path):
    doc = collection(
        [square("Centre", 5.8268, 49.3256, 5.8428, 49.329, project=wgs84_to_lambert93)],
        crs="urn:ogc:def:crs:EPSG::2154",
    )
    report = areas.import_areas(write(tmp_path, doc), kind="iris")
    assert report.crs == "EPSG:2154"
    area = Area.objects.get(name="Centre")
    assert area.code == "540840101"
    ring = area.geometry["coordinates"][0][0]
    assert ring[0] == pytest.approx([5.8268, 49.3256], abs=1e-7)
    assert area.max_lon == pytest.approx(5.8428, abs=1e-7)


@pytest.mark.parametrize(
    "content,message",
    [
        ("this is not json", "not JSON, so not GeoJSON"),
        ('{"hello": "world"}', "JSON but not GeoJSON"),
        ('{"type": "FeatureCollection", "features": []}', "no feature"),
        (
            collection([square("A", 5.8, 49.3, 5.9, 49.4)], crs="EPSG:3857"),
            "Unknown coordinate reference system",
        ),
        (
            # Lambert-93 coordinates without a crs member: not longitudes and latitudes.
            collection([square("A", 5.8, 49.3, 5.9, 49.4, project=wgs84_to_lambert93)]),
            "not longitudes and latitudes",
        ),
        (
            collection(
                [
                    {
                        "type": "Feature",
                        "properties": {"name": "Bow tie"},
                        "geometry": {
                            "type": "Polygon",
                            "coordinates": [
                                [[5.8, 49.3], [5.9, 49.4], [5.9, 49.3], [5.8, 49.4], [5.8, 49.3]]
                            ],
                        },
                    }
                ]
            ),
            "crosses itself",
        ),
        (
            collection([{"type": "Feature", "properties": {}, "geometry": None}]),
            "has no name",
        ),
        (
            collection(
                [
                    {
                        "type": "Feature",
                        "properties": {"name": "Line"},
                        "geometry": {
                            "type": "LineString",
                            "coordinates": [[5.8, 49.3], [5.9, 49.4]],
                        },
                    }
                ]
            ),
            "expected a Polygon or MultiPolygon",
        ),
    ],
)
def test_bad_files_are_clear_errors_and_write_nothing(tmp_path, english, content, message):
    path = write(tmp_path, content if isinstance(content, str) else json.dumps(content))
    with pytest.raises(areas.GeoJSONError, match=message):
        areas.import_areas(path)
    with pytest.raises(CommandError, match=message):
        call_command("geo", "import-areas", str(path))
    assert not Area.objects.exists()


def test_a_file_with_one_bad_feature_imports_none(tmp_path, english):
    doc = collection(
        [square("Good", 5.8, 49.3, 5.9, 49.4), square("Bad", 5.8, 49.3, 500000, 6900000)]
    )
    with pytest.raises(areas.GeoJSONError, match="Feature 2 .Bad."):
        areas.import_areas(write(tmp_path, doc))
    assert not Area.objects.exists()
