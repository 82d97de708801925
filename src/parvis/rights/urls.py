from django.urls import path

from . import views

app_name = "rights"

urlpatterns = [
    path("", views.report, name="report"),
    path("export.csv", views.report_csv, name="report-csv"),
    path("runs/", views.start_run, name="start-run"),
    path("runs/<int:run_id>/", views.run_status, name="run-status"),
    path("rules/", views.rules, name="rules"),
    path("rules/new/", views.rule_edit, name="rule-new"),
    path("rules/<int:rule_id>/", views.rule_edit, name="rule-edit"),
    path("selections/", views.selections, name="selections"),
    path("selections/new/", views.make_selection, name="make-selection"),
]
