"""Map selections: counts equal to what the database says, bad shapes clear errors."""

import json
import math

import pytest

from parvis.audiences.geo import metres_per_degree
from parvis.geo import areas, ban, demo, geometry, selection
from parvis.geo.models import Area
from parvis.journeys.models import PushSubscription
from parvis.people import services as people
from parvis.people.models import Address, Household, HouseholdMember, Residence, Street

from .conftest import BAN, at, resident, street

pytestmark = pytest.mark.django_db

# A polygon over the south-west of the town (Rue Joffre, Rue Bernadette, Allée des Acacias).
POLYGON = {
    "type": "Polygon",
    "coordinates": [
        [
            [5.8320, 49.3210],
            [5.8352, 49.3210],
            [5.8352, 49.3245],
            [5.8330, 49.3252],
            [5.8320, 49.3210],
        ]
    ],
}


@pytest.fixture
def town():
    """One household on every fifth BAN address; contacts and consents vary with the rank."""
    ban.import_ban(BAN, postcode="54111")
    areas.import_areas(demo.AREAS_FILE, kind="neighbourhood")
    for i, address in enumerate(Address.objects.order_by("pk")[::5]):
        household = Household.objects.create(address=address)
        email = f"p{i}@example.org" if i % 2 == 0 else None
        mobile = f"06 12 34 {i // 100:02d} {i % 100:02d}" if i % 3 == 0 else None
        consents = ["email"] if i % 4 == 0 else []
        first = resident(
            f"P{i}", address, email=email, mobile=mobile, consents=consents, household=household
        )
        if i % 7 == 0:
            PushSubscription.objects.create(
                person=first, endpoint=f"https://push.example/{i}", p256dh="k", auth="a"
            )
        if i % 3 == 1:  # a second member of the household
            resident(f"Q{i}", address, household=household)
        if i % 11 == 0:
            people.record_consent(
                first, purpose="alerts", channel="postal", granted=False, method="portal"
            )


def expected(inside) -> dict:
    """The reference counts computed in Python from the rows, not from the SQL selection."""
    persons = {
        r.person_id
        for r in Residence.objects.filter(end__isnull=True).select_related("address")
        if r.address.latitude is not None and inside(r.address.longitude, r.address.latitude)
    }
    households = set(
        HouseholdMember.objects.filter(person_id__in=persons, until__isnull=True).values_list(
            "household_id", flat=True
        )
    )
    return {"persons": len(persons), "households": len(households), "ids": persons}


def test_polygon_counts_equal_the_database(town):
    rings = geometry.point_in_rings
    ring = [tuple(p) for p in POLYGON["coordinates"][0]]
    want = expected(lambda x, y: rings((x, y), [ring]))
    tree = selection.to_tree({"shapes": [{"type": "polygon", "geometry": POLYGON}]})
    got = selection.counts(tree)
    assert 0 < got["persons"] == want["persons"]
    assert got["households"] == want["households"] < got["persons"]
    assert set(selection.people(tree).values_list("pk", flat=True)) == want["ids"]


def test_channel_split_equals_the_database(town):
    tree = selection.to_tree(
        {"shapes": [{"type": "area", "areas": list(Area.objects.values_list("pk", flat=True))}]}
    )
    got = selection.counts(tree)
    persons = list(selection.people(tree))
    assert got["persons"] == len(persons) == Residence.objects.filter(end__isnull=True).count()

    def reach(p, safety):
        def consent(channel):
            rows = list(
                p.consents.filter(purpose="alerts", channel=channel).order_by("recorded_at", "id")
            )
            last = rows[-1].granted if rows else None
            return last is not False if safety else last is True

        email = p.contact_points.filter(kind="email", status="ok").exists() and consent("email")
        sms = p.contact_points.filter(kind="mobile", status="ok").exists() and consent("sms")
        push = PushSubscription.objects.filter(person=p, active=True).exists() and consent("push")
        return email, sms, push, consent_refused(p)

    def consent_refused(p):
        rows = list(
            p.consents.filter(purpose="alerts", channel="postal").order_by("recorded_at", "id")
        )
        return bool(rows) and rows[-1].granted is False

    for safety in (False, True):
        got = selection.counts(tree, safety=safety)
        flags = [reach(p, safety) for p in persons]
        assert got["email"] == sum(f[0] for f in flags)
        assert got["sms"] == sum(f[1] for f in flags)
        assert got["push"] == sum(f[2] for f in flags)
        electronic = [f[0] or f[1] or f[2] for f in flags]
        assert got["letter_only"] == sum(
            not e and not f[3] for e, f in zip(electronic, flags, strict=True)
        )
        assert got["none"] == sum(not e and f[3] for e, f in zip(electronic, flags, strict=True))
    assert selection.counts(tree, safety=True)["sms"] > selection.counts(tree)["sms"] == 0


def test_circle_streets_and_areas(town):
    circle = {"type": "circle", "lat": 49.3236, "lon": 5.8340, "metres": 150}
    from parvis.audiences.geo import metres_per_degree

    per_lat, per_lon = metres_per_degree(49.3236)
    want = expected(
        lambda x, y: ((y - 49.3236) * per_lat) ** 2 + ((x - 5.834) * per_lon) ** 2 <= 150**2
    )
    assert (
        selection.counts(selection.to_tree({"shapes": [circle]}))["persons"] == want["persons"] > 0
    )

    joffre = Street.objects.get(name="Rue Joffre")
    nationale = Street.objects.get(name="Rue Nationale")
    tree = selection.to_tree(
        {"shapes": [{"type": "streets", "streets": [joffre.pk, nationale.pk]}]}
    )
    assert (
        selection.counts(tree)["persons"]
        == Residence.objects.filter(
            end__isnull=True, address__street__in=[joffre, nationale]
        ).count()
    )

    centre = Area.objects.get(name="Centre")
    want = expected(
        lambda x, y: centre.min_lon <= x <= centre.max_lon and centre.min_lat <= y <= centre.max_lat
    )
    tree = selection.to_tree({"shapes": [{"type": "area", "areas": [centre.pk]}]})
    assert selection.counts(tree)["persons"] == want["persons"] > 0


