from django.urls import path

from . import portal_views

app_name = "geo-portal"

urlpatterns = [
    path("", portal_views.subscriptions, name="subscriptions"),
]
