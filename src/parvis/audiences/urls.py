from django.urls import path

from . import views

app_name = "audiences"

urlpatterns = [
    path("", views.audience_list, name="list"),
    path("new/", views.audience_edit, name="new"),
    path("count/", views.live_count, name="count"),
    path("<int:audience_id>/", views.audience_detail, name="detail"),
    path("<int:audience_id>/edit/", views.audience_edit, name="edit"),
    path("<int:audience_id>/snapshot/", views.audience_snapshot, name="snapshot"),
]
