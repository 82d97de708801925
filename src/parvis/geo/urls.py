from django.urls import path

from . import views

app_name = "geo"

urlpatterns = [
    path("", views.map_page, name="map"),
    path("grid.json", views.grid_json, name="grid"),
    path("areas.json", views.areas_json, name="areas"),
    path("streets.json", views.streets_json, name="streets"),
    path("count/", views.count_view, name="count"),
    path("audience/", views.save_audience, name="save-audience"),
    path("missing/", views.missing_coordinates, name="missing"),
    path("alerts/", views.alert_list, name="alerts"),
    path("alerts/new/", views.alert_new, name="alert-new"),
    path("alerts/<int:alert_id>/", views.alert_detail, name="alert"),
    path("alerts/<int:alert_id>/update/", views.alert_update, name="alert-update"),
]
