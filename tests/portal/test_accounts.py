import time
from datetime import date
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from parvis.people.models import ContactPoint, Person
from parvis.portal import identity
from parvis.portal.models import PortalAccount

from .conftest import PASSWORD, last_mail_to, link_in

pytestmark = pytest.mark.django_db


def sign_up(client, **overrides):
    data = {
        "first_names": "Élodie Marie",
        "last_name": "Le Gall",
        "birth_date": "1984-03-12",
        "email": "Elodie.LeGall@example.fr",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **overrides,
    }
    return client.post(reverse("portal:signup"), data)


def test_signup_sends_a_link_and_creates_nothing_active(client, db):
    response = sign_up(client, email="nouvelle@example.org")
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:signup-sent")
    account = PortalAccount.objects.get(email="nouvelle@example.org")
    assert account.person is None and not account.user.is_active
    assert not account.user.is_staff and not account.user.groups.exists()
    message = last_mail_to("nouvelle@example.org")
    assert "/portal/signup/confirm/" in message.body


def test_signup_form_errors_are_tied_to_their_fields(client, db):
    response = sign_up(client, email="pas-une-adresse", password2="autre", birth_date="2999-01-01")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_email-error"' in html and 'aria-describedby="id_email-error"' in html
    assert 'id="id_password2-error"' in html
    assert 'id="id_birth_date-error"' in html
    assert not PortalAccount.objects.exists() and not mail.outbox


