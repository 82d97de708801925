"""Audience filter trees: what they select, in one query, and every kind of bad input."""

import pytest
from django.contrib.auth.models import AnonymousUser

from parvis.audiences import filters, services
from parvis.audiences.models import Audience, AudienceMember

pytestmark = pytest.mark.django_db


def names(tree):
    cleaned = filters.validate(tree)
    return sorted(p.first_names for p in filters.people(cleaned))


PASSPORT_SOON = {
    "kind": "fact",
    "key": "passport_expires_on",
    "op": "between",
    "from": {"days": 120},
    "to": {"days": 180},
}


def test_relative_date_uses_the_current_fact_only_and_skips_the_dead(town):
    # Chloé's old fact matches but she renewed since; Ève matches but died.
    assert names(PASSPORT_SOON) == ["Anne"]


def test_numbers_booleans_exists_and_missing(town):
    assert names({"kind": "fact", "key": "family_quotient", "op": "lte", "value": 700}) == ["Anne"]
    assert names(
        {"kind": "fact", "key": "family_quotient", "op": "between", "from": "600", "to": "1500"}
    ) == ["Anne", "Bruno"]
    assert names({"kind": "fact", "key": "rsa_recipient", "op": "is", "value": True}) == ["Anne"]
    assert names({"kind": "fact", "key": "passport_expires_on", "op": "missing"}) == ["Denis"]
    assert names(
        {"kind": "fact", "key": "passport_expires_on", "op": "before", "to": {"days": 200}}
    ) == ["Anne"]


def test_consent_latest_decision_counts(town):
    tree = {"kind": "consent", "purpose": "document_reminders", "channel": "any"}
    assert names(tree) == ["Anne"]
    refused = {
        "kind": "consent",
        "purpose": "document_reminders",
        "channel": "sms",
        "granted": False,
    }
    assert names(refused) == ["Bruno"]


def test_attributes_contacts_and_boolean_nodes(town):
    assert names({"kind": "attribute", "field": "age", "op": "gte", "from": 70}) == ["Bruno"]
    assert names({"kind": "attribute", "field": "age", "op": "between", "from": 30, "to": 40}) == [
        "Anne"
    ]
    assert names({"kind": "contact", "contact_kind": "mobile"}) == ["Bruno"]
    tree = {
        "kind": "any",
        "conditions": [
            {"kind": "contact", "contact_kind": "email"},
            {
                "kind": "not",
                "condition": {"kind": "fact", "key": "passport_expires_on", "op": "exists"},
            },
        ],
    }
    assert names(tree) == ["Anne", "Denis"]
    assert names({"kind": "all", "conditions": []}) == ["Anne", "Bruno", "Chloé", "Denis"]


def test_radius_polygon_with_hole_and_street(town):
    assert names({"kind": "radius", "lat": 49.0, "lon": 6.0, "metres": 100}) == ["Anne"]
    assert names({"kind": "radius", "lat": 49.0, "lon": 6.0, "metres": 400}) == ["Anne", "Bruno"]
    assert names({"kind": "radius", "lat": 49.0, "lon": 6.0, "metres": 5100}) == [
        "Anne",
        "Bruno",
        "Chloé",
    ]
    square = [[5.99, 48.99], [6.01, 48.99], [6.01, 49.01], [5.99, 49.01], [5.99, 48.99]]
    hole = [[5.999, 48.999], [6.0005, 48.999], [6.0005, 49.0005], [5.999, 49.0005], [5.999, 48.999]]
    assert names({"kind": "polygon", "geometry": {"type": "Polygon", "coordinates": [square]}}) == [
        "Anne",
        "Bruno",
    ]
    assert names(
        {"kind": "polygon", "geometry": {"type": "Polygon", "coordinates": [square, hole]}}
    ) == ["Bruno"]
    triangle = {
        "type": "Feature",
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[6.06, 48.99], [6.08, 48.99], [6.07, 49.01], [6.06, 48.99]]],
        },
    }
    assert names({"kind": "polygon", "geometry": triangle}) == ["Chloé"]
    assert names({"kind": "street", "streets": ["rue de la GARE"]}) == ["Anne", "Bruno", "Chloé"]


