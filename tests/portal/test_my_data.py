from html import escape

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from parvis.audit.models import AccessLog
from parvis.cases.models import Case
from parvis.people import services as people
from parvis.people.models import DataSource

pytestmark = pytest.mark.django_db


def test_my_data_shows_all_my_facts_with_their_provenance(citizen_client, person, other_person):
    caf = DataSource.objects.get(code="caf")
    people.add_fact(other_person, key="family_quotient", value="999", source=caf,
                    legal_basis="CSS")  # fmt: skip
    response = citizen_client.get(reverse("portal:my-data"))
    assert response.status_code == 200
    html = response.content.decode()
    # Sensitive (social) facts too: it is the citizen's own data.
    quotient = person.facts.get(key="family_quotient")
    assert quotient.key.sensitive
    assert 'data-fact="family_quotient"' in html and "612,50 €" in html
    assert "999" not in html
    assert 'data-fact="passport_expires_on"' in html
    for text in (caf.name, "CSS art. L. 114-12-1", "Code de la sécurité intérieure"):
        assert escape(text) in html
    assert "elodie.legall@example.fr" in html.lower()
    assert "service-public.fr" not in html
    assert reverse("portal:correction", args=[quotient.pk]) in html


def test_every_display_writes_the_access_log(citizen_client, person, citizen):
    citizen_client.get(reverse("portal:my-data"))
    citizen_client.get(reverse("portal:my-data"))
    entries = AccessLog.objects.filter(person_id=person.pk, action="portal.facts")
    assert entries.count() == 2
    entry = entries.first()
    assert entry.channel == AccessLog.Channel.PORTAL and entry.user == citizen


def test_asking_for_a_correction_opens_a_case_i_can_follow(citizen_client, person):
    fact = person.facts.get(key="family_quotient")
    form = citizen_client.get(reverse("portal:correction", args=[fact.pk]))
    assert form.status_code == 200
    response = citizen_client.post(
        reverse("portal:correction", args=[fact.pk]),
        {"text": "Mon quotient est de 540 depuis janvier."},
    )
    case = Case.objects.get()
    assert response["Location"] == reverse("portal:request", args=[case.reference])
    with translation.override("fr"):
        expected = _("Correction request: %(label)s") % {"label": fact.key.label}
    assert case.subject == expected and case.person == person and case.channel == "portal"
    body = case.messages.get().body_text
    assert "540 depuis janvier" in body and "612,50 €" in body
    listing = citizen_client.get(reverse("portal:requests")).content.decode()
    assert case.reference in listing


def test_another_persons_fact_cannot_be_corrected_from_my_account(citizen_client, other_person):
    caf = DataSource.objects.get(code="caf")
    theirs = people.add_fact(other_person, key="family_quotient", value="999", source=caf,
                             legal_basis="CSS")  # fmt: skip
    url = reverse("portal:correction", args=[theirs.pk])
    assert citizen_client.get(url).status_code == 404
    assert citizen_client.post(url, {"text": "x"}).status_code == 404
    assert not Case.objects.exists()


def test_my_data_needs_a_citizen(client, person):
    assert client.get(reverse("portal:my-data")).status_code == 302
    assert not AccessLog.objects.exists()