def test_confirming_links_to_the_existing_person_with_same_email_and_birth_date(client, person):
    sign_up(client)
    path = link_in(last_mail_to("elodie.legall@example.fr"))
    page = client.get(path)
    assert page.status_code == 200 and 'name="password"' in page.content.decode()
    response = client.post(path, {"password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("portal:requests")
    account = PortalAccount.objects.get(email="elodie.legall@example.fr")
    assert account.person == person and account.email_verified_at and account.user.is_active
    assert Person.objects.count() == 1
    # Signed in by the confirmation.
    assert client.get(reverse("portal:requests")).status_code == 200


def test_same_email_but_another_birth_date_creates_a_new_person(client, person):
    sign_up(client, birth_date="1990-01-01")
    path = link_in(last_mail_to("elodie.legall@example.fr"))
    client.post(path, {"password": PASSWORD})
    account = PortalAccount.objects.get(email="elodie.legall@example.fr")
    assert account.person != person
    assert account.person.birth_date == date(1990, 1, 1)
    email = account.person.contact_points.get(kind=ContactPoint.Kind.EMAIL)
    assert email.normalized == "elodie.legall@example.fr" and email.verified


def test_two_persons_sharing_the_email_and_birth_date_create_a_new_one(client, person):
    twin = Person.objects.create(
        first_names="Jumelle", last_name="Le Gall", birth_date=person.birth_date
    )
    ContactPoint.objects.create(
        person=twin, kind="email", value="x", normalized="elodie.legall@example.fr"
    )
    sign_up(client)
    client.post(link_in(last_mail_to("elodie.legall@example.fr")), {"password": PASSWORD})
    account = PortalAccount.objects.get()
    assert account.person not in (person, twin)


def test_a_new_email_creates_a_new_person(client, db):
    sign_up(client, email="jean.dupont@example.org", first_names="Jean", last_name="Dupont")
    client.post(link_in(last_mail_to("jean.dupont@example.org")), {"password": PASSWORD})
    person = PortalAccount.objects.get().person
    assert (person.first_names, person.last_name) == ("Jean", "Dupont")


def test_the_link_wants_the_password_chosen_at_signup(client, person):
    sign_up(client)
    path = link_in(last_mail_to("elodie.legall@example.fr"))
    response = client.post(path, {"password": "pas-le-bon"})
    assert response.status_code == 200
    assert 'id="id_password-error"' in response.content.decode()
    assert PortalAccount.objects.get().person is None


def test_tampered_link_gives_a_clear_error(client, person):
    sign_up(client)
    path = link_in(last_mail_to("elodie.legall@example.fr"))
    token = path.rstrip("/").rsplit("/", 1)[1]
    tampered = reverse("portal:signup-confirm", args=[token[:-3] + "abc"])
    response = client.get(tampered)
    assert response.status_code == 400
    assert 'data-testid="link-error"' in response.content.decode()
    assert client.post(tampered, {"password": PASSWORD}).status_code == 400
    assert PortalAccount.objects.get().person is None


def test_expired_link_gives_a_clear_error(client, person, settings):
    sign_up(client)
    account = PortalAccount.objects.get()
    four_days_ago = time.time() - 4 * 86400
    with mock.patch("django.core.signing.time.time", return_value=four_days_ago):
        token = identity.make_link_token("signup", {"a": account.pk, "e": account.email})
    response = client.get(reverse("portal:signup-confirm", args=[token]))
    assert response.status_code == 400
    assert "expiré" in response.content.decode()  # the portal speaks French by default
    assert response.context["reason"] == "expired"


def test_signing_up_again_with_a_confirmed_email_reveals_nothing(client, citizen):
    mail.outbox.clear()
    response = sign_up(client)
    assert response["Location"] == reverse("portal:signup-sent")
    assert PortalAccount.objects.count() == 1
    assert "vous en avez déjà un" in last_mail_to("elodie.legall@example.fr").body


def test_sign_in_and_out(client, citizen):
    response = client.post(
        reverse("portal:login"), {"email": "ELODIE.legall@example.fr", "password": PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == reverse("portal:requests")
    page = client.get(reverse("portal:requests"))
    assert page.status_code == 200 and 'data-testid="citizen-name"' in page.content.decode()
    client.post(reverse("portal:logout"))
    assert client.get(reverse("portal:requests")).status_code == 302


def test_wrong_password_is_refused_with_a_message(client, citizen):
    response = client.post(
        reverse("portal:login"), {"email": "elodie.legall@example.fr", "password": "non"}
    )
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_unconfirmed_account_is_told_to_click_the_link(client, db):
    sign_up(client, email="pas.encore@example.org")
    response = client.post(
        reverse("portal:login"), {"email": "pas.encore@example.org", "password": PASSWORD}
    )
    assert response.status_code == 200 and "pas.encore@example.org" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_agent_is_not_a_citizen(client, agent):
    agent.email = "anne@mairie.fr"
    agent.save()
    client.post(reverse("portal:login"), {"email": "anne@mairie.fr", "password": "pw-test-123"})
    assert "_auth_user_id" not in client.session
    client.force_login(agent)
    assert client.get(reverse("portal:requests")).status_code == 403
    assert client.get(reverse("portal:my-data")).status_code == 403


def test_password_reset_with_the_portal_pages(client, citizen, agent):
    agent.email = "anne@mairie.fr"
    agent.save()
    client.post(reverse("portal:password-reset"), {"email": "anne@mairie.fr"})
    assert not mail.outbox  # agents are not reset from the public portal
    response = client.post(reverse("portal:password-reset"), {"email": "elodie.legall@example.fr"})
    assert response["Location"] == reverse("portal:password-reset-done")
    path = link_in(last_mail_to("elodie.legall@example.fr"), "/portal/password/reset/")
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200 and "new_password1" in form_page.content.decode()
    new = "Encore-un-autre-mot-de-passe-7"
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}
    )
    assert done["Location"] == reverse("portal:password-reset-complete")
    citizen.refresh_from_db()
    assert citizen.check_password(new)


def test_anonymous_is_sent_to_the_portal_login(client, db):
    response = client.get(reverse("portal:requests"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("portal:login") + "?next=")


def test_user_model_has_no_staff_or_group_for_citizens(client, db):
    sign_up(client, email="x@example.org")
    user = get_user_model().objects.get(email="x@example.org")
    assert not user.is_staff and not user.is_superuser and not user.groups.exists()
