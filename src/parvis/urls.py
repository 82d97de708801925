from django.contrib import admin
from django.urls import include, path

from parvis.api.router import api

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("people/", include("parvis.people.urls")),
    path("audit/", include("parvis.audit.urls")),
    path("portal/assistant/", include("parvis.assist.portal_urls")),
    path("portal/appointments/", include("parvis.appointments.portal_urls")),
    path("portal/", include("parvis.portal.urls")),
    path("assist/", include("parvis.assist.urls")),
    path("cases/", include("parvis.cases.urls")),
    path("hooks/", include("parvis.cases.hooks_urls")),
    path("j/", include("parvis.journeys.tracking_urls")),
    path("journeys/", include("parvis.journeys.urls")),
    path("geo/", include("parvis.geo.urls")),
    path("portal/alerts/", include("parvis.geo.portal_urls")),
    path("appointments/", include("parvis.appointments.urls")),
    path("audiences/", include("parvis.audiences.urls")),
    path("integrations/", include("parvis.integrations.urls")),
    path("rights/", include("parvis.rights.urls")),
    path("", include("parvis.console.urls")),
]
