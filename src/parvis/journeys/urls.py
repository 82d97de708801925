from django.urls import path

from . import views

app_name = "journeys"

urlpatterns = [
    path("", views.journey_list, name="list"),
    path("new/", views.journey_settings, name="new"),
    path("<int:journey_id>/", views.journey_dashboard, name="dashboard"),
    path("<int:journey_id>/settings/", views.journey_settings, name="settings"),
    path("<int:journey_id>/steps/", views.journey_steps, name="steps"),
    path("<int:journey_id>/action/", views.journey_action, name="action"),
    path("enrolments/<int:enrolment_id>/", views.enrolment_detail, name="enrolment"),
    path("enrolments/<int:enrolment_id>/action/", views.enrolment_action, name="enrolment-action"),
    path("templates/", views.template_list, name="templates"),
    path("templates/new/", views.template_edit, name="template-new"),
    path("templates/<int:template_id>/", views.template_edit, name="template-edit"),
]
