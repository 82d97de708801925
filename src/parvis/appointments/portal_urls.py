from django.urls import path

from . import portal_views

app_name = "appointments-portal"

urlpatterns = [
    path("", portal_views.my_appointments, name="mine"),
    path("<int:appointment_id>/cancel/", portal_views.cancel, name="cancel"),
    path("link/<str:token>/", portal_views.link, name="link"),
]
