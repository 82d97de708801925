from django.urls import path

from . import portal_views

app_name = "assistant"

urlpatterns = [
    path("", portal_views.home, name="home"),
    path("request/", portal_views.open_request, name="request"),
    path("reset/", portal_views.reset, name="reset"),
    path("articles/<int:article_id>/", portal_views.article, name="article"),
]
