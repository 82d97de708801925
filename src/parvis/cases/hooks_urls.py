"""Webhooks called by operators (mounted under /hooks/). The secret token is part of the
path: the URL given to the operator is the credential."""

from django.urls import re_path

from . import inbound

app_name = "hooks"

# The final slash is optional: an operator posting to ".../incoming" must not get a redirect
# (which most do not follow for a POST).
urlpatterns = [
    re_path(r"^sms/(?P<token>[^/]+)/incoming/?$", inbound.sms_incoming, name="sms-incoming"),
    re_path(r"^sms/(?P<token>[^/]+)/status/?$", inbound.sms_status, name="sms-status"),
]
