from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from parvis.people import services
from parvis.people.models import DataSource, Fact, Interaction, Person

pytestmark = pytest.mark.django_db


def test_create_person_rejects_bad_fields_naming_each_one():
    with pytest.raises(ValidationError) as exc:
        services.create_person(
            first_names="", last_name="Dupont", birth_date="2999-01-01", nir="123", sex="Q"
        )
    errors = exc.value.message_dict
    assert set(errors) == {"first_names", "birth_date", "nir", "sex"}
    assert Person.objects.count() == 0


def test_malformed_date_is_rejected():
    with pytest.raises(ValidationError) as exc:
        services.create_person(first_names="Jean", last_name="Dupont", birth_date="31/02/1980")
    assert "birth_date" in exc.value.message_dict


def test_duplicate_nir_is_rejected(person):
    with pytest.raises(ValidationError) as exc:
        services.create_person(first_names="X", last_name="Y", nir=person.nir)
    assert "nir" in exc.value.message_dict


def test_nir_is_never_displayed_in_full(person):
    assert person.nir not in person.masked_nir
    assert person.masked_nir.startswith("2 84")


def test_contact_points_are_normalised_and_deduplicated(person):
    again = services.add_contact_point(person, "mobile", "+33612345678")
    assert again.normalized == "+33612345678"
    assert person.contact_points.filter(kind="mobile").count() == 1
    landline = services.add_contact_point(person, "mobile", "03 82 12 34 56")
    assert landline.kind == "landline"  # the numbering plan decides, not the form


def test_consent_history_keeps_every_decision_and_the_latest_wins(person):
    services.record_consent(person, purpose="alerts", channel="sms", granted=False, method="phone")
    current = {(c.purpose, c.channel): c.granted for c in services.current_consents(person)}
    assert current[("alerts", "sms")] is False
    assert person.consents.count() == 2
    assert not services.has_consent(person, "alerts", "sms")


def test_fact_without_legal_basis_is_refused(person):
    with pytest.raises(ValidationError) as exc:
        services.add_fact(
            person,
            key="monthly_rent",
            value=500,
            source=DataSource.objects.get(code="citizen"),
            legal_basis=" ",
        )
    assert "legal_basis" in exc.value.message_dict


def test_fact_values_are_typed(person):
    fact = Fact.objects.get(person=person, key="family_quotient")
    assert str(fact.value) == "612.50"
    with pytest.raises(ValidationError) as exc:
        services.add_fact(
            person,
            key="passport_expires_on",
            value="bientôt",
            source=DataSource.objects.get(code="ants"),
            legal_basis="x",
        )
    assert "value" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.add_fact(
            person,
            key="no_such_key",
            value="1",
            source=DataSource.objects.get(code="ants"),
            legal_basis="x",
        )


def test_sensitive_facts_need_the_permission(person, agent, supervisor):
    agent_keys = {f.key_id for f in services.visible_facts(person, agent)}
    supervisor_keys = {f.key_id for f in services.visible_facts(person, supervisor)}
    assert agent_keys == {"passport_expires_on"}
    assert supervisor_keys == {"passport_expires_on", "family_quotient"}
    assert services.hidden_fact_count(person, agent) == 1


def test_every_change_lands_in_the_timeline(person):
    kinds = list(person.interactions.values_list("kind", flat=True))
    assert kinds.count(Interaction.Kind.FACT) == 2
    assert kinds.count(Interaction.Kind.CONSENT) == 1
    newest = services.timeline(person).first()
    assert newest.occurred_at <= timezone.now()


def test_person_file_groups_facts_by_source(person, supervisor):
    file = services.person_file(person.pk, supervisor)
    assert {s.code for s in file["facts_by_source"]} == {"ants", "caf"}
    assert len(file["contact_points"]) == 2


def test_update_person_reindexes_names(person):
    from parvis.people.search import search_people

    services.update_person(person, last_name="Kervella")
    assert person in search_people("elodie kervella").persons
    assert person not in search_people("elodie le gall").persons
    assert person.birth_date == date(1984, 3, 12)