def test_the_whole_tree_is_one_sql_query(town, django_assert_num_queries):
    tree = filters.validate(
        {
            "kind": "all",
            "conditions": [
                PASSPORT_SOON,
                {"kind": "consent", "purpose": "document_reminders", "channel": "email"},
                {"kind": "radius", "lat": 49.0, "lon": 6.0, "metres": 1000},
                {
                    "kind": "polygon",
                    "geometry": {
                        "type": "Polygon",
                        "coordinates": [[[5.8, 48.9], [6.2, 48.9], [6.2, 49.3], [5.8, 48.9]]],
                    },
                },
            ],
        }
    )
    with django_assert_num_queries(1):
        assert services.count(tree) == 1


def test_static_snapshot_is_frozen_and_audiences_compose(town, agent):
    audience = services.save_audience(
        name="Passeports", definition=PASSPORT_SOON, kind="static", user=agent
    )
    assert services.take_snapshot(audience) == 1
    assert AudienceMember.objects.filter(audience=audience).count() == 1
    town["anne"].deceased_on = town["anne"].birth_date
    town["anne"].save()
    assert services.members(audience).count() == 0  # the dead are never selected
    dynamic = services.save_audience(
        name="Composée",
        definition={"kind": "not", "condition": {"kind": "audience", "id": audience.pk}},
    )
    assert services.count(dynamic.definition) == 3


@pytest.mark.parametrize(
    ("tree", "path", "message"),
    [
        ("nope", "", "Expected an object"),
        ({"kind": "teleport"}, "filters.kind", "Unknown condition"),
        ({"kind": "all", "conditions": "x"}, "filters.conditions", "list"),
        ({"kind": "fact", "key": "shoe_size", "op": "exists"}, "filters.key", "Unknown fact key"),
        (
            {"kind": "fact", "key": "passport_expires_on", "op": "lte", "value": 3},
            "filters.op",
            "Unknown value",
        ),
        (
            {
                "kind": "fact",
                "key": "passport_expires_on",
                "op": "between",
                "from": {"days": 180},
                "to": {"days": 120},
            },
            "filters.to",
            "before the start",
        ),
        (
            {"kind": "fact", "key": "passport_expires_on", "op": "after", "from": "31/12/2025"},
            "filters.from",
            "valid date",
        ),
        (
            {"kind": "fact", "key": "passport_expires_on", "op": "after", "from": {"weeks": 3}},
            "filters.from",
            "relative date",
        ),
        (
            {"kind": "fact", "key": "family_quotient", "op": "lt", "value": "beaucoup"},
            "filters.value",
            "number",
        ),
        (
            {"kind": "fact", "key": "rsa_recipient", "op": "is", "value": "yes"},
            "filters.value",
            "true or false",
        ),
        (
            {"kind": "attribute", "field": "age", "op": "between", "from": 40, "to": 20},
            "filters.to",
            "below",
        ),
        (
            {"kind": "attribute", "field": "shoe", "op": "in", "values": ["x"]},
            "filters.field",
            "Unknown value",
        ),
        (
            {"kind": "consent", "purpose": "spam", "channel": "email"},
            "filters.purpose",
            "Unknown value",
        ),
        ({"kind": "radius", "lat": 95, "lon": 6, "metres": 10}, "filters.lat", "at most 90"),
        ({"kind": "radius", "lat": 49, "lon": 6, "metres": -5}, "filters.metres", "at least 1"),
        ({"kind": "radius", "lat": 49, "lon": 6, "metres": 10**7}, "filters.metres", "at most"),
        ({"kind": "radius", "lat": "north", "lon": 6, "metres": 10}, "filters.lat", "number"),
        (
            {"kind": "polygon", "geometry": {"type": "Point", "coordinates": [6, 49]}},
            "filters.geometry",
            "Polygon",
        ),
        (
            {
                "kind": "polygon",
                "geometry": {"type": "Polygon", "coordinates": [[[6, 49], [6.1, 49], [6, 49.1]]]},
            },
            "filters.geometry.coordinates[0][0]",
            "at least 4",
        ),
        (
            {
                "kind": "polygon",
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[6, 49], [6.1, 49], [6, 49.1], [6.2, 49.2]]],
                },
            },
            "filters.geometry.coordinates[0][0]",
            "closed",
        ),
        (
            {
                "kind": "polygon",
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[6, 49], [6.1, 49], ["x", 49.1], [6, 49]]],
                },
            },
            "filters.geometry.coordinates[0][0][2][0]",
            "number",
        ),
        (
            {"kind": "street", "streets": ["Rue qui n'existe pas"]},
            "filters.streets[0]",
            "Unknown street",
        ),
        ({"kind": "audience", "id": 999999}, "filters.id", "Unknown audience"),
        ({"kind": "eligibility", "benefit": "rsa"}, "filters.kind", "not available"),
        ({"kind": "interaction", "within_days": 0}, "filters.within_days", "at least 1"),
    ],
)
def test_bad_trees_are_refused_with_the_path(town, tree, path, message):
    if tree.get("kind") == "eligibility" if isinstance(tree, dict) else False:
        if filters.eligibility_source() is not None:
            pytest.skip("the rights domain is installed")
    with pytest.raises(filters.TreeError) as caught:
        filters.validate(tree)
    assert caught.value.path == path
    assert message in str(caught.value)


