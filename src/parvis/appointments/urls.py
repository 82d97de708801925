from django.urls import path

from . import views

app_name = "appointments"

urlpatterns = [
    path("", views.place_list, name="places"),
    path("a/<int:appointment_id>/mark/", views.mark, name="mark"),
    path("<slug:slug>/", views.agenda, name="agenda"),
]
