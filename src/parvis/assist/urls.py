from django.urls import path

from . import views

app_name = "assist"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("cases/<int:case_id>/", views.case_page, name="case"),
    path("cases/<int:case_id>/draft/", views.draft_new, name="draft-new"),
    path("triage/<int:suggestion_id>/", views.triage_decide, name="triage-decide"),
    path("links/<int:suggestion_id>/", views.link_decide, name="link-decide"),
    path("drafts/<int:suggestion_id>/send/", views.draft_send, name="draft-send"),
    path("drafts/<int:suggestion_id>/reject/", views.draft_reject, name="draft-reject"),
    path("models/", views.models_page, name="models"),
    path("log/", views.log, name="log"),
    path("kb/", views.kb_list, name="kb"),
    path("kb/new/", views.kb_edit, name="kb-new"),
    path("kb/<int:article_id>/", views.kb_detail, name="kb-detail"),
    path("kb/<int:article_id>/edit/", views.kb_edit, name="kb-edit"),
    path("kb/<int:article_id>/delete/", views.kb_delete, name="kb-delete"),
]