def test_too_deep_and_too_many(town):
    tree = {"kind": "all", "conditions": []}
    node = tree
    for _ in range(12):
        child = {"kind": "all", "conditions": []}
        node["conditions"].append(child)
        node = child
    with pytest.raises(filters.TreeError, match="nested too deep"):
        filters.validate(tree)
    wide = {"kind": "any", "conditions": [{"kind": "contact", "contact_kind": "email"}] * 150}
    with pytest.raises(filters.TreeError, match="Too many"):
        filters.validate(wide)


def test_sensitive_facts_need_the_permission(town, agent, supervisor):
    tree = {"kind": "fact", "key": "family_quotient", "op": "exists"}
    with pytest.raises(filters.TreeError, match="sensitive"):
        filters.validate(tree, user=agent)
    filters.validate(tree, user=supervisor)
    assert AnonymousUser  # (no user: system use, allowed)


def test_bad_json_and_bad_save_lose_nothing(town):
    with pytest.raises(filters.TreeError, match="Not valid JSON"):
        services.parse_definition("{kind: all")
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        services.save_audience(name="", definition={"kind": "teleport"})
    assert set(caught.value.message_dict) == {"name", "definition"}
    assert Audience.objects.count() == 0


def test_eligibility_results_of_the_rights_domain(town):
    if filters.eligibility_source() is None:
        pytest.skip("the rights domain is not installed")
    from datetime import date

    from django.utils import timezone

    from parvis.rights.models import EligibilityResult

    for name, status in (("anne", "eligible"), ("bruno", "not_eligible")):
        EligibilityResult.objects.create(
            benefit="css",
            period=date(2025, 6, 1),
            person=town[name],
            status=status,
            explanation="test",
            computed_at=timezone.now(),
        )
    assert names({"kind": "eligibility", "benefit": "css", "period": "2025-06"}) == ["Anne"]
    assert names({"kind": "eligibility", "benefit": "css"}) == ["Anne"]  # latest period
    with pytest.raises(filters.TreeError, match="YYYY-MM"):
        filters.validate({"kind": "eligibility", "benefit": "css", "period": "juin"})
