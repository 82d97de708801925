"""Citizen accounts and web-form requests waiting for their sender to confirm their email.

A citizen account is a plain Django user (no staff flag, no group) tied to the `Person` it
speaks for; everything the portal shows is filtered through that person."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from parvis.cases.models import Case, Service
from parvis.people.models import Person


class PortalAccount(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="portal_account"
    )
    # Empty until the email is confirmed: only then is the account linked to a person.
    person = models.OneToOneField(
        Person,
        verbose_name=_("citizen"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="portal_account",
    )
    email = models.EmailField(_("email"), unique=True)
    # What the citizen declared at sign-up, used to find their file once the email is proven.
    first_names = models.CharField(_("first names"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    email_verified_at = models.DateTimeField(_("email confirmed"), null=True, blank=True)
    # The "sub" of the FranceConnect identity, when the citizen signed in with it.
    oidc_sub = models.CharField(max_length=255, blank=True, db_index=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("citizen account")
        verbose_name_plural = _("citizen accounts")

    def __str__(self):
        return self.email


class PendingRequest(models.Model):
    """A request sent from the web form without an account: kept until the sender clicks
    the link sent to their email, then handed to the intake once (and only once)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"))
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text"))
    service = models.ForeignKey(
        Service, verbose_name=_("service"), on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    case = models.ForeignKey(
        Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("request awaiting confirmation")
        verbose_name_plural = _("requests awaiting confirmation")
        indexes = [models.Index(fields=["confirmed_at", "created_at"])]

    def __str__(self):
        return f"{self.email}: {self.subject}"


class PendingFile(models.Model):
    request = models.ForeignKey(PendingRequest, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to="portal/pending/%Y/%m/")
    filename = models.CharField(_("file name"), max_length=255)

    class Meta:
        verbose_name = _("file awaiting confirmation")
        verbose_name_plural = _("files awaiting confirmation")

    def __str__(self):
        return self.filename
