from django.contrib import admin
from django.urls import include, path

from parvis.api.router import api

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("people/", include("parvis.people.urls")),
    path("audit/", include("parvis.audit.urls")),
    path("portal/", include("parvis.portal.urls")),
    path("hooks/", include("parvis.cases.hooks_urls")),
    path("", include("parvis.console.urls")),
]
