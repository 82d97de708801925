from django.urls import path

from . import tracking_views

app_name = "journeys-track"

urlpatterns = [
    path("o/<str:signed>.gif", tracking_views.open_pixel, name="open"),
    path("c/<str:signed>/", tracking_views.click, name="click"),
    path("u/<str:signed>/", tracking_views.unsubscribe, name="unsubscribe"),
    path("push/subscribe/", tracking_views.push_subscribe, name="push-subscribe"),
    path("push/sw.js", tracking_views.push_worker, name="push-worker"),
]
