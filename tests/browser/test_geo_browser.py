"""The map in a real chromium: draw a polygon with Leaflet.draw's toolbar (mouse clicks), and
the count shown equals the database's. No tile server: the map works on a blank background."""

import pytest
from django.urls import reverse

from parvis.geo import ban
from parvis.geo.models import Area
from parvis.people.models import Address, Household, Residence
from tests.geo.conftest import BAN, resident

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-test-123"


def test_draw_a_polygon_and_see_the_count_of_the_database(live_server, page, supervisor, settings):
    from playwright.sync_api import expect

    settings.PARVIS_MAP_TILES = ""
    ban.import_ban(BAN, postcode="54111")
    for i, address in enumerate(Address.objects.order_by("pk")[::3]):
        household = Household.objects.create(address=address)
        resident(
            f"P{i}", address, email=f"p{i}@example.org" if i % 2 else None, household=household
        )

    page.goto(live_server.url + reverse("console:login"))
    page.fill("#id_username", supervisor.username)
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"**{reverse('console:home')}")
    page.goto(live_server.url + reverse("geo:map"))
    expect(page.locator("#geo-no-tiles")).to_be_visible()
    expect(page.locator(".geo-cluster").first).to_be_visible()

    box = page.locator("#geo-map").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    points = [(cx - 150, cy - 120), (cx + 60, cy - 140), (cx + 130, cy + 90), (cx - 100, cy + 110)]
    page.click(".leaflet-draw-draw-polygon")
    for x, y in points:
        page.mouse.click(x, y)
        page.wait_for_timeout(50)
    page.mouse.click(*points[0])  # back on the first vertex: the polygon closes
    counts = page.locator("#geo-counts[data-ready='1']")
    expect(counts).to_be_visible()

    # The polygon as the map drew it, in longitude/latitude, sent back by the page itself.
    drawn = page.evaluate("JSON.parse(document.getElementById('geo-selection').value)")
    from parvis.geo import geometry, selection

    ring = [tuple(p) for p in drawn["shapes"][0]["geometry"]["coordinates"][0]]
    inside = sum(
        1
        for r in Residence.objects.filter(end__isnull=True).select_related("address")
        if geometry.point_in_rings((r.address.longitude, r.address.latitude), [ring])
    )
    tree = selection.to_tree(drawn)
    # At least SMALL_COUNT people: below, an agent would get a refusal, not the figure.
    assert inside == selection.people(tree).count() >= selection.SMALL_COUNT
    shown = (
        page.get_by_test_id("count-persons").inner_text().replace("\u202f", "").replace("\xa0", "")
    )
    assert int(shown) == inside
    assert not Area.objects.exists()

    # The same selection saved as an audience from the map: it counts the same people.
    from parvis.audiences import services as audience_services
    from parvis.audiences.models import Audience

    page.fill("#audience-name", "Zone dessinée")
    page.click("#geo-save-audience")
    page.wait_for_url("**/audiences/*/")
    audience = Audience.objects.get()
    assert audience.name == "Zone dessinée"
    assert audience_services.members(audience).count() == inside