def test_a_self_intersecting_polygon_is_a_clear_error(english):
    bow_tie = {
        "type": "Polygon",
        "coordinates": [
            [[5.83, 49.32], [5.84, 49.33], [5.84, 49.32], [5.83, 49.33], [5.83, 49.32]]
        ],
    }
    with pytest.raises(selection.SelectionError, match="Shape 1: The polygon crosses itself"):
        selection.to_tree({"shapes": [{"type": "polygon", "geometry": bow_tie}]})


@pytest.mark.parametrize(
    "data,message",
    [
        (None, "Draw an area"),
        ({"shapes": []}, "Draw an area"),
        ({"shapes": [{"type": "hexagon"}]}, "unknown kind of shape"),
        ({"shapes": [{"type": "circle", "lat": 49.3, "lon": 5.8, "metres": 0}]}, "at least 1"),
        ({"shapes": [{"type": "area", "areas": [999999]}]}, "Unknown area"),
        ({"shapes": [{"type": "streets", "streets": ["Rue Imaginaire"]}]}, "Unknown street"),
    ],
)
def test_bad_selections(english, data, message):
    with pytest.raises(selection.SelectionError, match=message):
        selection.to_tree(data)


def test_count_endpoint_polygon_with_no_one_inside(client, supervisor, town, english):
    client.force_login(supervisor)
    empty = {
        "type": "Polygon",
        "coordinates": [[[5.70, 49.20], [5.71, 49.20], [5.71, 49.21], [5.70, 49.20]]],
    }
    response = client.post(
        "/geo/count/",
        json.dumps({"selection": {"shapes": [{"type": "polygon", "geometry": empty}]}}),
        content_type="application/json",
    )
    assert response.status_code == 200
    data = response.json()
    assert data["persons"] == 0 and data["households"] == 0
    assert data["message"] == "Personne n'habite dans la zone choisie."  # the console is French


def test_grid_counts_add_up_to_the_residents(client, agent, town):
    client.force_login(agent)
    bbox = (5.82, 49.31, 5.85, 49.34)
    response = client.get("/geo/grid.json?bbox=5.82,49.31,5.85,49.34&cells=20")
    cells = response.json()["cells"]
    assert 1 < len(cells) <= 400
    assert set(cells[0]) == {"lat", "lon", "count", "few"}  # counts only, never a person
    # Each cell against the database, computed here from the residents' addresses.
    size = selection.cell_size(bbox, 20)
    want = {}
    for r in Residence.objects.filter(end__isnull=True).select_related("address"):
        key = (math.floor(r.address.latitude / size), math.floor(r.address.longitude / size))
        want[key] = want.get(key, 0) + 1
    got = {(math.floor(c["lat"] / size), math.floor(c["lon"] / size)): c for c in cells}
    assert set(got) == set(want)
    for key, n in want.items():
        if n < selection.SMALL_COUNT:
            assert got[key]["few"] is True and got[key]["count"] is None
        else:
            assert got[key]["few"] is False and got[key]["count"] == n
    assert any(c["few"] for c in cells) and any(not c["few"] for c in cells)
    assert client.get("/geo/grid.json?bbox=nonsense").status_code == 400


def test_zooming_in_on_an_address_does_not_single_it_out(client, agent):
    """A tiny box with many cells asked: the cells stay at least 100 m wide, are counted whole
    (whatever part of them the box covers), sit at their centre, and small counts are hidden."""
    tiny = (5.83400, 49.32200, 5.83401, 49.32201)
    size = selection.cell_size(tiny, 200)
    per_lat, per_lon = metres_per_degree(49.32201)
    assert size * min(per_lat, per_lon) >= selection.MIN_CELL_METRES
    centre_lat = (math.floor(49.322 / size) + 0.5) * size
    centre_lon = (math.floor(5.834 / size) + 0.5) * size
    joffre = street("Rue Joffre")
    lone = at(joffre, 1, centre_lat + size / 4, centre_lon + size / 4)
    resident("Ana", lone)
    block = at(joffre, 3, centre_lat - size / 4, centre_lon - size / 4)
    for first in ("Ben", "Cyd", "Dan", "Eva"):
        resident(first, block)
    client.force_login(agent)

    def grid(box):
        query = ",".join(f"{v:.6f}" for v in box)
        return client.get(f"/geo/grid.json?cells=200&bbox={query}").json()["cells"]

    around_lone = (lone.longitude - 1e-5, lone.latitude - 1e-5, lone.longitude, lone.latitude)
    assert grid(around_lone) == [
        {"lat": round(centre_lat, 6), "lon": round(centre_lon, 6), "count": 5, "few": False}
    ]
    Residence.objects.filter(address=block).first().delete()  # now 4 in the cell
    around_block = (block.longitude, block.latitude, block.longitude + 1e-5, block.latitude + 1e-5)
    (cell,) = grid(around_block)
    assert cell["few"] is True and cell["count"] is None
    assert (cell["lat"], cell["lon"]) == (round(centre_lat, 6), round(centre_lon, 6))
    assert (cell["lat"], cell["lon"]) != (round(block.latitude, 6), round(block.longitude, 6))
